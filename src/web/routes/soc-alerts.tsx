import { Anchor, Group, Loader, Paper, ScrollArea, SegmentedControl, Select, SimpleGrid, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ALERT_SEVERITIES } from '../../contracts/soc.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { type AlertFilter, useSocAlerts, useSocMetrics } from '../features/soc/api.js';
import { SeverityBadge, StatusBadge } from '../features/soc/labels.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;

function Metrics() {
  const { t } = useTranslation();
  const m = useSocMetrics();
  if (!m.data) return null;
  const cells: [string, number][] = [
    ['received', m.data.received.total],
    ['stored', m.data.stored],
    ['detected', m.data.detected],
    ['queue', m.data.queue],
    ['droppedUdp', m.data.droppedUdp + m.data.udpKernelDrops],
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 5 }} mb="md" data-testid="soc-metrics">
      {cells.map(([k, v]) => (
        <Paper key={k} withBorder p="sm">
          <Text size="xs" c="dimmed">
            {t(`soc.metrics.${k}`)}
          </Text>
          <Text fw={700} size="lg">
            {formatNumber(v)}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** /soc/alerts — the alert queue: open alerts first, by severity, scoped to the analyst's units. */
export default function SocAlertsRoute() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<AlertFilter['status']>('open');
  const [severity, setSeverity] = useState<AlertFilter['severity']>(null);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [dq] = useDebouncedValue(q, 300);
  const alerts = useSocAlerts({ status: status === ('all' as never) ? null : status, severity, q: dq.trim() || undefined, page, pageSize: PAGE_SIZE });
  const pages = alerts.data ? Math.max(1, Math.ceil(alerts.data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageHeader title={t('soc.alerts.title')} description={t('soc.alerts.description')} />
      <Metrics />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap">
          <SegmentedControl
            value={status ?? 'all'}
            onChange={(v) => { setStatus(v === 'all' ? null : (v as AlertFilter['status'])); setPage(1); }}
            data={[
              { value: 'open', label: t('soc.status.open') },
              { value: 'new', label: t('soc.status.new') },
              { value: 'acknowledged', label: t('soc.status.acknowledged') },
              { value: 'escalated', label: t('soc.status.escalated') },
              { value: 'false_positive', label: t('soc.status.false_positive') },
              { value: 'all', label: t('soc.status.all') },
            ]}
          />
          <Select
            label={t('soc.alerts.severity')}
            clearable
            data={ALERT_SEVERITIES.map((s) => ({ value: s, label: t(`soc.severity.${s}`) }))}
            value={severity ?? null}
            onChange={(v) => { setSeverity((v as AlertFilter['severity']) ?? null); setPage(1); }}
            w={160}
          />
          <TextInput label={t('soc.alerts.search')} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={240} />
          {alerts.isFetching ? <Loader size="xs" mb={8} /> : null}
        </Group>
        <ErrorAlert error={alerts.error} />
        <ScrollArea>
          <Table striped highlightOnHover miw={1100} fz="sm" data-testid="alert-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={140}>{t('soc.alerts.severity')}</Table.Th>
                <Table.Th>{t('soc.alerts.alert')}</Table.Th>
                <Table.Th>{t('soc.alerts.target')}</Table.Th>
                <Table.Th>{t('soc.alerts.count')}</Table.Th>
                <Table.Th>{t('soc.alerts.lastSeen')}</Table.Th>
                <Table.Th>{t('soc.alerts.status')}</Table.Th>
                <Table.Th>{t('soc.alerts.author')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.data?.items.map((a) => (
                <Table.Tr key={a.id} data-testid="alert-row">
                  <Table.Td>
                    <SeverityBadge severity={a.severity} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/soc/alerts/${a.id}`} size="sm" fw={500}>
                      {a.title}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {[a.mitre.join(', '), a.details.group ? Object.entries(a.details.group as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ') : a.host].filter(Boolean).join(' · ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{a.systemName ?? a.assetName ?? a.host ?? '—'}</Text>
                    <Text size="xs" c="dimmed">
                      {a.unitName}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatNumber(a.count)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.lastSeen)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={a.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{a.ruleAuthor ?? t(`soc.origin.${a.origin}`, { defaultValue: a.origin })}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
        {alerts.data && alerts.data.items.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg">
            {t('soc.alerts.empty')}
          </Text>
        ) : null}
        {alerts.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
    </>
  );
}
