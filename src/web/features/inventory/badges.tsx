import { Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { InformationSystem, TransitionState } from '../../../contracts/inventory.js';
import { formatDate, formatNumber } from '../../components/format.js';

const LEVEL_COLORS: Record<number, string> = { 1: 'gray', 2: 'teal', 3: 'yellow', 4: 'orange', 5: 'red' };

/** A level under one regime: "NĐ 331 · Cấp 3"; a dashed grey badge when no level is recorded. */
export function LevelBadge({ regime, level, testId }: { regime: 'nd85' | 'nd331'; level: number | null; testId?: string }) {
  const { t } = useTranslation();
  const regimeLabel = t(`inventory.regime.${regime}`);
  return (
    <Badge
      variant={level ? 'light' : 'outline'}
      color={level ? LEVEL_COLORS[level] : 'gray'}
      style={{ flexShrink: 0, maxWidth: 'none' }}
      styles={{ label: { overflow: 'visible' } }}
      data-testid={testId ?? `level-${regime}`}
      data-level={level ?? ''}
    >
      {regimeLabel} · {level ? t('inventory.levelN', { level }) : t('inventory.noLevel')}
    </Badge>
  );
}

export function LevelBadges({ system, stacked = false }: { system: Pick<InformationSystem, 'legacyLevel' | 'newLevel'>; stacked?: boolean }) {
  const badges = (
    <>
      <LevelBadge regime="nd85" level={system.legacyLevel.level} />
      <LevelBadge regime="nd331" level={system.newLevel.level} />
    </>
  );
  return stacked ? <Stack gap={4} align="flex-start">{badges}</Stack> : <Group gap={4} wrap="nowrap">{badges}</Group>;
}

const TRANSITION_COLORS: Record<TransitionState, string> = { unclassified: 'red', legacy_only: 'orange', awaiting_approval: 'yellow', classified: 'green' };

/** Where the system stands in the move to NĐ 331, with the days left before 01/07/2027. */
export function TransitionBadge({ transition, withDays = true, stacked = false }: { transition: InformationSystem['transition']; withDays?: boolean; stacked?: boolean }) {
  const { t } = useTranslation();
  const days = transition.daysRemaining;
  return (
    <Tooltip label={transition.note} multiline w={320} withArrow>
      <Group gap={stacked ? 2 : 6} wrap="nowrap" data-testid="transition" style={stacked ? { flexDirection: 'column', alignItems: 'flex-start' } : undefined}>
        <Badge color={TRANSITION_COLORS[transition.state]} variant="light" style={{ flexShrink: 0, maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>
          {t(`inventory.transitionShort.${transition.state}`)}
        </Badge>
        {withDays && days !== null ? (
          <Text size="xs" c={transition.overdue ? 'red.7' : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
            {transition.overdue
              ? t('inventory.daysOverdue', { n: formatNumber(-days) })
              : t('inventory.daysLeft', { n: formatNumber(days), date: formatDate(transition.deadline) })}
          </Text>
        ) : null}
      </Group>
    </Tooltip>
  );
}
