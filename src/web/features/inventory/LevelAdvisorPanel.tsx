import { Alert, Badge, Button, Group, NumberInput, Paper, SegmentedControl, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconBulb, IconCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { LevelProposal, LevelReason, SystemDetail } from '../../../contracts/inventory.js';
import i18n from '../../i18n/index.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatDate, formatDateTime } from '../../components/format.js';
import { notifySuccess } from '../../components/notify.js';
import { useDecideLevel } from './api.js';
import { LevelBadge } from './badges.js';

const MIN_JUSTIFICATION = 20;

/**
 * The advisor's sentence: the server's Vietnamese wording, or in another language the rule's own translation
 * filled with the reason's figures (older stored proposals without figures keep the Vietnamese text).
 */
function reasonText(r: LevelReason, t: TFunction, language: string): string {
  if (language === 'vi') return r.text;
  const template: unknown = i18n.getResource(language, 'translation', `inventory.advisorRules.${r.ruleId}`);
  if (typeof template !== 'string') return r.text;
  if (template.includes('{{') && !r.params) return r.text;
  return t(`inventory.advisorRules.${r.ruleId}`, { ...r.params });
}

function Reasons({ proposal, testId }: { proposal: LevelProposal; testId: string }) {
  const { t, i18n: i18nInstance } = useTranslation();
  if (proposal.reasons.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('inventory.advisor.noReasons')}
      </Text>
    );
  }
  return (
    <Table withTableBorder fz="sm" data-testid={testId} verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={90}>{t('inventory.advisor.level')}</Table.Th>
          <Table.Th>{t('inventory.advisor.reason')}</Table.Th>
          <Table.Th w={230}>{t('inventory.advisor.clause')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {proposal.reasons.map((r) => (
          <Table.Tr key={r.ruleId} data-testid="level-reason" fw={r.level === proposal.level ? 600 : undefined}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{t('inventory.levelN', { level: r.level })}</Table.Td>
            <Table.Td>{reasonText(r, t, i18nInstance.language)}</Table.Td>
            <Table.Td>
              <Text size="sm" c="dimmed">
                {r.clause}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The advisor's NĐ 331 proposal with its reasons, the recorded levels, and the owner's confirm/override. */
export function LevelAdvisorPanel({ detail, canDecide }: { detail: SystemDetail; canDecide: boolean }) {
  const { t } = useTranslation();
  const { system, proposal, legacyProposal, decisions } = detail;
  const decide = useDecideLevel(system.id);
  const [mode, setMode] = useState<'confirm' | 'override'>('confirm');
  const [level, setLevel] = useState<number | string>(proposal.level);
  const [justification, setJustification] = useState('');
  const [dossierNo, setDossierNo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const decided = system.newLevel.level;
  const submit = () => {
    const decidedLevel = mode === 'confirm' ? proposal.level : Number(level);
    if (mode === 'override') {
      if (!(decidedLevel >= 1 && decidedLevel <= 5)) return setError(t('inventory.advisor.levelRequired'));
      if (decidedLevel === proposal.level) return setError(t('inventory.advisor.sameLevel'));
      if (justification.trim().length < MIN_JUSTIFICATION) return setError(t('inventory.advisor.justificationTooShort', { n: MIN_JUSTIFICATION }));
    }
    setError(null);
    decide.mutate(
      { decidedLevel, justification: mode === 'override' ? justification.trim() : null, dossierNo: dossierNo.trim() || null },
      {
        onSuccess: () => {
          notifySuccess(t('inventory.advisor.decided', { level: decidedLevel }));
          setJustification('');
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" data-testid="level-panel">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={4}>{t('inventory.advisor.title')}</Title>
          <Group gap={6}>
            <LevelBadge regime="nd85" level={system.legacyLevel.level} testId="recorded-nd85" />
            <LevelBadge regime="nd331" level={system.newLevel.level} testId="recorded-nd331" />
          </Group>
        </Group>
        <Alert icon={<IconBulb size={18} />} color="blue" variant="light" data-testid="level-proposal" data-level={proposal.level}>
          <Text fw={600}>{t('inventory.advisor.proposal', { level: proposal.level })}</Text>
          <Text size="sm">{t('inventory.advisor.proposalHint')}</Text>
        </Alert>
        <Reasons proposal={proposal} testId="level-reasons" />
        {legacyProposal.level !== proposal.level || system.legacyLevel.level ? (
          <Text size="sm" c="dimmed">
            {t('inventory.advisor.legacyProposal', { level: legacyProposal.level })}
          </Text>
        ) : null}

        <Table fz="sm" withTableBorder verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('inventory.advisor.regime')}</Table.Th>
              <Table.Th>{t('inventory.advisor.level')}</Table.Th>
              <Table.Th>{t('inventory.advisor.colDossier')}</Table.Th>
              <Table.Th>{t('inventory.advisor.colDecision')}</Table.Th>
              <Table.Th>{t('inventory.field.decisionDate')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(['nd85', 'nd331'] as const).map((r) => {
              const rec = r === 'nd85' ? system.legacyLevel : system.newLevel;
              return (
                <Table.Tr key={r}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`inventory.regimeLong.${r}`)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{rec.level ? t('inventory.levelN', { level: rec.level }) : '—'}</Table.Td>
                  <Table.Td>{rec.dossierNo ?? '—'}</Table.Td>
                  <Table.Td>{rec.decisionNo ?? '—'}</Table.Td>
                  <Table.Td>{formatDate(rec.decisionDate)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>

        {canDecide ? (
          <Paper withBorder p="sm" bg="gray.0" data-testid="level-decision-form">
            <Stack gap="xs">
              <Text fw={600}>{decided ? t('inventory.advisor.redecide') : t('inventory.advisor.decide')}</Text>
              <SegmentedControl
                value={mode}
                onChange={(v) => setMode(v as 'confirm' | 'override')}
                data={[
                  { value: 'confirm', label: t('inventory.advisor.confirmMode', { level: proposal.level }) },
                  { value: 'override', label: t('inventory.advisor.overrideMode') },
                ]}
                data-testid="level-decision-mode"
                w="fit-content"
              />
              <Group align="flex-start" wrap="wrap">
                {mode === 'override' ? (
                  <NumberInput label={t('inventory.advisor.decidedLevel')} min={1} max={5} value={level} onChange={setLevel} w={140} data-testid="level-override-level" />
                ) : null}
                <TextInput label={t('inventory.field.dossierNo')} value={dossierNo} onChange={(e) => setDossierNo(e.currentTarget.value)} w={260} data-testid="level-dossier" />
              </Group>
              {mode === 'override' ? (
                <Textarea
                  label={t('inventory.advisor.justification')}
                  description={t('inventory.advisor.justificationHint', { n: MIN_JUSTIFICATION })}
                  withAsterisk
                  autosize
                  minRows={2}
                  value={justification}
                  onChange={(e) => setJustification(e.currentTarget.value)}
                  data-testid="level-justification"
                />
              ) : null}
              {error ? (
                <Text c="red.7" size="sm" data-testid="level-decision-error">
                  {error}
                </Text>
              ) : null}
              <ErrorAlert error={decide.error} />
              <Group>
                <Button leftSection={<IconCheck size={16} />} onClick={submit} loading={decide.isPending} data-testid="level-decision-submit">
                  {mode === 'confirm' ? t('inventory.advisor.confirm', { level: proposal.level }) : t('inventory.advisor.override')}
                </Button>
              </Group>
            </Stack>
          </Paper>
        ) : null}

        {decisions.length > 0 ? (
          <Stack gap={4} data-testid="level-decisions">
            <Text fw={600} size="sm">
              {t('inventory.advisor.history')}
            </Text>
            {decisions.map((d) => (
              <Group key={d.id} gap="xs" wrap="nowrap" align="flex-start" data-testid="level-decision">
                <Badge color={d.kind === 'confirm' ? 'green' : 'orange'} variant="light" style={{ flexShrink: 0, maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>
                  {t(`inventory.advisor.kind.${d.kind}`)}
                </Badge>
                <Text size="sm">
                  {t('inventory.advisor.decisionLine', {
                    level: d.decidedLevel, proposed: d.proposedLevel, by: d.decidedByName ?? '—', at: formatDateTime(d.decidedAt),
                  })}
                  {d.justification ? ` — ${d.justification}` : ''}
                </Text>
              </Group>
            ))}
          </Stack>
        ) : null}
      </Stack>
    </Paper>
  );
}
