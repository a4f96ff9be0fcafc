import { ActionIcon, Badge, Button, Code, Divider, Drawer, Group, Loader, ScrollArea, SegmentedControl, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDateTime } from '../../components/format.js';
import { notifyError, notifySuccess } from '../../components/notify.js';
import { useAddFilter, useRemoveFilter, useRule, useSetEnabled } from './api.js';
import { LevelBadge, StatusBadge } from './badges.js';
import { RuleAttribution } from './RuleAttribution.js';

function AddFilterForm({ ruleId }: { ruleId: string }) {
  const { t } = useTranslation();
  const add = useAddFilter(ruleId);
  const [mode, setMode] = useState<'fields' | 'yaml'>('fields');
  const [pairs, setPairs] = useState([{ field: '', value: '' }]);
  const [yaml, setYaml] = useState('');
  const [note, setNote] = useState('');
  const submit = () => {
    const body =
      mode === 'fields'
        ? { note: note || undefined, fields: Object.fromEntries(pairs.filter((p) => p.field.trim() && p.value.trim()).map((p) => [p.field.trim(), p.value.trim()])) }
        : { note: note || undefined, detectionYaml: yaml };
    add.mutate(body, {
      onSuccess: () => {
        notifySuccess(t('rules.filterAdded'));
        setPairs([{ field: '', value: '' }]);
        setYaml('');
        setNote('');
      },
      onError: notifyError,
    });
  };
  return (
    <Stack gap="xs" data-testid="filter-form">
      <SegmentedControl
        size="xs"
        value={mode}
        onChange={(v) => setMode(v as 'fields' | 'yaml')}
        data={[{ value: 'fields', label: t('rules.filterFields') }, { value: 'yaml', label: t('rules.filterYaml') }]}
      />
      {mode === 'fields' ? (
        <>
          {pairs.map((p, i) => (
            <Group key={i} gap="xs" wrap="nowrap">
              <TextInput size="xs" placeholder={t('rules.filterField')} aria-label={t('rules.filterField')} value={p.field} onChange={(e) => { const v = e.currentTarget.value; setPairs((ps) => ps.map((x, j) => (j === i ? { ...x, field: v } : x))); }} w={180} data-testid="filter-field" />
              <Text size="xs">=</Text>
              <TextInput size="xs" placeholder={t('rules.filterValue')} aria-label={t('rules.filterValue')} value={p.value} onChange={(e) => { const v = e.currentTarget.value; setPairs((ps) => ps.map((x, j) => (j === i ? { ...x, value: v } : x))); }} style={{ flex: 1 }} data-testid="filter-value" />
            </Group>
          ))}
          <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} onClick={() => setPairs((ps) => [...ps, { field: '', value: '' }])} w="fit-content">
            {t('rules.filterAddPair')}
          </Button>
          <Text size="xs" c="dimmed">{t('rules.filterFieldsHelp')}</Text>
        </>
      ) : (
        <Textarea
          size="xs"
          autosize
          minRows={4}
          ff="monospace"
          placeholder={'filter_monitor:\n  User|startswith: \'GL\\svc_\'\ncondition: filter_monitor'}
          value={yaml}
          onChange={(e) => setYaml(e.currentTarget.value)}
          aria-label={t('rules.filterYaml')}
        />
      )}
      <TextInput size="xs" label={t('rules.filterNote')} value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="filter-note" />
      <Button size="xs" onClick={submit} loading={add.isPending} w="fit-content" data-testid="filter-submit">
        {t('rules.filterSave')}
      </Button>
    </Stack>
  );
}

/** Side panel: a rule's metadata, author (license), YAML, false-positive filters and tuning. */
export function RuleDrawer({ id, onClose, canWrite }: { id: string | null; onClose: () => void; canWrite: boolean }) {
  const { t } = useTranslation();
  const rule = useRule(id);
  const setEnabled = useSetEnabled();
  const remove = useRemoveFilter(id ?? '');
  const r = rule.data;
  return (
    <Drawer opened={!!id} onClose={onClose} position="right" size="xl" title={t('rules.detail')}>
      <ErrorAlert error={rule.error} />
      {rule.isLoading ? <Loader /> : null}
      {r ? (
        <Stack gap="sm" data-testid="rule-drawer">
          <Title order={4}>{r.title}</Title>
          <RuleAttribution author={r.author} />
          <Group gap="xs">
            <LevelBadge level={r.level} />
            <StatusBadge status={r.status} />
            <Badge size="sm" variant="dot">{[r.product, r.category, r.service].filter(Boolean).join(' / ') || '—'}</Badge>
            <Badge size="sm" variant="light" color="grape">{t(`rules.sources.${r.source}`)}</Badge>
            {r.kind === 'correlation' ? <Badge size="sm" color="violet">{t('rules.correlation')}</Badge> : null}
          </Group>
          {!r.supported ? <Text size="sm" c="red">{t('rules.unsupported')}: {r.unsupported}</Text> : null}
          {r.description ? <Text size="sm">{r.description}</Text> : null}
          <Group gap="lg">
            <Switch
              label={t('rules.enabled')}
              checked={r.enabled}
              disabled={!canWrite || !r.supported || setEnabled.isPending}
              onChange={(e) => setEnabled.mutate({ id: r.id, enabled: e.currentTarget.checked }, { onError: notifyError })}
            />
            <Text size="sm">{t('rules.hits')}: <b>{r.hitCount}</b>{r.lastHitAt ? ` · ${t('rules.lastHit')} ${formatDateTime(r.lastHitAt)}` : ''}</Text>
          </Group>
          {r.falsepositives.length ? (
            <Text size="sm" c="dimmed">{t('rules.falsepositives')}: {r.falsepositives.join('; ')}</Text>
          ) : null}
          {r.tags.length ? <Group gap={4}>{r.tags.map((x) => <Badge key={x} size="xs" variant="outline">{x}</Badge>)}</Group> : null}
          <Divider label={t('rules.filters')} labelPosition="left" />
          {r.filters.length === 0 ? <Text size="sm" c="dimmed">{t('rules.noFilters')}</Text> : null}
          {r.filters.map((f) => (
            <Group key={f.id} justify="space-between" align="flex-start" wrap="nowrap" data-testid="filter-row">
              <Stack gap={2}>
                <Code>{f.fields ? Object.entries(f.fields).map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(' | ') : v}`).join(' ∧ ') : f.detectionYaml}</Code>
                <Text size="xs" c="dimmed">{[f.note, f.createdBy, formatDateTime(f.createdAt)].filter(Boolean).join(' · ')}</Text>
              </Stack>
              {canWrite ? (
                <ActionIcon variant="subtle" color="red" aria-label={t('rules.filterRemove')} onClick={() => remove.mutate(f.id, { onError: notifyError })}>
                  <IconTrash size={16} />
                </ActionIcon>
              ) : null}
            </Group>
          ))}
          {canWrite ? <AddFilterForm ruleId={r.id} /> : null}
          <Divider label="YAML" labelPosition="left" />
          <ScrollArea.Autosize mah={360}>
            <Code block>{r.yaml}</Code>
          </ScrollArea.Autosize>
          <Text size="xs" c="dimmed">{r.path} · {r.ruleId}</Text>
        </Stack>
      ) : null}
    </Drawer>
  );
}
