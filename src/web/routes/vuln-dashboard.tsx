import { Anchor, Group, Paper, Select, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { EChartsOption } from 'echarts';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { VULN_SEVERITIES } from '../../contracts/vuln.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatNumber } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { useSystems } from '../features/inventory/api.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { useDashboard } from '../features/vuln/api.js';
import { EChart } from '../components/EChart.js';

const COLORS: Record<string, string> = { critical: '#c92a2a', high: '#f76707', medium: '#fab005', low: '#339af0', info: '#adb5bd' };

/** /vulns/dashboard — per-unit or per-system remediation: open by severity, 12-week burn-down, SLA compliance, worst units/systems. */
export default function VulnDashboardRoute() {
  const { t } = useTranslation();
  const units = useOrgUnits(true);
  const systems = useSystems({ page: 1, pageSize: 500 });
  const [unitId, setUnitId] = useState<string | null>(null);
  const [systemId, setSystemId] = useState<string | null>(null);
  const d = useDashboard(unitId, systemId);
  const sevLabels = VULN_SEVERITIES.map((s) => t(`vuln.severity.${s}`));
  const openBy: EChartsOption | null = useMemo(() => d.data ? {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 40, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: sevLabels }, yAxis: { type: 'value' },
    series: [
      { name: t('vuln.dash.open'), type: 'bar', data: VULN_SEVERITIES.map((s) => ({ value: d.data.openBySeverity[s], itemStyle: { color: COLORS[s] } })) },
      { name: t('vuln.dash.overdue'), type: 'bar', data: VULN_SEVERITIES.map((s) => d.data.overdueBySeverity[s]), itemStyle: { color: '#862e9c' } },
    ],
  } : null, [d.data, t]);
  const burn: EChartsOption | null = useMemo(() => d.data ? {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 48, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: d.data.burnDown.map((b) => formatDate(b.week).slice(0, 5)) }, yAxis: { type: 'value' },
    series: [
      { name: t('vuln.dash.openAtWeekEnd'), type: 'line', smooth: true, areaStyle: { opacity: 0.15 }, data: d.data.burnDown.map((b) => b.open), itemStyle: { color: '#c92a2a' } },
      { name: t('vuln.dash.created'), type: 'bar', data: d.data.burnDown.map((b) => b.created), itemStyle: { color: '#fab005' } },
      { name: t('vuln.dash.closed'), type: 'bar', data: d.data.burnDown.map((b) => b.closed), itemStyle: { color: '#2f9e44' } },
    ],
  } : null, [d.data, t]);
  const sla: EChartsOption | null = useMemo(() => d.data ? {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 48, right: 16, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: d.data.slaCompliance.map((s) => t(`vuln.severity.${s.severity}`)) }, yAxis: { type: 'value' },
    series: [
      { name: t('vuln.dash.withinSla'), type: 'bar', stack: 'sla', data: d.data.slaCompliance.map((s) => s.withinSla), itemStyle: { color: '#2f9e44' } },
      { name: t('vuln.dash.breached'), type: 'bar', stack: 'sla', data: d.data.slaCompliance.map((s) => s.breached), itemStyle: { color: '#e03131' },
        label: { show: true, position: 'top', formatter: (p) => { const s = d.data.slaCompliance[p.dataIndex]; return s?.percent === null || s === undefined ? '' : `${s.percent}%`; } } },
    ],
  } : null, [d.data, t]);
  const total = d.data ? VULN_SEVERITIES.reduce((a, s) => a + d.data.openBySeverity[s], 0) : 0;
  return (
    <>
      <PageHeader title={t('vuln.dash.title')} description={d.data ? t('vuln.dash.summary', { open: formatNumber(total), kev: d.data.kevOpen, overdue: VULN_SEVERITIES.reduce((a, s) => a + d.data.overdueBySeverity[s], 0) }) : undefined} />
      <Group mb="md">
        <Select placeholder={t('vuln.filter.unit')} searchable clearable data={unitOptions(units.data, t, { includeFormer: true })} value={unitId} onChange={setUnitId} w={320} data-testid="dash-unit" />
        <Select placeholder={t('vuln.filter.system')} searchable clearable data={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }))} value={systemId} onChange={setSystemId} w={320} data-testid="dash-system" />
      </Group>
      <ErrorAlert error={d.error} />
      <SimpleGrid cols={{ base: 1, lg: 3 }} mb="md">
        <Paper withBorder p="md"><Title order={5} mb="xs">{t('vuln.dash.openBySeverity')}</Title>{openBy ? <EChart option={openBy} testId="chart-open" /> : null}</Paper>
        <Paper withBorder p="md"><Title order={5} mb="xs">{t('vuln.dash.burnDown')}</Title>{burn ? <EChart option={burn} testId="chart-burn" /> : null}</Paper>
        <Paper withBorder p="md"><Title order={5} mb="xs">{t('vuln.dash.slaCompliance')}</Title>{sla ? <EChart option={sla} testId="chart-sla" /> : null}</Paper>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="md">
          <Title order={5} mb="xs">{t('vuln.dash.byUnit')}</Title>
          <Table striped verticalSpacing={4} data-testid="dash-units">
            <Table.Thead><Table.Tr><Table.Th>{t('vuln.field.unit')}</Table.Th><Table.Th>{t('vuln.dash.open')}</Table.Th><Table.Th>{t('vuln.dash.overdue')}</Table.Th><Table.Th>KEV</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{d.data?.byUnit.slice(0, 12).map((u) => (
              <Table.Tr key={u.unit.id}><Table.Td fz="sm"><Anchor component={Link} to={`/vulns?unitId=${u.unit.id}&overdue=true`} size="sm">{u.unit.name}</Anchor></Table.Td><Table.Td>{u.open}</Table.Td><Table.Td c={u.overdue ? 'red' : undefined} fw={u.overdue ? 700 : undefined}>{u.overdue}</Table.Td><Table.Td>{u.kev}</Table.Td></Table.Tr>
            ))}</Table.Tbody>
          </Table>
        </Paper>
        <Paper withBorder p="md">
          <Title order={5} mb="xs">{t('vuln.dash.bySystem')}</Title>
          <Table striped verticalSpacing={4} data-testid="dash-systems">
            <Table.Thead><Table.Tr><Table.Th>{t('vuln.field.systems')}</Table.Th><Table.Th>{t('vuln.dash.open')}</Table.Th><Table.Th>{t('vuln.dash.overdue')}</Table.Th><Table.Th>KEV</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{d.data?.bySystem.slice(0, 12).map((s) => (
              <Table.Tr key={s.system.id}><Table.Td fz="sm"><Anchor component={Link} to={`/vulns?systemId=${s.system.id}`} size="sm">{s.system.name}</Anchor></Table.Td><Table.Td>{s.open}</Table.Td><Table.Td c={s.overdue ? 'red' : undefined} fw={s.overdue ? 700 : undefined}>{s.overdue}</Table.Td><Table.Td>{s.kev}</Table.Td></Table.Tr>
            ))}</Table.Tbody>
          </Table>
          {d.data && d.data.bySystem.length === 0 ? <Text size="sm" c="dimmed">—</Text> : null}
        </Paper>
      </SimpleGrid>
    </>
  );
}
