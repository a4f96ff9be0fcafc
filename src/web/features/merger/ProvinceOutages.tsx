import { Anchor, Badge, Group, Pagination, Paper, ScrollArea, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatNumber } from '../../components/format.js';
import { useProvinceOutages } from './api.js';
import { formatVnDateTime } from './labels.js';

const PAGE_SIZE = 20;

/** Unplanned stops of every system in the user's scope, newest first: the province-wide view of /merger. */
export function ProvinceOutages() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const outages = useProvinceOutages({ planned: false, page, pageSize: PAGE_SIZE });
  const pages = outages.data ? Math.max(1, Math.ceil(outages.data.total / PAGE_SIZE)) : 1;
  return (
    <Paper withBorder p="md" data-testid="province-outages">
      <Group justify="space-between" mb="xs">
        <Title order={5}>{t('merger.stops.provinceTitle')}</Title>
        {outages.data ? (
          <Badge color={outages.data.total ? 'red' : 'gray'} variant="light" data-testid="province-outages-total">
            {t('merger.stops.provinceTotal', { n: formatNumber(outages.data.total) })}
          </Badge>
        ) : null}
      </Group>
      <ErrorAlert error={outages.error} />
      {outages.data && outages.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">{t('merger.stops.provinceEmpty')}</Text>
      ) : (
        <ScrollArea>
          <Table fz="sm" withTableBorder verticalSpacing={4} miw={760}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('merger.field.system')}</Table.Th>
                <Table.Th w={170}>{t('merger.outage.startedAt')}</Table.Th>
                <Table.Th w={170}>{t('merger.outage.endedAt')}</Table.Th>
                <Table.Th>{t('merger.outage.cause')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outages.data?.items.map((o) => (
                <Table.Tr key={o.id} data-testid="province-outage-row" bg="red.0">
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <IconAlertTriangle size={14} color="var(--mantine-color-red-7)" />
                      <Anchor component={Link} to={`/systems/${o.systemId}`} size="sm">{o.system?.name ?? o.systemId}</Anchor>
                    </Group>
                    {o.system ? <Text size="xs" c="dimmed">{o.system.code}</Text> : null}
                  </Table.Td>
                  <Table.Td>{formatVnDateTime(o.startedAt)}</Table.Td>
                  <Table.Td>{o.endedAt ? formatVnDateTime(o.endedAt) : t('merger.outage.ongoing')}</Table.Td>
                  <Table.Td>{o.cause ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {pages > 1 ? (
        <Group justify="flex-end" mt="sm">
          <Pagination total={pages} value={page} onChange={setPage} size="sm" />
        </Group>
      ) : null}
    </Paper>
  );
}
