import { Badge, Group, NumberInput, Paper, Progress, ScrollArea, Select, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { useCoverage } from '../features/vuln/api.js';

const RESULT_COLOR: Record<string, string> = { clean: 'green', infected: 'red', scanner_installed: 'teal', no_scanner: 'orange', never: 'gray' };

/** /vulns/coverage — malware-scan coverage of servers and workstations: province, per unit, by merger phase; detections. */
export default function VulnCoverageRoute() {
  const { t } = useTranslation();
  const units = useOrgUnits(true);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [days, setDays] = useState<number>(30);
  const c = useCoverage(unitId, days);
  const pct = (p: number | null) => (p === null ? '—' : `${p}%`);
  return (
    <>
      <PageHeader title={t('vuln.cov.title')} description={c.data ? t('vuln.cov.summary', { covered: c.data.province.covered, total: c.data.province.total, pct: pct(c.data.province.percent), days }) : undefined} />
      <Group mb="md">
        <Select placeholder={t('vuln.filter.unit')} searchable clearable data={unitOptions(units.data, t, { includeFormer: true })} value={unitId} onChange={setUnitId} w={320} />
        <NumberInput label={t('vuln.cov.days')} value={days} onChange={(v) => setDays(Number(v) || 30)} min={1} max={365} w={160} />
      </Group>
      <ErrorAlert error={c.error} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} mb="md">
        <Paper withBorder p="md" data-testid="cov-phases">
          <Title order={5} mb="xs">{t('vuln.cov.byPhase')}</Title>
          {c.data?.byMergerPhase.map((p) => (
            <div key={p.phase}>
              <Group justify="space-between"><Text size="sm">{t(`vuln.cov.phase.${p.phase}`)}</Text><Text size="sm" fw={600}>{pct(p.percent)} ({p.covered}/{p.total})</Text></Group>
              <Progress value={p.percent ?? 0} color={(p.percent ?? 0) >= 80 ? 'green' : (p.percent ?? 0) >= 50 ? 'yellow' : 'red'} mb="sm" />
            </div>
          ))}
        </Paper>
        <Paper withBorder p="md">
          <Title order={5} mb="xs">{t('vuln.cov.byUnit')}</Title>
          <ScrollArea h={260}>
            <Table striped verticalSpacing={4} data-testid="cov-units">
              <Table.Tbody>{c.data?.byUnit.map((u) => (
                <Table.Tr key={u.unit.id}><Table.Td fz="sm">{u.unit.name}</Table.Td><Table.Td w={180}><Progress value={u.percent ?? 0} color={(u.percent ?? 0) >= 80 ? 'green' : (u.percent ?? 0) >= 50 ? 'yellow' : 'red'} /></Table.Td><Table.Td fz="sm" w={110}>{pct(u.percent)} ({u.covered}/{u.total})</Table.Td></Table.Tr>
              ))}</Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      </SimpleGrid>
      {c.data?.detections.length ? (
        <Paper withBorder p="md" mb="md">
          <Title order={5} mb="xs">{t('vuln.cov.detections')}</Title>
          <Text size="xs" c="dimmed" mb="xs">{t('vuln.cov.detectionsHint')}</Text>
          <Table striped verticalSpacing={4} data-testid="cov-detections">
            <Table.Tbody>{c.data.detections.map((d) => (
              <Table.Tr key={d.id}><Table.Td fz="sm">{d.asset ? `${d.asset.code} — ${d.asset.name}` : d.hostLabel}</Table.Td><Table.Td fz="sm" ff="monospace">{d.path}</Table.Td><Table.Td><Badge color="red" variant="light" style={{ maxWidth: 'none' }}>{d.signature}</Badge></Table.Td><Table.Td fz="xs">{formatDateTime(d.detectedAt)}</Table.Td></Table.Tr>
            ))}</Table.Tbody>
          </Table>
        </Paper>
      ) : null}
      <Paper withBorder p="md">
        <Title order={5} mb="xs">{t('vuln.cov.assets')}</Title>
        <ScrollArea h={420}>
          <Table striped verticalSpacing={4} data-testid="cov-assets">
            <Table.Thead><Table.Tr><Table.Th>{t('vuln.field.asset')}</Table.Th><Table.Th>{t('vuln.field.unit')}</Table.Th><Table.Th>{t('vuln.cov.lastScan')}</Table.Th><Table.Th>{t('vuln.cov.tool')}</Table.Th><Table.Th>{t('vuln.cov.result')}</Table.Th><Table.Th>{t('vuln.cov.hardening')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{c.data?.assets.map((a) => (
              <Table.Tr key={a.asset.id}>
                <Table.Td fz="sm">{a.asset.name}<Text size="xs" c="dimmed">{a.asset.code} · {t(`inventory.asset.kind.${a.kind}`)}</Text></Table.Td>
                <Table.Td fz="sm">{a.unit.name}</Table.Td>
                <Table.Td fz="xs">{a.lastScanAt ? formatDateTime(a.lastScanAt) : '—'}</Table.Td>
                <Table.Td fz="sm">{a.tool ?? '—'}</Table.Td>
                <Table.Td><Badge color={RESULT_COLOR[a.result]} variant="light" style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>{t(`vuln.cov.res.${a.result}`, { n: a.infected })}</Badge></Table.Td>
                <Table.Td fz="sm" title={t('vuln.cov.hardeningHint')}>{a.hardeningIndex ?? '—'}</Table.Td>
              </Table.Tr>
            ))}</Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
    </>
  );
}
