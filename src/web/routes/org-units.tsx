import { Button, Card, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconBuildingCommunity, IconPlus } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrgUnit } from '../../contracts/org.js';
import { EmptyState } from '../components/EmptyState.js';
import { DateField } from '../components/DateField.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate } from '../components/format.js';
import { ImportButton } from '../components/ImportButton.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { buildTree, useCeasedUnits, useImportOrgUnits, useOrgUnits } from '../features/org-units/api.js';
import { UnitDrawer } from '../features/org-units/UnitDrawer.js';
import { CreateUnitModal, MergeUnitModal } from '../features/org-units/UnitForms.js';
import { UnitTree } from '../features/org-units/UnitTree.js';

function CeasedQuery({ byId }: { byId: Map<string, OrgUnit> }) {
  const { t } = useTranslation();
  const [date, setDate] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const ceased = useCeasedUnits(asked);
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('orgUnits.ceasedTitle')}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (/^\d{4}-\d{2}-\d{2}$/.test(date)) setAsked(date);
        }}
      >
        <Group align="flex-end">
          <DateField label={t('orgUnits.ceasedDate')} value={date} onChange={setDate} data-testid="ceased-date" />
          <Button type="submit" variant="light" disabled={!/^\d{4}-\d{2}-\d{2}$/.test(date)}>
            {t('common.search')}
          </Button>
        </Group>
      </form>
      {ceased.isLoading ? <Loader size="sm" mt="sm" /> : null}
      <ErrorAlert error={ceased.error} />
      {ceased.data ? (
        ceased.data.length === 0 ? (
          <Text size="sm" c="dimmed" mt="sm">
            {t('orgUnits.ceasedNone', { date: formatDate(asked) })}
          </Text>
        ) : (
          <Table mt="sm" striped fz="sm" data-testid="ceased-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('orgUnits.field.name')}</Table.Th>
                <Table.Th>{t('orgUnits.field.mergeInto')}</Table.Th>
                <Table.Th>{t('orgUnits.field.decision')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ceased.data.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>{u.name}</Table.Td>
                  <Table.Td>{(u.mergedIntoId && byId.get(u.mergedIntoId)?.name) || '—'}</Table.Td>
                  <Table.Td>{u.mergerDecision ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )
      ) : null}
    </Card>
  );
}

/** /org-units — the province's unit hierarchy with merger lineage. */
export default function OrgUnitsRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const units = useOrgUnits(true);
  const importUnits = useImportOrgUnits();
  const [show, setShow] = useState<'all' | 'current'>('all');
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<OrgUnit | null>(null);
  const [merging, setMerging] = useState<OrgUnit | null>(null);
  const [creating, setCreating] = useState(false);
  const canWrite = can(me.data, 'org_unit.write');

  const all = units.data ?? [];
  const byId = useMemo(() => new Map(all.map((u) => [u.id, u])), [all]);
  const roots = useMemo(() => {
    const needle = filter.trim().toLocaleLowerCase('vi');
    let list = show === 'current' ? all.filter((u) => u.current) : all;
    if (needle) list = list.filter((u) => u.name.toLocaleLowerCase('vi').includes(needle) || u.code.toLocaleLowerCase('vi').includes(needle));
    return buildTree(list);
  }, [all, show, filter]);
  const currentCount = all.filter((u) => u.current).length;

  return (
    <>
      <PageHeader
        title={t('orgUnits.title')}
        description={t('orgUnits.summary', { current: currentCount, former: all.length - currentCount })}
        actions={
          canWrite ? (
            <>
              <ImportButton mutation={importUnits} title={t('orgUnits.importTitle')} hint={t('orgUnits.importHint')} testId="unit-import" />
              <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="unit-create">
                {t('orgUnits.create')}
              </Button>
            </>
          ) : null
        }
      />
      <Stack>
        <Paper withBorder p="md">
          <Group mb="sm" justify="space-between">
            <TextInput placeholder={t('orgUnits.filter')} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={320} data-testid="unit-filter" />
            <SegmentedControl
              value={show}
              onChange={(v) => setShow(v === 'current' ? 'current' : 'all')}
              data={[
                { value: 'all', label: t('orgUnits.showAll') },
                { value: 'current', label: t('orgUnits.showCurrent') },
              ]}
            />
          </Group>
          <ErrorAlert error={units.error} />
          {units.isLoading ? <Loader /> : roots.length === 0 ? <EmptyState icon={IconBuildingCommunity} title={t('orgUnits.empty')} /> : <UnitTree roots={roots} byId={byId} onSelect={setSelected} />}
        </Paper>
        <CeasedQuery byId={byId} />
      </Stack>
      <UnitDrawer unit={selected} byId={byId} onClose={() => setSelected(null)} onMerge={(u) => setMerging(u)} canWrite={canWrite} />
      {creating ? <CreateUnitModal opened onClose={() => setCreating(false)} units={all} /> : null}
      <MergeUnitModal unit={merging} onClose={() => setMerging(null)} units={all} />
    </>
  );
}
