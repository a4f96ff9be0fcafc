import { Anchor, Badge, Button, Group, Loader, Pagination, Paper, ScrollArea, Select, Switch, Table, Tabs, Text, TextInput } from '@mantine/core';
import { IconAlertOctagon, IconDownload, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { CASE_CATEGORIES, CASE_PHASES, CASE_SEVERITIES } from '../../contracts/cases.js';
import { download } from '../components/api-client.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { notifyError } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useCandidates, useCases, useEscalate, useMyTasks, type CaseFilter } from '../features/cases/api.js';
import { PhaseBadge, SeverityBadge } from '../features/cases/badges.js';
import { CreateCaseModal } from '../features/cases/CreateCaseModal.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';

const PAGE_SIZE = 50;

/** /cases — the case queue with filters, my tasks, and alerts waiting to be escalated. */
export default function CasesRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const [tab, setTab] = useState<string | null>('queue');
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState<CaseFilter>({ phase: 'open', page: 1, pageSize: PAGE_SIZE });
  const canWrite = can(me.data, 'case.write');
  const query = { ...filter, page: undefined, pageSize: undefined };
  return (
    <>
      <PageHeader
        title={t('cases.title')}
        description={t('cases.description')}
        actions={
          <>
            <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => download('/cases/export', query, 'su-co.xlsx').catch(notifyError)} data-testid="cases-export">
              {t('cases.export')}
            </Button>
            {canWrite ? <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="case-create">{t('cases.create.button')}</Button> : null}
          </>
        }
      />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="queue" data-testid="tab-queue">{t('cases.tabs.queue')}</Tabs.Tab>
          <Tabs.Tab value="mine" data-testid="tab-mine">{t('cases.tabs.mine')}</Tabs.Tab>
          {canWrite ? <Tabs.Tab value="alerts" data-testid="tab-alerts">{t('cases.tabs.alerts')}</Tabs.Tab> : null}
        </Tabs.List>
        <Tabs.Panel value="queue"><Queue filter={filter} setFilter={setFilter} /></Tabs.Panel>
        <Tabs.Panel value="mine"><MyTasks /></Tabs.Panel>
        <Tabs.Panel value="alerts"><Candidates /></Tabs.Panel>
      </Tabs>
      <CreateCaseModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function Queue({ filter, setFilter }: { filter: CaseFilter; setFilter: (f: CaseFilter) => void }) {
  const { t } = useTranslation();
  const units = useOrgUnits(true);
  const cases = useCases(filter);
  const set = (patch: Partial<CaseFilter>) => setFilter({ ...filter, ...patch, page: 1 });
  const pages = cases.data ? Math.max(1, Math.ceil(cases.data.total / PAGE_SIZE)) : 1;
  return (
    <Paper withBorder p="md">
      <Group mb="md" align="flex-end" wrap="wrap" gap="sm">
        <TextInput placeholder={t('cases.filter.search')} value={filter.q ?? ''} onChange={(e) => set({ q: e.currentTarget.value || null })} w={220} data-testid="cases-search" />
        <Select placeholder={t('cases.field.phase')} clearable w={190} data={[{ value: 'open', label: t('cases.filter.open') }, ...CASE_PHASES.map((p) => ({ value: p, label: t(`cases.phase.${p}`) }))]} value={filter.phase ?? null} onChange={(v) => set({ phase: v })} data-testid="cases-phase-filter" />
        <Select placeholder={t('cases.field.severity')} clearable w={160} data={CASE_SEVERITIES.map((s) => ({ value: s, label: t(`cases.severity.${s}`) }))} value={filter.severity ?? null} onChange={(v) => set({ severity: v })} />
        <Select placeholder={t('cases.field.category')} clearable w={220} data={CASE_CATEGORIES.map((c) => ({ value: c, label: t(`cases.category.${c}`) }))} value={filter.category ?? null} onChange={(v) => set({ category: v })} data-testid="cases-category-filter" />
        <Select placeholder={t('cases.field.unit')} clearable searchable w={260} data={unitOptions(units.data, t, { includeFormer: true })} value={filter.unitId ?? null} onChange={(v) => set({ unitId: v })} />
        <Switch label={t('cases.filter.mine')} checked={filter.mine === 'true'} onChange={(e) => set({ mine: e.currentTarget.checked ? 'true' : null })} mb={8} />
        <Switch label={t('cases.filter.overdue')} checked={filter.overdue === 'true'} onChange={(e) => set({ overdue: e.currentTarget.checked ? 'true' : null })} mb={8} data-testid="cases-overdue-filter" />
        {cases.isFetching ? <Loader size="xs" /> : null}
      </Group>
      <ErrorAlert error={cases.error} />
      {cases.data && cases.data.items.length === 0 ? (
        <EmptyState icon={IconAlertOctagon} title={t('cases.empty')} />
      ) : (
        <ScrollArea>
          <Table striped highlightOnHover miw={1000} verticalSpacing="xs" data-testid="cases-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('cases.field.number')}</Table.Th>
                <Table.Th>{t('cases.field.title')}</Table.Th>
                <Table.Th>{t('cases.field.severity')}</Table.Th>
                <Table.Th>{t('cases.field.phase')}</Table.Th>
                <Table.Th>{t('cases.field.unit')}</Table.Th>
                <Table.Th>{t('cases.field.assignees')}</Table.Th>
                <Table.Th>{t('cases.field.nextDue')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {cases.data?.items.map((c) => (
                <Table.Tr key={c.id} data-testid="case-row">
                  <Table.Td style={{ whiteSpace: 'nowrap' }}><Anchor component={Link} to={`/cases/${c.id}`} fw={600}>{c.number}</Anchor></Table.Td>
                  <Table.Td miw={260}>
                    <Text size="sm" fw={500}>{c.title}</Text>
                    <Group gap={4}>
                      <Text size="xs" c="dimmed">{t(`cases.category.${c.category}`)}</Text>
                      {c.reportable ? <Badge size="xs" color="red" variant="light">{t('cases.reportable')}</Badge> : null}
                    </Group>
                  </Table.Td>
                  <Table.Td><SeverityBadge severity={c.severity} /></Table.Td>
                  <Table.Td><PhaseBadge phase={c.phase} /></Table.Td>
                  <Table.Td><Text size="sm">{c.unit.name}</Text></Table.Td>
                  <Table.Td><Text size="sm">{c.assignees.map((a) => a.displayName).join(', ') || '—'}</Text></Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm" c={c.overdue ? 'red.7' : undefined} fw={c.overdue ? 700 : undefined}>{formatDateTime(c.nextDueAt)}</Text>
                    {c.overdue ? <Badge color="red" size="xs" data-testid="case-overdue">{t('cases.overdue')}</Badge> : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {cases.data ? (
        <Group justify="space-between" mt="md">
          <Text size="sm" c="dimmed">{t('cases.total', { n: `${formatNumber(cases.data.total)}${cases.data.totalCapped ? '+' : ''}` })}</Text>
          {pages > 1 ? <Pagination total={pages} value={filter.page} onChange={(page) => setFilter({ ...filter, page })} size="sm" /> : null}
        </Group>
      ) : null}
    </Paper>
  );
}

function MyTasks() {
  const { t } = useTranslation();
  const tasks = useMyTasks();
  if (tasks.data && tasks.data.length === 0) return <EmptyState icon={IconAlertOctagon} title={t('cases.mine.empty')} />;
  return (
    <Paper withBorder p="md">
      <ErrorAlert error={tasks.error} />
      <Table striped verticalSpacing="xs" data-testid="my-tasks">
        <Table.Thead>
          <Table.Tr><Table.Th>{t('cases.field.number')}</Table.Th><Table.Th>{t('cases.task.title')}</Table.Th><Table.Th>{t('cases.field.phase')}</Table.Th><Table.Th>{t('cases.task.due')}</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tasks.data?.map((x) => (
            <Table.Tr key={x.id}>
              <Table.Td><Anchor component={Link} to={`/cases/${x.caseId}`}>{x.caseNumber}</Anchor><Text size="xs" c="dimmed">{x.caseTitle}</Text></Table.Td>
              <Table.Td>{x.title}{x.mandatory ? <Badge ml={6} size="xs" color="red" variant="light">{t('cases.task.mandatory')}</Badge> : null}</Table.Td>
              <Table.Td><PhaseBadge phase={x.phase} /></Table.Td>
              <Table.Td><Text size="sm" c={x.overdue ? 'red.7' : undefined}>{formatDateTime(x.dueAt)}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

/** Alerts of every connected source (SOC, look-ups, vulnerabilities, availability) that can become cases. */
function Candidates() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const list = useCandidates();
  const escalate = useEscalate();
  if (list.data && list.data.length === 0) return <EmptyState icon={IconAlertOctagon} title={t('cases.alerts.empty')} />;
  return (
    <Paper withBorder p="md">
      <Text size="sm" c="dimmed" mb="sm">{t('cases.alerts.hint')}</Text>
      <ErrorAlert error={list.error ?? escalate.error} />
      <Table striped verticalSpacing="xs" data-testid="alert-candidates">
        <Table.Thead>
          <Table.Tr><Table.Th>{t('cases.alerts.source')}</Table.Th><Table.Th>{t('cases.alerts.alert')}</Table.Th><Table.Th>{t('cases.field.severity')}</Table.Th><Table.Th>{t('cases.field.unit')}</Table.Th><Table.Th>{t('cases.alerts.time')}</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data?.map((a) => (
            <Table.Tr key={`${a.kind}:${a.id}`} data-testid="alert-candidate">
              <Table.Td><Badge variant="light">{t(`cases.alertKind.${a.kind}`)}</Badge></Table.Td>
              <Table.Td miw={280}><Text size="sm">{a.title}</Text>{a.rule ? <Text size="xs" c="dimmed">{a.rule}</Text> : null}</Table.Td>
              <Table.Td><SeverityBadge severity={a.severity} /></Table.Td>
              <Table.Td><Text size="sm">{a.unit?.name ?? '—'}</Text></Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.occurredAt)}</Table.Td>
              <Table.Td>
                {a.caseIds.length ? (
                  <Anchor component={Link} to={`/cases/${a.caseIds[0]}`} size="sm">{t('cases.alerts.open')}</Anchor>
                ) : (
                  <Button size="xs" loading={escalate.isPending} data-testid="escalate-button"
                    onClick={() => escalate.mutate({ alerts: [{ kind: a.kind, id: a.id }] }, { onSuccess: (c) => void navigate(`/cases/${c.id}`) })}>
                    {t('cases.alerts.escalate')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
