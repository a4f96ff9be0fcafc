import { Anchor, Button, Group, Loader, Menu, Paper, ScrollArea, Select, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconPlus, IconSearch, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PERSON_STATUSES, type PersonStatus } from '../../contracts/org.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatNumber } from '../components/format.js';
import { ImportButton } from '../components/ImportButton.js';
import { notifyError } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { CreatePersonModal } from '../features/people/CreatePersonModal.js';
import { exportPeople, useImportPeople, usePeople } from '../features/people/api.js';
import { StatusBadge } from '../features/people/StatusBadge.js';
import { ListPager } from '../components/ListPager.js';

const PAGE_SIZE = 50;

/** /people — the personnel roster (cán bộ, công chức) in the user's scope. */
export default function PeopleRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const units = useOrgUnits(true);
  const importPeople = useImportPeople();
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [status, setStatus] = useState<PersonStatus | null>(null);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  // One filter object for the list and the export, so "Xuất" downloads exactly the rows the list shows.
  const filter = { q: debouncedQ.trim() || undefined, unitId, status };
  const people = usePeople({ ...filter, page, pageSize: PAGE_SIZE });
  const canWrite = can(me.data, 'person.write');
  const pages = people.data ? Math.max(1, Math.ceil(people.data.total / people.data.pageSize)) : 1;

  const doExport = (format: 'csv' | 'xlsx') =>
    exportPeople(format, filter).catch(notifyError);

  return (
    <>
      <PageHeader
        title={t('people.title')}
        description={people.data ? t('people.total', { count: people.data.total, n: formatNumber(people.data.total) }) : undefined}
        actions={
          <>
            <Menu>
              <Menu.Target>
                <Button variant="default" leftSection={<IconDownload size={16} />} data-testid="people-export">
                  {t('people.export')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => doExport('csv')}>CSV</Menu.Item>
                <Menu.Item onClick={() => doExport('xlsx')}>Excel (XLSX)</Menu.Item>
              </Menu.Dropdown>
            </Menu>
            {canWrite ? (
              <>
                <ImportButton mutation={importPeople} title={t('people.importTitle')} hint={t('people.importHint')} testId="people-import" />
                <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="person-create">
                  {t('people.create')}
                </Button>
              </>
            ) : null}
          </>
        }
      />
      <Paper withBorder p="md">
        <Group mb="md" align="flex-end" wrap="wrap">
          <TextInput
            leftSection={<IconSearch size={16} />}
            placeholder={t('people.searchPlaceholder')}
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              setPage(1);
            }}
            style={{ flex: '1 1 260px' }}
            data-testid="people-search"
          />
          <Select
            placeholder={t('people.filterUnit')}
            searchable
            clearable
            data={unitOptions(units.data, t, { includeFormer: true })}
            value={unitId}
            onChange={(v) => {
              setUnitId(v);
              setPage(1);
            }}
            w={300}
            data-testid="people-unit-filter"
          />
          <Select
            placeholder={t('people.filterStatus')}
            clearable
            data={PERSON_STATUSES.map((s) => ({ value: s, label: t(`personStatus.${s}`) }))}
            value={status}
            onChange={(v) => {
              setStatus((v as PersonStatus | null) ?? null);
              setPage(1);
            }}
            w={200}
            data-testid="people-status-filter"
          />
          {people.isFetching ? <Loader size="xs" /> : null}
        </Group>
        <ErrorAlert error={people.error} />
        {people.data && people.data.items.length === 0 ? (
          <EmptyState icon={IconUsers} title={t('people.empty')} />
        ) : (
          <ScrollArea>
            <Table striped highlightOnHover miw={900} data-testid="people-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('people.field.fullName')}</Table.Th>
                  <Table.Th>{t('people.field.citizenId')}</Table.Th>
                  <Table.Th>{t('people.field.dateOfBirth')}</Table.Th>
                  <Table.Th>{t('people.field.unit')}</Table.Th>
                  <Table.Th>{t('people.field.position')}</Table.Th>
                  <Table.Th>{t('people.field.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {people.data?.items.map((p) => (
                  <Table.Tr key={p.id} data-testid="person-row">
                    <Table.Td>
                      <Anchor component={Link} to={`/people/${p.id}`} fw={500}>
                        {p.fullName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ff="monospace">{p.citizenIdMasked ?? '—'}</Table.Td>
                    <Table.Td>{formatDate(p.dateOfBirth)}</Table.Td>
                    <Table.Td>{p.unitName}</Table.Td>
                    <Table.Td>{p.position ?? '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <StatusBadge status={p.status} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {people.data ? <ListPager page={page} pages={pages} onChange={setPage} /> : null}
      </Paper>
      {creating ? <CreatePersonModal opened onClose={() => setCreating(false)} units={units.data ?? []} /> : null}
    </>
  );
}
