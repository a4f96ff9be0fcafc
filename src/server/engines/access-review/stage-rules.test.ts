import { describe, expect, it } from 'vitest';
import { type Decision, stageOutcome } from './stage-rules.js';

const r = (...ds: (Decision | null)[]) => ds.map((d, i) => ({ decision: d, decidedAt: d ? `2026-11-2${i}T00:00:00.000Z` : null }));

describe('stage rules (midPoint outcome strategies)', () => {
  it('one deny denies: a revoke decides at once; accepts carry it once everyone responded', () => {
    expect(stageOutcome('one_deny_denies', r('revoke', null, null), false)).toBe('revoke');
    expect(stageOutcome('one_deny_denies', r('accept', 'reduce'), false)).toBe('reduce');
    expect(stageOutcome('one_deny_denies', r('accept', null), false)).toBeNull();
    expect(stageOutcome('one_deny_denies', r('accept', 'not_decided'), false)).toBe('accept');
    expect(stageOutcome('one_deny_denies', r('accept', null), true)).toBe('accept');
    expect(stageOutcome('one_deny_denies', r(null, null), true)).toBe('not_decided');
  });

  it('all must accept: only accepts from everyone accept; "not decided" or silence do not', () => {
    expect(stageOutcome('all_must_accept', r('accept', 'accept'), false)).toBe('accept');
    expect(stageOutcome('all_must_accept', r('accept', null), false)).toBeNull();
    expect(stageOutcome('all_must_accept', r('accept', 'not_decided'), false)).toBe('not_decided');
    expect(stageOutcome('all_must_accept', r('accept', null), true)).toBe('not_decided');
    expect(stageOutcome('all_must_accept', r('revoke', null), false)).toBe('revoke');
  });

  it('one accept accepts: one accept decides; otherwise the most severe answer', () => {
    expect(stageOutcome('one_accept_accepts', r('revoke', 'accept'), false)).toBe('accept');
    expect(stageOutcome('one_accept_accepts', r('revoke', null), false)).toBeNull();
    expect(stageOutcome('one_accept_accepts', r('reduce', 'revoke'), false)).toBe('revoke');
    expect(stageOutcome('one_accept_accepts', r('reduce', null), true)).toBe('reduce');
  });

  it('accepted if not denied: silence at the deadline accepts, a deny decides at once', () => {
    expect(stageOutcome('accepted_if_not_denied', r(null, null), false)).toBeNull();
    expect(stageOutcome('accepted_if_not_denied', r(null, null), true)).toBe('accept');
    expect(stageOutcome('accepted_if_not_denied', r(null, 'revoke'), false)).toBe('revoke');
  });

  it('first decides: the earliest decision wins, "not decided" is skipped', () => {
    const rs = [
      { decision: 'accept' as const, decidedAt: '2026-11-22T08:00:00.000Z' },
      { decision: 'revoke' as const, decidedAt: '2026-11-21T08:00:00.000Z' },
      { decision: 'not_decided' as const, decidedAt: '2026-11-20T08:00:00.000Z' },
    ];
    expect(stageOutcome('first_decides', rs, false)).toBe('revoke');
    expect(stageOutcome('first_decides', r('not_decided', null), false)).toBeNull();
    expect(stageOutcome('first_decides', r(null), true)).toBe('not_decided');
  });
});
