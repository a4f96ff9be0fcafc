import { Anchor, Badge, Button, Checkbox, Group, Loader, Pagination, Paper, ScrollArea, Select, Switch, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useBulkEnable, useRuleFacets, useRules, useSetEnabled, type RuleListFilter } from '../features/rules/api.js';
import { LevelBadge, StatusBadge } from '../features/rules/badges.js';
import { RuleDrawer } from '../features/rules/RuleDrawer.js';

const PAGE_SIZE = 50;
const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'];
const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];

/** /soc/rules — Sigma detection rules: filter by logsource, level, status; enable in bulk; tune; hit counts. */
export default function RulesRoute() {
  const { t } = useTranslation();
  const me = useMe().data;
  const canWrite = can(me, 'rule.write');
  const facets = useRuleFacets();
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState<RuleListFilter>({});
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [debouncedQ] = useDebouncedValue(q, 300);
  const effective: RuleListFilter = { ...filter, q: debouncedQ.trim() || undefined };
  const rules = useRules(effective, page, PAGE_SIZE);
  const bulk = useBulkEnable();
  const setEnabled = useSetEnabled();
  const pages = rules.data ? Math.max(1, Math.ceil(rules.data.total / PAGE_SIZE)) : 1;
  const set = (k: keyof RuleListFilter) => (v: string | null) => {
    setFilter((f) => ({ ...f, [k]: v ?? undefined }));
    setPage(1);
    setSelected(new Set());
  };
  const opts = (list: { value: string; count: number }[] | undefined) => (list ?? []).map((x) => ({ value: x.value, label: `${x.value} (${x.count})` }));
  const runBulk = (enabled: boolean, ids?: string[]) =>
    bulk.mutate(ids ? { enabled, ids } : { enabled, filter: effective as Record<string, unknown> }, {
      onSuccess: (r) => {
        notifySuccess(t(enabled ? 'rules.bulkEnabled' : 'rules.bulkDisabled', { count: r.changed }));
        setSelected(new Set());
      },
      onError: notifyError,
    });
  const items = rules.data?.items ?? [];
  const allOnPage = items.length > 0 && items.every((r) => selected.has(r.id));
  const f = facets.data;
  return (
    <>
      <PageHeader
        title={t('rules.title')}
        description={t('rules.description')}
        actions={f ? (
          <Group gap="xs" data-testid="rule-totals">
            <Badge variant="light">{t('rules.total', { count: f.total })}</Badge>
            <Badge variant="light" color="green">{t('rules.enabledCount', { count: f.enabled })}</Badge>
            <Badge variant="light" color="red">{t('rules.unsupportedCount', { count: f.unsupported })}</Badge>
          </Group>
        ) : null}
      />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap" gap="xs">
          <TextInput label={t('rules.search')} placeholder={t('rules.searchPlaceholder')} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={240} data-testid="rules-search" />
          <Select label={t('rules.product')} clearable searchable data={opts(f?.products)} value={filter.product ?? null} onChange={set('product')} w={150} data-testid="rules-product" />
          <Select label={t('rules.category')} clearable searchable data={opts(f?.categories)} value={filter.category ?? null} onChange={set('category')} w={190} data-testid="rules-category" />
          <Select label={t('rules.service')} clearable searchable data={opts(f?.services)} value={filter.service ?? null} onChange={set('service')} w={160} />
          <Select label={t('rules.level')} clearable data={LEVELS.map((l) => ({ value: l, label: t(`rules.levels.${l}`) }))} value={filter.level ?? null} onChange={set('level')} w={140} data-testid="rules-level" />
          <Select label={t('rules.status')} clearable data={STATUSES.map((s) => ({ value: s, label: t(`rules.statuses.${s}`) }))} value={filter.status ?? null} onChange={set('status')} w={140} />
          <Select label={t('rules.source')} clearable data={(['sigmahq', 'khien', 'custom'] as const).map((s) => ({ value: s, label: t(`rules.sources.${s}`) }))} value={filter.source ?? null} onChange={set('source')} w={140} data-testid="rules-source" />
          <Select label={t('rules.enabled')} clearable data={[{ value: 'true', label: t('rules.onlyEnabled') }, { value: 'false', label: t('rules.onlyDisabled') }]} value={filter.enabled ?? null} onChange={set('enabled')} w={140} data-testid="rules-enabled" />
          <Checkbox label={t('rules.onlyHit')} checked={filter.hit === 'true'} onChange={(e) => set('hit')(e.currentTarget.checked ? 'true' : null)} mb={8} />
          {rules.isFetching ? <Loader size="xs" mb={8} /> : null}
        </Group>
        {canWrite ? (
          <Group mb="sm" gap="xs" data-testid="rules-bulk">
            <Button size="xs" disabled={selected.size === 0} loading={bulk.isPending} onClick={() => runBulk(true, [...selected])} data-testid="bulk-enable-selected">
              {t('rules.enableSelected', { count: selected.size })}
            </Button>
            <Button size="xs" variant="light" color="gray" disabled={selected.size === 0} loading={bulk.isPending} onClick={() => runBulk(false, [...selected])}>
              {t('rules.disableSelected', { count: selected.size })}
            </Button>
            <Button size="xs" variant="outline" disabled={!rules.data?.total} loading={bulk.isPending} onClick={() => runBulk(true)} data-testid="bulk-enable-filter">
              {t('rules.enableFiltered', { count: rules.data?.total ?? 0 })}
            </Button>
            <Button size="xs" variant="outline" color="gray" disabled={!rules.data?.total} loading={bulk.isPending} onClick={() => runBulk(false)}>
              {t('rules.disableFiltered', { count: rules.data?.total ?? 0 })}
            </Button>
          </Group>
        ) : null}
        <ErrorAlert error={rules.error ?? facets.error} />
        <ScrollArea>
          <Table striped highlightOnHover miw={1100} fz="sm" data-testid="rules-table">
            <Table.Thead>
              <Table.Tr>
                {canWrite ? (
                  <Table.Th w={36}>
                    <Checkbox aria-label={t('rules.selectPage')} checked={allOnPage} onChange={() => setSelected(allOnPage ? new Set() : new Set(items.map((r) => r.id)))} />
                  </Table.Th>
                ) : null}
                <Table.Th>{t('rules.rule')}</Table.Th>
                <Table.Th>{t('rules.author')}</Table.Th>
                <Table.Th style={{ minWidth: 120 }}>{t('rules.level')}</Table.Th>
                <Table.Th style={{ minWidth: 110 }}>{t('rules.status')}</Table.Th>
                <Table.Th>{t('rules.logsource')}</Table.Th>
                <Table.Th ta="right">{t('rules.hits')}</Table.Th>
                <Table.Th>{t('rules.lastHit')}</Table.Th>
                <Table.Th>{t('rules.filters')}</Table.Th>
                <Table.Th>{t('rules.enabled')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((r) => (
                <Table.Tr key={r.id} data-testid="rule-row">
                  {canWrite ? (
                    <Table.Td>
                      <Checkbox aria-label={r.title} checked={selected.has(r.id)} onChange={() => setSelected((s) => { const n = new Set(s); if (n.has(r.id)) n.delete(r.id); else n.add(r.id); return n; })} />
                    </Table.Td>
                  ) : null}
                  <Table.Td maw={380}>
                    <Anchor component="button" size="sm" onClick={() => setOpen(r.id)} ta="left" data-testid="rule-open">
                      {r.title}
                    </Anchor>
                    {r.kind === 'correlation' ? <Badge size="xs" ml={6} color="violet">{t('rules.correlation')}</Badge> : null}
                    {!r.supported ? <Text size="xs" c="red">{t('rules.unsupported')}: {r.unsupported}</Text> : null}
                  </Table.Td>
                  <Table.Td maw={200}><Text size="xs" lineClamp={2}>{r.author || t('rules.unknownAuthor')}</Text></Table.Td>
                  <Table.Td><LevelBadge level={r.level} /></Table.Td>
                  <Table.Td><StatusBadge status={r.status} /></Table.Td>
                  <Table.Td><Text size="xs">{[r.product, r.category, r.service].filter(Boolean).join(' / ') || '—'}</Text></Table.Td>
                  <Table.Td ta="right" fw={r.hitCount ? 700 : undefined}>{r.hitCount}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.lastHitAt ? formatDateTime(r.lastHitAt) : '—'}</Table.Td>
                  <Table.Td>{r.filterCount || '—'}</Table.Td>
                  <Table.Td>
                    <Switch
                      size="xs"
                      aria-label={t('rules.enabled')}
                      checked={r.enabled}
                      disabled={!canWrite || !r.supported}
                      onChange={(e) => setEnabled.mutate({ id: r.id, enabled: e.currentTarget.checked }, { onError: notifyError })}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
        {rules.data && items.length === 0 ? <Text c="dimmed" ta="center" py="lg">{t('rules.empty')}</Text> : null}
        {rules.data ? (
          <Group justify="space-between" mt="md">
            <Text size="sm" c="dimmed">{t('rules.shown', { count: rules.data.total })}</Text>
            {pages > 1 ? <Pagination total={pages} value={page} onChange={setPage} size="sm" /> : null}
          </Group>
        ) : null}
      </Paper>
      <RuleDrawer id={open} onClose={() => setOpen(null)} canWrite={canWrite} />
    </>
  );
}
