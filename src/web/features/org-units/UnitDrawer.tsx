import { Badge, Button, Drawer, Group, Loader, Stack, Table, Text, Timeline } from '@mantine/core';
import { IconArrowMerge } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { OrgUnit } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDate } from '../../components/format.js';
import { useSuccessor } from './api.js';
import { MergedNote } from './UnitTree.js';

/** A unit's details and its chain of successors up to the unit that exists today. */
export function UnitDrawer({
  unit,
  byId,
  onClose,
  onMerge,
  canWrite,
}: {
  unit: OrgUnit | null;
  byId: Map<string, OrgUnit>;
  onClose: () => void;
  onMerge: (u: OrgUnit) => void;
  canWrite: boolean;
}) {
  const { t } = useTranslation();
  const successor = useSuccessor(unit?.id ?? null);
  const parent = unit?.parentId ? byId.get(unit.parentId) : undefined;
  const rows: [string, string][] = unit
    ? [
        [t('orgUnits.field.code'), unit.code],
        [t('orgUnits.field.shortName'), unit.shortName ?? '—'],
        [t('orgUnits.field.type'), t(`unitType.${unit.type}`)],
        [t('orgUnits.field.parent'), parent?.name ?? '—'],
        [t('orgUnits.field.validFrom'), formatDate(unit.validFrom)],
        [t('orgUnits.field.validTo'), formatDate(unit.validTo)],
      ]
    : [];
  return (
    <Drawer opened={!!unit} onClose={onClose} position="right" size="lg" title={unit?.name} data-testid="unit-drawer">
      {unit ? (
        <Stack>
          <Group>
            <Badge color={unit.current ? 'green' : 'gray'}>{unit.current ? t('orgUnits.current') : t('orgUnits.former')}</Badge>
          </Group>
          <MergedNote unit={unit} byId={byId} />
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              {rows.map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td c="dimmed" w={180}>
                    {k}
                  </Table.Td>
                  <Table.Td>{v}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text fw={600}>{t('orgUnits.successorChain')}</Text>
          {successor.isLoading ? <Loader size="sm" /> : null}
          <ErrorAlert error={successor.error} />
          {successor.data ? (
            <Timeline active={successor.data.chain.length - 1} bulletSize={16} lineWidth={2} data-testid="successor-chain">
              {successor.data.chain.map((u) => (
                <Timeline.Item key={u.id} title={u.name}>
                  <Text size="xs" c="dimmed">
                    {u.current
                      ? t('orgUnits.stillExists')
                      : t('orgUnits.chainStep', { date: formatDate(u.mergedOn ?? u.validTo), decision: u.mergerDecision ?? '—' })}
                  </Text>
                </Timeline.Item>
              ))}
            </Timeline>
          ) : null}
          {canWrite && unit.current ? (
            <Button variant="light" color="orange" leftSection={<IconArrowMerge size={16} />} onClick={() => onMerge(unit)} data-testid="unit-merge">
              {t('orgUnits.merge')}
            </Button>
          ) : null}
        </Stack>
      ) : null}
    </Drawer>
  );
}
