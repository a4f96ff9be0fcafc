import { Anchor, Badge, Card, Group, Loader, Paper, Progress, ScrollArea, Select, SimpleGrid, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconGitMerge } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { DISPOSITIONS, MERGER_STATES, PHASES, type Disposition, type MergerState } from '../../contracts/merger.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatNumber } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useInventorySummary } from '../features/inventory/api.js';
import { useMergerPlans } from '../features/merger/api.js';
import { MergerStateBadge } from '../features/merger/labels.js';
import { ProvinceOutages } from '../features/merger/ProvinceOutages.js';
import { WindowsOutages } from '../features/merger/WindowsOutages.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;
type Phase = (typeof PHASES)[number];
type Origin = 'bd' | 'gl' | 'new';
const ORIGINS: Origin[] = ['bd', 'gl', 'new'];

/** /merger — the merger plan (phương án hợp nhất) across systems: dispositions, phases, progress, stops. */
export default function MergerRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const units = useOrgUnits(true);
  const summary = useInventorySummary(can(me.data, 'system.read'));
  const [unitId, setUnitId] = useState<string | null>(null);
  const [origin, setOrigin] = useState<Origin | null>(null);
  const [disposition, setDisposition] = useState<Disposition | null>(null);
  const [phase, setPhase] = useState<Phase | null>(null);
  const [state, setState] = useState<MergerState | null>(null);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<{ id: string; name: string } | null>(null);
  const plans = useMergerPlans({ unitId, origin, disposition, phase, state, overdue: overdueOnly ? 'true' : null, page, pageSize: PAGE_SIZE });
  const overduePlans = useMergerPlans({ overdue: 'true', page: 1, pageSize: 1 });
  const pages = plans.data ? Math.max(1, Math.ceil(plans.data.total / plans.data.pageSize)) : 1;
  const reset = () => setPage(1);
  const counts = (list: { key: string; count: number }[] | undefined, key: string) => list?.find((c) => c.key === key)?.count ?? 0;

  return (
    <>
      <PageHeader title={t('merger.title')} description={t('merger.description')} />
      {summary.data ? (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md" data-testid="merger-summary">
          <Card withBorder padding="sm">
            <Text size="sm" c="dimmed">{t('merger.summary.byDisposition')}</Text>
            <Stack gap={2} mt={4}>
              {DISPOSITIONS.map((d) => (
                <Group key={d} justify="space-between" wrap="nowrap">
                  <Text size="sm">{t(`merger.disposition.${d}`)}</Text>
                  <Text size="sm" fw={700}>{formatNumber(counts(summary.data.byDisposition, d))}</Text>
                </Group>
              ))}
            </Stack>
          </Card>
          <Card withBorder padding="sm">
            <Text size="sm" c="dimmed">{t('merger.summary.byState')}</Text>
            <Stack gap={2} mt={4}>
              {MERGER_STATES.map((s) => (
                <Group key={s} justify="space-between" wrap="nowrap">
                  <Text size="sm">{t(`merger.state.${s}`)}</Text>
                  <Text size="sm" fw={700}>{formatNumber(counts(summary.data.byMergerState, s))}</Text>
                </Group>
              ))}
            </Stack>
          </Card>
          <Card withBorder padding="sm">
            <Text size="sm" c="dimmed">{t('merger.summary.plans')}</Text>
            <Text fw={700} fz={28}>{plans.data ? formatNumber(plans.data.total) : '—'}</Text>
            <Text size="xs" c="dimmed">{t('merger.summary.plansHint')}</Text>
          </Card>
          <Card withBorder padding="sm">
            <Text size="sm" c="dimmed">{t('merger.summary.overduePlans')}</Text>
            <Text fw={700} fz={28} c={overduePlans.data?.total ? 'red.7' : undefined} data-testid="merger-overdue-count">
              {overduePlans.data ? formatNumber(overduePlans.data.total) : '—'}
            </Text>
            <Text size="xs" c="dimmed">{t('merger.summary.overdueHint')}</Text>
          </Card>
        </SimpleGrid>
      ) : null}
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap" gap="sm">
          <Select placeholder={t('inventory.filter.unit')} searchable clearable data={unitOptions(units.data, t, { includeFormer: true })}
            value={unitId} onChange={(v) => { setUnitId(v); reset(); }} w={300} data-testid="plans-unit-filter" />
          <Select placeholder={t('merger.filter.origin')} clearable data={ORIGINS.map((o) => ({ value: o, label: t(`inventory.origin.${o}`) }))}
            value={origin} onChange={(v) => { setOrigin((v as Origin | null) ?? null); reset(); }} w={220} data-testid="plans-origin-filter" />
          <Select placeholder={t('merger.field.disposition')} clearable data={DISPOSITIONS.map((d) => ({ value: d, label: t(`merger.disposition.${d}`) }))}
            value={disposition} onChange={(v) => { setDisposition((v as Disposition | null) ?? null); reset(); }} w={260} data-testid="plans-disposition-filter" />
          <Select placeholder={t('merger.field.phase')} clearable data={PHASES.map((p) => ({ value: p, label: t(`merger.phase.${p}`) }))}
            value={phase} onChange={(v) => { setPhase((v as Phase | null) ?? null); reset(); }} w={200} data-testid="plans-phase-filter" />
          <Select placeholder={t('merger.field.state')} clearable data={MERGER_STATES.filter((s) => s !== 'no_plan').map((s) => ({ value: s, label: t(`merger.state.${s}`) }))}
            value={state} onChange={(v) => { setState((v as MergerState | null) ?? null); reset(); }} w={200} data-testid="plans-state-filter" />
          <Switch label={t('merger.filter.overdueOnly')} checked={overdueOnly} onChange={(e) => { setOverdueOnly(e.currentTarget.checked); reset(); }} mb={8} data-testid="plans-overdue-filter" />
          {plans.isFetching ? <Loader size="xs" /> : null}
        </Group>
        <ErrorAlert error={plans.error} />
        {plans.data && plans.data.items.length === 0 ? (
          <EmptyState icon={IconGitMerge} title={t('merger.empty')} />
        ) : (
          <ScrollArea>
            <Table striped highlightOnHover miw={1000} verticalSpacing="xs" data-testid="plans-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('merger.field.system')}</Table.Th>
                  <Table.Th>{t('merger.field.disposition')}</Table.Th>
                  <Table.Th>{t('merger.field.phase')}</Table.Th>
                  <Table.Th>{t('merger.field.dates')}</Table.Th>
                  <Table.Th w={200}>{t('merger.field.progress')}</Table.Th>
                  <Table.Th>{t('merger.field.state')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plans.data?.items.map((p) => (
                  <Table.Tr key={p.id} data-testid="plan-row" onClick={() => setSelected({ id: p.system.id, name: p.system.name })} style={{ cursor: 'pointer' }}
                    bg={selected?.id === p.system.id ? 'blue.0' : undefined}>
                    <Table.Td miw={220}>
                      <Anchor component={Link} to={`/systems/${p.system.id}`} fw={500} onClick={(e) => e.stopPropagation()}>{p.system.name}</Anchor>
                      <Text size="xs" c="dimmed">{p.system.code}{p.leadUnit ? ` · ${p.leadUnit.name}` : ''}</Text>
                    </Table.Td>
                    <Table.Td miw={170}>
                      <Text size="sm">{t(`merger.disposition.${p.disposition}`)}</Text>
                      {p.targetSystem ? <Text size="xs" c="dimmed">→ {p.targetSystem.name}</Text> : null}
                    </Table.Td>
                    <Table.Td>{t(`merger.phase.${p.phase}`)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(p.targetStart)} – {formatDate(p.targetEnd)}</Table.Td>
                    <Table.Td>
                      <Progress value={p.tasksTotal ? (p.tasksDone / p.tasksTotal) * 100 : 0} color={p.tasksOverdue ? 'orange' : 'blue'} size="sm" />
                      <Group gap={4} mt={2} wrap="wrap">
                        <Text size="xs">{t('merger.plan.progress', { done: p.tasksDone, total: p.tasksTotal })}</Text>
                        {p.tasksOverdue ? (
                          <Badge color="red" variant="light" size="xs" leftSection={<IconAlertTriangle size={10} />} style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }} data-testid="plan-overdue">
                            {t('merger.plan.overdue', { n: p.tasksOverdue })}
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td><MergerStateBadge state={p.state} /></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {plans.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
      <Title order={4} mt="lg" mb="xs">{t('merger.stops.title')}</Title>
      {selected ? (
        <Stack gap="xs" data-testid="merger-stops">
          <Text size="sm">{t('merger.stops.for', { name: selected.name })}</Text>
          <WindowsOutages systemId={selected.id} canWrite={can(me.data, 'merger.write')} canRecord={can(me.data, 'merger.write') || can(me.data, 'merger.task_update')} />
        </Stack>
      ) : (
        <Stack gap="xs">
          <Text size="sm" c="dimmed">{t('merger.stops.pick')}</Text>
          <ProvinceOutages />
        </Stack>
      )}
    </>
  );
}
