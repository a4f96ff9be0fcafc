/**
 * Look-up analytics over ingested access-log records (issue 5 item 5): pure, explainable rules, each alert
 * carrying its rule, observed value, baseline and the contributing records, with a reason a person can read
 * (Vietnamese, plus an i18n key and parameters for other languages) and a 0–10 score like Sentinel's
 * InvestigationPriority. Rule set from research/identity-audit.md §5 ("Explainable rule set for the citizen
 * DB"): leaver/transfer/merged-unit use, volume against the account's own baseline (modified z-score,
 * Iglewicz & Hoaglin, with the MeanAD fallback and an absolute floor), breadth without case references,
 * off-hours, shared account (concurrent sessions from different IPs/devices), accounts without MFA, and
 * records of accounts not linked to a person.
 *
 * Times: records carry UTC instants; days, hours and weekends are Vietnam time (UTC+7, no DST).
 */

export interface LookupRecord {
  id: string;
  seq: number;
  systemId: string;
  account: string;
  /** login | logout | login_failed | access | lookup | export */
  action: string;
  occurredAt: string;
  subjectHash: string | null;
  caseRef: string | null;
  ip: string | null;
  device: string | null;
  sessionId: string | null;
  personId: string | null;
  /** linked | unlinked | unmatched | disputed | unknown */
  situation: string;
  mfa: number | null;
}

export interface PersonFacts {
  id: string;
  fullName: string;
  /** active | retired | transferred | on_leave | dismissed | deceased */
  status: string;
  statusSince: string | null;
  unitName: string;
  /** When the person's unit was merged away: its successor and the date. */
  unitMergedInto: { name: string; on: string } | null;
}

export const ALERT_KINDS = ['leaver_lookup', 'shared_account', 'volume_spike', 'off_hours', 'breadth_no_case', 'no_mfa', 'unlinked_account'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AnalyticsOptions {
  /** Alerts are raised for records in [from, to) (UTC instants); earlier records serve as baseline. */
  from: string;
  to: string;
  /** Working hours, Vietnam time: [start, end). Default 07:00–18:00, Monday–Friday. */
  workStartHour?: number;
  workEndHour?: number;
  /** Public holidays (Vietnam dates, YYYY-MM-DD), counted as outside working hours. */
  holidays?: string[];
  /** Off-hours look-ups of one account in one day needed to raise an alert. Default 3. */
  offHoursMin?: number;
  /** Volume: baseline days (28), minimum history (7 days), |M| threshold (3.5), absolute floor per hour (20). */
  baselineDays?: number;
  minBaselineDays?: number;
  zThreshold?: number;
  hourlyFloor?: number;
  /** Breadth: distinct citizens looked up without a case reference in one day (30). */
  breadthMin?: number;
  /** Sessions of one account overlap if their spans (first–last record, widened by this) meet. Default 10 min. */
  sessionGapMinutes?: number;
}

export interface AlertDraft {
  kind: AlertKind;
  dedupeKey: string;
  score: number;
  severity: 'low' | 'medium' | 'high';
  systemId: string;
  account: string;
  personId: string | null;
  firstSeen: string;
  lastSeen: string;
  recordCount: number;
  /** Vietnamese reason, as stored and shown. */
  reason: string;
  /** `accessLog.reasons.<kind>[.<variant>]` and its parameters (i18n in the web). */
  reasonKey: string;
  params: Record<string, string | number>;
  evidence: { observed?: number; baseline?: Record<string, number>; recordIds: string[]; seqs: number[] };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VN = 7 * HOUR;
const LEAVER_STATUS: Record<string, string> = { retired: 'đã nghỉ hưu', dismissed: 'đã thôi việc', deceased: 'đã từ trần', transferred: 'đã chuyển công tác' };

export const vnDate = (ms: number) => new Date(ms + VN).toISOString().slice(0, 10);
const vnHour = (ms: number) => new Date(ms + VN).getUTCHours();
const vnDow = (ms: number) => new Date(ms + VN).getUTCDay();
/** `2026-11-20` → `20/11/2026`. */
const dmy = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
const hm = (ms: number) => new Date(ms + VN).toISOString().slice(11, 16);
/** Monday (Vietnam date) of the week of an instant. */
export function vnWeek(ms: number): string {
  const dow = (vnDow(ms) + 6) % 7;
  return vnDate(ms - dow * DAY);
}
const severityOf = (score: number): AlertDraft['severity'] => (score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low');
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1).replace('.', ',') : '∞');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Modified z-score of x against a baseline (Iglewicz & Hoaglin 1993): 0.6745·(x − median)/MAD; when MAD is 0
 * (sparse hourly counts, many zero hours) the documented fallback (x − median)/(1.253314·MeanAD); when both
 * are 0, +∞ for any x above the median (the absolute floor then decides).
 */
export function modifiedZ(x: number, baseline: number[]): { z: number; median: number; mad: number } {
  const med = median(baseline);
  const mad = median(baseline.map((b) => Math.abs(b - med)));
  if (mad > 0) return { z: (0.6745 * (x - med)) / mad, median: med, mad };
  const meanAd = baseline.reduce((a, b) => a + Math.abs(b - med), 0) / baseline.length;
  if (meanAd > 0) return { z: (x - med) / (1.253314 * meanAd), median: med, mad };
  return { z: x > med ? Number.POSITIVE_INFINITY : 0, median: med, mad };
}

interface Group {
  systemId: string;
  account: string;
  records: (LookupRecord & { t: number })[];
}

/** Run every rule; returns alert drafts for records inside [from, to). */
export function analyseLookups(records: LookupRecord[], people: ReadonlyMap<string, PersonFacts>, opts: AnalyticsOptions): AlertDraft[] {
  const from = Date.parse(opts.from);
  const to = Date.parse(opts.to);
  const groups = new Map<string, Group>();
  for (const r of records) {
    const key = `${r.systemId}|${r.account}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { systemId: r.systemId, account: r.account, records: [] }));
    g.records.push({ ...r, t: Date.parse(r.occurredAt) });
  }
  const out: AlertDraft[] = [];
  for (const g of groups.values()) {
    g.records.sort((a, b) => a.t - b.t || a.seq - b.seq);
    const inWindow = g.records.filter((r) => r.t >= from && r.t < to);
    if (inWindow.length === 0) continue;
    const lookups = inWindow.filter((r) => r.action === 'lookup');
    const personId = inWindow.find((r) => r.personId)?.personId ?? null;
    const person = personId ? people.get(personId) : undefined;
    const ctx = { g, personId, person, out };
    leaverRule(ctx, lookups);
    sharedRule(ctx, inWindow, opts);
    spikeRule(ctx, g.records.filter((r) => r.action === 'lookup'), lookups, opts);
    offHoursRule(ctx, lookups, opts);
    breadthRule(ctx, lookups, opts);
    noMfaRule(ctx, lookups);
    unlinkedRule(ctx, inWindow);
  }
  return out;
}

interface Ctx {
  g: Group;
  personId: string | null;
  person: PersonFacts | undefined;
  out: AlertDraft[];
}

function byBucket<T extends { t: number }>(rs: T[], bucket: (t: number) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rs) {
    const k = bucket(r.t);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

function push(ctx: Ctx, kind: AlertKind, bucket: string, score: number, rs: (LookupRecord & { t: number })[], reason: string, variant: string | null, params: Record<string, string | number>, extra: Partial<AlertDraft['evidence']> = {}): void {
  const s = Math.max(0, Math.min(10, Math.round(score)));
  ctx.out.push({
    kind, dedupeKey: `${kind}|${ctx.g.systemId}|${ctx.g.account}|${bucket}`, score: s, severity: severityOf(s),
    systemId: ctx.g.systemId, account: ctx.g.account, personId: ctx.personId,
    firstSeen: rs[0]!.occurredAt, lastSeen: rs[rs.length - 1]!.occurredAt, recordCount: rs.length,
    reason, reasonKey: `accessLog.reasons.${kind}${variant ? `.${variant}` : ''}`,
    params: { account: ctx.g.account, person: ctx.person?.fullName ?? '—', count: rs.length, ...params },
    evidence: { ...extra, recordIds: rs.slice(0, 20).map((r) => r.id), seqs: rs.slice(0, 20).map((r) => r.seq) },
  });
}

/** Look-ups after the official retired, left, was transferred, or after their unit was merged away. */
function leaverRule(ctx: Ctx, lookups: (LookupRecord & { t: number })[]): void {
  const p = ctx.person;
  if (!p) return;
  const label = LEAVER_STATUS[p.status];
  if (label) {
    const since = p.statusSince ?? '0000-01-01';
    for (const [day, rs] of byBucket(lookups.filter((r) => vnDate(r.t) >= since), (t) => vnDate(t))) {
      push(ctx, 'leaver_lookup', day, p.status === 'transferred' ? 7 : 9, rs,
        `Tài khoản ${ctx.g.account} của ${p.fullName} (${label} từ ${dmy(since)}) vẫn tra cứu ${rs.length} lượt ngày ${dmy(day)}.`,
        p.status, { status: p.status, since, day });
    }
    return;
  }
  const m = p.unitMergedInto;
  if (!m) return;
  for (const [day, rs] of byBucket(lookups.filter((r) => vnDate(r.t) >= m.on), (t) => vnDate(t))) {
    push(ctx, 'leaver_lookup', day, 6, rs,
      `Tài khoản ${ctx.g.account} của ${p.fullName} thuộc ${p.unitName} — đơn vị đã hợp nhất vào ${m.name} từ ${dmy(m.on)} — vẫn tra cứu ${rs.length} lượt ngày ${dmy(day)}.`,
      'merged_unit', { unit: p.unitName, successor: m.name, since: m.on, day });
  }
}

/** Concurrent sessions of one account from different IPs or devices (research §5 item 5). */
function sharedRule(ctx: Ctx, rs: (LookupRecord & { t: number })[], opts: AnalyticsOptions): void {
  const gap = (opts.sessionGapMinutes ?? 10) * 60_000;
  interface Session { key: string; ip: string | null; device: string | null; start: number; end: number; records: (LookupRecord & { t: number })[] }
  const sessions = new Map<string, Session>();
  for (const r of rs) {
    if (!r.ip && !r.device) continue;
    const key = r.sessionId ?? `${r.ip ?? ''}|${r.device ?? ''}`;
    const s = sessions.get(key);
    if (!s) sessions.set(key, { key, ip: r.ip, device: r.device, start: r.t, end: r.t, records: [r] });
    else if (r.t - s.end > 8 * HOUR && !r.sessionId) sessions.set(`${key}|${r.t}`, { key, ip: r.ip, device: r.device, start: r.t, end: r.t, records: [r] });
    else {
      s.end = r.t;
      s.records.push(r);
    }
  }
  const list = [...sessions.values()].sort((a, b) => a.start - b.start);
  const hits = new Map<string, { records: Set<LookupRecord & { t: number }>; ips: Set<string>; devices: Set<string> }>();
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length && list[j]!.start <= list[i]!.end + gap; j++) {
      const a = list[i]!;
      const b = list[j]!;
      const differ = (a.ip && b.ip && a.ip !== b.ip) || (a.device && b.device && a.device !== b.device);
      if (!differ) continue;
      const day = vnDate(Math.max(a.start, b.start));
      let h = hits.get(day);
      if (!h) hits.set(day, (h = { records: new Set(), ips: new Set(), devices: new Set() }));
      for (const s of [a, b]) {
        s.records.forEach((r) => h!.records.add(r));
        if (s.ip) h.ips.add(s.ip);
        if (s.device) h.devices.add(s.device);
      }
    }
  }
  for (const [day, h] of hits) {
    const recs = [...h.records].sort((x, y) => x.t - y.t);
    const ips = [...h.ips].join(', ');
    const devices = [...h.devices].join(', ');
    push(ctx, 'shared_account', day, 7, recs,
      `Tài khoản ${ctx.g.account} có các phiên làm việc đồng thời ngày ${dmy(day)} từ ${h.ips.size} địa chỉ IP (${ips}) và ${h.devices.size} thiết bị (${devices}): có thể dùng chung tài khoản.`,
      null, { day, ips, devices, ipCount: h.ips.size, deviceCount: h.devices.size });
  }
}

/** An hour with far more look-ups than the account's own hourly baseline (modified z-score + floor). */
function spikeRule(ctx: Ctx, allLookups: (LookupRecord & { t: number })[], lookups: (LookupRecord & { t: number })[], opts: AnalyticsOptions): void {
  const floor = opts.hourlyFloor ?? 20;
  const threshold = opts.zThreshold ?? 3.5;
  const baselineHours = (opts.baselineDays ?? 28) * 24;
  const minHours = (opts.minBaselineDays ?? 7) * 24;
  const hourOf = (t: number) => Math.floor(t / HOUR);
  const counts = new Map<number, number>();
  for (const r of allLookups) counts.set(hourOf(r.t), (counts.get(hourOf(r.t)) ?? 0) + 1);
  const first = allLookups.length ? hourOf(allLookups[0]!.t) : 0;
  for (const [h, rs] of byBucket(lookups, (t) => String(hourOf(t)))) {
    const hour = Number(h);
    const x = rs.length;
    if (x < floor) continue;
    const start = Math.max(first, hour - baselineHours);
    if (hour - start < minHours) continue; // not enough history of this account to have a baseline
    const baseline: number[] = [];
    for (let k = start; k < hour; k++) baseline.push(counts.get(k) ?? 0);
    const { z, median: med, mad } = modifiedZ(x, baseline);
    if (!(z > threshold)) continue;
    const t0 = hour * HOUR;
    const day = vnDate(t0);
    push(ctx, 'volume_spike', `${day}T${hm(t0)}`, x >= 5 * floor || z > 20 ? 8 : 6, rs,
      `Tài khoản ${ctx.g.account} tra cứu ${x} lượt trong giờ ${hm(t0)}–${hm(t0 + HOUR)} ngày ${dmy(day)}, vượt xa mức thường của chính tài khoản (trung vị ${fmt(med)} lượt/giờ trong ${Math.round(baseline.length / 24)} ngày; điểm z hiệu chỉnh ${fmt(z)} > ${fmt(threshold)}; ngưỡng tối thiểu ${floor} lượt/giờ).`,
      null, { day, hour: hm(t0), observed: x, median: med, z: Number.isFinite(z) ? Math.round(z * 10) / 10 : 'inf', floor, baselineDays: Math.round(baseline.length / 24) },
      { observed: x, baseline: { median: med, mad, hours: baseline.length } });
  }
}

/** Look-ups outside working hours (Vietnam time), on weekends or on public holidays. */
function offHoursRule(ctx: Ctx, lookups: (LookupRecord & { t: number })[], opts: AnalyticsOptions): void {
  const start = opts.workStartHour ?? 7;
  const end = opts.workEndHour ?? 18;
  const holidays = new Set(opts.holidays ?? []);
  const min = opts.offHoursMin ?? 3;
  const off = lookups.filter((r) => {
    const h = vnHour(r.t);
    const dow = vnDow(r.t);
    return h < start || h >= end || dow === 0 || dow === 6 || holidays.has(vnDate(r.t));
  });
  for (const [day, rs] of byBucket(off, (t) => vnDate(t))) {
    if (rs.length < min) continue;
    const dow = vnDow(rs[0]!.t);
    const when = dow === 0 || dow === 6 ? 'cuối tuần' : holidays.has(day) ? 'ngày nghỉ lễ' : 'ngoài giờ làm việc';
    push(ctx, 'off_hours', day, rs.length >= 50 ? 8 : rs.length >= 10 ? 6 : 4, rs,
      `Tài khoản ${ctx.g.account} tra cứu ${rs.length} lượt ${when} ngày ${dmy(day)} (${hm(rs[0]!.t)}–${hm(rs[rs.length - 1]!.t)}, giờ Việt Nam; giờ làm việc ${start}:00–${end}:00 thứ Hai–thứ Sáu).`,
      null, { day, first: hm(rs[0]!.t), last: hm(rs[rs.length - 1]!.t), start, end });
  }
}

/** Many distinct citizens looked up in one day without a case or dossier reference. */
function breadthRule(ctx: Ctx, lookups: (LookupRecord & { t: number })[], opts: AnalyticsOptions): void {
  const min = opts.breadthMin ?? 30;
  for (const [day, rs] of byBucket(lookups, (t) => vnDate(t))) {
    const noCase = rs.filter((r) => !r.caseRef && r.subjectHash);
    const distinct = new Set(noCase.map((r) => r.subjectHash)).size;
    if (distinct < min) continue;
    push(ctx, 'breadth_no_case', day, distinct >= 3 * min ? 8 : 6, noCase,
      `Tài khoản ${ctx.g.account} tra cứu ${distinct} công dân khác nhau ngày ${dmy(day)} mà không ghi mã hồ sơ (${noCase.length}/${rs.length} lượt tra cứu không có mã hồ sơ; ngưỡng ${min}).`,
      null, { day, distinct, withoutCase: noCase.length, total: rs.length, min }, { observed: distinct });
  }
}

/** Look-ups from an account whose system reports no second factor (TCVN 14423:2026 nhóm 6). */
function noMfaRule(ctx: Ctx, lookups: (LookupRecord & { t: number })[]): void {
  const rs = lookups.filter((r) => r.mfa === 0);
  for (const [week, list] of byBucket(rs, (t) => vnWeek(t))) {
    push(ctx, 'no_mfa', week, 3, list,
      `Tài khoản ${ctx.g.account} không bật xác thực hai yếu tố nhưng đã tra cứu ${list.length} lượt trong tuần từ ${dmy(week)}.`,
      null, { week });
  }
}

const SITUATION: Record<string, string> = {
  unknown: 'không có trong danh sách tài khoản đã đối soát của hệ thống',
  unmatched: 'không khớp với cán bộ nào (tài khoản mồ côi)',
  unlinked: 'chưa được xác nhận thuộc về cán bộ nào',
  disputed: 'khớp với nhiều cán bộ, chưa xác định được người dùng',
};

/** Records of an account not linked to a named person are themselves a finding (issue 5 item 4). */
function unlinkedRule(ctx: Ctx, rs: (LookupRecord & { t: number })[]): void {
  const list = rs.filter((r) => r.situation !== 'linked' || !r.personId);
  for (const [week, recs] of byBucket(list, (t) => vnWeek(t))) {
    const situation = recs[recs.length - 1]!.situation;
    const label = SITUATION[situation] ?? SITUATION.unlinked!;
    push(ctx, 'unlinked_account', week, situation === 'unknown' || situation === 'unmatched' ? 7 : 5, recs,
      `Tài khoản ${ctx.g.account} ${label}, nhưng có ${recs.length} bản ghi truy cập trong tuần từ ${dmy(week)}.`,
      situation, { week, situation });
  }
}
