import { Alert, Badge, Button, Grid, Group, NavLink, Paper, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../components/format.js';
import { notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { usePlaybook, usePlaybooks, useSavePlaybook, useValidatePlaybook } from '../features/cases/api.js';

/** /playbooks — the SOP library; administrators edit a playbook's YAML with validation, each save a new version. */
export default function PlaybooksRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const list = usePlaybooks();
  const [key, setKey] = useState<string | null>(null);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const current = usePlaybook(key, version);
  const [yaml, setYaml] = useState('');
  const validate = useValidatePlaybook();
  const save = useSavePlaybook(key);
  const canEdit = can(me.data, 'playbook.write');
  useEffect(() => {
    if (!key && list.data?.[0]) setKey(list.data[0].key);
  }, [key, list.data]);
  useEffect(() => {
    if (current.data) setYaml(current.data.yaml);
    validate.reset();
  }, [current.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const problems = validate.data?.problems ?? [];
  return (
    <>
      <PageHeader title={t('cases.playbooks.title')} description={t('cases.playbooks.description')} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="xs" data-testid="playbook-list">
            {list.data?.map((p) => (
              <NavLink key={p.key} active={p.key === key} onClick={() => { setKey(p.key); setVersion(undefined); }}
                label={p.title} description={`${p.titleEn} · v${p.version} · ${t('cases.playbooks.steps', { n: p.steps, m: p.mandatorySteps })}`} />
            ))}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {current.data ? (
            <Paper withBorder p="md">
              <Group justify="space-between" mb="xs">
                <Stack gap={0}>
                  <Title order={4}>{current.data.title}</Title>
                  <Text size="sm" c="dimmed">{current.data.titleEn}</Text>
                </Stack>
                <Select size="xs" w={200} label={t('cases.playbooks.version')} value={String(current.data.version)}
                  data={current.data.versions.map((v) => ({ value: String(v.version), label: `v${v.version} · ${formatDateTime(v.createdAt)}${v.createdBy ? ` · ${v.createdBy}` : ''}` }))}
                  onChange={(v) => setVersion(v ? Number(v) : undefined)} allowDeselect={false} data-testid="playbook-version" />
              </Group>
              <Group gap={4} mb="sm">
                {current.data.categories.map((c) => <Badge key={c} variant="light">{t(`cases.category.${c}`)}</Badge>)}
                {current.data.alertRules.map((r) => <Badge key={r} variant="outline" color="gray">{r}</Badge>)}
              </Group>
              <Textarea value={yaml} onChange={(e) => setYaml(e.currentTarget.value)} autosize minRows={18} maxRows={40} readOnly={!canEdit}
                styles={{ input: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: 12 } }} data-testid="playbook-yaml" spellCheck={false} />
              {validate.data?.ok ? <Alert color="green" mt="xs" data-testid="playbook-valid">{t('cases.playbooks.valid')}</Alert> : null}
              {problems.length ? (
                <Alert color="red" mt="xs" title={t('cases.playbooks.invalid')} data-testid="playbook-problems">
                  {problems.map((p, i) => <Text key={i} size="sm">{p.line ? t('cases.playbooks.line', { line: p.line }) : ''} {p.path ? <code>{p.path}</code> : null} {p.message}</Text>)}
                </Alert>
              ) : null}
              <ErrorAlert error={save.error} />
              {canEdit ? (
                <Group justify="flex-end" mt="sm">
                  <Button variant="default" onClick={() => validate.mutate(yaml)} loading={validate.isPending} data-testid="playbook-validate">{t('cases.playbooks.validate')}</Button>
                  <Button onClick={() => save.mutate(yaml, { onSuccess: (p) => { setVersion(undefined); notifySuccess(t('cases.playbooks.saved', { v: p.version })); } })} loading={save.isPending}
                    disabled={yaml === current.data.yaml} data-testid="playbook-save">{t('cases.playbooks.save')}</Button>
                </Group>
              ) : null}
            </Paper>
          ) : <ErrorAlert error={current.error} />}
        </Grid.Col>
      </Grid>
    </>
  );
}
