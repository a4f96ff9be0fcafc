import { Anchor, Button, Card, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CASE_PHASES, CASE_SEVERITIES } from '../../contracts/cases.js';
import { download } from '../components/api-client.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { notifyError } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { useCaseDashboard, useMonthlyReport } from '../features/cases/api.js';
import { EChart } from '../components/EChart.js';

const hours = (m: number | null) => (m === null ? null : Math.round(m / 6) / 10);
const thisMonth = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);

/** /case-dashboard — open cases, overdue clocks, MTTA/MTTR trends, per-unit metrics and the monthly SOC report. */
export default function CaseDashboardRoute() {
  const { t } = useTranslation();
  const d = useCaseDashboard();
  const [month, setMonth] = useState(thisMonth());
  const monthly = useMonthlyReport(/^\d{4}-\d{2}$/.test(month) ? month : thisMonth());
  const trend = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [t('cases.dashboard.mtta'), t('cases.dashboard.mttr'), t('cases.dashboard.cases')] },
    grid: { left: 50, right: 60, top: 60, bottom: 30 },
    xAxis: { type: 'category', data: d.data?.trend.map((x) => x.month) ?? [] },
    yAxis: [{ type: 'value', name: t('cases.dashboard.hours') }, { type: 'value', name: t('cases.dashboard.cases'), minInterval: 1 }],
    series: [
      { name: t('cases.dashboard.mtta'), type: 'line', smooth: true, data: d.data?.trend.map((x) => hours(x.mtta)) ?? [] },
      { name: t('cases.dashboard.mttr'), type: 'line', smooth: true, data: d.data?.trend.map((x) => hours(x.mttr)) ?? [] },
      { name: t('cases.dashboard.cases'), type: 'bar', yAxisIndex: 1, data: d.data?.trend.map((x) => x.cases) ?? [], itemStyle: { opacity: 0.35 } },
    ],
  }), [d.data, t]);
  return (
    <>
      <PageHeader title={t('cases.dashboard.title')} description={t('cases.dashboard.description')} />
      <ErrorAlert error={d.error} />
      {d.data ? (
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Card withBorder padding="sm">
              <Text size="sm" c="dimmed">{t('cases.dashboard.open')}</Text>
              <Text fw={700} fz={28} data-testid="dash-open">{formatNumber(d.data.open)}</Text>
              <Text size="xs">{CASE_PHASES.filter((p) => d.data.byPhase[p]).map((p) => `${t(`cases.phase.${p}`)}: ${d.data.byPhase[p]}`).join(' · ')}</Text>
            </Card>
            <Card withBorder padding="sm">
              <Text size="sm" c="dimmed">{t('cases.dashboard.bySeverity')}</Text>
              {CASE_SEVERITIES.map((s) => <Group key={s} justify="space-between"><Text size="sm">{t(`cases.severity.${s}`)}</Text><Text size="sm" fw={700}>{d.data.bySeverity[s] ?? 0}</Text></Group>)}
            </Card>
            <Card withBorder padding="sm">
              <Text size="sm" c="dimmed">{t('cases.dashboard.overdue')}</Text>
              <Text fw={700} fz={28} c={d.data.overdueClocks.length ? 'red.7' : undefined} data-testid="dash-overdue">{d.data.overdueClocks.length}</Text>
            </Card>
          </SimpleGrid>
          <Paper withBorder p="md">
            <Title order={4} mb="xs">{t('cases.dashboard.trend')}</Title>
            <EChart option={trend} testId="trend-chart" />
          </Paper>
          <Paper withBorder p="md">
            <Title order={4} mb="xs">{t('cases.dashboard.overdueList')}</Title>
            <Table verticalSpacing={4}>
              <Table.Tbody>
                {d.data.overdueClocks.map((o) => (
                  <Table.Tr key={`${o.caseId}${o.kind}`}>
                    <Table.Td><Anchor component={Link} to={`/cases/${o.caseId}`}>{o.number}</Anchor></Table.Td>
                    <Table.Td>{o.title}</Table.Td>
                    <Table.Td>{t(`cases.clock.${o.kind}`)}</Table.Td>
                    <Table.Td c="red.7">{formatDateTime(o.dueAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
          <Paper withBorder p="md">
            <Title order={4} mb="xs">{t('cases.dashboard.perUnit')}</Title>
            <Table striped verticalSpacing={4} data-testid="metrics-table">
              <Table.Thead><Table.Tr><Table.Th>{t('cases.field.unit')}</Table.Th><Table.Th>{t('cases.dashboard.month')}</Table.Th><Table.Th>{t('cases.dashboard.cases')}</Table.Th><Table.Th>MTTD</Table.Th><Table.Th>MTTA</Table.Th><Table.Th>MTTC</Table.Th><Table.Th>MTTR</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {d.data.metrics.slice(0, 60).map((m) => (
                  <Table.Tr key={`${m.unit.id}${m.month}`}>
                    <Table.Td>{m.unit.name}</Table.Td><Table.Td>{m.month}</Table.Td><Table.Td>{m.cases}</Table.Td>
                    {[m.mttd, m.mtta, m.mttc, m.mttr].map((v, i) => <Table.Td key={i}>{v === null ? '—' : t('cases.dashboard.hoursValue', { h: hours(v) })}</Table.Td>)}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
          <Paper withBorder p="md" data-testid="monthly-report">
            <Group justify="space-between" mb="xs">
              <Title order={4}>{t('cases.dashboard.monthly')}</Title>
              <Group gap="xs">
                <TextInput size="xs" w={110} value={month} onChange={(e) => setMonth(e.currentTarget.value)} placeholder="YYYY-MM" />
                <Button size="xs" variant="light" leftSection={<IconDownload size={14} />} onClick={() => download('/case-reports/monthly/docx', { month }, `bao-cao-soc-${month}.docx`).catch(notifyError)}>DOCX</Button>
              </Group>
            </Group>
            {monthly.data ? (
              <SimpleGrid cols={{ base: 1, sm: 4 }}>
                <Text size="sm">{t('cases.dashboard.alertsEscalated')}: <b>{Object.values(monthly.data.alerts).reduce((a, b) => a + b, 0)}</b></Text>
                <Text size="sm">{t('cases.dashboard.opened')}: <b>{monthly.data.cases.opened}</b> · {t('cases.dashboard.closed')}: <b>{monthly.data.cases.closed}</b></Text>
                <Text size="sm">{t('cases.dashboard.deadlines', { met: monthly.data.deadlines.met, total: monthly.data.deadlines.total, late: monthly.data.deadlines.late })}</Text>
                <Text size="sm">{t('cases.dashboard.topRules')}: {monthly.data.topRules.slice(0, 3).map((r) => `${r.rule} (${r.count})`).join(', ') || '—'}</Text>
              </SimpleGrid>
            ) : <ErrorAlert error={monthly.error} />}
          </Paper>
        </Stack>
      ) : null}
    </>
  );
}
