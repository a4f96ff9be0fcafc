import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const LEVEL_COLOR: Record<string, string> = { informational: 'gray', low: 'blue', medium: 'yellow', high: 'orange', critical: 'red' };

export function LevelBadge({ level }: { level: string }) {
  const { t } = useTranslation();
  return (
    <Badge size="sm" variant="light" color={LEVEL_COLOR[level] ?? 'gray'}>
      {t(`rules.levels.${level}`, { defaultValue: level })}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge size="sm" variant="outline" color={status === 'stable' ? 'green' : status === 'test' ? 'blue' : 'gray'}>
      {t(`rules.statuses.${status}`, { defaultValue: status })}
    </Badge>
  );
}
