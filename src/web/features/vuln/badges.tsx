import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { FindingStatus, VulnSeverity } from '../../../contracts/vuln.js';

export const SEVERITY_COLOR: Record<VulnSeverity, string> = { critical: 'red.8', high: 'orange.7', medium: 'yellow.6', low: 'blue.5', info: 'gray.5' };
const STATUS_COLOR: Record<FindingStatus, string> = { open: 'red', mitigated: 'green', risk_accepted: 'violet', false_positive: 'gray' };

export function SeverityBadge({ severity }: { severity: VulnSeverity }) {
  const { t } = useTranslation();
  return <Badge color={SEVERITY_COLOR[severity]} variant="filled" style={{ maxWidth: 'none' }}>{t(`vuln.severity.${severity}`)}</Badge>;
}
export function StatusBadge({ status }: { status: FindingStatus }) {
  const { t } = useTranslation();
  return <Badge color={STATUS_COLOR[status]} variant="light" style={{ maxWidth: 'none' }} styles={{ label: { overflow: 'visible' } }}>{t(`vuln.status.${status}`)}</Badge>;
}
