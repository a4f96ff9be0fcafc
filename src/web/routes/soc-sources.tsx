import { Alert, Badge, Button, Code, Group, Paper, ScrollArea, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SocSource } from '../../contracts/soc.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useSocSources } from '../features/soc/api.js';
import { ScaleOutPanel } from '../features/soc/ScaleOutPanel.js';
import { SourceFormModal } from '../features/soc/SourceFormModal.js';

/**
 * /soc/sources — the ingest's state (single process or NATS scale-out), log sources with the unit/system their
 * events belong to and whether they carry access logs, and HTTP API keys (shown once).
 */
export default function SocSourcesRoute() {
  const { t } = useTranslation();
  const sources = useSocSources();
  const manage = can(useMe().data, 'soc.manage');
  const [editing, setEditing] = useState<SocSource | 'new' | null>(null);
  const [key, setKey] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title={t('soc.sources.title')}
        description={t('soc.sources.description')}
        actions={manage ? (
          <Button onClick={() => setEditing('new')} data-testid="source-create">
            {t('soc.sources.create')}
          </Button>
        ) : null}
      />
      <ScaleOutPanel />
      {key ? (
        <Alert color="yellow" mb="md" title={t('soc.sources.keyTitle')} withCloseButton onClose={() => setKey(null)}>
          <Text size="sm" mb={4}>
            {t('soc.sources.keyText')}
          </Text>
          <Code>{key}</Code>
        </Alert>
      ) : null}
      <Paper withBorder p="md">
        <ErrorAlert error={sources.error} />
        <ScrollArea>
          <Table striped miw={1000} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('soc.sources.name')}</Table.Th>
                <Table.Th>{t('soc.sources.kind')}</Table.Th>
                <Table.Th>{t('soc.sources.unit')}</Table.Th>
                <Table.Th>{t('soc.sources.system')}</Table.Th>
                <Table.Th>{t('soc.sources.hosts')}</Table.Th>
                <Table.Th>{t('soc.sources.key')}</Table.Th>
                <Table.Th>{t('soc.sources.createdAt')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sources.data?.items.map((s) => (
                <Table.Tr key={s.id} data-testid="source-row">
                  <Table.Td>
                    <Text size="sm">{s.name}</Text>
                    <Group gap={4} mt={2}>
                      {s.accessLog ? (
                        <Badge color="grape" variant="light" size="sm" data-testid="source-access-log-badge">
                          {t('soc.sources.accessLogBadge')}
                        </Badge>
                      ) : null}
                      {s.enabled ? null : (
                        <Badge color="gray" variant="outline" size="sm">
                          {t('soc.sources.disabled')}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
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
                  <Table.Td>
                    {manage ? (
                      <Button size="xs" variant="subtle" onClick={() => setEditing(s)} data-testid="source-edit">
                        {t('soc.sources.edit')}
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
      {editing ? (
        <SourceFormModal
          key={editing === 'new' ? 'new' : editing.id}
          {...(editing === 'new' ? { onCreated: (k: string | null) => setKey(k) } : { source: editing })}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
