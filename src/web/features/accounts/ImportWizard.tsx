import { Alert, Badge, Button, FileButton, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconFileImport, IconUpload } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACCOUNT_FIELDS, type AccountField, type AccountMapping, type AccountSnapshot } from '../../../contracts/accounts.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { ImportErrors, importProblems } from '../../components/ImportErrors.js';
import { formatNumber } from '../../components/format.js';
import { useSystems } from '../inventory/api.js';
import { type FilePreview, useAccountSources, useCreateSource, useImportAccounts, usePreviewFile, useSnapshotDiff, useSnapshots, useUpdateSource } from './api.js';

function SnapshotResult({ snapshot, onShowFindings }: { snapshot: AccountSnapshot; onShowFindings: () => void }) {
  const { t } = useTranslation();
  const history = useSnapshots(snapshot.sourceId);
  const previous = history.data?.find((s) => s.id !== snapshot.id && s.takenAt <= snapshot.takenAt) ?? null;
  const diff = useSnapshotDiff(previous?.id ?? null, snapshot.id);
  return (
    <Paper withBorder p="md" data-testid="import-snapshot">
      <Stack gap="sm">
        <Title order={5}>{t('accounts.import.resultTitle', { n: formatNumber(snapshot.accountCount) })}</Title>
        <Group gap="xs">
          {Object.entries(snapshot.summary.situations).map(([k, n]) => (
            <Badge key={k} variant="light">{`${t(`accounts.situation.${k}`)}: ${formatNumber(n)}`}</Badge>
          ))}
        </Group>
        <Group gap="xs" data-testid="import-findings">
          {Object.entries(snapshot.summary.findings).map(([k, n]) => (
            <Badge key={k} color="red" variant="outline">{`${t(`accounts.finding.${k}`)}: ${formatNumber(n)}`}</Badge>
          ))}
        </Group>
        {previous ? (
          diff.data ? (
            <div data-testid="import-diff">
              <Text size="sm" fw={600}>{t('accounts.import.diffTitle')}</Text>
              <Text size="sm">{t('accounts.import.added', { n: diff.data.added.length })}: {diff.data.added.slice(0, 20).join(', ') || '—'}</Text>
              <Text size="sm">{t('accounts.import.removed', { n: diff.data.removed.length })}: {diff.data.removed.slice(0, 20).join(', ') || '—'}</Text>
              <Text size="sm">
                {t('accounts.import.changed', { n: diff.data.changed.length })}: {diff.data.changed.slice(0, 20).map((c) => `${c.username} (${c.fields.map((f) => t(`accounts.field.${f}`, f)).join(', ')})`).join('; ') || '—'}
              </Text>
            </div>
          ) : null
        ) : (
          <Text size="sm" c="dimmed">{t('accounts.import.firstSnapshot')}</Text>
        )}
        <Group>
          <Button variant="light" onClick={onShowFindings} data-testid="import-show-findings">{t('accounts.import.showFindings')}</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** Upload a system's account export, map its columns (saved on the source), import, then see diff and findings. */
export function ImportWizard({ onShowFindings }: { onShowFindings: (systemId: string) => void }) {
  const { t } = useTranslation();
  const systems = useSystems({ page: 1, pageSize: 500 });
  const [systemId, setSystemId] = useState<string | null>(null);
  const sources = useAccountSources(systemId);
  const fileSources = (sources.data ?? []).filter((s) => s.kind === 'file');
  const [sourceId, setSourceId] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Partial<Record<AccountField, string>>>({});
  const preview = usePreviewFile();
  const create = useCreateSource();
  const update = useUpdateSource();
  const importer = useImportAccounts();
  const source = fileSources.find((s) => s.id === sourceId) ?? null;

  useEffect(() => {
    if (fileSources.length && !sourceId) setSourceId(fileSources[0]!.id);
  }, [fileSources, sourceId]);

  const onPreview = (data: FilePreview) => {
    const saved = source?.mapping ?? {};
    const next: Partial<Record<AccountField, string>> = {};
    for (const f of ACCOUNT_FIELDS) {
      const s = saved[f];
      if (s && data.headers.includes(s)) next[f] = s;
      else if (data.suggested[f]) next[f] = data.suggested[f];
    }
    setMapping(next);
  };

  const headers = useMemo(() => preview.data?.headers ?? [], [preview.data]);
  const run = async () => {
    if (!file || !systemId || !mapping.username) return;
    const m = Object.fromEntries(Object.entries(mapping).filter(([, v]) => !!v)) as AccountMapping;
    let id = source?.id ?? null;
    if (!id) id = (await create.mutateAsync({ systemId, name: newName.trim() || t('accounts.import.defaultSourceName'), kind: 'file', mapping: m })).id;
    else await update.mutateAsync({ id, mapping: m });
    setSourceId(id);
    await importer.mutateAsync({ sourceId: id, file });
  };

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Select
          label={t('accounts.import.system')}
          searchable
          data={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }))}
          value={systemId}
          onChange={(v) => { setSystemId(v); setSourceId(null); preview.reset(); importer.reset(); setFile(null); }}
          data-testid="import-system"
        />
        {systemId && sources.isSuccess ? (
          fileSources.length ? (
            <Select
              label={t('accounts.import.source')}
              data={fileSources.map((s) => ({ value: s.id, label: s.name }))}
              value={sourceId}
              onChange={setSourceId}
              data-testid="import-source"
            />
          ) : (
            <TextInput label={t('accounts.import.newSource')} placeholder={t('accounts.import.defaultSourceName')} value={newName} onChange={(e) => setNewName(e.currentTarget.value)} data-testid="import-source-name" />
          )
        ) : null}
      </SimpleGrid>
      {systemId ? (
        <Group>
          <FileButton
            onChange={(f) => { if (f) { setFile(f); importer.reset(); preview.mutate(f, { onSuccess: onPreview }); } }}
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          >
            {(props) => <Button {...props} leftSection={<IconUpload size={16} />} loading={preview.isPending} data-testid="import-file">{t('accounts.import.chooseFile')}</Button>}
          </FileButton>
          {file ? <Text size="sm">{file.name}</Text> : null}
        </Group>
      ) : null}
      <ErrorAlert error={preview.error} />
      {preview.data ? (
        <Paper withBorder p="md">
          <Title order={5} mb="xs">{t('accounts.import.mappingTitle')}</Title>
          <Text size="sm" c="dimmed" mb="sm">{t('accounts.import.mappingHint', { n: formatNumber(preview.data.rowCount) })}</Text>
          <Table withTableBorder data-testid="import-mapping">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('accounts.import.field')}</Table.Th>
                <Table.Th>{t('accounts.import.column')}</Table.Th>
                <Table.Th>{t('accounts.import.sample')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ACCOUNT_FIELDS.map((f) => {
                const col = mapping[f];
                const idx = col ? headers.indexOf(col) : -1;
                return (
                  <Table.Tr key={f}>
                    <Table.Td>{t(`accounts.field.${f}`)}{f === 'username' ? ' *' : ''}</Table.Td>
                    <Table.Td>
                      <Select
                        size="xs"
                        clearable
                        data={headers}
                        value={col ?? null}
                        onChange={(v) => setMapping((m) => ({ ...m, [f]: v ?? undefined }))}
                        placeholder={t('accounts.import.notMapped')}
                        data-testid={`map-${f}`}
                      />
                    </Table.Td>
                    <Table.Td><Text size="xs" c="dimmed">{idx >= 0 ? preview.data.sample.map((r) => r[idx]).filter(Boolean).slice(0, 3).join(' · ') : ''}</Text></Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          {!mapping.username ? <Alert color="orange" mt="sm">{t('accounts.import.usernameRequired')}</Alert> : null}
          <Group mt="md">
            <Button leftSection={<IconFileImport size={16} />} disabled={!mapping.username} loading={create.isPending || update.isPending || importer.isPending} onClick={() => void run().catch(() => undefined)} data-testid="import-run">
              {t('accounts.import.saveAndImport')}
            </Button>
          </Group>
        </Paper>
      ) : null}
      <ErrorAlert error={create.error ?? update.error} />
      {importProblems(importer.error) ? <ImportErrors error={importer.error} /> : <ErrorAlert error={importer.error} />}
      {importer.data && systemId ? <SnapshotResult snapshot={importer.data.snapshot} onShowFindings={() => onShowFindings(systemId)} /> : null}
    </Stack>
  );
}
