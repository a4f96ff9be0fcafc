import { describe, expect, it } from 'vitest';
import { aggregateMetrics, caseDurations, clockState, DEFAULT_CLOCK_POLICY as P, escalationFor, legalClocks, slaClocks } from './case-clock.js';

const detected = '2026-11-20T02:00:00.000Z';
const H = 3_600_000;

describe('legal clocks', () => {
  it('NĐ 331: initial notice 24 h and full report 72 h from detection', () => {
    const c = legalClocks(P, 'nd331', { detectedAt: detected, classifiedAt: '2026-11-20T05:00:00.000Z', resolvedAt: null, immediate: false });
    expect(c.map((x) => [x.kind, x.dueAt])).toEqual([
      ['initial_notice', '2026-11-21T02:00:00.000Z'],
      ['full_report', '2026-11-23T02:00:00.000Z'],
    ]);
    expect(c[0]!.basis).toContain('Đ31.2.d');
  });

  it('an immediate case owes its notice within an hour of classification', () => {
    const c = legalClocks(P, 'nd331', { detectedAt: detected, classifiedAt: '2026-11-20T05:00:00.000Z', resolvedAt: null, immediate: true });
    expect(c[0]).toMatchObject({ kind: 'initial_notice', dueAt: '2026-11-20T06:00:00.000Z' });
  });

  it('legacy QĐ 05: 5 days from detection; closing report only once resolved, 5 days after', () => {
    const open = legalClocks(P, 'qd05', { detectedAt: detected, classifiedAt: detected, resolvedAt: null, immediate: false });
    expect(open.map((x) => [x.kind, x.dueAt])).toEqual([['initial_notice', '2026-11-25T02:00:00.000Z']]);
    const done = legalClocks(P, 'qd05', { detectedAt: detected, classifiedAt: detected, resolvedAt: '2026-11-22T00:00:00.000Z', immediate: false });
    expect(done[1]).toMatchObject({ kind: 'full_report', dueAt: '2026-11-27T00:00:00.000Z' });
  });

  it('SLA by severity', () => {
    expect(slaClocks(P, 'critical', detected).map((c) => c.dueAt)).toEqual(['2026-11-20T02:15:00.000Z', '2026-11-21T02:00:00.000Z']);
  });
});

describe('clock state and escalation', () => {
  const clock = { startedAt: detected, dueAt: '2026-11-21T02:00:00.000Z', metAt: null, warnedAt: null, overdueAt: null };
  const at = (h: number) => Date.parse(detected) + h * H;
  it('running, then warning in the last quarter, then overdue', () => {
    expect(clockState(P, clock, at(10)).state).toBe('running');
    expect(clockState(P, clock, at(18.5)).state).toBe('warning');
    expect(clockState(P, clock, at(25)).state).toBe('overdue');
    expect(clockState(P, clock, at(25)).remainingMs).toBe(-H);
  });
  it('escalates each level once', () => {
    expect(escalationFor(P, clock, at(10))).toBeNull();
    expect(escalationFor(P, clock, at(19))).toBe('warning');
    expect(escalationFor(P, { ...clock, warnedAt: 'x' }, at(19))).toBeNull();
    expect(escalationFor(P, { ...clock, warnedAt: 'x' }, at(24.1))).toBe('overdue');
    expect(escalationFor(P, clock, at(30))).toBe('overdue'); // found already expired: overdue only
    expect(escalationFor(P, { ...clock, overdueAt: 'x' }, at(30))).toBeNull();
  });
  it('met on time or late', () => {
    expect(clockState(P, { ...clock, metAt: '2026-11-20T20:00:00.000Z' }, at(30)).state).toBe('met');
    expect(clockState(P, { ...clock, metAt: '2026-11-21T03:00:00.000Z' }, at(30)).state).toBe('met_late');
  });
});

describe('metrics', () => {
  it('durations and per-unit monthly means', () => {
    const base = { unitId: 'u1', createdAt: detected, occurredAt: '2026-11-20T01:00:00.000Z', detectedAt: detected, acknowledgedAt: '2026-11-20T02:30:00.000Z', containedAt: '2026-11-20T06:00:00.000Z', resolvedAt: '2026-11-21T02:00:00.000Z' };
    expect(caseDurations(base)).toEqual({ ttd: 60, tta: 30, ttc: 240, ttr: 1440 });
    const m = aggregateMetrics([base, { ...base, acknowledgedAt: '2026-11-20T03:30:00.000Z', resolvedAt: null }, { ...base, unitId: 'u2', detectedAt: '2026-10-05T00:00:00.000Z' }]);
    expect(m[0]).toMatchObject({ unitId: 'u1', month: '2026-11', cases: 2, mtta: 60, mttr: 1440 });
    expect(m[1]).toMatchObject({ unitId: 'u2', month: '2026-10', cases: 1 });
  });
});
