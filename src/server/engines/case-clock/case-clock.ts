import type { CaseSeverity, ClockKind, Regime } from '../../../contracts/cases.js';

/**
 * Legal clocks and SLA targets of incident cases (pure: plain data in, plain data out; time is a parameter).
 *
 * Legal clocks (research/vn-regulations.md §6):
 * - `nd331` — NĐ 331/2026/NĐ-CP Đ31.2.d: initial notice within 24 h, report of cause, scope and remedy within
 *   72 h, both counted from detection; signs of a threat to national security or social order: report
 *   immediately (to Bộ Công an's specialised force, Luật 116/2025 Đ40.1.c).
 * - `qd05` — the legacy rule, QĐ 05/2017/QĐ-TTg Điều 11 and TT 20/2017/TT-BTTTT Điều 9: report within 05 days of
 *   detection (Biểu mẫu 03); the closing report (Biểu mẫu 04) within 05 days after the response ends.
 * SLA targets per severity (acknowledge, resolve) are the province's own and configurable.
 */

export interface RegimePolicy {
  /** Hours from detection to the initial notice. */
  initialNoticeHours: number;
  /** Hours from the anchor to the full (or closing) report. */
  fullReportHours: number;
  /** `detection`: the full report is due from detection; `resolution`: from the end of the response. */
  fullReportFrom: 'detection' | 'resolution';
  /** Hours allowed for an "immediate" report, from classification. */
  immediateHours: number;
  basis: { initialNotice: string; fullReport: string; immediate: string };
}

export interface ClockPolicy {
  regimes: Record<Regime, RegimePolicy>;
  sla: Record<CaseSeverity, { acknowledgeMinutes: number; resolveHours: number }>;
  /** A clock is in warning (and escalated once) when this fraction of its window remains. */
  warnFraction: number;
}

export const DEFAULT_CLOCK_POLICY: ClockPolicy = {
  regimes: {
    nd331: {
      initialNoticeHours: 24,
      fullReportHours: 72,
      fullReportFrom: 'detection',
      immediateHours: 1,
      basis: {
        initialNotice: 'NĐ 331/2026/NĐ-CP Đ31.2.d: thông báo ban đầu trong 24 giờ',
        fullReport: 'NĐ 331/2026/NĐ-CP Đ31.2.d: báo cáo nguyên nhân, phạm vi, biện pháp trong 72 giờ',
        immediate: 'NĐ 331/2026/NĐ-CP Đ31.2.d: dấu hiệu đe doạ an ninh quốc gia, trật tự xã hội — báo cáo ngay',
      },
    },
    qd05: {
      initialNoticeHours: 5 * 24,
      fullReportHours: 5 * 24,
      fullReportFrom: 'resolution',
      immediateHours: 1,
      basis: {
        initialNotice: 'QĐ 05/2017/QĐ-TTg Đ11, TT 20/2017/TT-BTTTT Đ9: báo cáo trong 05 ngày (Biểu mẫu 03)',
        fullReport: 'TT 20/2017/TT-BTTTT: báo cáo kết thúc ứng phó trong 05 ngày sau khi kết thúc (Biểu mẫu 04)',
        immediate: 'QĐ 05/2017/QĐ-TTg Đ11: vượt khả năng xử lý — báo cáo ngay',
      },
    },
  },
  sla: {
    critical: { acknowledgeMinutes: 15, resolveHours: 24 },
    high: { acknowledgeMinutes: 60, resolveHours: 72 },
    medium: { acknowledgeMinutes: 4 * 60, resolveHours: 7 * 24 },
    low: { acknowledgeMinutes: 24 * 60, resolveHours: 30 * 24 },
  },
  warnFraction: 0.25,
};

export interface PlannedClock {
  kind: ClockKind;
  regime: Regime | null;
  startedAt: string;
  dueAt: string;
  basis: string;
}

const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const H = 3_600_000;

const SEVERITY_VI: Record<CaseSeverity, string> = { low: 'thấp', medium: 'trung bình', high: 'cao', critical: 'nghiêm trọng' };

/** The SLA clocks of a case, counted from its creation, for its severity. */
export function slaClocks(policy: ClockPolicy, severity: CaseSeverity, createdAt: string): PlannedClock[] {
  const s = policy.sla[severity];
  return [
    { kind: 'acknowledge', regime: null, startedAt: createdAt, dueAt: addMs(createdAt, s.acknowledgeMinutes * 60_000), basis: `SLA mức ${SEVERITY_VI[severity]}: tiếp nhận trong ${s.acknowledgeMinutes} phút` },
    { kind: 'resolve', regime: null, startedAt: createdAt, dueAt: addMs(createdAt, s.resolveHours * H), basis: `SLA mức ${SEVERITY_VI[severity]}: xử lý xong trong ${s.resolveHours} giờ` },
  ];
}

/**
 * The legal clocks that apply to a reportable case now. The initial notice and (nd331) the full report are
 * counted from detection; an "immediate" case owes its notice within `immediateHours` of classification when
 * that is sooner; under qd05 the closing-report clock exists only once the response has ended.
 */
export function legalClocks(
  policy: ClockPolicy,
  regime: Regime,
  facts: { detectedAt: string; classifiedAt: string; resolvedAt: string | null; immediate: boolean },
): PlannedClock[] {
  const r = policy.regimes[regime];
  const out: PlannedClock[] = [];
  let noticeDue = addMs(facts.detectedAt, r.initialNoticeHours * H);
  let noticeBasis = r.basis.initialNotice;
  if (facts.immediate) {
    const imm = addMs(facts.classifiedAt, r.immediateHours * H);
    if (imm < noticeDue) {
      noticeDue = imm;
      noticeBasis = r.basis.immediate;
    }
  }
  out.push({ kind: 'initial_notice', regime, startedAt: facts.detectedAt, dueAt: noticeDue, basis: noticeBasis });
  if (r.fullReportFrom === 'detection') {
    out.push({ kind: 'full_report', regime, startedAt: facts.detectedAt, dueAt: addMs(facts.detectedAt, r.fullReportHours * H), basis: r.basis.fullReport });
  } else if (facts.resolvedAt) {
    out.push({ kind: 'full_report', regime, startedAt: facts.resolvedAt, dueAt: addMs(facts.resolvedAt, r.fullReportHours * H), basis: r.basis.fullReport });
  }
  return out;
}

export interface ClockFacts {
  startedAt: string;
  dueAt: string;
  metAt: string | null;
}

export type ClockState = 'running' | 'warning' | 'overdue' | 'met' | 'met_late';

/** Where a clock stands at `now`. */
export function clockState(policy: Pick<ClockPolicy, 'warnFraction'>, c: ClockFacts, now: number): { state: ClockState; remainingMs: number | null } {
  const due = Date.parse(c.dueAt);
  if (c.metAt) return { state: Date.parse(c.metAt) <= due ? 'met' : 'met_late', remainingMs: null };
  const remaining = due - now;
  if (remaining < 0) return { state: 'overdue', remainingMs: remaining };
  const window = due - Date.parse(c.startedAt);
  return { state: remaining <= window * policy.warnFraction ? 'warning' : 'running', remainingMs: remaining };
}

/**
 * What a scheduler tick must escalate for one clock: `warning` once when it nears expiry, `overdue` once when it
 * expires (a clock found already expired is escalated as overdue only). Null when nothing is due.
 */
export function escalationFor(
  policy: Pick<ClockPolicy, 'warnFraction'>,
  c: ClockFacts & { warnedAt: string | null; overdueAt: string | null },
  now: number,
): 'warning' | 'overdue' | null {
  const { state } = clockState(policy, c, now);
  if (state === 'overdue' && !c.overdueAt) return 'overdue';
  if (state === 'warning' && !c.warnedAt) return 'warning';
  return null;
}

/** Minutes between two instants, or null when either is missing. */
export function minutesBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
}

export interface CaseTimes {
  unitId: string;
  createdAt: string;
  occurredAt: string | null;
  detectedAt: string;
  acknowledgedAt: string | null;
  containedAt: string | null;
  resolvedAt: string | null;
}

/**
 * Time to detect / acknowledge / contain / resolve per case (TheHive's timeToDetect … timeToResolve,
 * research/soc.md §3.2): detect from occurrence to detection; the others from detection.
 */
export function caseDurations(c: CaseTimes): { ttd: number | null; tta: number | null; ttc: number | null; ttr: number | null } {
  return {
    ttd: minutesBetween(c.occurredAt, c.detectedAt),
    tta: minutesBetween(c.detectedAt, c.acknowledgedAt),
    ttc: minutesBetween(c.detectedAt, c.containedAt),
    ttr: minutesBetween(c.detectedAt, c.resolvedAt),
  };
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round(v.reduce((a, b) => a + b, 0) / v.length) : null;
};

/** Mean durations per (unit, month of detection in Vietnam time), newest month first. */
export function aggregateMetrics(cases: CaseTimes[]): { unitId: string; month: string; cases: number; mttd: number | null; mtta: number | null; mttc: number | null; mttr: number | null }[] {
  const groups = new Map<string, CaseTimes[]>();
  for (const c of cases) {
    const month = new Date(Date.parse(c.detectedAt) + 7 * H).toISOString().slice(0, 7);
    const k = `${c.unitId}|${month}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.entries()]
    .map(([k, cs]) => {
      const [unitId, month] = k.split('|') as [string, string];
      const d = cs.map(caseDurations);
      return { unitId, month, cases: cs.length, mttd: mean(d.map((x) => x.ttd)), mtta: mean(d.map((x) => x.tta)), mttc: mean(d.map((x) => x.ttc)), mttr: mean(d.map((x) => x.ttr)) };
    })
    .sort((a, b) => (a.month === b.month ? a.unitId.localeCompare(b.unitId) : b.month.localeCompare(a.month)));
}
