import { describe, expect, it } from 'vitest';
import { checkDecision, type LevelFacts, proposeLevel, transitionOf } from './level-advisor.js';

function facts(over: Partial<LevelFacts> & { info?: Partial<LevelFacts['information']> } = {}): LevelFacts {
  const { info, ...rest } = over;
  return {
    type: 'internal',
    information: { public: true, private: false, personal: false, personalSubjects: null, sensitivePersonal: false, sensitiveSubjects: null, stateSecret: 'none', ...info },
    onlineServiceLevel: null,
    administrativeProcedure: false,
    conditionalBusiness: false,
    infrastructureScope: 'none',
    icsWorkGrade: 'none',
    nationalEgov24x7: false,
    nationalSecurityImpact: 'none',
    ...rest,
  };
}
const rules = (f: LevelFacts, regime: 'nd85' | 'nd331' = 'nd331') => proposeLevel(f, regime).reasons.map((r) => r.ruleId);

describe('level advisor — NĐ 331/2026', () => {
  it('internal system with public information only → level 1 (Đ11)', () => {
    const p = proposeLevel(facts(), 'nd331');
    expect(p.level).toBe(1);
    expect(p.reasons[0]).toMatchObject({ ruleId: 'internal_public_only', clause: 'NĐ 331/2026 Điều 11' });
    expect(p.reasons[0]!.text).toMatch(/nội bộ/);
  });

  it('internal system with private information → level 2 (Đ12)', () => {
    expect(proposeLevel(facts({ info: { private: true } }), 'nd331').level).toBe(2);
  });

  it('basic personal data: 99,999 subjects → 2; 100,000 → 3', () => {
    const below = proposeLevel(facts({ type: 'citizen_service', info: { personal: true, personalSubjects: 99_999 } }), 'nd331');
    expect(below.level).toBe(2);
    expect(below.reasons.map((r) => r.ruleId)).toContain('nd331_personal_below');
    const at = proposeLevel(facts({ type: 'citizen_service', info: { personal: true, personalSubjects: 100_000 } }), 'nd331');
    expect(at.level).toBe(3);
    expect(at.reasons[0]).toMatchObject({ ruleId: 'nd331_personal_100k', level: 3, clause: 'NĐ 331/2026 Điều 13' });
    expect(at.reasons[0]!.text).toContain('100.000');
    // The figures travel with the reason so the English UI can word it with the same numbers.
    expect(at.reasons[0]!.params).toEqual({ subjects: 100_000, threshold: 100_000 });
  });

  it('sensitive personal data: 9,999 subjects → 2; 10,000 → 3', () => {
    expect(proposeLevel(facts({ type: 'citizen_service', info: { sensitivePersonal: true, sensitiveSubjects: 9_999 } }), 'nd331').level).toBe(2);
    const at = proposeLevel(facts({ type: 'citizen_service', info: { sensitivePersonal: true, sensitiveSubjects: 10_000 } }), 'nd331');
    expect(at.level).toBe(3);
    expect(at.reasons.map((r) => r.ruleId)).toContain('nd331_sensitive_10k');
  });

  it('a count without the class flag does not count', () => {
    expect(proposeLevel(facts({ type: 'citizen_service', info: { personal: false, personalSubjects: 500_000 } }), 'nd331').level).toBe(2);
  });

  it('the provincial administrative-procedure system is level 3 (Đ13.2.b) whatever its data volume', () => {
    const p = proposeLevel(facts({ type: 'citizen_service', administrativeProcedure: true }), 'nd331');
    expect(p.level).toBe(3);
    expect(p.reasons[0]).toMatchObject({ ruleId: 'nd331_administrative_procedure', clause: 'NĐ 331/2026 Điều 13 khoản 2 điểm b' });
  });

  it('conditional-business online services → 3; serving citizens alone → 2', () => {
    expect(proposeLevel(facts({ type: 'citizen_service' }), 'nd331').level).toBe(2);
    expect(proposeLevel(facts({ type: 'citizen_service', conditionalBusiness: true }), 'nd331').level).toBe(3);
  });

  it('state secrets → 3; serious national-security harm → 4; especially serious → 5', () => {
    expect(proposeLevel(facts({ info: { stateSecret: 'mat' } }), 'nd331').level).toBe(3);
    expect(proposeLevel(facts({ info: { stateSecret: 'toi_mat' }, nationalSecurityImpact: 'serious' }), 'nd331').level).toBe(4);
    expect(proposeLevel(facts({ info: { stateSecret: 'tuyet_mat' }, nationalSecurityImpact: 'especially_serious' }), 'nd331').level).toBe(5);
  });

  it('infrastructure: one agency → 2, province-wide shared → 3, nationwide → 4', () => {
    expect(proposeLevel(facts({ type: 'infrastructure', infrastructureScope: 'single_agency' }), 'nd331').level).toBe(2);
    expect(proposeLevel(facts({ type: 'infrastructure', infrastructureScope: 'sector_or_provinces' }), 'nd331').level).toBe(3);
    expect(proposeLevel(facts({ type: 'infrastructure', infrastructureScope: 'nationwide' }), 'nd331').level).toBe(4);
    expect(proposeLevel(facts({ nationalEgov24x7: true }), 'nd331').level).toBe(4);
  });

  it('industrial control: grade IV → 3, grade I → 4, special → 5', () => {
    expect(proposeLevel(facts({ type: 'industrial_control', icsWorkGrade: 'IV' }), 'nd331').level).toBe(3);
    expect(proposeLevel(facts({ type: 'industrial_control', icsWorkGrade: 'I' }), 'nd331').level).toBe(4);
    expect(proposeLevel(facts({ type: 'industrial_control', icsWorkGrade: 'special' }), 'nd331').level).toBe(5);
  });

  it('composite system takes the highest level of its parts (Đ8.2)', () => {
    const p = proposeLevel(facts({ parts: [{ code: 'A', name: 'Phần A', level: 2 }, { code: 'B', name: 'Phần B', level: 3 }, { code: 'C', name: 'Phần C', level: 1 }] }), 'nd331');
    expect(p.level).toBe(3);
    expect(p.reasons[0]).toMatchObject({ ruleId: 'composite_highest', level: 3 });
    expect(p.reasons[0]!.text).toContain('B – Phần B');
  });

  it('every reason carries a rule id, a clause and Vietnamese text; reasons are ordered highest first', () => {
    const p = proposeLevel(facts({ type: 'citizen_service', administrativeProcedure: true, info: { personal: true, personalSubjects: 50 } }), 'nd331');
    expect(p.reasons.map((r) => r.level)).toEqual([...p.reasons.map((r) => r.level)].sort((a, b) => b - a));
    for (const r of p.reasons) {
      expect(r.ruleId).toMatch(/^[a-z0-9_]+$/);
      expect(r.clause).toMatch(/^NĐ 331\/2026 Điều \d+/);
      expect(r.text.length).toBeGreaterThan(10);
    }
  });
});

describe('level advisor — NĐ 85/2016', () => {
  it('online public services level 3 or more → 3; level 2 → 2 (Đ8, Đ9)', () => {
    expect(proposeLevel(facts({ type: 'citizen_service', onlineServiceLevel: 4 }), 'nd85').level).toBe(3);
    expect(proposeLevel(facts({ type: 'citizen_service', onlineServiceLevel: 2 }), 'nd85').level).toBe(2);
  });

  it('personal data of 9,999 users → 2; 10,000 → 3 (the NĐ 85 threshold, lower than NĐ 331)', () => {
    const f = (n: number) => facts({ type: 'citizen_service', info: { personal: true, personalSubjects: n } });
    expect(proposeLevel(f(9_999), 'nd85').level).toBe(2);
    expect(proposeLevel(f(10_000), 'nd85').level).toBe(3);
    expect(rules(f(10_000), 'nd85')).toContain('nd85_personal_10k');
    // Same facts under NĐ 331: 10,000 basic subjects stays below 100,000 → level 2.
    expect(proposeLevel(f(10_000), 'nd331').level).toBe(2);
  });

  it('cites NĐ 85 clauses', () => {
    const p = proposeLevel(facts({ type: 'infrastructure', infrastructureScope: 'sector_or_provinces' }), 'nd85');
    expect(p.reasons[0]!.clause).toBe('NĐ 85/2016 Điều 9');
  });

  it('defaults to level 1 with an explaining reason when nothing is known', () => {
    const p = proposeLevel(facts({ type: 'other' }), 'nd85');
    expect(p).toMatchObject({ level: 1, reasons: [{ ruleId: 'default_minimum' }] });
  });
});

describe('owner decision', () => {
  it('confirming the proposal needs no justification', () => {
    expect(checkDecision(3, 3, null)).toEqual({ ok: true, kind: 'confirm' });
  });
  it('an override needs a justification of at least 20 characters', () => {
    expect(checkDecision(3, 2, null)).toMatchObject({ ok: false, code: 'level.justification_required' });
    expect(checkDecision(3, 4, 'rủi ro cao')).toMatchObject({ ok: false, code: 'level.justification_required' });
    expect(checkDecision(3, 4, 'Đánh giá rủi ro 2026 cho thấy nguy cơ cao hơn (Đ10.5).')).toEqual({ ok: true, kind: 'override' });
  });
  it('refuses a level outside 1–5', () => {
    expect(checkDecision(3, 6, 'lý do đủ dài để được chấp nhận')).toMatchObject({ ok: false, code: 'level.out_of_range' });
  });
});

describe('transition to NĐ 331 (deadline 2027-07-01)', () => {
  const base = { legacyLevel: null, newLevel: null, newDecisionNo: null };
  it('legacy only: must be re-classified, days remaining counted to the deadline', () => {
    const t = transitionOf({ ...base, legacyLevel: 3 }, '2026-11-25');
    expect(t).toMatchObject({ state: 'legacy_only', deadline: '2027-07-01', daysRemaining: 218, overdue: false });
    expect(t.note).toContain('NĐ 331');
  });
  it('overdue after the deadline', () => {
    expect(transitionOf({ ...base, legacyLevel: 2 }, '2027-07-02')).toMatchObject({ overdue: true, daysRemaining: -1 });
    expect(transitionOf({ ...base, legacyLevel: 2 }, '2027-07-01')).toMatchObject({ overdue: false, daysRemaining: 0 });
  });
  it('unclassified, awaiting approval and classified', () => {
    expect(transitionOf(base, '2026-11-25').state).toBe('unclassified');
    expect(transitionOf({ ...base, legacyLevel: 3, newLevel: 3 }, '2026-11-25').state).toBe('awaiting_approval');
    expect(transitionOf({ ...base, legacyLevel: 3, newLevel: 3, newDecisionNo: '12/QĐ-UBND' }, '2027-09-01')).toMatchObject({ state: 'classified', overdue: false, daysRemaining: null });
  });
  it('a retired system is never overdue', () => {
    expect(transitionOf({ ...base, legacyLevel: 2, status: 'retired' }, '2028-01-01').overdue).toBe(false);
  });
});
