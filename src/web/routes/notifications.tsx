import { Badge, Button, Group, MultiSelect, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CASE_CATEGORIES, CASE_SEVERITIES, CHANNEL_KINDS, NOTIFY_EVENTS, type CaseSeverity } from '../../contracts/cases.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useChannels, useCreateChannel, useDeliveries, usePreferences, useSavePreferences, useToggleChannel, type Preferences } from '../features/cases/api.js';
import { useOrgUnits } from '../features/org-units/api.js';
import { unitOptions } from '../features/org-units/labels.js';

/** /notifications — my preferences; for managers, channels (e-mail, Telegram, webhooks) and the delivery log. */
export default function NotificationsRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const manage = can(me.data, 'notification.manage');
  return (
    <>
      <PageHeader title={t('cases.notify.title')} description={t('cases.notify.description')} />
      <Stack gap="md">
        <PreferencesPanel />
        {manage ? <ChannelsPanel /> : null}
        {manage ? <DeliveriesPanel /> : null}
      </Stack>
    </>
  );
}

function PreferencesPanel() {
  const { t } = useTranslation();
  const prefs = usePreferences();
  const save = useSavePreferences();
  const [p, setP] = useState<Preferences | null>(null);
  useEffect(() => { if (prefs.data) setP(prefs.data); }, [prefs.data]);
  if (!p) return null;
  return (
    <Paper withBorder p="md" data-testid="prefs-panel">
      <Title order={4} mb="sm">{t('cases.notify.mine')}</Title>
      <SimpleGrid cols={{ base: 1, sm: 4 }}>
        <Switch label={t('cases.notify.email')} checked={p.email} onChange={(e) => setP({ ...p, email: e.currentTarget.checked })} mt={24} />
        <TextInput label={t('cases.notify.telegramChat')} value={p.telegramChatId ?? ''} onChange={(e) => setP({ ...p, telegramChatId: e.currentTarget.value || null })} />
        <Select label={t('cases.notify.minSeverity')} data={CASE_SEVERITIES.map((s) => ({ value: s, label: t(`cases.severity.${s}`) }))} value={p.minSeverity} onChange={(v) => setP({ ...p, minSeverity: (v as CaseSeverity) ?? 'low' })} allowDeselect={false} />
        <MultiSelect label={t('cases.notify.events')} placeholder={t('cases.notify.allEvents')} data={NOTIFY_EVENTS.map((e) => ({ value: e, label: t(`cases.event.${e.replace('.', '_')}`) }))} value={p.events} onChange={(v) => setP({ ...p, events: v as Preferences['events'] })} />
      </SimpleGrid>
      <Group justify="flex-end" mt="sm"><Button onClick={() => save.mutate(p, { onSuccess: () => notifySuccess(t('cases.notify.saved')), onError: notifyError })} loading={save.isPending}>{t('common.save')}</Button></Group>
    </Paper>
  );
}

function ChannelsPanel() {
  const { t } = useTranslation();
  const list = useChannels(true);
  const create = useCreateChannel();
  const toggle = useToggleChannel();
  const units = useOrgUnits(false);
  const [kind, setKind] = useState<string>('email');
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [secret, setSecret] = useState('');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [minSeverity, setMinSeverity] = useState<string>('high');
  const [categories, setCategories] = useState<string[]>([]);
  return (
    <Paper withBorder p="md" data-testid="channels-panel">
      <Title order={4} mb="sm">{t('cases.notify.channels')}</Title>
      <Table striped verticalSpacing={4} mb="md">
        <Table.Thead><Table.Tr><Table.Th>{t('cases.notify.name')}</Table.Th><Table.Th>{t('cases.notify.kind')}</Table.Th><Table.Th>{t('cases.notify.target')}</Table.Th><Table.Th>{t('cases.field.unit')}</Table.Th><Table.Th>{t('cases.notify.minSeverity')}</Table.Th><Table.Th>{t('cases.notify.enabled')}</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {list.data?.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td><Badge variant="light">{t(`cases.channel.${c.kind}`)}</Badge>{c.hasSecret ? <Badge ml={4} size="xs" color="gray">HMAC</Badge> : null}</Table.Td>
              <Table.Td><Text size="xs" ff="monospace">{c.target}</Text></Table.Td>
              <Table.Td>{c.unit.name}</Table.Td>
              <Table.Td>{t(`cases.severity.${c.minSeverity}`)}{c.categories.length ? ` · ${c.categories.map((x) => t(`cases.category.${x}`)).join(', ')}` : ''}</Table.Td>
              <Table.Td><Switch checked={c.enabled} onChange={(e) => toggle.mutate({ id: c.id, enabled: e.currentTarget.checked })} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select label={t('cases.notify.kind')} data={CHANNEL_KINDS.map((k) => ({ value: k, label: t(`cases.channel.${k}`) }))} value={kind} onChange={(v) => setKind(v ?? 'email')} allowDeselect={false} />
        <TextInput label={t('cases.notify.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label={t(`cases.notify.targetOf.${kind}`)} value={target} onChange={(e) => setTarget(e.currentTarget.value)} />
        {kind === 'webhook' ? <TextInput label={t('cases.notify.secret')} type="password" value={secret} onChange={(e) => setSecret(e.currentTarget.value)} /> : null}
        <Select label={t('cases.field.unit')} searchable data={unitOptions(units.data, t)} value={unitId} onChange={setUnitId} />
        <Select label={t('cases.notify.minSeverity')} data={CASE_SEVERITIES.map((s) => ({ value: s, label: t(`cases.severity.${s}`) }))} value={minSeverity} onChange={(v) => setMinSeverity(v ?? 'low')} allowDeselect={false} />
        <MultiSelect label={t('cases.field.category')} placeholder={t('cases.notify.allCategories')} data={CASE_CATEGORIES.map((c) => ({ value: c, label: t(`cases.category.${c}`) }))} value={categories} onChange={setCategories} />
      </SimpleGrid>
      <ErrorAlert error={create.error} />
      <Group justify="flex-end" mt="sm">
        <Button disabled={!name || !target || !unitId} loading={create.isPending}
          onClick={() => create.mutate({ kind: kind as 'email', name, target, secret: secret || undefined, unitId: unitId!, minSeverity: minSeverity as 'high', categories: categories as never[] }, { onSuccess: () => { setName(''); setTarget(''); setSecret(''); } })}>
          {t('cases.notify.add')}
        </Button>
      </Group>
    </Paper>
  );
}

function DeliveriesPanel() {
  const { t } = useTranslation();
  const list = useDeliveries(true);
  return (
    <Paper withBorder p="md" data-testid="deliveries-panel">
      <Title order={4} mb="sm">{t('cases.notify.log')}</Title>
      <Table striped verticalSpacing={4}>
        <Table.Thead><Table.Tr><Table.Th>{t('cases.notify.at')}</Table.Th><Table.Th>{t('cases.notify.channel')}</Table.Th><Table.Th>{t('cases.notify.event')}</Table.Th><Table.Th>{t('cases.notify.target')}</Table.Th><Table.Th>{t('cases.notify.status')}</Table.Th><Table.Th>{t('cases.notify.attempts')}</Table.Th><Table.Th>{t('cases.notify.error')}</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {list.data?.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.createdAt)}</Table.Td>
              <Table.Td>{d.channel} <Badge size="xs" variant="light">{t(`cases.channel.${d.kind}`)}</Badge></Table.Td>
              <Table.Td>{t(`cases.event.${d.event.replace('.', '_')}`, { defaultValue: d.event })}</Table.Td>
              <Table.Td><Text size="xs">{d.target}</Text></Table.Td>
              <Table.Td><Badge color={d.status === 'sent' ? 'green' : d.status === 'failed' ? 'red' : 'yellow'}>{t(`cases.deliveryStatus.${d.status}`)}</Badge></Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td><Text size="xs" c="dimmed">{d.lastError ?? ''}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
