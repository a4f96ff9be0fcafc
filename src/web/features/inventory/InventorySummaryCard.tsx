import { Anchor, Card, Group, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconServer } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SYSTEM_STATUSES } from '../../../contracts/inventory.js';
import { MERGER_STATES } from '../../../contracts/merger.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDate, formatNumber } from '../../components/format.js';
import { useInventorySummary } from './api.js';

type Count = { key: string; count: number };
const countOf = (list: Count[], key: string) => list.find((c) => c.key === key)?.count ?? 0;

function CountList({ title, rows, testId }: { title: string; rows: { label: string; count: number }[]; testId: string }) {
  return (
    <Stack gap={4} data-testid={testId}>
      <Text size="sm" fw={600}>{title}</Text>
      {rows.map((r) => (
        <Group key={r.label} justify="space-between" wrap="nowrap" gap="xs">
          <Text size="sm" c="dimmed">{r.label}</Text>
          <Text size="sm" fw={600}>{formatNumber(r.count)}</Text>
        </Group>
      ))}
    </Stack>
  );
}

/** The dashboard's information-system card: counts from GET /inventory/summary, nothing estimated. */
export function InventorySummaryCard() {
  const { t } = useTranslation();
  const summary = useInventorySummary();
  if (summary.isLoading) return <Skeleton h={220} />;
  if (summary.error) return <ErrorAlert error={summary.error} />;
  const s = summary.data;
  if (!s) return null;
  const levels = [1, 2, 3, 4, 5].map(String);
  const unleveled = (list: Count[]) => countOf(list, 'none');
  return (
    <Card withBorder padding="md" data-testid="inventory-summary">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="xs">
          <IconServer size={20} stroke={1.5} />
          <Title order={5}>{t('inventory.summary.title')}</Title>
        </Group>
        <Anchor component={Link} to="/systems" size="sm">{t('inventory.summary.open')}</Anchor>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="lg">
        <Stack gap={6}>
          <div>
            <Text size="sm" c="dimmed">{t('inventory.summary.total')}</Text>
            <Text fw={700} fz={28} data-testid="summary-total">{formatNumber(s.total)}</Text>
          </div>
          <div>
            <Text size="sm" c="dimmed">{t('inventory.summary.missingNew')}</Text>
            <Text fw={700} fz={28} c={s.missingNewClassification ? 'orange.7' : undefined} data-testid="summary-missing-nd331">
              {formatNumber(s.missingNewClassification)}
            </Text>
            <Text size="xs" c="dimmed">{t('inventory.summary.deadline', { date: formatDate(s.deadline) })}</Text>
          </div>
          {s.byUnit.length ? (
            <Stack gap={2} data-testid="summary-units">
              <Text size="sm" fw={600}>{t('inventory.summary.byUnit')}</Text>
              {[...s.byUnit].sort((a, b) => b.count - a.count).slice(0, 5).map((u) => (
                <Group key={u.key} justify="space-between" wrap="nowrap" gap="xs">
                  <Text size="sm" c="dimmed" lineClamp={1}>{u.label}</Text>
                  <Text size="sm" fw={600}>{formatNumber(u.count)}</Text>
                </Group>
              ))}
            </Stack>
          ) : null}
          {s.transitionOverdue ? (
            <Text size="sm" c="red.7">{t('inventory.summary.transitionOverdue', { n: formatNumber(s.transitionOverdue) })}</Text>
          ) : null}
        </Stack>
        <div>
          <Text size="sm" fw={600} mb={4}>{t('inventory.summary.byLevel')}</Text>
          <Table fz="sm" verticalSpacing={2} horizontalSpacing={6} data-testid="summary-levels">
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th ta="right">{t('inventory.regime.nd85')}</Table.Th>
                <Table.Th ta="right">{t('inventory.regime.nd331')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {levels.map((l) => (
                <Table.Tr key={l}>
                  <Table.Td>{t('inventory.levelN', { level: l })}</Table.Td>
                  <Table.Td ta="right">{formatNumber(countOf(s.byLegacyLevel, l))}</Table.Td>
                  <Table.Td ta="right">{formatNumber(countOf(s.byNewLevel, l))}</Table.Td>
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Td c="dimmed">{t('inventory.noLevel')}</Table.Td>
                <Table.Td ta="right" c="dimmed">{formatNumber(unleveled(s.byLegacyLevel))}</Table.Td>
                <Table.Td ta="right" c="dimmed">{formatNumber(unleveled(s.byNewLevel))}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </div>
        <CountList title={t('inventory.summary.byStatus')} testId="summary-status"
          rows={SYSTEM_STATUSES.map((k) => ({ label: t(`inventory.status.${k}`), count: countOf(s.byStatus, k) }))} />
        <CountList title={t('inventory.summary.byMergerState')} testId="summary-merger"
          rows={MERGER_STATES.map((k) => ({ label: t(`merger.state.${k}`), count: countOf(s.byMergerState, k) }))} />
      </SimpleGrid>
    </Card>
  );
}
