import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { PersonStatus } from '../../../contracts/org.js';

const COLORS: Record<PersonStatus, string> = {
  active: 'green',
  retired: 'gray',
  transferred: 'blue',
  on_leave: 'yellow',
  dismissed: 'orange',
  deceased: 'dark',
};

export function StatusBadge({ status }: { status: PersonStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[status]} variant="light" style={{ flexShrink: 0, maxWidth: 'none' }}
      styles={{ label: { overflow: 'visible' } }} data-testid="person-status">
      {t(`personStatus.${status}`)}
    </Badge>
  );
}
