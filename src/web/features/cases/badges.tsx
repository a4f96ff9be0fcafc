import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CasePhase, CaseSeverity } from '../../../contracts/cases.js';

const SEV_COLOR: Record<CaseSeverity, string> = { low: 'gray', medium: 'yellow', high: 'orange', critical: 'red' };
const PHASE_COLOR: Record<CasePhase, string> = { triage: 'blue', containment: 'red', eradication: 'orange', recovery: 'teal', post_incident: 'grape', closed: 'gray' };
const CLOCK_COLOR: Record<string, string> = { running: 'blue', warning: 'orange', overdue: 'red', met: 'green', met_late: 'yellow' };
const TLP_COLOR: Record<string, string> = { clear: 'gray', green: 'green', amber: 'yellow', 'amber+strict': 'orange', red: 'red' };

export function SeverityBadge({ severity }: { severity: CaseSeverity }) {
  const { t } = useTranslation();
  return <Badge color={SEV_COLOR[severity]} variant="light" data-testid="severity-badge">{t(`cases.severity.${severity}`)}</Badge>;
}

export function PhaseBadge({ phase }: { phase: CasePhase }) {
  const { t } = useTranslation();
  return <Badge color={PHASE_COLOR[phase]} variant="outline" data-testid="phase-badge">{t(`cases.phase.${phase}`)}</Badge>;
}

export function ClockBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  return <Badge color={CLOCK_COLOR[state] ?? 'gray'} variant="filled" data-testid={`clock-${state}`}>{t(`cases.clockState.${state}`)}</Badge>;
}

export function TlpBadge({ tlp }: { tlp: string }) {
  return <Badge color={TLP_COLOR[tlp] ?? 'gray'} variant="dot">TLP:{tlp.toUpperCase()}</Badge>;
}

/** "3 giờ 20 phút" / "quá 2 giờ" from milliseconds left. */
export function remaining(ms: number | null, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (ms === null) return '';
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = h >= 48 ? t('cases.duration.days', { d: Math.floor(h / 24), h: h % 24 }) : t('cases.duration.hours', { h, m });
  return ms < 0 ? t('cases.duration.overdue', { text }) : t('cases.duration.left', { text });
}
