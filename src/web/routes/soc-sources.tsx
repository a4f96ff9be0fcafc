import { Alert, Badge, Button, Code, Group, Paper, ScrollArea, Select, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SOC_SOURCE_KINDS, type SocSourceCreate } from '../../contracts/soc.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { notifyError } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { useCreateSource, useSocSources } from '../features/soc/api.js';

/** /soc/sources — log sources, the unit/system their events belong to, and HTTP API keys (shown once). */
export default function SocSourcesRoute() {
  const { t } = useTranslation();
  const sources = useSocSources();
  const units = useOrgUnits(false);
  const create = useCreateSource();
  const [form, setForm] = useState<{ name: string; kind: SocSourceCreate['kind']; unitId: string | null; hosts: string[] }>({ name: '', kind: 'syslog', unitId: null, hosts: [] });
  const [key, setKey] = useState<string | null>(null);
  const submit = () => {
    if (!form.unitId || !form.name.trim()) return;
    create.mutate(
      { name: form.name.trim(), kind: form.kind, unitId: form.unitId, hosts: form.hosts, tzOffsetMinutes: 420, accessLog: false },
      { onSuccess: (r) => { setKey(r.apiKey); setForm({ name: '', kind: 'syslog', unitId: form.unitId, hosts: [] }); }, onError: notifyError },
    );
  };
  return (
    <>
      <PageHeader title={t('soc.sources.title')} description={t('soc.sources.description')} />
      <Paper withBorder p="md" mb="md">
        <Group align="flex-end" wrap="wrap">
          <TextInput label={t('soc.sources.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} w={260} />
          <Select label={t('soc.sources.kind')} data={SOC_SOURCE_KINDS.map((k) => ({ value: k, label: t(`soc.sources.kinds.${k}`) }))} value={form.kind} onChange={(v) => setForm({ ...form, kind: (v as SocSourceCreate['kind']) ?? 'syslog' })} w={180} />
          <Select label={t('soc.sources.unit')} searchable data={(units.data ?? []).map((u) => ({ value: u.id, label: u.name }))} value={form.unitId} onChange={(v) => setForm({ ...form, unitId: v })} w={280} />
          <TagsInput label={t('soc.sources.hosts')} value={form.hosts} onChange={(v) => setForm({ ...form, hosts: v })} w={280} />
          <Button onClick={submit} loading={create.isPending}>
            {t('soc.sources.create')}
          </Button>
        </Group>
        {key ? (
          <Alert color="yellow" mt="md" title={t('soc.sources.keyTitle')}>
            <Text size="sm" mb={4}>
              {t('soc.sources.keyText')}
            </Text>
            <Code>{key}</Code>
          </Alert>
        ) : null}
      </Paper>
      <Paper withBorder p="md">
        <ErrorAlert error={sources.error} />
        <ScrollArea>
          <Table striped miw={900} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('soc.sources.name')}</Table.Th>
                <Table.Th>{t('soc.sources.kind')}</Table.Th>
                <Table.Th>{t('soc.sources.unit')}</Table.Th>
                <Table.Th>{t('soc.sources.system')}</Table.Th>
                <Table.Th>{t('soc.sources.hosts')}</Table.Th>
                <Table.Th>{t('soc.sources.key')}</Table.Th>
                <Table.Th>{t('soc.sources.createdAt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sources.data?.items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{s.name}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" size="sm">
                      {t(`soc.sources.kinds.${s.kind}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{s.unitName}</Table.Td>
                  <Table.Td>{s.systemName ?? '—'}</Table.Td>
                  <Table.Td ff="monospace">{s.hosts.join(', ') || '—'}</Table.Td>
                  <Table.Td ff="monospace">{s.apiKeyPrefix ? `${s.apiKeyPrefix}…` : '—'}</Table.Td>
                  <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
    </>
  );
}
