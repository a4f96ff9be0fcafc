import { Anchor, Badge, Button, Group, Loader, Paper, ScrollArea, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconPlus, IconSearch, IconServer } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SYSTEM_STATUSES, TRANSITION_STATES, type SystemStatus, type TransitionState } from '../../contracts/inventory.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatNumber } from '../components/format.js';
import { notifyError } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { exportInventory, useSystems, type DispositionFilter } from '../features/inventory/api.js';
import { LevelBadges, TransitionBadge } from '../features/inventory/badges.js';
import { CreateSystemModal } from '../features/inventory/CreateSystemModal.js';
import { InventoryImportButton } from '../features/inventory/InventoryImportButton.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;
const DISPOSITION_FILTERS: DispositionFilter[] = ['keep', 'consolidate', 'retire', 'reuse_assets', 'none'];

/** /systems — the catalogue of information systems (danh mục hệ thống thông tin) in the user's scope. */
export default function SystemsRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const units = useOrgUnits(true);
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [level, setLevel] = useState<string | null>(null);
  const [regime, setRegime] = useState<'nd85' | 'nd331' | 'effective'>('effective');
  const [status, setStatus] = useState<SystemStatus | null>(null);
  const [disposition, setDisposition] = useState<DispositionFilter | null>(null);
  const [transition, setTransition] = useState<TransitionState | null>(null);
  const [origin, setOrigin] = useState<'bd' | 'gl' | 'new' | null>(null);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const systems = useSystems({
    q: debouncedQ.trim() || undefined, unitId, level: level ? Number(level) : null, regime, status, disposition, transition, origin, page, pageSize: PAGE_SIZE,
  });
  const canWrite = can(me.data, 'system.write');
  const pages = systems.data ? Math.max(1, Math.ceil(systems.data.total / systems.data.pageSize)) : 1;
  const set = <T,>(fn: (v: T) => void) => (v: T) => {
    fn(v);
    setPage(1);
  };

  return (
    <>
      <PageHeader
        title={t('inventory.title')}
        description={systems.data ? t('inventory.total', { n: formatNumber(systems.data.total) }) : undefined}
        actions={
          <>
            <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => exportInventory().catch(notifyError)} data-testid="inventory-export">
              {t('inventory.export')}
            </Button>
            {canWrite ? (
              <>
                <InventoryImportButton />
                <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="system-create">
                  {t('inventory.create')}
                </Button>
              </>
            ) : null}
          </>
        }
      />
      <Paper withBorder p="md">
        <Stack gap="sm" mb="md">
          <Group align="flex-end" wrap="wrap" gap="sm">
            <TextInput
              leftSection={<IconSearch size={16} />}
              placeholder={t('inventory.searchPlaceholder')}
              value={q}
              onChange={(e) => set(setQ)(e.currentTarget.value)}
              style={{ flex: '1 1 260px' }}
              data-testid="systems-search"
            />
            <Select
              placeholder={t('inventory.filter.unit')}
              searchable
              clearable
              data={unitOptions(units.data, t, { includeFormer: true })}
              value={unitId}
              onChange={set(setUnitId)}
              w={300}
              data-testid="systems-unit-filter"
            />
            <Select
              placeholder={t('inventory.filter.origin')}
              clearable
              data={(['bd', 'gl', 'new'] as const).map((v) => ({ value: v, label: t(`inventory.origin.${v}`) }))}
              value={origin}
              onChange={(v) => set(setOrigin)((v as 'bd' | 'gl' | 'new' | null) ?? null)}
              w={220}
              data-testid="systems-origin-filter"
            />
            <Select
              placeholder={t('inventory.filter.status')}
              clearable
              data={SYSTEM_STATUSES.map((s) => ({ value: s, label: t(`inventory.status.${s}`) }))}
              value={status}
              onChange={(v) => set(setStatus)((v as SystemStatus | null) ?? null)}
              w={220}
              data-testid="systems-status-filter"
            />
          </Group>
          <Group align="flex-end" wrap="wrap" gap="sm">
            <Select
              placeholder={t('inventory.filter.level')}
              clearable
              data={[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t('inventory.levelN', { level: n }) }))}
              value={level}
              onChange={set(setLevel)}
              w={120}
              data-testid="systems-level-filter"
            />
            <Select
              aria-label={t('inventory.filter.regime')}
              allowDeselect={false}
              data={(['effective', 'nd331', 'nd85'] as const).map((v) => ({ value: v, label: t(`inventory.regimeFilter.${v}`) }))}
              value={regime}
              onChange={(v) => set(setRegime)((v as 'nd85' | 'nd331' | 'effective') ?? 'effective')}
              w={220}
              data-testid="systems-regime-filter"
            />
            <Select
              placeholder={t('inventory.filter.disposition')}
              clearable
              data={DISPOSITION_FILTERS.map((d) => ({ value: d, label: t(`merger.disposition.${d}`) }))}
              value={disposition}
              onChange={(v) => set(setDisposition)((v as DispositionFilter | null) ?? null)}
              w={260}
              data-testid="systems-disposition-filter"
            />
            <Select
              placeholder={t('inventory.filter.transition')}
              clearable
              data={TRANSITION_STATES.map((s) => ({ value: s, label: t(`inventory.transition.${s}`) }))}
              value={transition}
              onChange={(v) => set(setTransition)((v as TransitionState | null) ?? null)}
              w={420}
              data-testid="systems-transition-filter"
            />
            {systems.isFetching ? <Loader size="xs" /> : null}
          </Group>
        </Stack>
        <ErrorAlert error={systems.error} />
        {systems.data && systems.data.items.length === 0 ? (
          <EmptyState icon={IconServer} title={t('inventory.empty')} />
        ) : (
          <ScrollArea>
            <Table striped highlightOnHover miw={1080} data-testid="systems-table" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('inventory.field.name')}</Table.Th>
                  <Table.Th>{t('inventory.field.ownerUnit')}</Table.Th>
                  <Table.Th>{t('inventory.field.levels')}</Table.Th>
                  <Table.Th>{t('inventory.field.transition')}</Table.Th>
                  <Table.Th>{t('inventory.field.status')}</Table.Th>
                  <Table.Th>{t('merger.field.disposition')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {systems.data?.items.map((s) => (
                  <Table.Tr key={s.id} data-testid="system-row">
                    <Table.Td miw={260}>
                      <Anchor component={Link} to={`/systems/${s.id}`} fw={500} data-testid="system-link">
                        {s.name}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {s.code} · {t(`inventory.origin.${s.origin}`)}
                      </Text>
                    </Table.Td>
                    <Table.Td miw={150}>
                      <Text size="sm">{s.ownerUnit.name}</Text>
                    </Table.Td>
                    <Table.Td>
                      <LevelBadges system={s} stacked />
                    </Table.Td>
                    <Table.Td>
                      <TransitionBadge transition={s.transition} stacked />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm">{t(`inventory.status.${s.status}`)}</Text>
                    </Table.Td>
                    <Table.Td>
                      {s.mergerDisposition ? (
                        <Badge variant="dot" color="indigo" style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>
                          {t(`merger.disposition.${s.mergerDisposition}`, s.mergerDisposition)}
                        </Badge>
                      ) : (
                        <Text size="sm" c="dimmed">
                          {t('merger.disposition.none')}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {systems.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
      {creating ? <CreateSystemModal opened onClose={() => setCreating(false)} units={units.data ?? []} /> : null}
    </>
  );
}
