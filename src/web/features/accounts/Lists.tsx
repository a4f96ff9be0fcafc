import { Anchor, Badge, Button, Card, Group, Pagination, Paper, Progress, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconDownload, IconShieldLock } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { FINDING_KINDS, SITUATIONS, type AccountFinding, type RevocationTask } from '../../../contracts/accounts.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDate, formatDateTime, formatNumber } from '../../components/format.js';
import { notifyError, notifySuccess } from '../../components/notify.js';
import { useSystems } from '../inventory/api.js';
import { useOrgUnits } from '../org-units/api.js';
import { exportFindings, useAccounts, useFindings, useMfaCoverage, useNoteTask, useRevocationTasks } from './api.js';
import { FindingBadges, SeverityBadge, SituationBadge } from './labels.js';

const PAGE = 25;

function useSystemOptions() {
  const systems = useSystems({ page: 1, pageSize: 500 });
  return (systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }));
}

/** The overlapping logins behind a shared-account finding (times, devices, IPs), as the access logs recorded them. */
function ConcurrentEvidence({ evidence }: { evidence: NonNullable<AccountFinding['evidence']> }) {
  const { t } = useTranslation();
  const side = (s: { at: string; ip: string | null; device: string | null }) => `${formatDateTime(s.at)} — ${[s.device, s.ip].filter(Boolean).join(' · ')}`;
  return (
    <Stack gap={0} mt={4} data-testid="finding-evidence">
      <Text size="xs" fw={600}>{t('accounts.evidence.concurrent', { window: evidence.windowMinutes, count: evidence.count, days: evidence.lookbackDays })}</Text>
      {evidence.pairs.slice(0, 3).map((p, i) => (
        <Text key={i} size="xs" c="dimmed">• {side(p.first)} ⇄ {side(p.second)} ({t('accounts.evidence.minutes', { n: p.minutesApart })})</Text>
      ))}
    </Stack>
  );
}

export function FindingsList({ systemId, onSystem }: { systemId: string | null; onSystem: (id: string | null) => void }) {
  const { t } = useTranslation();
  const systems = useSystemOptions();
  const units = useOrgUnits(false);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [kind, setKind] = useState<string | null>(null);
  const [severity, setSeverity] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const findings = useFindings({ systemId, unitId, kind, severity, page, pageSize: PAGE });
  const name = (id: string) => systems.find((s) => s.value === id)?.label.split(' — ')[0] ?? '';
  return (
    <Stack>
      <Group align="end">
        <Select label={t('accounts.filter.system')} clearable searchable data={systems} value={systemId} onChange={(v) => { onSystem(v); setPage(1); }} w={320} data-testid="findings-system" />
        <Select label={t('accounts.filter.unit')} clearable searchable data={(units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} — ${u.name}` }))} value={unitId} onChange={(v) => { setUnitId(v); setPage(1); }} w={280} />
        <Select label={t('accounts.filter.kind')} clearable data={FINDING_KINDS.map((k) => ({ value: k, label: t(`accounts.finding.${k}`) }))} value={kind} onChange={(v) => { setKind(v); setPage(1); }} w={240} data-testid="findings-kind" />
        <Select label={t('accounts.filter.severity')} clearable data={['high', 'medium', 'low'].map((k) => ({ value: k, label: t(`accounts.severity.${k}`) }))} value={severity} onChange={(v) => { setSeverity(v); setPage(1); }} w={140} />
        <Button
          variant="default"
          leftSection={<IconDownload size={16} />}
          loading={exporting}
          onClick={() => { setExporting(true); exportFindings({ systemId, unitId, kind, severity }).catch(notifyError).finally(() => setExporting(false)); }}
          data-testid="findings-export"
        >
          {t('accounts.exportXlsx')}
        </Button>
      </Group>
      <ErrorAlert error={findings.error} />
      <Text size="sm" c="dimmed">{t('accounts.findingsTotal', { n: formatNumber(findings.data?.total ?? 0) })}</Text>
      <Table.ScrollContainer minWidth={900}>
        <Table striped data-testid="findings-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('accounts.col.severity')}</Table.Th>
              <Table.Th>{t('accounts.col.system')}</Table.Th>
              <Table.Th>{t('accounts.col.account')}</Table.Th>
              <Table.Th>{t('accounts.col.kind')}</Table.Th>
              <Table.Th>{t('accounts.col.reason')}</Table.Th>
              <Table.Th>{t('accounts.col.clause')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(findings.data?.items ?? []).map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td><SeverityBadge severity={f.severity} /></Table.Td>
                <Table.Td>{name(f.systemId)}</Table.Td>
                <Table.Td>{f.personId ? <Anchor component={Link} to={`/people/${f.personId}`} size="sm">{f.username}</Anchor> : f.username}</Table.Td>
                <Table.Td><Badge size="sm" variant="outline">{t(`accounts.finding.${f.kind}`)}</Badge></Table.Td>
                <Table.Td>
                  <Text size="sm">{f.reason}</Text>
                  {f.evidence ? <ConcurrentEvidence evidence={f.evidence} /> : null}
                </Table.Td>
                <Table.Td><Text size="xs" c="dimmed">{f.clause}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {findings.data && findings.data.total > PAGE ? <Pagination total={Math.ceil(findings.data.total / PAGE)} value={page} onChange={setPage} /> : null}
    </Stack>
  );
}

export function AccountsList({ systemId, onSystem }: { systemId: string | null; onSystem: (id: string | null) => void }) {
  const { t } = useTranslation();
  const systems = useSystemOptions();
  const units = useOrgUnits(false);
  const [by, setBy] = useState<'system' | 'unit'>('system');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [situation, setSituation] = useState<string | null>(null);
  const [findingKind, setFindingKind] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const filter = { systemId: by === 'system' ? systemId : null, unitId: by === 'unit' ? unitId : null, situation, findingKind, q, page, pageSize: PAGE };
  const accounts = useAccounts(filter, by === 'system' ? !!systemId : !!unitId);
  return (
    <Stack>
      <Group align="end">
        <SegmentedControl value={by} onChange={(v) => { setBy(v as 'system' | 'unit'); setPage(1); }} data={[{ value: 'system', label: t('accounts.bySystem') }, { value: 'unit', label: t('accounts.byUnit') }]} />
        {by === 'system' ? (
          <Select label={t('accounts.filter.system')} searchable data={systems} value={systemId} onChange={(v) => { onSystem(v); setPage(1); }} w={320} data-testid="accounts-system" />
        ) : (
          <Select label={t('accounts.filter.unit')} searchable data={(units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} — ${u.name}` }))} value={unitId} onChange={(v) => { setUnitId(v); setPage(1); }} w={320} />
        )}
        <Select label={t('accounts.filter.situation')} clearable data={SITUATIONS.map((s) => ({ value: s, label: t(`accounts.situation.${s}`) }))} value={situation} onChange={(v) => { setSituation(v); setPage(1); }} w={170} />
        <Select label={t('accounts.filter.kind')} clearable data={FINDING_KINDS.map((k) => ({ value: k, label: t(`accounts.finding.${k}`) }))} value={findingKind} onChange={(v) => { setFindingKind(v); setPage(1); }} w={220} />
        <TextInput label={t('accounts.filter.q')} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={180} />
      </Group>
      <ErrorAlert error={accounts.error} />
      {accounts.data ? <Text size="sm" c="dimmed">{t('accounts.accountsTotal', { n: formatNumber(accounts.data.total) })}</Text> : <Text size="sm" c="dimmed">{t('accounts.pickSystemOrUnit')}</Text>}
      <AccountTable items={accounts.data?.items ?? []} showSystem={by === 'unit'} />
      {accounts.data && accounts.data.total > PAGE ? <Pagination total={Math.ceil(accounts.data.total / PAGE)} value={page} onChange={setPage} /> : null}
    </Stack>
  );
}

export function AccountTable({ items, showSystem }: { items: import('../../../contracts/accounts.js').SystemAccount[]; showSystem: boolean }) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped data-testid="accounts-table">
        <Table.Thead>
          <Table.Tr>
            {showSystem ? <Table.Th>{t('accounts.col.system')}</Table.Th> : null}
            <Table.Th>{t('accounts.col.account')}</Table.Th>
            <Table.Th>{t('accounts.col.person')}</Table.Th>
            <Table.Th>{t('accounts.col.situation')}</Table.Th>
            <Table.Th>{t('accounts.col.findings')}</Table.Th>
            <Table.Th>{t('accounts.col.roles')}</Table.Th>
            <Table.Th>{t('accounts.col.status')}</Table.Th>
            <Table.Th>{t('accounts.col.mfa')}</Table.Th>
            <Table.Th>{t('accounts.col.lastLogin')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((a) => (
            <Table.Tr key={a.id} data-testid={`account-${a.username}`}>
              {showSystem ? <Table.Td><Text size="sm">{a.systemCode}</Text><Text size="xs" c="dimmed">{a.systemName}</Text></Table.Td> : null}
              <Table.Td><Text size="sm" fw={500}>{a.username}</Text><Text size="xs" c="dimmed">{a.displayName}</Text></Table.Td>
              <Table.Td>{a.personId ? <Anchor component={Link} to={`/people/${a.personId}`} size="sm">{a.personName ?? a.personId}</Anchor> : '—'}</Table.Td>
              <Table.Td><SituationBadge situation={a.situation} /></Table.Td>
              <Table.Td><FindingBadges kinds={a.findings ?? []} /></Table.Td>
              <Table.Td><Text size="xs">{a.roles.join(', ') || '—'}</Text>{a.privileged ? <Badge size="xs" color="grape">{t('accounts.privileged')}</Badge> : null}</Table.Td>
              <Table.Td>{a.enabled ? <Badge size="xs" color="green" variant="light">{t('accounts.enabled')}</Badge> : <Badge size="xs" color="gray">{t('accounts.disabled')}</Badge>}</Table.Td>
              <Table.Td>{a.mfa === null ? '—' : a.mfa ? t('accounts.yes') : t('accounts.no')}</Table.Td>
              <Table.Td>{formatDate(a.lastLoginAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function TaskNote({ task }: { task: RevocationTask }) {
  const { t } = useTranslation();
  const note = useNoteTask();
  const [text, setText] = useState(task.operatorNote ?? '');
  if (task.status !== 'open') return <Text size="xs">{task.operatorNote ?? ''}</Text>;
  return (
    <Group gap={4} wrap="nowrap">
      <Textarea size="xs" autosize minRows={1} value={text} onChange={(e) => setText(e.currentTarget.value)} placeholder={t('accounts.task.notePlaceholder')} />
      <Button size="compact-xs" variant="light" disabled={!text.trim()} loading={note.isPending} onClick={() => note.mutate({ id: task.id, operatorNote: text }, { onSuccess: () => notifySuccess(t('accounts.task.noted')), onError: notifyError })}>{t('accounts.task.save')}</Button>
    </Group>
  );
}

function SystemFilter({ value, onChange }: { value: string | null; onChange: (v: string | null) => void }) {
  const { t } = useTranslation();
  const systems = useSystemOptions();
  return <Select placeholder={t('accounts.filter.system')} clearable searchable data={systems} value={value} onChange={onChange} w={320} data-testid="tasks-system" />;
}

export function TasksList({ personId }: { personId?: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string>('open');
  const [systemId, setSystemId] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const tasks = useRevocationTasks({ status: status === 'all' ? null : status, personId: personId ?? null, systemId, page });
  return (
    <Stack>
      <Group>
        <SegmentedControl
          value={status}
          onChange={(v) => { setStatus(v); setPage(1); }}
          data={['open', 'overdue', 'verified', 'all'].map((v) => ({ value: v, label: t(`accounts.task.filter.${v}`) }))}
        />
        {personId ? null : <SystemFilter value={systemId} onChange={(v) => { setSystemId(v); setPage(1); }} />}
      </Group>
      <ErrorAlert error={tasks.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped data-testid="tasks-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('accounts.col.system')}</Table.Th>
              <Table.Th>{t('accounts.col.account')}</Table.Th>
              <Table.Th>{t('accounts.task.kind')}</Table.Th>
              <Table.Th>{t('accounts.task.unit')}</Table.Th>
              <Table.Th>{t('accounts.task.due')}</Table.Th>
              <Table.Th>{t('accounts.col.status')}</Table.Th>
              <Table.Th>{t('accounts.task.note')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(tasks.data?.items ?? []).map((task) => (
              <Table.Tr key={task.id} data-testid={`task-${task.username}`}>
                <Table.Td><Text size="sm">{task.systemCode}</Text></Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>{task.username}</Text>
                  {task.personId ? <Anchor component={Link} to={`/people/${task.personId}`} size="xs">{task.personName}</Anchor> : null}
                  {task.reason ? <Text size="xs" c="dimmed">{task.reason}</Text> : null}
                </Table.Td>
                <Table.Td><Badge color={task.kind === 'revoke' ? 'red' : 'orange'} variant="light">{t(`accounts.decision.${task.kind}`)}</Badge></Table.Td>
                <Table.Td><Text size="sm">{task.unitName}</Text></Table.Td>
                <Table.Td>{formatDate(task.dueAt)}</Table.Td>
                <Table.Td>
                  {task.status === 'verified' ? (
                    <Badge color="green">{t('accounts.task.verified', { date: formatDate(task.verifiedAt) })}</Badge>
                  ) : task.overdue ? (
                    <Badge color="red" variant="filled">{task.escalatedAt ? t('accounts.task.escalated', { date: formatDateTime(task.escalatedAt) }) : t('accounts.task.overdue')}</Badge>
                  ) : (
                    <Badge color="blue" variant="light">{t('accounts.task.open')}</Badge>
                  )}
                </Table.Td>
                <Table.Td><TaskNote task={task} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {tasks.data && tasks.data.total > PAGE ? <Pagination total={Math.ceil(tasks.data.total / PAGE)} value={page} onChange={setPage} /> : null}
      {tasks.data?.total === 0 ? <Text size="sm" c="dimmed">{t('accounts.task.none')}</Text> : null}
    </Stack>
  );
}

/** MFA coverage per system (share of enabled accounts, and of privileged accounts, with MFA). */
export function MfaCoverageCard() {
  const { t } = useTranslation();
  const mfa = useMfaCoverage();
  const rows = mfa.data ?? [];
  const total = rows.reduce((a, r) => ({ accounts: a.accounts + r.accounts, withMfa: a.withMfa + r.withMfa, privileged: a.privileged + r.privileged, privilegedWithMfa: a.privilegedWithMfa + r.privilegedWithMfa }), { accounts: 0, withMfa: 0, privileged: 0, privilegedWithMfa: 0 });
  const pct = (a: number, b: number) => (b ? Math.round((a / b) * 100) : 0);
  if (!rows.length) return null;
  const worst = [...rows].filter((r) => r.privileged > 0).sort((a, b) => (a.privilegedShare ?? 1) - (b.privilegedShare ?? 1)).slice(0, 5);
  return (
    <Card withBorder padding="md" data-testid="mfa-coverage">
      <Group gap="xs" mb="xs"><IconShieldLock size={18} /><Title order={5}>{t('accounts.mfa.title')}</Title></Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <div>
          <Text size="sm" c="dimmed">{t('accounts.mfa.all', { n: formatNumber(total.accounts) })}</Text>
          <Text fw={700} fz={26}>{pct(total.withMfa, total.accounts)}%</Text>
          <Progress value={pct(total.withMfa, total.accounts)} color="blue" />
        </div>
        <div>
          <Text size="sm" c="dimmed">{t('accounts.mfa.privileged', { n: formatNumber(total.privileged) })}</Text>
          <Text fw={700} fz={26} c={pct(total.privilegedWithMfa, total.privileged) < 100 ? 'red' : 'green'}>{pct(total.privilegedWithMfa, total.privileged)}%</Text>
          <Progress value={pct(total.privilegedWithMfa, total.privileged)} color="red" />
        </div>
      </SimpleGrid>
      {worst.length ? (
        <Paper mt="sm">
          <Text size="xs" fw={600} mb={4}>{t('accounts.mfa.worst')}</Text>
          {worst.map((r) => (
            <Group key={r.systemId} justify="space-between" gap="xs">
              <Text size="xs">{r.systemCode} ({r.unitCode})</Text>
              <Text size="xs">{t('accounts.mfa.row', { p: r.privilegedWithMfa, n: r.privileged, share: pct(r.withMfa, r.accounts) })}</Text>
            </Group>
          ))}
        </Paper>
      ) : null}
      <Anchor component={Link} to="/accounts" size="xs" mt="xs">{t('accounts.mfa.more')}</Anchor>
    </Card>
  );
}

