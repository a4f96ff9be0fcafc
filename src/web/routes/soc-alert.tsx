import { Anchor, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type { SocAlert } from '../../contracts/soc.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { PageHeader } from '../components/PageHeader.js';
import { useSocAlert, useUpdateAlert } from '../features/soc/api.js';
import { useMe } from '../features/auth/api.js';
import { useEscalate } from '../features/cases/api.js';
import { can } from '../components/permissions.js';
import { EventTable } from '../features/soc/EventTable.js';
import { SeverityBadge, StatusBadge } from '../features/soc/labels.js';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

/** /soc/alerts/:id — one alert: what fired, where, the rule's author, its events, and triage. */
export default function SocAlertRoute() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const alert = useSocAlert(id);
  const update = useUpdateAlert(id);
  const [note, setNote] = useState('');
  const me = useMe();
  const navigate = useNavigate();
  const toCase = useEscalate();
  const a = alert.data?.alert;
  // Deny by default in the UI too: auditors (soc.read only) see the alert without triage buttons.
  const canTriage = can(me.data, 'soc.triage');
  const canEscalate = can(me.data, 'case.write');
  const triage = (status: SocAlert['status']) =>
    update.mutate({ status, note: note.trim() || undefined }, { onSuccess: () => { notifySuccess(t(`soc.alert.done.${status}`)); setNote(''); }, onError: notifyError });
  return (
    <>
      <PageHeader
        title={a?.title ?? t('soc.alert.title')}
        description={a ? t('soc.alert.subtitle', { count: a.count, first: formatDateTime(a.firstSeen), last: formatDateTime(a.lastSeen) }) : undefined}
        actions={<Anchor component={Link} to="/soc/alerts" size="sm">{t('soc.alert.back')}</Anchor>}
      />
      <ErrorAlert error={alert.error} />
      {a ? (
        <Stack>
          <Paper withBorder p="md">
            <Group mb="md" gap="xs">
              <SeverityBadge severity={a.severity} />
              <StatusBadge status={a.status} />
              {a.mitre.map((m) => (
                <Badge key={m} variant="outline" size="sm" color="grape">
                  MITRE ATT&CK {m}
                </Badge>
              ))}
            </Group>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Fact label={t('soc.alert.system')}>{a.systemName ?? '—'}</Fact>
              <Fact label={t('soc.alert.asset')}>{a.assetName ?? a.host ?? '—'}</Fact>
              <Fact label={t('soc.alert.unit')}>{a.unitName ?? '—'}</Fact>
              <Fact label={t('soc.alert.count')}>{formatNumber(a.count)}</Fact>
              <Fact label={t('soc.alert.assignee')}>{a.assigneeName ?? '—'}</Fact>
              {/* Detection Rule License 1.1: the rule author is shown wherever a match is shown. */}
              <Fact label={t('soc.alert.author')}>
                <span data-testid="rule-author">{a.ruleAuthor ?? t(`soc.origin.${a.origin}`, { defaultValue: a.origin })}</span>
              </Fact>
            </SimpleGrid>
            {typeof a.details.description === 'string' ? (
              <Text size="sm" mt="md">
                {a.details.description}
              </Text>
            ) : null}
            {typeof a.details.lookupAlertId === 'string' ? (
              <Anchor component={Link} to={`/access-log?tab=alerts&alert=${a.details.lookupAlertId}`} size="sm" mt="xs" display="block" data-testid="soc-lookup-link">
                {t('soc.alert.lookupSource')}
              </Anchor>
            ) : null}
            {a.details.group ? (
              <Text size="sm" mt="xs">
                {t('soc.alert.group')}: <Code>{Object.entries(a.details.group as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ')}</Code>
              </Text>
            ) : null}
          </Paper>
          {canTriage || canEscalate ? (
            <Paper withBorder p="md" data-testid="triage-panel">
              <Title order={4} mb="sm">
                {t('soc.alert.triage')}
              </Title>
              {canTriage ? (
                <Textarea label={t('soc.alert.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} mb="sm" maw={640} />
              ) : null}
              <Group>
                {canTriage ? (
                  <>
                    <Button onClick={() => triage('acknowledged')} loading={update.isPending} disabled={a.status === 'acknowledged'} data-testid="ack-alert">
                      {t('soc.alert.acknowledge')}
                    </Button>
                    <Button color="violet" variant="light" onClick={() => triage('escalated')} disabled={a.status === 'escalated'}>
                      {t('soc.alert.escalate')}
                    </Button>
                    <Button color="gray" variant="light" onClick={() => triage('false_positive')} disabled={a.status === 'false_positive'}>
                      {t('soc.alert.falsePositive')}
                    </Button>
                  </>
                ) : null}
                {canEscalate ? (
                  <Button color="red" onClick={() => toCase.mutate({ alerts: [{ kind: 'soc', id }] }, { onSuccess: (c) => void navigate(`/cases/${c.id}`), onError: notifyError })}
                    loading={toCase.isPending} data-testid="alert-to-case">
                    {t('cases.alerts.escalate')}
                  </Button>
                ) : null}
              </Group>
            </Paper>
          ) : (
            <Text size="sm" c="dimmed" data-testid="read-only-note">
              {t('soc.alert.readOnly')}
            </Text>
          )}
          <Paper withBorder p="md">
            <Title order={4} mb="sm">
              {t('soc.alert.events', { count: alert.data!.events.length })}
            </Title>
            <EventTable events={alert.data!.events} />
          </Paper>
        </Stack>
      ) : null}
    </>
  );
}
