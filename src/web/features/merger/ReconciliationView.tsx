import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Reconciliation } from '../../../contracts/merger.js';
import { formatNumber } from '../../components/format.js';
import { formatVnDateTime } from './labels.js';

const keyText = (key: Record<string, string | null>) => Object.entries(key).map(([k, v]) => `${k}=${v ?? '∅'}`).join(', ');

function Count({ label, value, color, testId }: { label: string; value: number; color: string; testId: string }) {
  return (
    <Paper withBorder p="xs" data-testid={testId} data-value={value}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="lg" c={value > 0 && color !== 'green' ? `${color}.7` : undefined}>
        {formatNumber(value)}
      </Text>
    </Paper>
  );
}

/** One reconciliation result: outcome, counts (equal / missing / extra / changed) and the report's samples. */
export function ReconciliationView({ rec }: { rec: Reconciliation }) {
  const { t } = useTranslation();
  const { report } = rec;
  return (
    <Paper withBorder p="sm" data-testid="reconciliation" data-outcome={rec.outcome}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs">
            <Badge color={rec.outcome === 'equal' ? 'green' : 'red'} variant="filled" style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>
              {t(`merger.rec.outcome.${rec.outcome}`)}
            </Badge>
            <Text size="xs" c="dimmed">
              {t('merger.rec.attachedAt', { at: formatVnDateTime(rec.attachedAt) })} · {t(`merger.rec.mode.${report.mode}`)}
            </Text>
          </Group>
        </Group>
        <Text size="sm">
          <b>{t('merger.rec.source')}:</b> {rec.sourceDescription}
        </Text>
        <Text size="sm">
          <b>{t('merger.rec.target')}:</b> {rec.targetDescription}
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs">
          <Count label={t('merger.rec.equal')} value={rec.counts.equal} color="green" testId="rec-equal" />
          <Count label={t('merger.rec.missing')} value={rec.counts.missing} color="red" testId="rec-missing" />
          <Count label={t('merger.rec.extra')} value={rec.counts.extra} color="orange" testId="rec-extra" />
          <Count label={t('merger.rec.changed')} value={rec.counts.changed} color="yellow" testId="rec-changed" />
        </SimpleGrid>
        {report.samples.missing.length + report.samples.extra.length + report.samples.changed.length > 0 ? (
          <Table fz="xs" withTableBorder verticalSpacing={4} data-testid="rec-samples">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={110}>{t('merger.rec.sampleKind')}</Table.Th>
                <Table.Th>{t('merger.rec.sampleKey')}</Table.Th>
                <Table.Th>{t('merger.rec.sampleDiff')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.samples.missing.map((k, i) => (
                <Table.Tr key={`m${i}`}>
                  <Table.Td c="red.7">{t('merger.rec.missing')}</Table.Td>
                  <Table.Td><Code>{keyText(k)}</Code></Table.Td>
                  <Table.Td>—</Table.Td>
                </Table.Tr>
              ))}
              {report.samples.extra.map((k, i) => (
                <Table.Tr key={`e${i}`}>
                  <Table.Td c="orange.7">{t('merger.rec.extra')}</Table.Td>
                  <Table.Td><Code>{keyText(k)}</Code></Table.Td>
                  <Table.Td>—</Table.Td>
                </Table.Tr>
              ))}
              {report.samples.changed.map((c, i) => (
                <Table.Tr key={`c${i}`}>
                  <Table.Td c="yellow.8">{t('merger.rec.changed')}</Table.Td>
                  <Table.Td><Code>{keyText(c.key)}</Code></Table.Td>
                  <Table.Td>
                    {c.columns.map((col) => (
                      <div key={col.column}>
                        <b>{col.column}</b>: «{col.source ?? '∅'}» → «{col.target ?? '∅'}»
                      </div>
                    ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
    </Paper>
  );
}
