import { Badge, Button, Group, Loader, Paper, ScrollArea, Select, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDeviceDesktop, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ASSET_KINDS, REUSE_DISPOSITIONS, type AssetKind } from '../../contracts/inventory.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatNumber } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useAssets } from '../features/inventory/api.js';
import { AssetDrawer } from '../features/inventory/AssetDrawer.js';
import { AssetFormModal } from '../features/inventory/AssetFormModal.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;
type Reuse = (typeof REUSE_DISPOSITIONS)[number];

/** /assets — servers, workstations, devices, databases and applications; ?asset=<id> opens one in the drawer. */
export default function AssetsRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const units = useOrgUnits(true);
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [kind, setKind] = useState<AssetKind | null>(null);
  const [reuse, setReuse] = useState<Reuse | null>(null);
  const [page, setPage] = useState(1);
  const assets = useAssets({ q: debouncedQ.trim() || undefined, unitId, kind, reuseDisposition: reuse, page, pageSize: PAGE_SIZE });
  const pages = assets.data ? Math.max(1, Math.ceil(assets.data.total / assets.data.pageSize)) : 1;
  const openId = params.get('asset');
  const open = (id: string | null) => setParams(id ? { asset: id } : {}, { replace: true });
  const [creating, setCreating] = useState(false);
  const canWrite = can(me.data, 'asset.write');

  return (
    <>
      <PageHeader
        title={t('inventory.asset.title')}
        description={assets.data ? t('inventory.asset.total', { n: formatNumber(assets.data.total) }) : undefined}
        actions={canWrite ? (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="asset-create">
            {t('inventory.asset.create')}
          </Button>
        ) : undefined}
      />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap" gap="sm">
          <TextInput leftSection={<IconSearch size={16} />} placeholder={t('inventory.asset.searchPlaceholder')} value={q}
            onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} style={{ flex: '1 1 260px' }} data-testid="assets-search" />
          <Select placeholder={t('inventory.asset.filter.kind')} clearable data={ASSET_KINDS.map((k) => ({ value: k, label: t(`inventory.asset.kind.${k}`) }))}
            value={kind} onChange={(v) => { setKind((v as AssetKind | null) ?? null); setPage(1); }} w={200} data-testid="assets-kind-filter" />
          <Select placeholder={t('inventory.filter.unit')} searchable clearable data={unitOptions(units.data, t, { includeFormer: true })}
            value={unitId} onChange={(v) => { setUnitId(v); setPage(1); }} w={300} data-testid="assets-unit-filter" />
          <Select placeholder={t('inventory.asset.filter.reuse')} clearable data={REUSE_DISPOSITIONS.map((r) => ({ value: r, label: t(`inventory.asset.reuse.${r}`) }))}
            value={reuse} onChange={(v) => { setReuse((v as Reuse | null) ?? null); setPage(1); }} w={240} data-testid="assets-reuse-filter" />
          {assets.isFetching ? <Loader size="xs" /> : null}
        </Group>
        <ErrorAlert error={assets.error} />
        {assets.data && assets.data.items.length === 0 ? (
          <EmptyState icon={IconDeviceDesktop} title={t('inventory.asset.empty')} />
        ) : (
          <ScrollArea>
            <Table striped highlightOnHover miw={1100} data-testid="assets-table" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('inventory.asset.field.name')}</Table.Th>
                  <Table.Th>{t('inventory.asset.field.kind')}</Table.Th>
                  <Table.Th>{t('inventory.asset.field.hostname')}</Table.Th>
                  <Table.Th>{t('inventory.asset.field.os')}</Table.Th>
                  <Table.Th>{t('inventory.asset.field.ownerUnit')}</Table.Th>
                  <Table.Th>{t('inventory.asset.systems')}</Table.Th>
                  <Table.Th>{t('inventory.asset.field.reuse')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {assets.data?.items.map((a) => (
                  <Table.Tr key={a.id} data-testid="asset-row">
                    <Table.Td>
                      <UnstyledButton onClick={() => open(a.id)} data-testid="asset-open">
                        <Text size="sm" fw={500} c="blue.7">{a.name}</Text>
                      </UnstyledButton>
                      <Text size="xs" c="dimmed">{a.code}</Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`inventory.asset.kind.${a.kind}`)}</Table.Td>
                    <Table.Td ff="monospace" fz="sm">
                      {a.hostname ?? '—'}
                      {a.ips.length ? <Text size="xs" c="dimmed" ff="monospace">{a.ips.join(', ')}</Text> : null}
                    </Table.Td>
                    <Table.Td fz="sm">{[a.osName, a.osVersion].filter(Boolean).join(' ') || '—'}</Table.Td>
                    <Table.Td fz="sm" maw={240}>{a.ownerUnit.name}</Table.Td>
                    <Table.Td fz="sm" maw={260}>{a.systems.map((s) => s.name).join('; ') || '—'}</Table.Td>
                    <Table.Td>
                      {a.reuseDisposition ? (
                        <Badge variant="light" color={a.reuseDisposition === 'dispose' ? 'red' : a.reuseDisposition === 'transfer' ? 'blue' : 'green'}
                          style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>
                          {t(`inventory.asset.reuse.${a.reuseDisposition}`)}
                        </Badge>
                      ) : '—'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {assets.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
      <AssetDrawer id={openId} onClose={() => open(null)} units={units.data ?? []} canWrite={canWrite} />
      {creating ? <AssetFormModal units={units.data ?? []} onClose={() => setCreating(false)} onSaved={(a) => open(a.id)} /> : null}
    </>
  );
}
