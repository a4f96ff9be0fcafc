import { Anchor, Badge, Button, Code, Grid, Group, Loader, Modal, Paper, Stack, Table, Text, Textarea, TextInput, Timeline, Title } from '@mantine/core';
import { IconArrowBack, IconCheck, IconEyeOff, IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { DateField } from '../components/DateField.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDate, formatDateTime } from '../components/format.js';
import { notifyError, notifySuccess } from '../components/notify.js';
import { can } from '../components/permissions.js';
import { useMe } from '../features/auth/api.js';
import { useEscalate } from '../features/cases/api.js';
import { useAcceptRisk, useFalsePositive, useFinding, useReopen } from '../features/vuln/api.js';
import { SeverityBadge, StatusBadge } from '../features/vuln/badges.js';

/** /vulns/:id — one finding: facts, texts, CVSS metrics, decision, history across imports; accept risk / false positive / reopen. */
export default function VulnFindingRoute() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const me = useMe();
  const q = useFinding(id);
  const [dialog, setDialog] = useState<null | 'accept' | 'fp' | 'reopen'>(null);
  const toCase = useEscalate();
  const navigate = useNavigate();
  if (q.isLoading) return <Loader />;
  if (!q.data) return <ErrorAlert error={q.error} />;
  const { finding: f } = q.data;
  const canTriage = can(me.data, 'vuln.triage');
  return (
    <>
      <Group mb="sm"><Anchor component={Link} to="/vulns" size="sm"><IconArrowBack size={14} /> {t('vuln.findings.title')}</Anchor></Group>
      <Group justify="space-between" align="flex-start" mb="md">
        <Stack gap={4}>
          <Title order={2} data-testid="page-title">{f.title}</Title>
          <Group gap="xs">
            <SeverityBadge severity={f.severity} />
            <StatusBadge status={f.status} />
            {f.kev ? <Badge color="red" data-testid="finding-kev">KEV · {t('vuln.kevDue', { due: formatDate(f.kevDue) })}{f.kevRansomware ? ' · ransomware' : ''}</Badge> : null}
            <Text size="sm" c="dimmed">{t('vuln.field.priority')}: <b>{f.priority}</b></Text>
          </Group>
        </Stack>
        {canTriage ? (
          <Group gap="xs">
            {f.status === 'open' ? <Button leftSection={<IconShieldCheck size={16} />} color="violet" onClick={() => setDialog('accept')} data-testid="finding-accept">{t('vuln.action.accept')}</Button> : null}
            {f.status === 'open' || f.status === 'mitigated' ? <Button variant="default" leftSection={<IconEyeOff size={16} />} onClick={() => setDialog('fp')} data-testid="finding-fp">{t('vuln.action.falsePositive')}</Button> : null}
            {f.status !== 'open' ? <Button variant="default" onClick={() => setDialog('reopen')} data-testid="finding-reopen">{t('vuln.action.reopen')}</Button> : null}
          </Group>
        ) : null}
        {/* A finding whose CVE is known exploited (KEV) is a case source (cases module, kind vuln). */}
        {f.kev && f.status === 'open' && can(me.data, 'case.write') ? (
          <Button color="red" onClick={() => toCase.mutate({ alerts: [{ kind: 'vuln', id }] }, { onSuccess: (c) => void navigate(`/cases/${c.id}`), onError: notifyError })}
            loading={toCase.isPending} data-testid="finding-to-case">
            {t('cases.alerts.escalate')}
          </Button>
        ) : null}
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p="md" mb="md">
            <Table variant="vertical" layout="fixed" data-testid="finding-facts">
              <Table.Tbody>
                <Table.Tr><Table.Th w={200}>{t('vuln.field.scanner')}</Table.Th><Table.Td>{f.scanner} · <Code>{f.pluginId}</Code></Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('vuln.field.host')}</Table.Th><Table.Td ff="monospace">{f.hostLabel}{f.port ? ` — ${f.port}/${f.protocol ?? ''}` : ''}{q.data.service ? ` (${q.data.service})` : ''}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('vuln.field.asset')}</Table.Th><Table.Td>{f.asset ? `${f.asset.code} — ${f.asset.name}` : t('vuln.unmatched')}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('vuln.field.systems')}</Table.Th><Table.Td data-testid="finding-systems">{f.systems.map((s) => <Anchor key={s.id} component={Link} to={`/systems/${s.id}`} mr="sm">{s.name}</Anchor>)}{f.systems.length ? null : '—'}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('vuln.field.unit')}</Table.Th><Table.Td>{f.unit.name}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>CVE</Table.Th><Table.Td>{f.cves.join(', ') || '—'}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>CWE</Table.Th><Table.Td>{f.cwes.map((c) => `CWE-${c}`).join(', ') || '—'}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>CVSS v3</Table.Th><Table.Td>{f.cvss3Score ?? '—'} {f.cvss3Vector ? <Code>{f.cvss3Vector}</Code> : null}</Table.Td></Table.Tr>
                {f.cvss4Vector ? <Table.Tr><Table.Th>CVSS v4</Table.Th><Table.Td>{f.cvss4Score ?? '—'} <Code>{f.cvss4Vector}</Code></Table.Td></Table.Tr> : null}
                <Table.Tr><Table.Th>EPSS</Table.Th><Table.Td>{f.epss === null ? '—' : `${(f.epss * 100).toFixed(2)}%`}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('vuln.field.firstSeen')}</Table.Th><Table.Td>{formatDateTime(f.firstSeenAt)}</Table.Td></Table.Tr>
                <Table.Tr><Table.Th>{t('vuln.field.slaDue')}</Table.Th><Table.Td><Text c={f.overdue ? 'red' : undefined} fw={f.overdue ? 700 : undefined} size="sm">{f.slaDue ? `${formatDate(f.slaDue)} (${t('vuln.slaDays', { n: q.data.slaDays })})` : t('vuln.noSla')}{f.overdue ? ` — ${t('vuln.filter.overdue')}` : ''}</Text></Table.Td></Table.Tr>
                {q.data.location ? <Table.Tr><Table.Th>{t('vuln.field.location')}</Table.Th><Table.Td ff="monospace" fz="xs">{q.data.location}</Table.Td></Table.Tr> : null}
              </Table.Tbody>
            </Table>
          </Paper>
          {q.data.description ? <Paper withBorder p="md" mb="md"><Title order={5} mb="xs">{t('vuln.field.description')}</Title><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{q.data.description}</Text></Paper> : null}
          {q.data.solution ? <Paper withBorder p="md" mb="md"><Title order={5} mb="xs">{t('vuln.field.solution')}</Title><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{q.data.solution}</Text></Paper> : null}
          {q.data.evidence ? <Paper withBorder p="md"><Title order={5} mb="xs">{t('vuln.field.evidence')}</Title><Code block>{q.data.evidence}</Code></Paper> : null}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          {q.data.decision.reason ? (
            <Paper withBorder p="md" mb="md" data-testid="finding-decision">
              <Title order={5} mb="xs">{t('vuln.decision.title')}</Title>
              <Text size="sm">{q.data.decision.reason}</Text>
              {q.data.decision.approver ? <Text size="sm" mt={4}>{t('vuln.decision.approver')}: <b>{q.data.decision.approver}</b></Text> : null}
              {q.data.decision.expiresOn ? <Text size="sm">{t('vuln.decision.expires')}: <b>{formatDate(q.data.decision.expiresOn)}</b></Text> : null}
              <Text size="xs" c="dimmed" mt={4}>{q.data.decision.by} · {formatDateTime(q.data.decision.at)}</Text>
            </Paper>
          ) : null}
          <Paper withBorder p="md">
            <Title order={5} mb="sm">{t('vuln.history')}</Title>
            <Timeline bulletSize={18} lineWidth={2} data-testid="finding-history">
              {q.data.history.map((h, i) => (
                <Timeline.Item key={i} title={t(`vuln.event.${h.action}`)} bullet={<IconCheck size={10} />}>
                  <Text size="xs" c="dimmed">{formatDateTime(h.at)}{h.fileName ? ` · ${h.fileName}` : ''}{h.actor ? ` · ${h.actor}` : ''}</Text>
                  {h.note ? <Text size="xs">{h.note}</Text> : null}
                </Timeline.Item>
              ))}
            </Timeline>
          </Paper>
        </Grid.Col>
      </Grid>
      <DecisionModal id={id} kind={dialog} onClose={() => setDialog(null)} />
    </>
  );
}

function DecisionModal({ id, kind, onClose }: { id: string; kind: null | 'accept' | 'fp' | 'reopen'; onClose: () => void }) {
  const { t } = useTranslation();
  const accept = useAcceptRisk(id);
  const fp = useFalsePositive(id);
  const reopen = useReopen(id);
  const [approver, setApprover] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState<string | null>(null);
  const m = kind === 'accept' ? accept : kind === 'fp' ? fp : reopen;
  const submit = async () => {
    if (kind === 'accept') await accept.mutateAsync({ approver, reason, expiresOn: expires ?? '' });
    else if (kind === 'fp') await fp.mutateAsync({ reason });
    else await reopen.mutateAsync({ reason });
    notifySuccess(t('vuln.decision.saved'));
    setReason('');
    onClose();
  };
  return (
    <Modal opened={kind !== null} onClose={onClose} title={kind ? t(`vuln.action.${kind === 'accept' ? 'accept' : kind === 'fp' ? 'falsePositive' : 'reopen'}`) : ''} size="lg">
      <Stack>
        {kind === 'accept' ? <TextInput label={t('vuln.decision.approver')} description={t('vuln.decision.approverHint')} value={approver} onChange={(e) => setApprover(e.currentTarget.value)} data-testid="accept-approver" /> : null}
        <Textarea label={t('vuln.decision.reason')} description={kind === 'accept' ? t('vuln.decision.reasonHint') : undefined} autosize minRows={3} value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid="decision-reason" />
        {kind === 'accept' ? <DateField label={t('vuln.decision.expires')} value={expires} onChange={setExpires} data-testid="accept-expires" /> : null}
        <ErrorAlert error={m.error} />
        <Group justify="flex-end"><Button variant="default" onClick={onClose}>{t('common.cancel')}</Button><Button loading={m.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="decision-submit">{t('common.save')}</Button></Group>
      </Stack>
    </Modal>
  );
}
