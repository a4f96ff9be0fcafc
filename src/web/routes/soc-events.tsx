import { Group, Loader, Paper, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateField } from '../components/DateField.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatNumber } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { useSocEvents } from '../features/soc/api.js';
import { EventTable } from '../features/soc/EventTable.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;

function dayBound(date: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const d = new Date(`${date}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** /soc/events — event search by time, host, user, source IP, a field value and full text. */
export default function SocEventsRoute() {
  const { t } = useTranslation();
  const [f, setF] = useState({ q: '', host: '', user: '', sourceIp: '', field: '', from: '', to: '' });
  const [page, setPage] = useState(1);
  const [d] = useDebouncedValue(f, 400);
  const events = useSocEvents({
    q: d.q.trim() || undefined, host: d.host.trim() || undefined, user: d.user.trim() || undefined, sourceIp: d.sourceIp.trim() || undefined,
    field: /^[^=]+=.+$/.test(d.field.trim()) ? d.field.trim() : undefined, from: dayBound(d.from, false), to: dayBound(d.to, true), page, pageSize: PAGE_SIZE,
  });
  const set = (k: keyof typeof f) => (v: string) => { setF((x) => ({ ...x, [k]: v })); setPage(1); };
  const pages = events.data ? Math.max(1, Math.ceil(events.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageHeader title={t('soc.events.title')} description={t('soc.events.description')} />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap">
          <TextInput label={t('soc.events.q')} placeholder={t('soc.events.qPlaceholder')} value={f.q} onChange={(e) => set('q')(e.currentTarget.value)} w={260} data-testid="event-q" />
          <TextInput label={t('soc.events.host')} value={f.host} onChange={(e) => set('host')(e.currentTarget.value)} w={160} />
          <TextInput label={t('soc.events.user')} value={f.user} onChange={(e) => set('user')(e.currentTarget.value)} w={140} />
          <TextInput label={t('soc.events.sourceIp')} value={f.sourceIp} onChange={(e) => set('sourceIp')(e.currentTarget.value)} w={150} />
          <TextInput label={t('soc.events.field')} placeholder="event.code=4625" value={f.field} onChange={(e) => set('field')(e.currentTarget.value)} w={180} />
          <DateField label={t('soc.events.from')} value={f.from} onChange={set('from')} w={150} />
          <DateField label={t('soc.events.to')} value={f.to} onChange={set('to')} w={150} />
          {events.isFetching ? <Loader size="xs" mb={8} /> : null}
        </Group>
        <ErrorAlert error={events.error} />
        {events.data ? (
          <Text size="sm" c="dimmed" mb="xs">
            {t('soc.events.total', { count: events.data.total, formatted: formatNumber(events.data.total) })}
          </Text>
        ) : null}
        <EventTable events={events.data?.items ?? []} />
        {events.data ? <ListPager page={page} pages={pages} onChange={setPage} maxPages={200} /> : null}
      </Paper>
    </>
  );
}
