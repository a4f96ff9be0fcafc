import { Badge, Code, Group, ScrollArea, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SocEvent } from '../../../contracts/soc.js';
import { formatDateTime } from '../../components/format.js';

/** Events in a table; a row opens to show every field of the normalised event. */
export function EventTable({ events }: { events: SocEvent[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <ScrollArea>
      <Table striped highlightOnHover miw={1000} fz="sm" data-testid="event-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('soc.events.time')}</Table.Th>
            <Table.Th>{t('soc.events.host')}</Table.Th>
            <Table.Th>{t('soc.events.user')}</Table.Th>
            <Table.Th>{t('soc.events.sourceIp')}</Table.Th>
            <Table.Th>{t('soc.events.outcome')}</Table.Th>
            <Table.Th>{t('soc.events.message')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => (
            <Fragment key={e.id}>
              <Table.Tr data-testid="event-row" style={{ cursor: 'pointer' }} onClick={() => setOpen(open === e.id ? null : e.id)}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.ts)}</Table.Td>
                <Table.Td ff="monospace">{e.host ?? '—'}</Table.Td>
                <Table.Td>{e.userName ?? '—'}</Table.Td>
                <Table.Td ff="monospace">{e.sourceIp ?? '—'}</Table.Td>
                <Table.Td>
                  {e.outcome ? (
                    <Badge size="xs" variant="light" color={e.outcome === 'failure' ? 'red' : 'green'}>
                      {t(`soc.outcome.${e.outcome}`, { defaultValue: e.outcome })}
                    </Badge>
                  ) : '—'}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2} ff="monospace">
                    {e.message}
                  </Text>
                </Table.Td>
              </Table.Tr>
              {open === e.id ? (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Group gap="xs" mb={4}>
                      <Text size="xs" c="dimmed">
                        {t('soc.events.fields')}
                      </Text>
                    </Group>
                    <Code block>{JSON.stringify(e.fields, null, 2)}</Code>
                  </Table.Td>
                </Table.Tr>
              ) : null}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
