import { Anchor, Badge, Button, Group, Loader, Paper, ScrollArea, SegmentedControl, Select, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconBug, IconChartBar, IconDownload, IconSearch, IconShieldSearch, IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { FINDING_STATUSES, VULN_SEVERITIES, type FindingStatus, type VulnSeverity } from '../../contracts/vuln.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatNumber } from '../components/format.js';
import { notifyError } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { useSystems } from '../features/inventory/api.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { exportFindings, useFindings } from '../features/vuln/api.js';
import { SeverityBadge, StatusBadge } from '../features/vuln/badges.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;

/** /vulns — findings in scope with filters (unit, system, severity, KEV, overdue, status), priority first; XLSX export. */
export default function VulnsRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const units = useOrgUnits(true);
  const systems = useSystems({ page: 1, pageSize: 500 });
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const [unitId, setUnitId] = useState<string | null>(params.get('unitId'));
  const [systemId, setSystemId] = useState<string | null>(params.get('systemId'));
  const [severity, setSeverity] = useState<VulnSeverity | null>(null);
  const [status, setStatus] = useState<FindingStatus | null>((params.get('status') as FindingStatus | null) ?? 'open');
  const [flag, setFlag] = useState<string>(params.get('overdue') ? 'overdue' : params.get('kev') ? 'kev' : 'all');
  const [page, setPage] = useState(1);
  const filter = {
    q: debouncedQ.trim() || undefined, unitId, systemId, severity, status, kev: flag === 'kev' ? ('true' as const) : null, overdue: flag === 'overdue' ? ('true' as const) : null, page, pageSize: PAGE_SIZE,
  };
  const findings = useFindings(filter);
  const pages = findings.data ? Math.max(1, Math.ceil(findings.data.total / findings.data.pageSize)) : 1;
  const reset = () => setPage(1);

  return (
    <>
      <PageHeader
        title={t('vuln.findings.title')}
        description={findings.data ? t('vuln.findings.total', { n: formatNumber(findings.data.total) }) : undefined}
        actions={(
          <>
            <Button component={Link} to="/vulns/dashboard" variant="default" leftSection={<IconChartBar size={16} />}>{t('vuln.nav.dashboard')}</Button>
            <Button component={Link} to="/vulns/coverage" variant="default" leftSection={<IconShieldSearch size={16} />}>{t('vuln.nav.coverage')}</Button>
            <Button component={Link} to="/vulns/imports" variant="default" leftSection={<IconUpload size={16} />} data-testid="vuln-go-upload">{t('vuln.nav.imports')}</Button>
            <Button leftSection={<IconDownload size={16} />} onClick={() => exportFindings(filter).catch(notifyError)} data-testid="vuln-export">{t('vuln.findings.export')}</Button>
          </>
        )}
      />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap" gap="sm">
          <TextInput leftSection={<IconSearch size={16} />} placeholder={t('vuln.findings.search')} value={q} onChange={(e) => { setQ(e.currentTarget.value); reset(); }} style={{ flex: '1 1 220px' }} data-testid="vuln-search" />
          <Select placeholder={t('vuln.filter.unit')} searchable clearable data={unitOptions(units.data, t, { includeFormer: true })} value={unitId} onChange={(v) => { setUnitId(v); reset(); }} w={260} data-testid="vuln-unit-filter" />
          <Select placeholder={t('vuln.filter.system')} searchable clearable data={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }))} value={systemId} onChange={(v) => { setSystemId(v); reset(); }} w={260} data-testid="vuln-system-filter" />
          <Select placeholder={t('vuln.filter.severity')} clearable data={VULN_SEVERITIES.map((s) => ({ value: s, label: t(`vuln.severity.${s}`) }))} value={severity} onChange={(v) => { setSeverity(v as VulnSeverity | null); reset(); }} w={160} data-testid="vuln-severity-filter" />
          <Select placeholder={t('vuln.filter.status')} clearable data={FINDING_STATUSES.map((s) => ({ value: s, label: t(`vuln.status.${s}`) }))} value={status} onChange={(v) => { setStatus(v as FindingStatus | null); reset(); }} w={180} data-testid="vuln-status-filter" />
          <SegmentedControl value={flag} onChange={(v) => { setFlag(v); reset(); }} data={[{ value: 'all', label: t('vuln.filter.all') }, { value: 'kev', label: 'KEV' }, { value: 'overdue', label: t('vuln.filter.overdue') }]} data-testid="vuln-flag-filter" />
          {findings.isFetching ? <Loader size="xs" /> : null}
        </Group>
        <ErrorAlert error={findings.error} />
        {findings.data && findings.data.items.length === 0 ? (
          <EmptyState icon={IconBug} title={t('vuln.findings.empty')} />
        ) : (
          <ScrollArea>
            <Table striped highlightOnHover miw={1200} verticalSpacing="xs" data-testid="vuln-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('vuln.field.severity')}</Table.Th>
                  <Table.Th>{t('vuln.field.priority')}</Table.Th>
                  <Table.Th>{t('vuln.field.title')}</Table.Th>
                  <Table.Th>{t('vuln.field.host')}</Table.Th>
                  <Table.Th>{t('vuln.field.systems')}</Table.Th>
                  <Table.Th>{t('vuln.field.unit')}</Table.Th>
                  <Table.Th>{t('vuln.field.slaDue')}</Table.Th>
                  <Table.Th>{t('vuln.field.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {findings.data?.items.map((f) => (
                  <Table.Tr key={f.id} data-testid="vuln-row">
                    <Table.Td><SeverityBadge severity={f.severity} /></Table.Td>
                    <Table.Td fw={600}>{f.priority}</Table.Td>
                    <Table.Td maw={380}>
                      <Anchor component={Link} to={`/vulns/${f.id}`} size="sm" fw={500} data-testid="vuln-open">{f.title}</Anchor>
                      <Group gap={4} mt={2}>
                        <Text size="xs" c="dimmed">{f.scanner} · {f.pluginId}</Text>
                        {f.cves.slice(0, 2).map((c) => <Badge key={c} size="xs" variant="outline" color="gray">{c}</Badge>)}
                        {f.kev ? <Tooltip label={t('vuln.kevTip', { due: f.kevDue })}><Badge size="xs" color="red" data-testid="vuln-kev">KEV{f.kevRansomware ? ' · ransomware' : ''}</Badge></Tooltip> : null}
                      </Group>
                    </Table.Td>
                    <Table.Td fz="sm" ff="monospace">{f.hostLabel}{f.port ? `:${f.port}` : ''}{f.asset ? <Text size="xs" c="dimmed" ff="sans-serif">{f.asset.code}</Text> : <Text size="xs" c="orange" ff="sans-serif">{t('vuln.unmatched')}</Text>}</Table.Td>
                    <Table.Td fz="sm" maw={220} data-testid="vuln-systems">{f.systems.map((s) => s.name).join('; ') || '—'}</Table.Td>
                    <Table.Td fz="sm" maw={200}>{f.unit.name}</Table.Td>
                    <Table.Td fz="sm" style={{ whiteSpace: 'nowrap' }}>{f.slaDue ? <Text size="sm" c={f.overdue ? 'red' : undefined} fw={f.overdue ? 700 : undefined}>{formatDate(f.slaDue)}</Text> : '—'}</Table.Td>
                    <Table.Td><StatusBadge status={f.status} /></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {findings.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
    </>
  );
}
