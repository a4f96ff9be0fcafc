import {
  Anchor, Badge, Button, Card, Checkbox, FileButton, Grid, Group, Loader, Modal, MultiSelect, Paper, Progress, Select, SimpleGrid, Stack, Switch, Table, Text,
  Textarea, TextInput, Timeline, Title,
} from '@mantine/core';
import { IconAlertTriangle, IconFileText, IconPaperclip } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { CASE_PHASES, CLOSE_REASONS, OBSERVABLE_TYPES, type CaseDetail, type ObservableType } from '../../contracts/cases.js';
import { download } from '../components/api-client.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { useAssignable, useCase, useCaseAction, usePlaybooks } from '../features/cases/api.js';
import { ClockBadge, PhaseBadge, remaining, SeverityBadge, TlpBadge } from '../features/cases/badges.js';

/** /cases/:id — the case page: phase and actions, deadlines, playbook progress, timeline, observables, files, reports. */
/** Where an escalated alert lives in its own module (the case keeps only a reference and a snapshot). */
function alertLink(a: CaseDetail['alerts'][number]): string | null {
  switch (a.kind) {
    case 'soc':
      return `/soc/alerts/${a.refId}`;
    case 'lookup':
      return `/access-log?tab=alerts&alert=${a.refId}`;
    case 'vuln':
      return a.rule === 'av-detection' ? '/vulns/coverage' : `/vulns/${a.refId}`;
    default:
      return null;
  }
}

export default function CaseDetailRoute() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const q = useCase(id);
  if (q.isLoading) return <Loader />;
  if (!q.data) return <ErrorAlert error={q.error} />;
  const c = q.data;
  return (
    <>
      <PageHeader
        title={`${c.number} · ${c.title}`}
        description={`${t(`cases.category.${c.category}`)} · ${c.unit.name}`}
        actions={<Group gap={6}><SeverityBadge severity={c.severity} /><PhaseBadge phase={c.phase} /><TlpBadge tlp={c.tlp} />{c.reportable ? <Badge color="red">{t('cases.reportable')}</Badge> : null}</Group>}
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <PhasePanel c={c} />
            <TasksPanel c={c} />
            <TimelinePanel c={c} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <ClocksPanel c={c} />
            <ReportsPanel c={c} />
            <FactsPanel c={c} />
            <ObservablesPanel c={c} />
            <FilesPanel c={c} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}

function PhasePanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState<string | null>('resolved');
  const [classifying, setClassifying] = useState(false);
  const [regime, setRegime] = useState<string>('nd331');
  const [immediate, setImmediate] = useState(false);
  const idx = CASE_PHASES.indexOf(c.phase);
  const next = idx < CASE_PHASES.length - 2 ? CASE_PHASES[idx + 1] : null;
  return (
    <Paper withBorder p="md" data-testid="phase-panel">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{t('cases.detail.phase')}</Title>
        <Group gap="xs">
          {c.can.write && !c.metrics.acknowledgedAt ? <Button size="xs" variant="light" onClick={() => act.acknowledge.mutate(undefined, { onError: notifyError })} data-testid="case-ack">{t('cases.action.acknowledge')}</Button> : null}
          {c.can.manage && c.phase !== 'closed' ? <Button size="xs" variant="light" color="red" onClick={() => setClassifying(true)} data-testid="case-classify">{c.reportable ? t('cases.action.reclassify') : t('cases.action.classify')}</Button> : null}
          {c.can.manage && next ? <Button size="xs" onClick={() => act.phase.mutate({ phase: next }, { onError: notifyError })} data-testid="case-next-phase">{t('cases.action.moveTo', { phase: t(`cases.phase.${next}`) })}</Button> : null}
          {c.can.manage && c.phase !== 'closed' ? <Button size="xs" color="gray" onClick={() => setClosing(true)} data-testid="case-close">{t('cases.action.close')}</Button> : null}
        </Group>
      </Group>
      <Group gap={4} wrap="nowrap">
        {CASE_PHASES.map((p, i) => (
          <Stack key={p} gap={2} style={{ flex: 1 }}>
            <Progress value={i <= idx ? 100 : 0} color={i === idx ? 'blue' : 'teal'} size="sm" />
            <Text size="xs" fw={i === idx ? 700 : 400} c={i <= idx ? undefined : 'dimmed'}>{t(`cases.phase.${p}`)}</Text>
          </Stack>
        ))}
      </Group>
      {c.closeReason ? <Text size="sm" mt="xs">{t('cases.detail.closedBecause', { reason: t(`cases.closeReason.${c.closeReason}`) })}</Text> : null}
      <Modal opened={closing} onClose={() => setClosing(false)} title={t('cases.action.close')}>
        <Stack>
          {c.progress.mandatoryOpen ? <Text c="red.7" size="sm">{t('cases.detail.mandatoryOpen', { n: c.progress.mandatoryOpen })}</Text> : null}
          <Select label={t('cases.field.closeReason')} data={CLOSE_REASONS.map((r) => ({ value: r, label: t(`cases.closeReason.${r}`) }))} value={reason} onChange={setReason} allowDeselect={false} />
          <ErrorAlert error={act.phase.error} />
          <Button color="gray" loading={act.phase.isPending} onClick={() => act.phase.mutate({ phase: 'closed', closeReason: reason as 'resolved' }, { onSuccess: () => setClosing(false) })} data-testid="case-close-submit">{t('cases.action.close')}</Button>
        </Stack>
      </Modal>
      <Modal opened={classifying} onClose={() => setClassifying(false)} title={t('cases.action.classify')}>
        <Stack>
          <Text size="sm">{t('cases.classify.hint')}</Text>
          <Select label={t('cases.classify.regime')} data={[{ value: 'nd331', label: t('cases.regime.nd331') }, { value: 'qd05', label: t('cases.regime.qd05') }]} value={regime} onChange={(v) => setRegime(v ?? 'nd331')} allowDeselect={false} />
          <Switch label={t('cases.classify.immediate')} checked={immediate} onChange={(e) => setImmediate(e.currentTarget.checked)} />
          <Group justify="space-between">
            {c.reportable ? <Button variant="subtle" onClick={() => act.classify.mutate({ reportable: false }, { onSuccess: () => setClassifying(false) })}>{t('cases.classify.withdraw')}</Button> : <span />}
            <Button color="red" loading={act.classify.isPending} onClick={() => act.classify.mutate({ reportable: true, regime: regime as 'nd331', immediate }, { onSuccess: () => setClassifying(false), onError: notifyError })} data-testid="case-classify-submit">{t('cases.classify.submit')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

function TasksPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  const playbooks = usePlaybooks();
  const users = useAssignable(c.id, c.can.write);
  const [pb, setPb] = useState<string | null>(null);
  const phases = CASE_PHASES.filter((p) => c.tasks.some((x) => x.phase === p));
  return (
    <Paper withBorder p="md" data-testid="tasks-panel">
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t('cases.detail.playbook')}</Title>
        <Text size="sm" c="dimmed" data-testid="playbook-progress">{t('cases.detail.progress', { done: c.progress.done, total: c.progress.total })}</Text>
      </Group>
      <Progress value={c.progress.total ? (c.progress.done / c.progress.total) * 100 : 0} mb="sm" />
      {c.playbooks.length ? <Text size="sm" mb="xs">{c.playbooks.map((p) => `${p.title} (v${p.version})`).join(', ')}</Text> : null}
      {c.can.write && c.phase !== 'closed' ? (
        <Group mb="sm" gap="xs">
          <Select size="xs" placeholder={t('cases.detail.attachPlaybook')} data={(playbooks.data ?? []).map((p) => ({ value: p.key, label: p.title }))} value={pb} onChange={setPb} w={320} />
          <Button size="xs" variant="light" disabled={!pb} onClick={() => pb && act.attachPlaybook.mutate(pb, { onError: notifyError })}>{t('cases.detail.attach')}</Button>
        </Group>
      ) : null}
      {phases.map((p) => (
        <div key={p}>
          <Text fw={700} size="sm" mt="sm" mb={4}>{t(`cases.phase.${p}`)}</Text>
          <Stack gap={6}>
            {c.tasks.filter((x) => x.phase === p).map((task) => (
              <Card key={task.id} withBorder padding="xs" data-testid="task-card" bg={task.status === 'done' ? 'green.0' : undefined}>
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Checkbox
                    checked={task.status === 'done'}
                    disabled={!c.can.write || c.phase === 'closed'}
                    onChange={(e) => act.task.mutate({ taskId: task.id, status: e.currentTarget.checked ? 'done' : 'todo' }, { onError: notifyError })}
                    label={<Text size="sm" td={task.status === 'done' ? 'line-through' : undefined}>{task.title}</Text>}
                    data-testid="task-check"
                  />
                  <Group gap={4} wrap="nowrap">
                    {task.mandatory ? <Badge size="xs" color="red" variant="light">{t('cases.task.mandatory')}</Badge> : null}
                    <Badge size="xs" variant="outline">{t(`cases.who.${task.who}`)}</Badge>
                  </Group>
                </Group>
                <Group gap="md" mt={4} ml={30}>
                  <Text size="xs" c={task.overdue ? 'red.7' : 'dimmed'}>{t('cases.task.due')}: {formatDateTime(task.dueAt)}</Text>
                  {task.ownerUnit ? <Text size="xs" c="dimmed">{task.ownerUnit.name}</Text> : null}
                  {c.can.write && c.phase !== 'closed' ? (
                    <Select size="xs" w={200} placeholder={t('cases.task.assign')} clearable data={(users.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
                      value={task.assignee?.id ?? null} onChange={(v) => act.task.mutate({ taskId: task.id, assigneeId: v }, { onError: notifyError })} />
                  ) : task.assignee ? <Text size="xs">{task.assignee.displayName}</Text> : null}
                </Group>
                {task.evidence.length ? <Text size="xs" ml={30} mt={2}>{t('cases.task.evidence')}: {task.evidence.join('; ')}</Text> : null}
                {task.decision ? <Text size="xs" ml={30} mt={2} c="orange.8">◆ {task.decision}</Text> : null}
                {task.note ? <Text size="xs" ml={30} mt={2} c="dimmed">{task.note}</Text> : null}
              </Card>
            ))}
          </Stack>
        </div>
      ))}
    </Paper>
  );
}

function TimelinePanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  const [text, setText] = useState('');
  return (
    <Paper withBorder p="md" data-testid="timeline-panel">
      <Title order={4} mb="sm">{t('cases.detail.timeline')}</Title>
      {c.can.write ? (
        <Group align="flex-end" mb="md">
          <Textarea style={{ flex: 1 }} autosize minRows={1} placeholder={t('cases.detail.commentPlaceholder')} value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="comment-input" />
          <Button disabled={!text.trim()} loading={act.comment.isPending} onClick={() => act.comment.mutate(text, { onSuccess: () => setText(''), onError: notifyError })} data-testid="comment-submit">{t('cases.detail.comment')}</Button>
        </Group>
      ) : null}
      <Timeline bulletSize={14} lineWidth={2}>
        {c.timeline.map((e) => (
          <Timeline.Item key={e.id} color={e.kind === 'clock' ? 'red' : e.kind === 'comment' ? 'blue' : e.kind === 'event' ? 'orange' : 'gray'}
            title={<Text size="sm" fw={e.kind === 'comment' ? 600 : 400}>{e.text}</Text>}>
            <Text size="xs" c="dimmed">{formatDateTime(e.at)}{e.actor ? ` · ${e.actor}` : ''} · {t(`cases.timelineKind.${e.kind}`, { defaultValue: e.kind })}</Text>
          </Timeline.Item>
        ))}
      </Timeline>
      {c.timelineTotal > c.timeline.length ? <Text size="xs" c="dimmed" mt="xs">{t('cases.detail.timelineMore', { shown: c.timeline.length, total: c.timelineTotal })}</Text> : null}
    </Paper>
  );
}

function ClocksPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" data-testid="clocks-panel">
      <Title order={4} mb="sm">{t('cases.detail.deadlines')}</Title>
      <Stack gap="xs">
        {c.clocks.map((k) => (
          <Card key={k.kind} withBorder padding="xs" data-testid={`clock-row-${k.kind}`}>
            <Group justify="space-between">
              <Text size="sm" fw={600}>{t(`cases.clock.${k.kind}`)}</Text>
              <ClockBadge state={k.state} />
            </Group>
            <Text size="xs">{t('cases.task.due')}: {formatDateTime(k.dueAt)} {k.remainingMs !== null ? `· ${remaining(k.remainingMs, t)}` : k.metAt ? `· ${t('cases.clockMetAt', { at: formatDateTime(k.metAt) })}` : ''}</Text>
            <Text size="xs" c="dimmed">{k.basis}</Text>
          </Card>
        ))}
      </Stack>
    </Paper>
  );
}

function ReportsPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  const make = (kind: 'initial_notice' | 'closing_report', format: 'docx' | 'pdf') =>
    act.report.mutate({ kind, format }, { onSuccess: (r) => notifySuccess(t('cases.report.created', { number: r.number })), onError: notifyError });
  return (
    <Paper withBorder p="md" data-testid="reports-panel">
      <Title order={4} mb="sm">{t('cases.detail.reports')}</Title>
      {c.can.manage ? (
        <Stack gap={6} mb="sm">
          <Group gap="xs">
            <Button size="xs" leftSection={<IconFileText size={14} />} loading={act.report.isPending} onClick={() => make('initial_notice', 'docx')} data-testid="report-initial-docx">{t('cases.report.initial')} (DOCX)</Button>
            <Button size="xs" variant="light" loading={act.report.isPending} onClick={() => make('initial_notice', 'pdf')}>PDF</Button>
          </Group>
          <Group gap="xs">
            <Button size="xs" leftSection={<IconFileText size={14} />} disabled={!c.metrics.resolvedAt} loading={act.report.isPending} onClick={() => make('closing_report', 'docx')} data-testid="report-closing-docx">{t('cases.report.closing')} (DOCX)</Button>
            <Button size="xs" variant="light" disabled={!c.metrics.resolvedAt} loading={act.report.isPending} onClick={() => make('closing_report', 'pdf')}>PDF</Button>
          </Group>
        </Stack>
      ) : null}
      <Stack gap={4}>
        {c.reports.map((r) => (
          <Group key={r.id} justify="space-between" data-testid="report-row">
            <Anchor size="sm" onClick={() => download(`/case-reports/${r.id}/download`, {}, `${r.number}.${r.format}`).catch(notifyError)}>
              {t(`cases.report.${r.kind === 'initial_notice' ? 'initial' : 'closing'}`)} {r.number} ({r.format.toUpperCase()})
            </Anchor>
            <Text size="xs" c="dimmed">{formatDateTime(r.createdAt)}</Text>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

function FactsPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  const users = useAssignable(c.id, c.can.write);
  const opts = (users.data ?? []).map((u) => ({ value: u.id, label: u.displayName }));
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">{t('cases.detail.facts')}</Title>
      <Stack gap={4}>
        <Text size="sm">{t('cases.metrics.detected')}: {formatDateTime(c.metrics.detectedAt)}</Text>
        <Text size="sm">{t('cases.metrics.acknowledged')}: {formatDateTime(c.metrics.acknowledgedAt)}</Text>
        <Text size="sm">{t('cases.metrics.contained')}: {formatDateTime(c.metrics.containedAt)}</Text>
        <Text size="sm">{t('cases.metrics.resolved')}: {formatDateTime(c.metrics.resolvedAt)}</Text>
        {c.affected.systems.length ? <Text size="sm">{t('cases.field.systems')}: {c.affected.systems.map((s) => s.name).join(', ')}</Text> : null}
        {c.affected.people ? <Text size="sm">{t('cases.field.people')}: {c.affected.people}</Text> : null}
        {c.description ? <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>{c.description}</Text> : null}
        {c.alerts.length ? (
          <>
            <Text size="sm" fw={600} mt="xs">{t('cases.detail.alerts')}</Text>
            {c.alerts.map((a) => {
              const to = alertLink(a);
              const label = `${a.title}${a.rule ? ` (${a.rule})` : ''}`;
              return (
                <Text key={`${a.kind}${a.refId}`} size="xs" data-testid="case-alert">
                  • [{t(`cases.alertKind.${a.kind}`)}] {to ? <Anchor component={Link} to={to} size="xs">{label}</Anchor> : label}
                </Text>
              );
            })}
          </>
        ) : null}
        {c.can.write ? (
          <>
            <MultiSelect mt="xs" size="xs" label={t('cases.field.assignees')} data={opts} value={c.assignees.map((u) => u.id)} searchable
              onChange={(v) => act.members.mutate({ assigneeIds: v, watcherIds: c.watchers.map((w) => w.id) }, { onError: notifyError })} data-testid="assignees-input" />
            <MultiSelect size="xs" label={t('cases.field.watchers')} data={opts} value={c.watchers.map((u) => u.id)} searchable
              onChange={(v) => act.members.mutate({ assigneeIds: c.assignees.map((u) => u.id), watcherIds: v }, { onError: notifyError })} />
          </>
        ) : <Text size="sm">{t('cases.field.assignees')}: {c.assignees.map((u) => u.displayName).join(', ') || '—'}</Text>}
      </Stack>
    </Paper>
  );
}

function ObservablesPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  const [type, setType] = useState<ObservableType>('ip');
  const [value, setValue] = useState('');
  return (
    <Paper withBorder p="md" data-testid="observables-panel">
      <Title order={4} mb="sm">{t('cases.detail.observables')}</Title>
      <Table verticalSpacing={4}>
        <Table.Tbody>
          {c.observables.map((o) => (
            <Table.Tr key={o.id}>
              <Table.Td><Badge size="xs" variant="light">{t(`cases.observable.${o.type}`)}</Badge></Table.Td>
              <Table.Td><Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>{o.value}</Text></Table.Td>
              <Table.Td>
                {o.seenCount ? (
                  <Badge size="xs" color="red" leftSection={<IconAlertTriangle size={10} />} data-testid="ioc-repeated">
                    {t('cases.detail.seenIn', { n: o.seenCount })}
                  </Badge>
                ) : null}
                {o.seenIn.map((s) => <Anchor key={s.caseId} component={Link} to={`/cases/${s.caseId}`} size="xs" ml={4}>{s.number}</Anchor>)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {c.can.write ? (
        <Group gap={4} mt="xs" wrap="nowrap">
          <Select size="xs" w={120} data={OBSERVABLE_TYPES.map((x) => ({ value: x, label: t(`cases.observable.${x}`) }))} value={type} onChange={(v) => setType((v as ObservableType) ?? 'ip')} allowDeselect={false} />
          <TextInput size="xs" style={{ flex: 1 }} value={value} onChange={(e) => setValue(e.currentTarget.value)} placeholder={t('cases.detail.observableValue')} data-testid="observable-input" />
          <Button size="xs" disabled={!value.trim()} onClick={() => act.observable.mutate({ type, value }, { onSuccess: () => setValue(''), onError: notifyError })} data-testid="observable-add">+</Button>
        </Group>
      ) : null}
    </Paper>
  );
}

function FilesPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const act = useCaseAction(c.id);
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>{t('cases.detail.files')}</Title>
        {c.can.write ? (
          <FileButton onChange={(f) => f && act.attach.mutate(f, { onError: notifyError })}>
            {(props) => <Button size="xs" variant="light" leftSection={<IconPaperclip size={14} />} loading={act.attach.isPending} {...props}>{t('cases.detail.upload')}</Button>}
          </FileButton>
        ) : null}
      </Group>
      <SimpleGrid cols={1} spacing={2}>
        {c.attachments.map((a) => (
          <Group key={a.id} justify="space-between" wrap="nowrap">
            <Anchor size="sm" onClick={() => download(`/case-attachments/${a.id}/download`, {}, a.name).catch(notifyError)}>{a.name}</Anchor>
            <Text size="xs" c="dimmed" ff="monospace" title={a.sha256}>{a.sha256.slice(0, 12)}…</Text>
          </Group>
        ))}
      </SimpleGrid>
    </Paper>
  );
}

