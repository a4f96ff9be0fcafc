import { Anchor, Badge, Button, Center, Drawer, Group, Loader, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { REUSE_DISPOSITIONS, type Asset } from '../../../contracts/inventory.js';
import type { OrgUnit } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDateTime } from '../../components/format.js';
import { notifySuccess } from '../../components/notify.js';
import { unitOptions } from '../org-units/labels.js';
import { useAsset, useUpdateAsset } from './api.js';
import { AssetFormModal } from './AssetFormModal.js';

function ReuseForm({ asset, units }: { asset: Asset; units: OrgUnit[] }) {
  const { t } = useTranslation();
  const update = useUpdateAsset(asset.id);
  const [disposition, setDisposition] = useState<string | null>(asset.reuseDisposition);
  const [target, setTarget] = useState<string | null>(asset.reuseTargetUnit?.id ?? null);
  const [decision, setDecision] = useState(asset.reuseDecision ?? '');
  const [tried, setTried] = useState(false);
  const needsTarget = disposition === 'transfer' && !target;
  const submit = () => {
    setTried(true);
    if (needsTarget) return;
    update.mutate(
      {
        reuseDisposition: (disposition as Asset['reuseDisposition']) ?? null,
        reuseTargetUnitId: disposition === 'transfer' ? target : null,
        reuseDecision: decision.trim() || null,
      },
      { onSuccess: () => notifySuccess(t('inventory.asset.reuseSaved')) },
    );
  };
  return (
    <Paper withBorder p="sm" bg="gray.0" data-testid="asset-reuse-form">
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label={t('inventory.asset.field.reuse')} clearable data={REUSE_DISPOSITIONS.map((r) => ({ value: r, label: t(`inventory.asset.reuse.${r}`) }))}
            value={disposition} onChange={setDisposition} data-testid="asset-reuse" />
          {disposition === 'transfer' ? (
            <Select label={t('inventory.asset.field.reuseTarget')} withAsterisk searchable data={unitOptions(units, t)} value={target} onChange={setTarget}
              error={tried && needsTarget ? t('validation.required') : null} data-testid="asset-reuse-target" />
          ) : null}
        </SimpleGrid>
        <TextInput label={t('inventory.asset.field.reuseDecision')} placeholder={t('inventory.asset.decisionPlaceholder')} value={decision} onChange={(e) => setDecision(e.currentTarget.value)} data-testid="asset-reuse-decision" />
        <ErrorAlert error={update.error} />
        <Group>
          <Button size="xs" onClick={submit} loading={update.isPending} data-testid="asset-reuse-submit">{t('common.save')}</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** One asset: identity, network, OS, software list, the systems it serves and its post-merger disposition. */
export function AssetDrawer({ id, onClose, units, canWrite }: { id: string | null; onClose: () => void; units: OrgUnit[]; canWrite: boolean }) {
  const { t } = useTranslation();
  const asset = useAsset(id);
  const a = asset.data;
  const [editing, setEditing] = useState(false);
  return (
    <Drawer opened={!!id} onClose={onClose} position="right" size="xl" title={a ? <Title order={4}>{a.name}</Title> : null} data-testid="asset-drawer">
      {asset.isLoading ? (
        <Center py="xl"><Loader /></Center>
      ) : null}
      <ErrorAlert error={asset.error} />
      {a ? (
        <Stack gap="md">
          {canWrite ? (
            <Group>
              <Button variant="default" size="xs" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)} data-testid="asset-edit">
                {t('inventory.asset.edit')}
              </Button>
            </Group>
          ) : null}
          {editing ? <AssetFormModal asset={a} units={units} onClose={() => setEditing(false)} /> : null}
          <SimpleGrid cols={2} spacing="sm">
            {[
              [t('inventory.asset.field.code'), a.code],
              [t('inventory.asset.field.kind'), t(`inventory.asset.kind.${a.kind}`)],
              [t('inventory.asset.field.hostname'), a.hostname],
              [t('inventory.asset.field.ips'), a.ips.join(', ')],
              [t('inventory.asset.field.os'), [a.osName, a.osVersion].filter(Boolean).join(' ')],
              [t('inventory.asset.field.location'), a.location],
              [t('inventory.asset.field.ownerUnit'), a.ownerUnit.name],
              [t('inventory.asset.field.status'), t(`inventory.asset.status.${a.status}`)],
              [t('inventory.asset.field.updatedAt'), formatDateTime(a.updatedAt)],
            ].map(([label, value]) => (
              <div key={label}>
                <Text size="xs" c="dimmed">{label}</Text>
                <Text size="sm">{value || '—'}</Text>
              </div>
            ))}
          </SimpleGrid>
          {a.notes ? <Text size="sm">{a.notes}</Text> : null}

          <div>
            <Title order={5} mb={4}>{t('inventory.asset.software')}</Title>
            {a.software.length === 0 ? (
              <Text size="sm" c="dimmed">{t('inventory.asset.noSoftware')}</Text>
            ) : (
              <Table fz="sm" withTableBorder data-testid="asset-software">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('inventory.asset.field.vendor')}</Table.Th>
                    <Table.Th>{t('inventory.asset.field.product')}</Table.Th>
                    <Table.Th>{t('inventory.asset.field.version')}</Table.Th>
                    <Table.Th>CPE</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {a.software.map((sw, i) => (
                    <Table.Tr key={i}>
                      <Table.Td>{sw.vendor ?? '—'}</Table.Td>
                      <Table.Td>{sw.product}</Table.Td>
                      <Table.Td>{sw.version ?? '—'}</Table.Td>
                      <Table.Td ff="monospace" fz="xs" style={{ wordBreak: 'break-all' }}>{sw.cpe ?? '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </div>

          <div>
            <Title order={5} mb={4}>{t('inventory.asset.systems')}</Title>
            {a.systems.length === 0 ? (
              <Text size="sm" c="dimmed">{t('inventory.asset.noSystems')}</Text>
            ) : (
              <Stack gap={2}>
                {a.systems.map((s) => (
                  <Anchor key={s.id} component={Link} to={`/systems/${s.id}`} size="sm">
                    {s.code} — {s.name}
                  </Anchor>
                ))}
              </Stack>
            )}
          </div>

          <div>
            <Title order={5} mb={4}>{t('inventory.asset.reuseTitle')}</Title>
            {a.reuseDisposition ? (
              <Group gap="xs" mb="xs">
                <Badge variant="light" color={a.reuseDisposition === 'dispose' ? 'red' : a.reuseDisposition === 'transfer' ? 'blue' : 'green'}>
                  {t(`inventory.asset.reuse.${a.reuseDisposition}`)}
                </Badge>
                {a.reuseTargetUnit ? <Text size="sm">→ {a.reuseTargetUnit.name}</Text> : null}
                {a.reuseDecision ? <Text size="sm" c="dimmed">({a.reuseDecision})</Text> : null}
              </Group>
            ) : (
              <Text size="sm" c="dimmed" mb="xs">{t('inventory.asset.noReuse')}</Text>
            )}
            {canWrite ? <ReuseForm key={a.updatedAt} asset={a} units={units} /> : null}
          </div>
        </Stack>
      ) : null}
    </Drawer>
  );
}
