import type { Severity } from '../../engines/scan-import/index.js';

/**
 * SLA days by severity: DefectDojo's defaults (SLA_Configuration: Critical 7, High 30, Medium 90, Low 120;
 * research/vuln-grc.md §1.5). Informational findings have no SLA.
 */
export const DEFAULT_SLA_DAYS: Record<Severity, number | null> = { critical: 7, high: 30, medium: 90, low: 120, info: null };

/**
 * Tightening by the system's security level (NĐ 85/2016, NĐ 331/2026 levels 1–5): a level-3 system gets half
 * the time, level 4–5 a quarter (rounded up, at least one day). A finding on an asset serving several systems
 * takes the highest level among them. Khiên's choice, documented in docs/architecture.md.
 */
export function slaDays(severity: Severity, level: number | null, kev: boolean): number | null {
  // A known-exploited vulnerability is handled as critical whatever the scanner said (CISA BOD 22-01 logic).
  const base = kev ? Math.min(DEFAULT_SLA_DAYS[severity] ?? 7, 7) : DEFAULT_SLA_DAYS[severity];
  if (base === null) return null;
  const factor = level !== null && level >= 4 ? 0.25 : level === 3 ? 0.5 : 1;
  return Math.max(1, Math.ceil(base * factor));
}

/** `YYYY-MM-DD` + days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const SEVERITY_BASE: Record<Severity, number> = { critical: 70, high: 55, medium: 35, low: 15, info: 0 };

export interface PriorityFacts {
  severity: Severity;
  kev: boolean;
  ransomware: boolean;
  epss: number | null;
  level: number | null;
  internetExposed: boolean;
}

/**
 * Priority 0–100 for ordering work: severity, then known exploitation (KEV +20, ransomware use +5), the
 * probability of exploitation (EPSS × 15), the system's security level (+3 per level above 2) and exposure to
 * the Internet (+10). Informational findings stay at the bottom unless exploited.
 */
export function priorityOf(f: PriorityFacts): number {
  let p = SEVERITY_BASE[f.severity];
  if (f.kev) p += 20 + (f.ransomware ? 5 : 0);
  if (f.epss !== null) p += Math.round(f.epss * 15);
  if (f.level !== null && f.level > 2) p += (f.level - 2) * 3;
  if (f.internetExposed && f.severity !== 'info') p += 10;
  return Math.min(100, Math.max(0, p));
}

const PRIVATE = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^127\./, /^169\.254\./, /^::1$/, /^f[cd]/i, /^fe80/i];
/** Whether an address is publicly routable (not RFC 1918 / loopback / link-local / ULA). */
export function isPublicIp(ip: string): boolean {
  return /^[\d.]+$|:/.test(ip) && !PRIVATE.some((r) => r.test(ip));
}
