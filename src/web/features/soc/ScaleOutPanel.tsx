import { Alert, Badge, Group, Paper, ScrollArea, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatNumber } from '../../components/format.js';
import { type SocMetrics, useSocMetrics } from './api.js';

function Stat({ label, value, color, testId }: { label: string; value: string; color?: string; testId?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" c={color} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

function ScaleOutDetails({ so }: { so: NonNullable<SocMetrics['scaleOut']> }) {
  const { t } = useTranslation();
  return (
    <>
      <SimpleGrid cols={{ base: 2, sm: 5 }} mb="md">
        <Stat label={t('soc.ingest.stream')} value={so.stream} testId="scaleout-stream" />
        <Stat label={t('soc.ingest.partitions')} value={formatNumber(so.partitions)} />
        <Stat label={t('soc.ingest.lag')} value={formatNumber(so.lag)} testId="scaleout-lag" />
        <Stat label={t('soc.ingest.unowned')} value={formatNumber(so.unowned)} color={so.unowned > 0 ? 'red' : undefined} testId="scaleout-unowned" />
        <Stat label={t('soc.ingest.redelivered')} value={formatNumber(so.redelivered)} />
      </SimpleGrid>
      {so.unowned > 0 ? (
        <Alert color="red" mb="md" data-testid="scaleout-unowned-warning">
          {t('soc.ingest.unownedWarning', { count: so.unowned })}
        </Alert>
      ) : null}
      <Text fw={600} size="sm" mb={4}>
        {t('soc.ingest.workers', { count: so.workers.length })}
      </Text>
      <ScrollArea mb="md">
        <Table striped miw={900} fz="sm" data-testid="scaleout-workers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('soc.ingest.worker')}</Table.Th>
              <Table.Th>{t('soc.ingest.ownedPartitions')}</Table.Th>
              <Table.Th>{t('soc.ingest.stored')}</Table.Th>
              <Table.Th>{t('soc.ingest.duplicates')}</Table.Th>
              <Table.Th>{t('soc.ingest.redelivered')}</Table.Th>
              <Table.Th>{t('soc.ingest.takeovers')}</Table.Th>
              <Table.Th>{t('soc.ingest.heartbeat')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {so.workers.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={7}>
                  <Text size="sm" c="red">
                    {t('soc.ingest.noWorkers')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
            {so.workers.map((w) => (
              <Table.Tr key={w.id} data-testid="scaleout-worker-row">
                <Table.Td ff="monospace">{w.id}</Table.Td>
                <Table.Td>{w.partitions.join(', ') || '—'}</Table.Td>
                <Table.Td>{formatNumber(w.stored)}</Table.Td>
                <Table.Td>{formatNumber(w.duplicates)}</Table.Td>
                <Table.Td>{formatNumber(w.redelivered)}</Table.Td>
                <Table.Td>{formatNumber(w.takeovers)}</Table.Td>
                <Table.Td>{formatDateTime(w.at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      <Text fw={600} size="sm" mb={4}>
        {t('soc.ingest.partitionTable')}
      </Text>
      <Group gap="xs" data-testid="scaleout-partitions">
        {so.partitionOwners.map((p) => (
          <Badge key={p.partition} variant="light" color={p.owner ? (p.lag > 0 ? 'yellow' : 'green') : 'red'} size="lg">
            {t('soc.ingest.partitionBadge', { partition: p.partition, lag: formatNumber(p.lag), owner: p.owner ? p.owner.split('-').slice(0, -1).join('-') || p.owner : t('soc.ingest.noOwner') })}
          </Badge>
        ))}
      </Group>
    </>
  );
}

/**
 * The ingest's state on the sources page: the pipeline counters of this process and, in scale-out mode (NATS
 * JetStream, docs/operations.md), the stream, the lag per partition, unowned partitions and each detect worker's
 * counters — what the metrics API and Prometheus already expose, for an operator without a dashboard.
 */
export function ScaleOutPanel() {
  const { t } = useTranslation();
  const m = useSocMetrics();
  if (!m.data) return null;
  const d = m.data;
  const single = d.mode === 'single_process';
  return (
    <Paper withBorder p="md" mb="md" data-testid="ingest-status">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{t('soc.ingest.title')}</Title>
        <Badge color={single ? 'gray' : 'blue'} variant="light" size="lg" data-testid="ingest-mode">
          {t(`soc.ingest.mode.${d.mode}`)}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed" mb={4} data-testid="ingest-mode-help">
        {t(`soc.ingest.modeHelp.${d.mode}`)}
      </Text>
      <Text size="xs" c="dimmed" mb="md">
        {t('soc.ingest.since', { at: formatDateTime(d.startedAt) })}
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 5 }} mb="md">
        <Stat label={t('soc.metrics.received')} value={formatNumber(d.received.total)} />
        <Stat label={t('soc.ingest.spooled')} value={formatNumber(d.spooled)} />
        {single ? <Stat label={t('soc.metrics.stored')} value={formatNumber(d.stored)} /> : <Stat label={t('soc.ingest.published')} value={formatNumber(d.published)} />}
        <Stat label={t('soc.metrics.queue')} value={formatNumber(d.queue)} />
        <Stat label={t('soc.ingest.backPressure')} value={d.paused ? t('soc.ingest.paused') : t('soc.ingest.flowing')} color={d.paused ? 'orange' : undefined} />
      </SimpleGrid>
      {d.scaleOut ? <ScaleOutDetails so={d.scaleOut} /> : null}
      {!single && !d.scaleOut ? (
        <Alert color="yellow" data-testid="scaleout-unavailable">
          {t('soc.ingest.unavailable')}
        </Alert>
      ) : null}
    </Paper>
  );
}
