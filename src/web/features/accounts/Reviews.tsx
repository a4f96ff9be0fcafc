import {
  Alert, Anchor, Badge, Button, Drawer, Group, Modal, MultiSelect, NumberInput, Pagination, Paper, Progress, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Textarea,
  TextInput, Title,
} from '@mantine/core';
import { IconBell, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { STAGE_RULES, type MyReview, type ReviewCampaign } from '../../../contracts/accounts.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDate, formatDateTime, formatNumber } from '../../components/format.js';
import { notifySuccess } from '../../components/notify.js';
import { useSystems } from '../inventory/api.js';
import { useOrgUnits } from '../org-units/api.js';
import {
  useCampaign, useCampaignItems, useCampaigns, useCloseStage, useCreateCampaign, useDecide, useMyReviews, useNotices, useRunTick,
} from './api.js';
import { FindingBadges, OutcomeBadge, StageStateBadge } from './labels.js';

const DECISIONS = ['accept', 'revoke', 'reduce', 'not_decided'] as const;
const DECISION_COLOR: Record<string, string> = { accept: 'green', revoke: 'red', reduce: 'orange', not_decided: 'gray' };

function DecideRow({ r }: { r: MyReview }) {
  const { t } = useTranslation();
  const decide = useDecide();
  const [comment, setComment] = useState(r.comment ?? '');
  return (
    <Table.Tr data-testid={`review-${r.username}`}>
      <Table.Td>
        <Text size="sm" fw={600}>{r.username}</Text>
        <Text size="xs" c="dimmed">{r.systemCode}</Text>
      </Table.Td>
      <Table.Td>
        {r.personId ? <Anchor component={Link} to={`/people/${r.personId}`} size="sm">{r.personName}</Anchor> : <Text size="sm" c="red">{t('accounts.noPerson')}</Text>}
        <Text size="xs" c="dimmed">{r.unitName}</Text>
      </Table.Td>
      <Table.Td><Text size="xs">{r.roles.join(', ') || '—'}</Text></Table.Td>
      <Table.Td><FindingBadges kinds={r.findings} /></Table.Td>
      <Table.Td>
        <Text size="xs">{r.campaignName}</Text>
        <Group gap={4}><Text size="xs" c="dimmed">{r.stageName} · {formatDate(r.deadline)}</Text><StageStateBadge state={r.state} /></Group>
      </Table.Td>
      <Table.Td miw={260}>
        <Stack gap={4}>
          <Textarea size="xs" autosize minRows={1} placeholder={t('accounts.review.comment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} data-testid={`review-comment-${r.username}`} />
          <Group gap={4}>
            {DECISIONS.map((d) => (
              <Button
                key={d}
                size="compact-xs"
                color={DECISION_COLOR[d]}
                variant={r.decision === d ? 'filled' : 'light'}
                loading={decide.isPending && decide.variables?.decision === d}
                onClick={() => decide.mutate({ assignmentId: r.assignmentId, decision: d, comment }, { onSuccess: () => notifySuccess(t('accounts.review.saved', { username: r.username })) })}
                data-testid={`decide-${d}-${r.username}`}
              >
                {t(`accounts.decision.${d}`)}
              </Button>
            ))}
          </Group>
          <ErrorAlert error={decide.error} />
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

export function MyReviews() {
  const { t } = useTranslation();
  const [pending, setPending] = useState(true);
  const mine = useMyReviews(pending);
  const notices = useNotices();
  return (
    <Stack>
      {notices.data?.length ? (
        <Paper withBorder p="sm" data-testid="review-notices">
          <Group gap="xs" mb={4}><IconBell size={16} /><Text fw={600} size="sm">{t('accounts.review.notices')}</Text></Group>
          <Stack gap={2}>
            {notices.data.slice(0, 6).map((n) => (
              <Group key={n.id} gap="xs" wrap="nowrap">
                <Badge size="xs" color={n.kind === 'reminder' ? 'blue' : 'red'}>{t(`accounts.notice.${n.kind}`)}</Badge>
                <Text size="xs">{n.message}</Text>
                <Text size="xs" c="dimmed">{formatDateTime(n.createdAt)}</Text>
              </Group>
            ))}
          </Stack>
        </Paper>
      ) : null}
      <Group justify="space-between">
        <Title order={4}>{t('accounts.review.mine')}</Title>
        <SegmentedControl size="xs" value={pending ? 'pending' : 'all'} onChange={(v) => setPending(v === 'pending')} data={[{ value: 'pending', label: t('accounts.review.pendingOnly') }, { value: 'all', label: t('accounts.review.allCurrent') }]} />
      </Group>
      <ErrorAlert error={mine.error} />
      {mine.data && mine.data.length === 0 ? <EmptyState icon={IconBell} title={t('accounts.review.noneTitle')} text={t('accounts.review.noneText')} /> : null}
      {mine.data?.length ? (
        <Table.ScrollContainer minWidth={900}>
          <Table striped data-testid="my-reviews">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('accounts.col.account')}</Table.Th>
                <Table.Th>{t('accounts.col.person')}</Table.Th>
                <Table.Th>{t('accounts.col.roles')}</Table.Th>
                <Table.Th>{t('accounts.col.findings')}</Table.Th>
                <Table.Th>{t('accounts.col.campaign')}</Table.Th>
                <Table.Th>{t('accounts.col.decision')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{mine.data.map((r) => <DecideRow key={r.assignmentId} r={r} />)}</Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}

function CampaignDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const campaign = useCampaign(id);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const items = useCampaignItems(id, outcome, page);
  const close = useCloseStage();
  const c = campaign.data;
  return (
    <Drawer opened={!!id} onClose={onClose} position="right" size="xl" title={c?.name ?? ''}>
      <ErrorAlert error={campaign.error ?? items.error} />
      {c ? (
        <Stack data-testid="campaign-detail">
          {c.description ? <Text size="sm">{c.description}</Text> : null}
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th><Table.Th>{t('accounts.campaign.stage')}</Table.Th><Table.Th>{t('accounts.campaign.reviewers')}</Table.Th>
                <Table.Th>{t('accounts.campaign.rule')}</Table.Th><Table.Th>{t('accounts.campaign.deadline')}</Table.Th><Table.Th>{t('accounts.campaign.state')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.stages.map((s) => (
                <Table.Tr key={s.ordinal}>
                  <Table.Td>{s.ordinal}</Table.Td><Table.Td>{s.name}</Table.Td><Table.Td>{t(`accounts.reviewerKind.${s.reviewerKind}`)}</Table.Td>
                  <Table.Td>{t(`accounts.rule.${s.rule}`)}</Table.Td><Table.Td>{formatDate(s.deadline)}</Table.Td><Table.Td><StageStateBadge state={s.state} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {c.canManage && c.status === 'running' ? (
            <Group>
              <Button variant="light" color="orange" loading={close.isPending} onClick={() => close.mutate(c.id)} data-testid="close-stage">{t('accounts.campaign.closeStage')}</Button>
              <Text size="xs" c="dimmed">{t('accounts.campaign.closeStageHint')}</Text>
            </Group>
          ) : null}
          <ErrorAlert error={close.error} />
          <SegmentedControl
            size="xs"
            value={outcome ?? 'all'}
            onChange={(v) => { setOutcome(v === 'all' ? null : v); setPage(1); }}
            data={['all', 'open', 'accept', 'revoke', 'reduce', 'not_decided'].map((v) => ({ value: v, label: v === 'all' ? t('accounts.all') : v === 'open' ? t('accounts.outcome.open') : t(`accounts.decision.${v}`) }))}
          />
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('accounts.col.account')}</Table.Th><Table.Th>{t('accounts.col.person')}</Table.Th><Table.Th>{t('accounts.col.findings')}</Table.Th>
                <Table.Th>{t('accounts.col.responses')}</Table.Th><Table.Th>{t('accounts.col.outcome')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(items.data?.items ?? []).map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td><Text size="sm">{i.username}</Text><Text size="xs" c="dimmed">{i.systemCode}</Text></Table.Td>
                  <Table.Td><Text size="sm">{i.personName ?? t('accounts.noPerson')}</Text><Text size="xs" c="dimmed">{i.unitName}</Text></Table.Td>
                  <Table.Td><FindingBadges kinds={i.findings} /></Table.Td>
                  <Table.Td>
                    {i.responses.map((r) => (
                      <Text key={r.assignmentId} size="xs">{`${t('accounts.campaign.stageN', { n: r.stage })} · ${r.reviewerName}: ${r.decision ? t(`accounts.decision.${r.decision}`) : t('accounts.review.noAnswer')}${r.comment ? ` — ${r.comment}` : ''}`}</Text>
                    ))}
                  </Table.Td>
                  <Table.Td><OutcomeBadge outcome={i.outcome ?? (i.stageOutcome === 'accept' ? null : i.stageOutcome)} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {items.data && items.data.total > 25 ? <Pagination total={Math.ceil(items.data.total / 25)} value={page} onChange={setPage} /> : null}
        </Stack>
      ) : null}
    </Drawer>
  );
}

function CreateCampaignModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const systems = useSystems({ page: 1, pageSize: 500 }, opened);
  const units = useOrgUnits(false, opened);
  const create = useCreateCampaign();
  const [name, setName] = useState('');
  const [unitId, setUnitId] = useState<string | null>(null);
  const [systemIds, setSystemIds] = useState<string[]>([]);
  const [unitIds, setUnitIds] = useState<string[]>([]);
  const [rule1, setRule1] = useState<string>('one_deny_denies');
  const [days, setDays] = useState<number>(14);
  const [twoStages, setTwoStages] = useState(true);
  const unitData = (units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} — ${u.name}` }));
  const submit = () => create.mutate({
    name, unitId: unitId ?? '', systemIds, unitIds,
    stages: [
      { name: t('accounts.campaign.stage1Name'), reviewerKind: 'unit_manager', rule: rule1 as (typeof STAGE_RULES)[number], durationDays: days, remindBeforeHours: 72 },
      ...(twoStages ? [{ name: t('accounts.campaign.stage2Name'), reviewerKind: 'system_owner' as const, rule: 'all_must_accept' as const, durationDays: 7, remindBeforeHours: 48 }] : []),
    ],
  }, { onSuccess: () => { notifySuccess(t('accounts.campaign.created')); onClose(); } });
  return (
    <Modal opened={opened} onClose={onClose} title={t('accounts.campaign.create')} size="lg">
      <Stack>
        <TextInput label={t('accounts.campaign.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-testid="campaign-name" />
        <Select label={t('accounts.campaign.unit')} searchable data={unitData} value={unitId} onChange={setUnitId} required data-testid="campaign-unit" />
        <MultiSelect label={t('accounts.campaign.systems')} searchable data={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} — ${s.name}` }))} value={systemIds} onChange={setSystemIds} required data-testid="campaign-systems" />
        <MultiSelect label={t('accounts.campaign.units')} description={t('accounts.campaign.unitsHint')} searchable data={unitData} value={unitIds} onChange={setUnitIds} />
        <SimpleGrid cols={2}>
          <Select label={t('accounts.campaign.rule1')} data={STAGE_RULES.map((r) => ({ value: r, label: t(`accounts.rule.${r}`) }))} value={rule1} onChange={(v) => setRule1(v ?? 'one_deny_denies')} />
          <NumberInput label={t('accounts.campaign.days')} min={1} max={180} value={days} onChange={(v) => setDays(Number(v) || 14)} />
        </SimpleGrid>
        <SegmentedControl value={twoStages ? '2' : '1'} onChange={(v) => setTwoStages(v === '2')} data={[{ value: '1', label: t('accounts.campaign.oneStage') }, { value: '2', label: t('accounts.campaign.twoStages') }]} />
        <ErrorAlert error={create.error} />
        <Group justify="flex-end"><Button onClick={submit} loading={create.isPending} disabled={!name || !unitId || !systemIds.length} data-testid="campaign-start">{t('accounts.campaign.start')}</Button></Group>
      </Stack>
    </Modal>
  );
}

function Progressbar({ c }: { c: ReviewCampaign }) {
  const done = c.counts.items - c.counts.open;
  return <Progress value={c.counts.items ? (done / c.counts.items) * 100 : 0} size="sm" />;
}

export function Campaigns({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const campaigns = useCampaigns();
  const tick = useRunTick();
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={4}>{t('accounts.campaign.title')}</Title>
        {canManage ? (
          <Group>
            <Button variant="default" size="xs" loading={tick.isPending} onClick={() => tick.mutate(undefined, { onSuccess: (r) => notifySuccess(t('accounts.campaign.tickDone', r)) })}>{t('accounts.campaign.tick')}</Button>
            <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setCreating(true)}>{t('accounts.campaign.create')}</Button>
          </Group>
        ) : null}
      </Group>
      <ErrorAlert error={campaigns.error ?? tick.error} />
      {campaigns.data?.length === 0 ? <Alert color="gray">{t('accounts.campaign.none')}</Alert> : null}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {(campaigns.data ?? []).map((c) => {
          const stage = c.stages.find((s) => s.ordinal === c.currentStage);
          return (
            <Paper key={c.id} withBorder p="md" data-testid="campaign-card">
              <Stack gap={6}>
                <Group justify="space-between" wrap="nowrap">
                  <Anchor fw={600} onClick={() => setOpen(c.id)}>{c.name}</Anchor>
                  <Badge color={c.status === 'running' ? 'blue' : 'gray'}>{t(`accounts.campaign.status.${c.status}`)}</Badge>
                </Group>
                <Text size="xs" c="dimmed">{c.unitName} · {t('accounts.campaign.systemsN', { n: c.systemIds.length })}</Text>
                {stage && c.status === 'running' ? (
                  <Group gap="xs"><Text size="sm">{t('accounts.campaign.stageN', { n: stage.ordinal })}: {stage.name} — {t('accounts.campaign.deadline')} {formatDate(stage.deadline)}</Text><StageStateBadge state={stage.state} /></Group>
                ) : null}
                <Progressbar c={c} />
                <Group gap="xs">
                  <Text size="xs">{t('accounts.campaign.counts', { items: formatNumber(c.counts.items), open: formatNumber(c.counts.open) })}</Text>
                  <Badge size="xs" color="green" variant="light">{`${t('accounts.decision.accept')}: ${c.counts.accept}`}</Badge>
                  <Badge size="xs" color="red" variant="light">{`${t('accounts.decision.revoke')}: ${c.counts.revoke}`}</Badge>
                  <Badge size="xs" color="orange" variant="light">{`${t('accounts.decision.reduce')}: ${c.counts.reduce}`}</Badge>
                </Group>
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
      <CampaignDrawer id={open} onClose={() => setOpen(null)} />
      <CreateCampaignModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
