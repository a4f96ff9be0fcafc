import { Alert, Button, FileInput, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ASSET_KINDS } from '../../contracts/inventory.js';
import type { ImportResultDto } from '../../contracts/vuln.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';
import { useAssignHost, useImports, useUnmatched, useUploadReport } from '../features/vuln/api.js';

/** /vulns/imports — upload a scanner report, see recent imports and the hosts no asset matched (assign or create). */
export default function VulnImportsRoute() {
  const { t } = useTranslation();
  const units = useOrgUnits(true);
  const upload = useUploadReport();
  const imports = useImports();
  const unmatched = useUnmatched();
  const [file, setFile] = useState<File | null>(null);
  const [unitId, setUnitId] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResultDto | null>(null);
  const submit = async () => {
    if (!file || !unitId) return;
    const r = await upload.mutateAsync({ file, unitId });
    setResult(r);
    notifySuccess(t('vuln.upload.done', { n: r.findings }));
  };
  return (
    <>
      <PageHeader title={t('vuln.upload.title')} description={t('vuln.upload.description')} />
      <Paper withBorder p="md" mb="md">
        <Group align="flex-end" wrap="wrap">
          <FileInput label={t('vuln.upload.file')} placeholder={t('vuln.upload.filePlaceholder')} value={file} onChange={setFile} w={360} clearable data-testid="vuln-upload-file" />
          <Select label={t('vuln.upload.unit')} description={t('vuln.upload.unitHint')} searchable data={unitOptions(units.data, t)} value={unitId} onChange={setUnitId} w={320} data-testid="vuln-upload-unit" />
          <Button leftSection={<IconUpload size={16} />} disabled={!file || !unitId} loading={upload.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="vuln-upload-submit">{t('vuln.upload.submit')}</Button>
        </Group>
        <Text size="xs" c="dimmed" mt="xs">{t('vuln.upload.formats')}</Text>
        <ErrorAlert error={upload.error} />
        {result ? (
          <Alert color="green" mt="md" data-testid="vuln-upload-result" title={t('vuln.upload.resultTitle', { format: result.format })}>
            {t('vuln.upload.result', { findings: result.findings, hosts: result.hosts, created: result.created, kept: result.kept, reopened: result.reopened, mitigated: result.mitigated, unmatched: result.unmatchedHosts })}
          </Alert>
        ) : null}
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="md">
          <Title order={4} mb="sm">{t('vuln.unmatchedTitle')}</Title>
          <Text size="sm" c="dimmed" mb="sm">{t('vuln.unmatchedHint')}</Text>
          <Table striped verticalSpacing="xs" data-testid="vuln-unmatched">
            <Table.Thead><Table.Tr><Table.Th>{t('vuln.field.host')}</Table.Th><Table.Th>{t('vuln.field.unit')}</Table.Th><Table.Th>{t('vuln.openFindings')}</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>
              {unmatched.data?.items.map((h) => <UnmatchedRow key={h.hostKey} host={h} unitOpts={unitOptions(units.data, t)} />)}
            </Table.Tbody>
          </Table>
          {unmatched.data?.items.length === 0 ? <Text size="sm" c="dimmed">{t('vuln.noneUnmatched')}</Text> : null}
        </Paper>
        <Paper withBorder p="md">
          <Title order={4} mb="sm">{t('vuln.recentImports')}</Title>
          <Table striped verticalSpacing="xs" data-testid="vuln-imports">
            <Table.Thead><Table.Tr><Table.Th>{t('vuln.upload.file')}</Table.Th><Table.Th>{t('vuln.field.unit')}</Table.Th><Table.Th>{t('vuln.import.counts')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {imports.data?.items.slice(0, 30).map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td fz="sm"><b>{i.fileName}</b><Text size="xs" c="dimmed">{i.scanner} · {formatDateTime(i.importedAt)}{i.importedBy ? ` · ${i.importedBy}` : ''}</Text></Table.Td>
                  <Table.Td fz="sm">{i.unit.name}</Table.Td>
                  <Table.Td fz="xs">{t('vuln.import.line', { findings: formatNumber(i.findings), created: i.created, mitigated: i.mitigated, reopened: i.reopened })}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      </SimpleGrid>
    </>
  );
}

function UnmatchedRow({ host, unitOpts }: { host: { hostKey: string; hostLabel: string; unit: { id: string; name: string }; findingsOpen: number }; unitOpts: { value: string; label: string }[] }) {
  const { t } = useTranslation();
  const assign = useAssignHost();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [name, setName] = useState(host.hostLabel);
  const [kind, setKind] = useState<string | null>('server');
  const [owner, setOwner] = useState<string | null>(host.unit.id);
  return (
    <>
      <Table.Tr>
        <Table.Td ff="monospace" fz="sm">{host.hostLabel}</Table.Td>
        <Table.Td fz="sm">{host.unit.name}</Table.Td>
        <Table.Td>{host.findingsOpen}</Table.Td>
        <Table.Td><Button size="xs" variant="light" onClick={() => setOpen((v) => !v)}>{t('vuln.createAsset')}</Button></Table.Td>
      </Table.Tr>
      {open ? (
        <Table.Tr>
          <Table.Td colSpan={4}>
            <Stack gap="xs">
              <Group grow>
                <TextInput size="xs" label={t('vuln.assetCode')} value={code} onChange={(e) => setCode(e.currentTarget.value)} />
                <TextInput size="xs" label={t('vuln.assetName')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
              </Group>
              <Group grow>
                <Select size="xs" label={t('vuln.assetKind')} data={ASSET_KINDS.map((k) => ({ value: k, label: t(`inventory.asset.kind.${k}`) }))} value={kind} onChange={setKind} />
                <Select size="xs" label={t('vuln.field.unit')} searchable data={unitOpts} value={owner} onChange={setOwner} />
              </Group>
              <ErrorAlert error={assign.error} />
              <Group justify="flex-end">
                <Button size="xs" loading={assign.isPending} disabled={!code || !name || !kind || !owner}
                  onClick={() => void assign.mutateAsync({ hostKey: host.hostKey, create: { code, name, kind: kind as (typeof ASSET_KINDS)[number], ownerUnitId: owner! } }).then((r) => notifySuccess(t('vuln.assigned', { n: r.findingsMoved }))).catch(() => undefined)}>
                  {t('common.save')}
                </Button>
              </Group>
            </Stack>
          </Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}
