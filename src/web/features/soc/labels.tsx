import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SocAlert } from '../../../contracts/soc.js';

export const SEVERITY_COLOR: Record<SocAlert['severity'], string> = { critical: 'red', high: 'orange', medium: 'yellow', low: 'blue', informational: 'gray' };
export const STATUS_COLOR: Record<SocAlert['status'], string> = { new: 'red', acknowledged: 'blue', false_positive: 'gray', escalated: 'violet' };

export function SeverityBadge({ severity }: { severity: SocAlert['severity'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={SEVERITY_COLOR[severity]} variant="filled" size="sm">
      {t(`soc.severity.${severity}`)}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: SocAlert['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLOR[status]} variant="light" size="sm" data-testid="alert-status">
      {t(`soc.status.${status}`)}
    </Badge>
  );
}
