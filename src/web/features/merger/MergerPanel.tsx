import { ActionIcon, Badge, Button, Checkbox, Group, Paper, Progress, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconChevronDown, IconChevronRight, IconPaperclip, IconPlus } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CHECKPOINTS, DISPOSITIONS, PHASES, TASK_STATUSES, type Checkpoint, type MergerPlan, type MergerTask, type TaskStatus } from '../../../contracts/merger.js';
import type { OrgUnit } from '../../../contracts/org.js';
import { DateField } from '../../components/DateField.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDate } from '../../components/format.js';
import { notifySuccess } from '../../components/notify.js';
import { unitOptions } from '../org-units/labels.js';
import { useSystems } from '../inventory/api.js';
import { useCreateTask, useSystemMerger, useUpdateTask, useUpsertPlan, type MergerPlanInput } from './api.js';
import { AttachReconciliationModal } from './AttachReconciliationModal.js';
import { MergerStateBadge, TaskStatusBadge } from './labels.js';
import { ReconciliationView } from './ReconciliationView.js';
import { WindowsOutages } from './WindowsOutages.js';

interface Perms {
  write: boolean;
  taskUpdate: boolean;
}

/** Create or change the system's plan: disposition, target system, phase, dates, lead unit, decision. */
function PlanForm({ systemId, plan, units, onDone }: { systemId: string; plan: MergerPlan | null; units: OrgUnit[]; onDone: () => void }) {
  const { t } = useTranslation();
  const upsert = useUpsertPlan(systemId);
  const [disposition, setDisposition] = useState<string | null>(plan?.disposition ?? null);
  const [targetSystemId, setTarget] = useState<string | null>(plan?.targetSystem?.id ?? null);
  const [targetSearch, setTargetSearch] = useState('');
  const [phase, setPhase] = useState<string>(plan?.phase ?? 'during');
  const [targetStart, setStart] = useState(plan?.targetStart ?? '');
  const [targetEnd, setEnd] = useState(plan?.targetEnd ?? '');
  const [leadUnitId, setLead] = useState<string | null>(plan?.leadUnit?.id ?? null);
  const [decision, setDecision] = useState(plan?.decision ?? '');
  const [withStandardTasks, setStd] = useState(!plan);
  const candidates = useSystems({ q: targetSearch.trim() || undefined, page: 1, pageSize: 20 }, disposition === 'consolidate');
  const targetOptions = [
    ...(plan?.targetSystem ? [{ value: plan.targetSystem.id, label: `${plan.targetSystem.code} — ${plan.targetSystem.name}` }] : []),
    ...(candidates.data?.items ?? []).filter((s) => s.id !== systemId && s.id !== plan?.targetSystem?.id).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` })),
  ];
  const submit = () => {
    if (!disposition) return;
    const body: MergerPlanInput = {
      disposition: disposition as MergerPlanInput['disposition'],
      targetSystemId: disposition === 'consolidate' ? targetSystemId : null,
      phase: phase as MergerPlanInput['phase'],
      targetStart: targetStart || null,
      targetEnd: targetEnd || null,
      leadUnitId,
      responsibleUnitIds: plan?.responsibleUnits.map((u) => u.id) ?? [],
      decision: decision.trim() || null,
      notes: plan?.notes ?? null,
      withStandardTasks: !plan && withStandardTasks,
    };
    upsert.mutate(body, { onSuccess: () => { notifySuccess(t('merger.plan.saved')); onDone(); } });
  };
  return (
    <Paper withBorder p="sm" bg="gray.0" data-testid="plan-form">
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select label={t('merger.field.disposition')} withAsterisk data={DISPOSITIONS.map((d) => ({ value: d, label: t(`merger.disposition.${d}`) }))}
            value={disposition} onChange={setDisposition} data-testid="plan-disposition" />
          <Select label={t('merger.field.phase')} allowDeselect={false} data={PHASES.map((p) => ({ value: p, label: t(`merger.phase.${p}`) }))} value={phase} onChange={(v) => setPhase(v ?? 'during')} data-testid="plan-phase" />
          <Select label={t('merger.field.leadUnit')} searchable clearable data={unitOptions(units, t)} value={leadUnitId} onChange={setLead} />
          {disposition === 'consolidate' ? (
            <Select label={t('merger.field.targetSystem')} withAsterisk searchable data={targetOptions} value={targetSystemId} onChange={setTarget}
              searchValue={targetSearch} onSearchChange={setTargetSearch} filter={({ options }) => options} style={{ gridColumn: 'span 3' }} />
          ) : null}
          <DateField label={t('merger.field.targetStart')} value={targetStart} onChange={setStart} />
          <DateField label={t('merger.field.targetEnd')} value={targetEnd} onChange={setEnd} />
          <TextInput label={t('merger.field.decision')} value={decision} onChange={(e) => setDecision(e.currentTarget.value)} />
        </SimpleGrid>
        {!plan ? <Checkbox label={t('merger.plan.withStandardTasks')} checked={withStandardTasks} onChange={(e) => setStd(e.currentTarget.checked)} data-testid="plan-standard-tasks" /> : null}
        <ErrorAlert error={upsert.error} />
        <Group>
          <Button onClick={submit} disabled={!disposition} loading={upsert.isPending} data-testid="plan-submit">
            {plan ? t('common.save') : t('merger.plan.create')}
          </Button>
          {plan ? <Button variant="default" onClick={onDone}>{t('common.cancel')}</Button> : null}
        </Group>
      </Stack>
    </Paper>
  );
}

function AddTaskForm({ planId, units, onDone }: { planId: string; units: OrgUnit[]; onDone: () => void }) {
  const { t } = useTranslation();
  const create = useCreateTask(planId);
  const [title, setTitle] = useState('');
  const [checkpoint, setCheckpoint] = useState<Checkpoint>('other');
  const [ownerUnitId, setOwner] = useState<string | null>(null);
  const [assignee, setAssignee] = useState('');
  const [dueDate, setDue] = useState('');
  const [tried, setTried] = useState(false);
  const badDate = dueDate !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(dueDate);
  const submit = () => {
    setTried(true);
    if (title.trim().length < 2 || badDate) return;
    create.mutate(
      { title: title.trim(), checkpoint, ownerUnitId, assignee: assignee.trim() || null, dueDate: dueDate || null },
      { onSuccess: () => { notifySuccess(t('merger.task.created')); onDone(); } },
    );
  };
  return (
    <Paper withBorder p="sm" bg="gray.0" data-testid="task-form">
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label={t('merger.task.title')} withAsterisk value={title} onChange={(e) => setTitle(e.currentTarget.value)} style={{ gridColumn: 'span 2' }}
            error={tried && title.trim().length < 2 ? t('validation.required') : null} data-testid="task-title" />
          <Select label={t('merger.task.checkpoint')} allowDeselect={false} data={CHECKPOINTS.map((c) => ({ value: c, label: t(`merger.checkpoint.${c}`) }))}
            value={checkpoint} onChange={(v) => setCheckpoint((v as Checkpoint) ?? 'other')} data-testid="task-checkpoint" />
          <Select label={t('merger.task.ownerUnit')} searchable clearable data={unitOptions(units, t)} value={ownerUnitId} onChange={setOwner} data-testid="task-owner-unit" />
          <TextInput label={t('merger.task.assignee')} value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)} data-testid="task-assignee" />
          <DateField label={t('merger.task.dueDate')} value={dueDate} onChange={setDue} error={tried && badDate ? t('merger.task.dateFormat') : null} data-testid="task-due" />
        </SimpleGrid>
        <ErrorAlert error={create.error} />
        <Group>
          <Button onClick={submit} loading={create.isPending} data-testid="task-submit">
            {t('merger.task.add')}
          </Button>
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function TaskEvidence({ task, canUpdate }: { task: MergerTask; canUpdate: boolean }) {
  const { t } = useTranslation();
  const update = useUpdateTask();
  const [note, setNote] = useState(task.evidenceNote ?? '');
  if (!canUpdate) return task.evidenceNote ? <Text size="sm">{task.evidenceNote}</Text> : null;
  return (
    <Group align="flex-end" gap="xs">
      <Textarea label={t('merger.task.evidence')} autosize minRows={1} value={note} onChange={(e) => setNote(e.currentTarget.value)} style={{ flex: 1 }} />
      <Button size="xs" variant="default" loading={update.isPending} disabled={(task.evidenceNote ?? '') === note}
        onClick={() => update.mutate({ id: task.id, evidenceNote: note.trim() || null }, { onSuccess: () => notifySuccess(t('merger.task.updated')) })}>
        {t('common.save')}
      </Button>
    </Group>
  );
}

/** The system's merger plan: disposition, phase, dates, tasks with checkpoints, reconciliation evidence, stops. */
export function MergerPanel({ systemId, units, perms }: { systemId: string; units: OrgUnit[]; perms: Perms }) {
  const { t } = useTranslation();
  const merger = useSystemMerger(systemId);
  const update = useUpdateTask();
  const [editingPlan, setEditingPlan] = useState(false);
  const [addingTask, setAddingTask] = useState(false);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [attachFor, setAttachFor] = useState<MergerTask | null>(null);
  const data = merger.data;
  const plan = data?.plan ?? null;

  return (
    <Stack gap="md">
      <Paper withBorder p="md" data-testid="merger-panel">
        <Group justify="space-between" mb="xs" wrap="wrap">
          <Title order={4}>{t('merger.plan.title')}</Title>
          {plan ? <MergerStateBadge state={plan.state} /> : null}
        </Group>
        <ErrorAlert error={merger.error} />
        {data && !plan ? (
          perms.write ? (
            <Stack gap="xs">
              <Text size="sm" c="dimmed">{t('merger.plan.none')}</Text>
              <PlanForm systemId={systemId} plan={null} units={units} onDone={() => undefined} />
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">{t('merger.plan.none')}</Text>
          )
        ) : null}
        {plan ? (
          <Stack gap="sm">
            {editingPlan ? (
              <PlanForm systemId={systemId} plan={plan} units={units} onDone={() => setEditingPlan(false)} />
            ) : (
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="xs" data-testid="plan-facts">
                <div>
                  <Text size="xs" c="dimmed">{t('merger.field.disposition')}</Text>
                  <Text size="sm" fw={600} data-testid="plan-disposition-value">{t(`merger.disposition.${plan.disposition}`)}</Text>
                  {plan.targetSystem ? <Text size="sm">→ {plan.targetSystem.name}</Text> : null}
                </div>
                <div>
                  <Text size="xs" c="dimmed">{t('merger.field.phase')}</Text>
                  <Text size="sm">{t(`merger.phase.${plan.phase}`)}</Text>
                </div>
                <div>
                  <Text size="xs" c="dimmed">{t('merger.field.dates')}</Text>
                  <Text size="sm">{formatDate(plan.targetStart)} – {formatDate(plan.targetEnd)}</Text>
                </div>
                <div>
                  <Text size="xs" c="dimmed">{t('merger.field.leadUnit')}</Text>
                  <Text size="sm">{plan.leadUnit?.name ?? '—'}</Text>
                </div>
                {plan.decision ? (
                  <div>
                    <Text size="xs" c="dimmed">{t('merger.field.decision')}</Text>
                    <Text size="sm">{plan.decision}</Text>
                  </div>
                ) : null}
                {plan.responsibleUnits.length ? (
                  <div>
                    <Text size="xs" c="dimmed">{t('merger.field.responsibleUnits')}</Text>
                    <Text size="sm">{plan.responsibleUnits.map((u) => u.name).join('; ')}</Text>
                  </div>
                ) : null}
              </SimpleGrid>
            )}
            <Group gap="sm" wrap="nowrap">
              <Progress value={plan.tasksTotal ? (plan.tasksDone / plan.tasksTotal) * 100 : 0} style={{ flex: 1 }} color={plan.tasksOverdue ? 'orange' : 'blue'} />
              <Text size="sm" style={{ whiteSpace: 'nowrap' }} data-testid="plan-progress">
                {t('merger.plan.progress', { done: plan.tasksDone, total: plan.tasksTotal })}
                {plan.tasksOverdue ? ` · ${t('merger.plan.overdue', { n: plan.tasksOverdue })}` : ''}
              </Text>
            </Group>
            {perms.write && !editingPlan ? (
              <Group gap="xs">
                <Button size="xs" variant="default" onClick={() => setEditingPlan(true)} data-testid="plan-edit">{t('merger.plan.edit')}</Button>
                <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setAddingTask(true)} data-testid="task-add">
                  {t('merger.task.add')}
                </Button>
              </Group>
            ) : null}
            {addingTask ? <AddTaskForm planId={plan.id} units={units} onDone={() => setAddingTask(false)} /> : null}

            <Title order={5} mt="xs">{t('merger.task.list')}</Title>
            <Table withTableBorder fz="sm" verticalSpacing={6} data-testid="tasks-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={28} />
                  <Table.Th>{t('merger.task.title')}</Table.Th>
                  <Table.Th w={210}>{t('merger.task.checkpoint')}</Table.Th>
                  <Table.Th w={220}>{t('merger.task.owner')}</Table.Th>
                  <Table.Th w={110}>{t('merger.task.dueDate')}</Table.Th>
                  <Table.Th w={170}>{t('merger.task.status')}</Table.Th>
                  <Table.Th w={120}>{t('merger.task.reconciliations')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data?.tasks.map((task) => {
                  const recs = data.reconciliations.filter((r) => r.taskId === task.id);
                  const isOpen = open[task.id] ?? false;
                  return (
                    <Fragment key={task.id}>
                      <Table.Tr data-testid="task-row" data-overdue={task.overdue} bg={task.overdue ? 'red.0' : undefined}>
                        <Table.Td>
                          <ActionIcon variant="subtle" size="sm" onClick={() => setOpen({ ...open, [task.id]: !isOpen })} aria-label={t('common.expand')} data-testid="task-toggle">
                            {isOpen ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                          </ActionIcon>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={500} data-testid="task-title-text">{task.title}</Text>
                          {task.overdue ? (
                            <Group gap={4} c="red.7">
                              <IconAlertTriangle size={14} />
                              <Text size="xs" fw={600} data-testid="task-overdue">{t('merger.task.overdue')}</Text>
                            </Group>
                          ) : null}
                        </Table.Td>
                        <Table.Td>{t(`merger.checkpoint.${task.checkpoint}`)}</Table.Td>
                        <Table.Td>
                          <Text size="sm">{task.ownerUnit?.name ?? '—'}</Text>
                          {task.assignee ? <Text size="xs" c="dimmed">{task.assignee}</Text> : null}
                        </Table.Td>
                        <Table.Td c={task.overdue ? 'red.7' : undefined} fw={task.overdue ? 600 : undefined}>{formatDate(task.dueDate)}</Table.Td>
                        <Table.Td>
                          {perms.taskUpdate ? (
                            <Select size="xs" allowDeselect={false} data={TASK_STATUSES.map((s) => ({ value: s, label: t(`merger.taskStatus.${s}`) }))}
                              value={task.status} onChange={(v) => v && v !== task.status && update.mutate({ id: task.id, status: v as TaskStatus })}
                              data-testid="task-status-select" aria-label={t('merger.task.status')} />
                          ) : (
                            <TaskStatusBadge status={task.status} />
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            <Badge variant="light" color={recs.some((r) => r.outcome === 'different') ? 'red' : recs.length ? 'green' : 'gray'} data-testid="task-rec-count">
                              {task.reconciliations}
                            </Badge>
                            {perms.taskUpdate ? (
                              <Tooltip label={t('merger.rec.attach')}>
                                <ActionIcon variant="subtle" onClick={() => setAttachFor(task)} aria-label={t('merger.rec.attach')} data-testid="task-attach">
                                  <IconPaperclip size={16} />
                                </ActionIcon>
                              </Tooltip>
                            ) : null}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                      <Table.Tr style={{ display: isOpen ? undefined : 'none' }}>
                        <Table.Td colSpan={7} bg="gray.0">
                                                      <Stack gap="xs" p="xs" data-testid="task-details">
                              <TaskEvidence task={task} canUpdate={perms.taskUpdate} />
                              {recs.length === 0 ? <Text size="sm" c="dimmed">{t('merger.rec.none')}</Text> : recs.map((r) => <ReconciliationView key={r.id} rec={r} />)}
                            </Stack>
                        </Table.Td>
                      </Table.Tr>
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
            {data?.tasks.length === 0 ? <Text size="sm" c="dimmed">{t('merger.task.empty')}</Text> : null}
            <ErrorAlert error={update.error} />
          </Stack>
        ) : null}
      </Paper>
      {data ? <WindowsOutages systemId={systemId} canWrite={perms.write} canRecord={perms.taskUpdate || perms.write} /> : null}
      {attachFor ? <AttachReconciliationModal taskId={attachFor.id} taskTitle={attachFor.title} onClose={() => { setOpen({ ...open, [attachFor.id]: true }); setAttachFor(null); }} /> : null}
    </Stack>
  );
}
