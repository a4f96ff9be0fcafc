import { Alert, Anchor, Badge, Button, Code, Drawer, FileButton, Group, Loader, Pagination, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { IconDownload, IconShieldCheck, IconUpload } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ACCESS_ACTIONS, ALERT_KINDS, ALERT_STATUSES, type AccessSearch, type EntryProof, type LookupAlert } from '../../contracts/access-log.js';
import { DateField } from '../components/DateField.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { ImportErrors } from '../components/ImportErrors.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import {
  exportBundle, useAccessSearch, useAlerts, useApiKeys, useCheckpoints, useCreateApiKey, useProof, useRevokeApiKey, useUpdateAlert, useUploadAccessLog,
  useVerifyLog, verifyProofInBrowser,
} from '../features/access-log/api.js';
import { useMe } from '../features/auth/api.js';
import { useEscalate } from '../features/cases/api.js';
import { useSystems } from '../features/inventory/api.js';

const PAGE_SIZE = 50;
const SEVERITY_COLOR = { high: 'red', medium: 'orange', low: 'gray' } as const;

function useSystemOptions() {
  const systems = useSystems({ page: 1, pageSize: 500 });
  return (systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }));
}

/** The inclusion proof of one record: the server's check, then the browser's own recomputation (WebCrypto). */
function ProofDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const proof = useProof(id);
  const [local, setLocal] = useState<Awaited<ReturnType<typeof verifyProofInBrowser>> | null>(null);
  useEffect(() => {
    setLocal(null);
    if (proof.data) void verifyProofInBrowser(proof.data as EntryProof).then(setLocal);
  }, [proof.data]);
  const p = proof.data;
  return (
    <Drawer opened={!!id} onClose={onClose} position="right" size="xl" title={t('accessLog.proof.title')}>
      {proof.isLoading ? <Loader /> : null}
      <ErrorAlert error={proof.error} />
      {p ? (
        <Stack data-testid="proof-drawer">
          <Group>
            <Badge color={p.verified ? 'green' : 'red'} size="lg" data-testid="proof-server">{p.verified ? t('accessLog.proof.serverOk') : t('accessLog.proof.serverBad')}</Badge>
            <Badge color={p.signatureValid ? 'green' : 'red'} size="lg">{p.signatureValid ? t('accessLog.proof.signatureOk') : t('accessLog.proof.signatureBad')}</Badge>
            {local ? (
              <Badge color={local.leafMatches && local.rootMatches ? 'green' : 'red'} size="lg" leftSection={<IconShieldCheck size={14} />} data-testid="proof-browser">
                {local.leafMatches && local.rootMatches ? t('accessLog.proof.browserOk') : t('accessLog.proof.browserBad')}
              </Badge>
            ) : <Loader size="xs" />}
          </Group>
          <Text size="sm">{t('accessLog.proof.position', { index: p.leafIndex, size: p.treeSize })}</Text>
          <Text size="sm" fw={500}>{t('accessLog.proof.leafData')}</Text>
          <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{p.leafData}</Code>
          <Text size="sm" fw={500}>{t('accessLog.proof.path', { count: p.proof.length })}</Text>
          <Table fz="xs" withTableBorder data-testid="proof-path">
            <Table.Thead>
              <Table.Tr><Table.Th>#</Table.Th><Table.Th>{t('accessLog.proof.side')}</Table.Th><Table.Th>{t('accessLog.proof.sibling')}</Table.Th><Table.Th>{t('accessLog.proof.result')}</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {local?.steps.map((s, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{i + 1}</Table.Td>
                  <Table.Td>{t(`accessLog.proof.${s.side}`)}</Table.Td>
                  <Table.Td ff="monospace">{s.sibling.slice(0, 16)}…</Table.Td>
                  <Table.Td ff="monospace">{s.result.slice(0, 16)}…</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="sm" fw={500}>{t('accessLog.proof.checkpoint')}</Text>
          <Code block>{p.checkpoint}</Code>
        </Stack>
      ) : null}
    </Drawer>
  );
}

function SearchTab() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const systemOptions = useSystemOptions();
  const [citizenId, setCitizenId] = useState('');
  const [account, setAccount] = useState('');
  const [systemId, setSystemId] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const personId = params.get('personId') ?? undefined;
  const [query, setQuery] = useState<AccessSearch | null>(personId ? { personId, page: 1, pageSize: PAGE_SIZE } : null);
  const [proofId, setProofId] = useState<string | null>(null);
  const result = useAccessSearch(query);
  const submit = (page = 1) => setQuery({
    citizenId: citizenId.replace(/\s/g, '') || undefined, account: account.trim() || undefined, systemId: systemId ?? undefined,
    action: (action as AccessSearch['action']) ?? undefined, from: from || undefined, to: to || undefined, personId, page, pageSize: PAGE_SIZE,
  });
  const showPerson = (id: string) => {
    setParams({ tab: 'search', personId: id });
    setQuery({ personId: id, page: 1, pageSize: PAGE_SIZE });
  };
  const data = result.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <Paper withBorder p="md">
      <Group align="flex-end" wrap="wrap" mb="md">
        <TextInput label={t('accessLog.citizenId')} description={t('accessLog.citizenIdHint')} value={citizenId} onChange={(e) => setCitizenId(e.currentTarget.value)} w={200} data-testid="search-citizen" />
        <TextInput label={t('accessLog.account')} value={account} onChange={(e) => setAccount(e.currentTarget.value)} w={160} />
        <Select label={t('accessLog.system')} data={systemOptions} value={systemId} onChange={setSystemId} clearable searchable w={280} />
        <Select label={t('accessLog.action')} data={ACCESS_ACTIONS.map((a) => ({ value: a, label: t(`accessLog.actions.${a}`) }))} value={action} onChange={setAction} clearable w={150} />
        <DateField label={t('audit.from')} value={from} onChange={setFrom} w={140} />
        <DateField label={t('audit.to')} value={to} onChange={setTo} w={140} />
        <Button onClick={() => submit()} data-testid="search-submit">{t('accessLog.search')}</Button>
        {result.isFetching ? <Loader size="xs" /> : null}
      </Group>
      <ErrorAlert error={result.error} />
      {data?.person ? (
        <Alert color="blue" variant="light" mb="md" title={t('accessLog.personActivity', { name: data.person.fullName })} data-testid="person-activity">
          <Group gap="xs" mb="xs">
            <Badge variant="light">{t(`personStatus.${data.person.status}`, { defaultValue: data.person.status })}</Badge>
            <Anchor size="sm" onClick={() => { setParams({ tab: 'search' }); setQuery(null); }}>{t('accessLog.clearPerson')}</Anchor>
          </Group>
          <Table fz="sm">
            <Table.Tbody>
              {data.person.bySystem.map((b) => (
                <Table.Tr key={b.systemId}>
                  <Table.Td>{b.systemName}</Table.Td>
                  <Table.Td>{t('accessLog.personCounts', { count: b.count, lookups: b.lookups })}</Table.Td>
                  <Table.Td>{formatDateTime(b.firstAt)} – {formatDateTime(b.lastAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Alert>
      ) : null}
      {data ? <Text size="sm" c="dimmed" mb="xs" data-testid="search-total">{t('accessLog.found', { count: data.total })}</Text> : <Text c="dimmed">{t('accessLog.searchHint')}</Text>}
      <ScrollArea>
        <Table striped miw={1100} fz="sm" data-testid="access-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('audit.time')}</Table.Th><Table.Th>{t('accessLog.system')}</Table.Th><Table.Th>{t('accessLog.account')}</Table.Th>
              <Table.Th>{t('accessLog.person')}</Table.Th><Table.Th>{t('accessLog.action')}</Table.Th><Table.Th>{t('accessLog.subject')}</Table.Th>
              <Table.Th>{t('accessLog.caseRef')}</Table.Th><Table.Th>{t('accessLog.ipDevice')}</Table.Th><Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data?.items.map((r) => (
              <Table.Tr key={r.id} data-testid="access-row">
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.occurredAt)}</Table.Td>
                <Table.Td>{r.systemName}</Table.Td>
                <Table.Td ff="monospace">{r.account}</Table.Td>
                <Table.Td>
                  {r.personId ? <Anchor size="sm" onClick={() => showPerson(r.personId!)}>{r.personName}</Anchor>
                    : <Badge color="orange" variant="light" size="sm">{t(`accessLog.situations.${r.accountSituation}`, { defaultValue: r.accountSituation })}</Badge>}
                </Table.Td>
                <Table.Td>{t(`accessLog.actions.${r.action}`, { defaultValue: r.action })}</Table.Td>
                <Table.Td ff="monospace">{r.subjectMasked ?? '—'}</Table.Td>
                <Table.Td>{r.caseRef ?? <Text span c="red" size="sm">{t('accessLog.noCase')}</Text>}</Table.Td>
                <Table.Td ff="monospace">{[r.ip, r.device].filter(Boolean).join(' · ') || '—'}</Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="light" disabled={r.leafIndex === null} onClick={() => setProofId(r.id)} data-testid="open-proof">{t('accessLog.proof.open')}</Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {data && pages > 1 ? (
        <Group justify="flex-end" mt="md"><Pagination total={pages} value={data.page} onChange={(p) => setQuery((q) => (q ? { ...q, page: p } : q))} size="sm" /></Group>
      ) : null}
      <ProofDrawer id={proofId} onClose={() => setProofId(null)} />
    </Paper>
  );
}

function AlertsTab() {
  const { t, i18n } = useTranslation();
  // The stored reason is Vietnamese as the rule wrote it; other languages render the key with its parameters.
  const reasonOf = (a: LookupAlert) => (i18n.language.startsWith('vi') ? a.reason : t(a.reasonKey, { ...a.reasonParams, defaultValue: a.reason }));
  const me = useMe();
  const [params, setParams] = useSearchParams();
  // ?alert=<id>: one alert, opened from its SOC alert or from a case.
  const only = params.get('alert') ?? undefined;
  const [status, setStatus] = useState<LookupAlert['status'] | null>(only ? null : 'new');
  const [kind, setKind] = useState<LookupAlert['kind'] | null>(null);
  const [page, setPage] = useState(1);
  const alerts = useAlerts({ status, kind, page, pageSize: PAGE_SIZE, ...(only ? { id: only } : {}) });
  const update = useUpdateAlert();
  const toCase = useEscalate();
  const navigate = useNavigate();
  const triage = can(me.data, 'lookup_alert.triage');
  const socRead = can(me.data, 'soc.read');
  const caseWrite = can(me.data, 'case.write');
  const pages = alerts.data ? Math.max(1, Math.ceil(alerts.data.total / alerts.data.pageSize)) : 1;
  return (
    <Paper withBorder p="md">
      <Group mb="md" align="flex-end">
        <Select label={t('accessLog.alertStatus')} data={ALERT_STATUSES.map((s) => ({ value: s, label: t(`accessLog.statuses.${s}`) }))} value={status} onChange={(v) => { setStatus(v as LookupAlert['status'] | null); setPage(1); }} clearable w={200} />
        <Select label={t('accessLog.alertKind')} data={ALERT_KINDS.map((k) => ({ value: k, label: t(`accessLog.kinds.${k}`) }))} value={kind} onChange={(v) => { setKind(v as LookupAlert['kind'] | null); setPage(1); }} clearable w={280} />
        {alerts.data ? <Text size="sm" c="dimmed">{t('accessLog.alertCount', { count: alerts.data.total })}</Text> : null}
        {only ? <Anchor size="sm" onClick={() => setParams({ tab: 'alerts' })} data-testid="alerts-show-all">{t('accessLog.showAllAlerts')}</Anchor> : null}
      </Group>
      <ErrorAlert error={alerts.error ?? update.error} />
      <Stack gap="xs" data-testid="alerts-list">
        {alerts.data?.items.map((a) => (
          <Paper key={a.id} withBorder p="sm" data-testid="alert-row">
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4} style={{ flex: 1 }}>
                <Group gap="xs">
                  <Badge color={SEVERITY_COLOR[a.severity]}>{t(`accessLog.severity.${a.severity}`)} · {a.score}/10</Badge>
                  <Badge variant="light">{t(`accessLog.kinds.${a.kind}`)}</Badge>
                  <Text size="sm" c="dimmed">{a.systemName}</Text>
                </Group>
                <Text size="sm">{reasonOf(a)}</Text>
                <Text size="xs" c="dimmed">
                  {formatDateTime(a.firstSeen)} – {formatDateTime(a.lastSeen)} · {t('accessLog.records', { count: a.recordCount })}
                  {a.assigneeName ? ` · ${t('accessLog.assignee')}: ${a.assigneeName}` : ''}{a.statusNote ? ` · ${a.statusNote}` : ''}
                </Text>
                {a.socAlertId && socRead ? (
                  <Anchor component={Link} to={`/soc/alerts/${a.socAlertId}`} size="xs" data-testid="lookup-soc-link">{t('accessLog.inSocQueue')}</Anchor>
                ) : null}
              </Stack>
              <Stack gap={4} align="flex-end">
                <Badge variant="outline">{t(`accessLog.statuses.${a.status}`)}</Badge>
                {triage ? (
                  <Group gap={4}>
                    {(['acknowledged', 'false_positive', 'escalated'] as const).filter((s) => s !== a.status).map((s) => (
                      <Button key={s} size="compact-xs" variant="default" loading={update.isPending && update.variables?.id === a.id}
                        onClick={() => update.mutate({ id: a.id, status: s, ...(s === 'acknowledged' && me.data ? { assigneeUserId: me.data.user.id } : {}) }, { onSuccess: () => notifySuccess(t('accessLog.statusSaved')) })}>
                        {t(`accessLog.to.${s}`)}
                      </Button>
                    ))}
                  </Group>
                ) : null}
                {caseWrite && a.status !== 'escalated' && a.status !== 'false_positive' ? (
                  <Button size="compact-xs" color="red" variant="light" loading={toCase.isPending && toCase.variables?.alerts[0]?.id === a.id} data-testid="lookup-to-case"
                    onClick={() => toCase.mutate({ alerts: [{ kind: 'lookup', id: a.id }] }, { onSuccess: (c) => void navigate(`/cases/${c.id}`), onError: notifyError })}>
                    {t('cases.alerts.escalate')}
                  </Button>
                ) : null}
              </Stack>
            </Group>
          </Paper>
        ))}
      </Stack>
      {alerts.data && alerts.data.items.length === 0 ? <Text c="dimmed" ta="center" py="lg">{t('accessLog.noAlerts')}</Text> : null}
      {alerts.data && pages > 1 ? <Group justify="flex-end" mt="md"><Pagination total={pages} value={page} onChange={setPage} size="sm" /></Group> : null}
    </Paper>
  );
}

function IntegrityTab() {
  const { t } = useTranslation();
  const cps = useCheckpoints();
  const verify = useVerifyLog();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const doExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      await exportBundle();
      notifySuccess(t('accessLog.exported'));
    } catch (err) {
      setExportError(err);
    } finally {
      setExporting(false);
    }
  };
  const v = verify.data;
  return (
    <Stack>
      <Paper withBorder p="md">
        <Group justify="space-between" mb="sm">
          <Title order={4}>{t('accessLog.integrity')}</Title>
          <Group>
            <Button variant="default" leftSection={<IconShieldCheck size={16} />} loading={verify.isPending} onClick={() => verify.mutate()} data-testid="verify-log">{t('accessLog.verifyAll')}</Button>
            <Button leftSection={<IconDownload size={16} />} loading={exporting} onClick={() => void doExport()} data-testid="export-bundle">{t('accessLog.exportBundle')}</Button>
          </Group>
        </Group>
        <Text size="sm" c="dimmed" mb="sm">{t('accessLog.integrityHint')}</Text>
        <ErrorAlert error={verify.error ?? exportError} />
        {v ? (
          <Alert color={v.ok ? 'green' : 'red'} title={v.ok ? t('accessLog.verifyOk') : t('accessLog.verifyBad', { count: v.findings.length })} data-testid="verify-result">
            {t('accessLog.verifyFacts', { size: formatNumber(v.treeSize), checkpoints: formatNumber(v.checkpointsChecked), pruned: formatNumber(v.pruned), ms: formatNumber(v.durationMs) })}
            {v.findings.slice(0, 10).map((f, i) => (
              <Group key={i} gap="xs" wrap="nowrap" align="baseline" data-testid="verify-finding">
                <Badge size="sm" color="red" variant="light" style={{ flexShrink: 0 }}>{t(`accessLog.findingKinds.${f.kind}`, { defaultValue: f.kind })}</Badge>
                <Text size="sm" ff="monospace">{f.message}</Text>
              </Group>
            ))}
          </Alert>
        ) : null}
      </Paper>
      <Paper withBorder p="md">
        <Title order={5} mb="sm">{t('accessLog.checkpoints')}</Title>
        <ErrorAlert error={cps.error} />
        <Table fz="sm" striped data-testid="checkpoints">
          <Table.Thead><Table.Tr><Table.Th>{t('accessLog.treeSize')}</Table.Th><Table.Th>{t('accessLog.root')}</Table.Th><Table.Th>{t('audit.time')}</Table.Th><Table.Th>{t('accessLog.signature')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {cps.data?.items.map((c) => (
              <Table.Tr key={c.treeSize}>
                <Table.Td>{c.treeSize.toLocaleString('vi-VN')}</Table.Td>
                <Table.Td ff="monospace">{c.rootHash.slice(0, 24)}…</Table.Td>
                <Table.Td>{formatDateTime(c.createdAt)}</Table.Td>
                <Table.Td><Badge color={c.signatureValid ? 'green' : 'red'} variant="light">{c.signatureValid ? t('accessLog.proof.signatureOk') : t('accessLog.proof.signatureBad')}</Badge></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

function SourcesTab() {
  const { t } = useTranslation();
  const systemOptions = useSystemOptions();
  const [systemId, setSystemId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const keys = useApiKeys(systemId);
  const create = useCreateApiKey(systemId);
  const revoke = useRevokeApiKey(systemId);
  const upload = useUploadAccessLog(systemId);
  return (
    <Paper withBorder p="md">
      <Select label={t('accessLog.system')} data={systemOptions} value={systemId} onChange={setSystemId} searchable w={420} mb="md" />
      {systemId ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack>
            <Title order={5}>{t('accessLog.apiKeys')}</Title>
            <Text size="sm" c="dimmed">{t('accessLog.apiKeysHint')}</Text>
            <Group align="flex-end">
              <TextInput label={t('accessLog.keyName')} value={name} onChange={(e) => setName(e.currentTarget.value)} w={260} />
              <Button loading={create.isPending} disabled={name.trim().length < 3} onClick={() => create.mutate(name.trim(), { onSuccess: () => setName('') })}>{t('accessLog.createKey')}</Button>
            </Group>
            {create.data ? <Alert color="yellow" title={t('accessLog.keyOnce')}><Code block>{create.data.secret}</Code></Alert> : null}
            <ErrorAlert error={keys.error ?? create.error ?? revoke.error} />
            <Table fz="sm">
              <Table.Tbody>
                {keys.data?.items.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td>{k.name}</Table.Td>
                    <Table.Td ff="monospace">…{k.hint}</Table.Td>
                    <Table.Td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : '—'}</Table.Td>
                    <Table.Td>{k.revokedAt ? <Badge color="gray">{t('accessLog.revoked')}</Badge> : <Button size="compact-xs" color="red" variant="light" onClick={() => revoke.mutate(k.id)}>{t('accessLog.revoke')}</Button>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
          <Stack>
            <Title order={5}>{t('accessLog.upload')}</Title>
            <Text size="sm" c="dimmed">{t('accessLog.uploadHint')}</Text>
            <FileButton onChange={(f) => f && upload.mutate(f)} accept=".csv,.xlsx,.jsonl,.ndjson,.json">
              {(props) => <Button {...props} leftSection={<IconUpload size={16} />} loading={upload.isPending} w={200}>{t('import.choose')}</Button>}
            </FileButton>
            {upload.data ? <Alert color="green">{t('accessLog.uploaded', { accepted: upload.data.accepted, duplicates: upload.data.duplicates })}</Alert> : null}
            <ImportErrors error={upload.error} />
          </Stack>
        </SimpleGrid>
      ) : <Text c="dimmed">{t('accessLog.pickSystem')}</Text>}
    </Paper>
  );
}

/** /access-log — look-ups in the population database: search, alerts, the log's integrity, and sources. */
export default function AccessLogRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'search';
  return (
    <>
      <PageHeader title={t('accessLog.title')} description={t('accessLog.description')} />
      <Tabs value={tab} onChange={(v) => setParams({ tab: v ?? 'search' })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="search" data-testid="tab-search">{t('accessLog.tabs.search')}</Tabs.Tab>
          <Tabs.Tab value="alerts" data-testid="tab-alerts">{t('accessLog.tabs.alerts')}</Tabs.Tab>
          <Tabs.Tab value="integrity" data-testid="tab-integrity">{t('accessLog.tabs.integrity')}</Tabs.Tab>
          {can(me.data, 'access_log.write') ? <Tabs.Tab value="sources">{t('accessLog.tabs.sources')}</Tabs.Tab> : null}
        </Tabs.List>
        <Tabs.Panel value="search"><SearchTab /></Tabs.Panel>
        <Tabs.Panel value="alerts"><AlertsTab /></Tabs.Panel>
        <Tabs.Panel value="integrity"><IntegrityTab /></Tabs.Panel>
        <Tabs.Panel value="sources"><SourcesTab /></Tabs.Panel>
      </Tabs>
    </>
  );
}
