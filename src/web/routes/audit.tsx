import { Badge, Button, Code, Group, Loader, Paper, Popover, ScrollArea, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEvent } from '../../contracts/audit.js';
import { DateField } from '../components/DateField.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { codeLabel } from '../components/labels.js';
import { PageHeader } from '../components/PageHeader.js';
import { useAuditEvents, type AuditFilter } from '../features/audit/api.js';
import { ListPager } from '../components/ListPager.js';

const OUTCOME_COLOR = { success: 'green', failure: 'orange', denied: 'red' } as const;
const PAGE_SIZE = 50;

/** `2026-11-25` from a date input to the start/end instant of that local day. */
function dayBound(date: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const d = new Date(`${date}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function Details({ event }: { event: AuditEvent }) {
  const { t } = useTranslation();
  const extra = { reason: event.reason, before: event.before, after: event.after, details: event.details, ip: event.ip, requestId: event.requestId };
  return (
    <Popover width={480} position="left" withArrow shadow="md">
      <Popover.Target>
        <Button size="compact-xs" variant="subtle">
          {t('audit.details')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <ScrollArea.Autosize mah={360}>
          <Code block>{JSON.stringify(extra, null, 2)}</Code>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}

/** /audit — the platform's own audit trail, filterable by action, outcome, actor and period. */
export default function AuditRoute() {
  const { t } = useTranslation();
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [outcome, setOutcome] = useState<AuditFilter['outcome']>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const [debounced] = useDebouncedValue({ action, actor }, 300);
  const events = useAuditEvents({
    action: debounced.action.trim() || undefined,
    actor: debounced.actor.trim() || undefined,
    outcome,
    from: dayBound(from, false),
    to: dayBound(to, true),
    page,
    pageSize: PAGE_SIZE,
  });
  const pages = events.data ? Math.max(1, Math.ceil(events.data.total / events.data.pageSize)) : 1;
  const reset = () => setPage(1);
  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap">
          <TextInput label={t('audit.action')} placeholder="auth.login" value={action} onChange={(e) => { setAction(e.currentTarget.value); reset(); }} w={200} data-testid="audit-action" />
          <Select
            label={t('audit.outcome')}
            clearable
            data={(['success', 'failure', 'denied'] as const).map((o) => ({ value: o, label: t(`audit.outcomes.${o}`) }))}
            value={outcome ?? null}
            onChange={(v) => { setOutcome((v as AuditFilter['outcome']) ?? null); reset(); }}
            w={170}
          />
          <TextInput label={t('audit.actor')} value={actor} onChange={(e) => { setActor(e.currentTarget.value); reset(); }} w={200} />
          <DateField label={t('audit.from')} value={from} onChange={(v) => { setFrom(v); reset(); }} w={150} />
          <DateField label={t('audit.to')} value={to} onChange={(v) => { setTo(v); reset(); }} w={150} />
          {events.isFetching ? <Loader size="xs" mb={8} /> : null}
        </Group>
        <ErrorAlert error={events.error} />
        <ScrollArea>
          <Table striped miw={1000} fz="sm" data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('audit.time')}</Table.Th>
                <Table.Th>{t('audit.action')}</Table.Th>
                <Table.Th>{t('audit.outcome')}</Table.Th>
                <Table.Th>{t('audit.actor')}</Table.Th>
                <Table.Th>{t('audit.target')}</Table.Th>
                <Table.Th>{t('audit.ip')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.data?.items.map((e) => (
                <Table.Tr key={e.id} data-testid="audit-row">
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.occurredAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" title={e.action}>
                      {codeLabel(t, 'auditAction', e.action)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={OUTCOME_COLOR[e.outcome]}>
                      {t(`audit.outcomes.${e.outcome}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{e.actorLabel ?? '—'}</Table.Td>
                  <Table.Td title={e.targetId ?? undefined}>
                    {/* UUIDv7 ids share their leading timestamp; the tail tells rows apart. */}
                    {e.targetType ? `${codeLabel(t, 'targetType', e.targetType)}${e.targetId ? ` · …${e.targetId.slice(-6)}` : ''}` : '—'}
                  </Table.Td>
                  <Table.Td ff="monospace">{e.ip ?? '—'}</Table.Td>
                  <Table.Td>
                    <Details event={e} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
        {events.data && events.data.items.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg">
            {t('audit.empty')}
          </Text>
        ) : null}
        {events.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
    </>
  );
}
