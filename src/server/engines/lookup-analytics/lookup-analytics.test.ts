import { describe, expect, it } from 'vitest';
import { analyseLookups, modifiedZ, vnWeek, type LookupRecord, type PersonFacts } from './lookup-analytics.js';

let seq = 0;
/** A look-up at a Vietnam local time (`2026-11-18 09:15`). */
function rec(local: string, over: Partial<LookupRecord> = {}): LookupRecord {
  seq++;
  return {
    id: `r${seq}`, seq, systemId: 'sys', account: 'annv', action: 'lookup', occurredAt: new Date(`${local.replace(' ', 'T')}:00+07:00`).toISOString(),
    subjectHash: `h${seq}`, caseRef: `HS-${seq}`, ip: '10.0.0.5', device: 'PC-01', sessionId: 's1', personId: 'p1', situation: 'linked', mfa: 1, ...over,
  };
}
const active: PersonFacts = { id: 'p1', fullName: 'Nguyễn Văn An', status: 'active', statusSince: null, unitName: 'Sở Tư pháp', unitMergedInto: null };
const people = (p: PersonFacts = active) => new Map([[p.id, p]]);
const week = { from: '2026-11-15T17:00:00.000Z', to: '2026-11-22T17:00:00.000Z' }; // Mon 16 – Sun 22 Nov 2026, Vietnam time
const kinds = (a: { kind: string }[]) => [...new Set(a.map((x) => x.kind))].sort();

describe('look-up analytics', () => {
  it('raises nothing for ordinary daytime look-ups with case references by a linked account with MFA', () => {
    const rs = ['2026-11-16 08:10', '2026-11-16 10:30', '2026-11-17 14:00', '2026-11-18 16:45'].map((t) => rec(t));
    expect(analyseLookups(rs, people(), week)).toEqual([]);
  });

  it('flags look-ups by a retired official after the retirement date, with a readable reason', () => {
    const retired = { ...active, status: 'retired', statusSince: '2026-10-01' };
    const a = analyseLookups([rec('2026-11-17 09:00'), rec('2026-11-17 09:05')], people(retired), week);
    expect(kinds(a)).toEqual(['leaver_lookup']);
    expect(a[0]).toMatchObject({ severity: 'high', recordCount: 2, reasonKey: 'accessLog.reasons.leaver_lookup.retired', params: { status: 'retired', since: '2026-10-01' } });
    expect(a[0]!.reason).toContain('đã nghỉ hưu từ 01/10/2026');
    expect(a[0]!.reason).toContain('Nguyễn Văn An');
  });

  it('flags look-ups after the official\'s unit was merged away, naming the successor', () => {
    const merged = { ...active, unitName: 'Sở Tư pháp tỉnh Bình Định', unitMergedInto: { name: 'Sở Tư pháp tỉnh Gia Lai', on: '2025-07-01' } };
    const a = analyseLookups([rec('2026-11-17 09:00')], people(merged), week);
    expect(a.map((x) => x.reasonKey)).toEqual(['accessLog.reasons.leaver_lookup.merged_unit']);
    expect(a[0]!.reason).toContain('hợp nhất vào Sở Tư pháp tỉnh Gia Lai từ 01/07/2025');
  });

  it('flags concurrent sessions of one account from two IPs and devices, not one session moving on', () => {
    const shared = [
      rec('2026-11-17 09:00', { sessionId: 'a', ip: '10.1.1.10', device: 'PC-VANTHU' }),
      rec('2026-11-17 09:20', { sessionId: 'a', ip: '10.1.1.10', device: 'PC-VANTHU' }),
      rec('2026-11-17 09:10', { sessionId: 'b', ip: '10.2.2.20', device: 'LAPTOP-07' }),
    ];
    const a = analyseLookups(shared, people(), week).filter((x) => x.kind === 'shared_account');
    expect(a).toHaveLength(1);
    expect(a[0]!.params).toMatchObject({ ipCount: 2, deviceCount: 2 });
    expect(a[0]!.reason).toContain('10.1.1.10');
    // The same account on another IP two hours after the first session ended is not concurrent.
    const later = [rec('2026-11-18 09:00', { sessionId: 'c', ip: '10.1.1.10' }), rec('2026-11-18 11:30', { sessionId: 'd', ip: '10.2.2.20' })];
    expect(analyseLookups(later, people(), week).filter((x) => x.kind === 'shared_account')).toEqual([]);
  });

  it('modified z-score: MAD, MeanAD fallback for sparse counts, and +∞ for an all-zero baseline', () => {
    expect(modifiedZ(10, [1, 2, 3, 4, 5]).z).toBeCloseTo((0.6745 * 7) / 1, 5);
    const sparse = [...Array(20).fill(0), 4, 6];
    const r = modifiedZ(30, sparse);
    expect(r.mad).toBe(0);
    expect(r.z).toBeCloseTo(30 / (1.253314 * (10 / 22)), 5);
    expect(modifiedZ(5, [0, 0, 0]).z).toBe(Number.POSITIVE_INFINITY);
  });

  it('flags an hourly volume far above the account\'s own baseline, only above the absolute floor', () => {
    const history: LookupRecord[] = [];
    // Two weeks of 2–4 look-ups in working hours each weekday.
    for (let d = 2; d <= 13; d++) {
      const day = `2026-11-${String(d).padStart(2, '0')}`;
      if ([0, 6].includes(new Date(`${day}T12:00:00+07:00`).getUTCDay())) continue;
      for (let k = 0; k < 2 + (d % 3); k++) history.push(rec(`${day} ${String(8 + k).padStart(2, '0')}:15`));
    }
    const burst = Array.from({ length: 60 }, (_, i) => rec(`2026-11-17 10:${String(i).padStart(2, '0')}`));
    const a = analyseLookups([...history, ...burst], people(), week).filter((x) => x.kind === 'volume_spike');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ recordCount: 60, params: { hour: '10:00', observed: 60, floor: 20 } });
    expect(a[0]!.evidence.baseline!.median).toBe(0);
    // 15 look-ups in one hour is below the floor of 20: no alert whatever the z-score.
    const small = Array.from({ length: 15 }, (_, i) => rec(`2026-11-18 10:${String(i).padStart(2, '0')}`));
    expect(analyseLookups([...history, ...small], people(), week).filter((x) => x.kind === 'volume_spike')).toEqual([]);
    // Without a week of history there is no baseline to compare with.
    expect(analyseLookups(burst, people(), week).filter((x) => x.kind === 'volume_spike')).toEqual([]);
  });

  it('flags look-ups at night and at weekends (Vietnam time), from the third in a day', () => {
    const night = ['2026-11-17 22:10', '2026-11-17 23:40', '2026-11-18 01:05'].map((t) => rec(t));
    // 22:10 and 23:40 on the 17th, 01:05 on the 18th: two different days, each below 3.
    expect(analyseLookups(night, people(), week).filter((x) => x.kind === 'off_hours')).toEqual([]);
    const more = ['2026-11-17 22:10', '2026-11-17 22:40', '2026-11-17 23:05'].map((t) => rec(t));
    const a = analyseLookups(more, people(), week).filter((x) => x.kind === 'off_hours');
    expect(a).toHaveLength(1);
    expect(a[0]!.reason).toContain('ngoài giờ làm việc ngày 17/11/2026 (22:10–23:05');
    // 16:59 UTC on Friday is 23:59 Friday in Vietnam; Saturday morning at 09:00 is a weekend.
    const sat = ['2026-11-21 09:00', '2026-11-21 09:10', '2026-11-21 09:20'].map((t) => rec(t));
    expect(analyseLookups(sat, people(), week).find((x) => x.kind === 'off_hours')!.reason).toContain('cuối tuần');
    const holiday = ['2026-11-20 09:00', '2026-11-20 09:10', '2026-11-20 09:20'].map((t) => rec(t));
    expect(analyseLookups(holiday, people(), { ...week, holidays: ['2026-11-20'] }).find((x) => x.kind === 'off_hours')!.reason).toContain('ngày nghỉ lễ');
  });

  it('flags many distinct citizens looked up without a case reference in a day', () => {
    const rs = Array.from({ length: 35 }, (_, i) => rec(`2026-11-17 ${String(8 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 9).padStart(2, '0')}`, { caseRef: null }));
    const a = analyseLookups(rs, people(), { ...week, hourlyFloor: 1000 }).filter((x) => x.kind === 'breadth_no_case');
    expect(a).toHaveLength(1);
    expect(a[0]!.params).toMatchObject({ distinct: 35, withoutCase: 35 });
    // The same citizens with dossier numbers are ordinary work.
    const withCase = rs.map((r) => ({ ...r, caseRef: 'HS-001' }));
    expect(analyseLookups(withCase, people(), { ...week, hourlyFloor: 1000 }).filter((x) => x.kind === 'breadth_no_case')).toEqual([]);
  });

  it('flags look-ups from an account without MFA, and records of accounts not linked to a person', () => {
    const a = analyseLookups([rec('2026-11-17 09:00', { mfa: 0 })], people(), week);
    expect(kinds(a)).toEqual(['no_mfa']);
    expect(a[0]!.dedupeKey).toBe(`no_mfa|sys|annv|${vnWeek(Date.parse('2026-11-17T02:00:00Z'))}`);
    const orphan = analyseLookups([rec('2026-11-17 09:00', { personId: null, situation: 'unknown', account: 'tk.ngoai' })], people(), week);
    expect(orphan.map((x) => x.reasonKey)).toEqual(['accessLog.reasons.unlinked_account.unknown']);
    expect(orphan[0]!.reason).toContain('không có trong danh sách tài khoản đã đối soát');
  });

  it('ignores records outside the window except as baseline, and keys alerts so a re-run updates them', () => {
    const retired = { ...active, status: 'retired', statusSince: '2026-10-01' };
    const rs = [rec('2026-11-10 09:00'), rec('2026-11-17 09:00')];
    const a1 = analyseLookups(rs, people(retired), week);
    const a2 = analyseLookups(rs, people(retired), week);
    expect(a1.map((x) => x.dedupeKey)).toEqual(a2.map((x) => x.dedupeKey));
    expect(a1.map((x) => x.params.day)).toEqual(['2026-11-17']);
  });
});
