import { Badge, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const SITUATION_COLOR: Record<string, string> = { linked: 'green', unlinked: 'yellow', disputed: 'orange', unmatched: 'red' };
const SEVERITY_COLOR: Record<string, string> = { high: 'red', medium: 'orange', low: 'gray' };
const OUTCOME_COLOR: Record<string, string> = { accept: 'green', revoke: 'red', reduce: 'orange', not_decided: 'gray' };

export function SituationBadge({ situation }: { situation: string }) {
  const { t } = useTranslation();
  return <Badge color={SITUATION_COLOR[situation] ?? 'gray'} variant="light">{t(`accounts.situation.${situation}`)}</Badge>;
}

export function SeverityBadge({ severity }: { severity: string }) {
  const { t } = useTranslation();
  return <Badge color={SEVERITY_COLOR[severity] ?? 'gray'} variant="filled" size="sm">{t(`accounts.severity.${severity}`)}</Badge>;
}

export function FindingBadges({ kinds }: { kinds: string[] }) {
  const { t } = useTranslation();
  if (!kinds.length) return <>—</>;
  return (
    <Group gap={4}>
      {kinds.map((k) => (
        <Badge key={k} size="xs" variant="outline" color={k === 'orphan' || k === 'leaver' || k === 'privileged_no_mfa' ? 'red' : 'orange'}>
          {t(`accounts.finding.${k}`)}
        </Badge>
      ))}
    </Group>
  );
}

export function OutcomeBadge({ outcome }: { outcome: string | null }) {
  const { t } = useTranslation();
  if (!outcome) return <Badge variant="light" color="blue">{t('accounts.outcome.open')}</Badge>;
  return <Badge variant="light" color={OUTCOME_COLOR[outcome] ?? 'gray'}>{t(`accounts.decision.${outcome}`)}</Badge>;
}

export function StageStateBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  const color = state === 'overdue' ? 'red' : state === 'due_soon' ? 'orange' : state === 'closed' ? 'gray' : state === 'waiting' ? 'gray' : 'blue';
  return <Badge color={color} variant={state === 'overdue' ? 'filled' : 'light'}>{t(`accounts.stageState.${state}`)}</Badge>;
}
