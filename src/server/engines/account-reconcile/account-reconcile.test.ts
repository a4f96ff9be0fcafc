import { describe, expect, it } from 'vitest';
import { type ReconcileAccount, reconcileAccounts, type ReconcileInput, type ReconcilePerson } from './account-reconcile.js';
import { isGenericUsername, normalizeUsername, usernameKeys } from './patterns.js';

const units = [
  { id: 'u-skhcn', code: 'SKHCN', nameFolded: 'so khoa hoc va cong nghe' },
  { id: 'u-stttt', code: 'STTTT', nameFolded: 'so thong tin va truyen thong', mergedIntoId: 'u-skhcn', mergedOn: '2025-03-01' },
  { id: 'u-sgd', code: 'SGDDT', nameFolded: 'so giao duc va dao tao' },
];
const person = (id: string, name: string, extra: Partial<ReconcilePerson> = {}): ReconcilePerson => ({ id, nameFolded: name, unitId: 'u-skhcn', status: 'active', ...extra });
const people: ReconcilePerson[] = [
  person('p-an', 'nguyen van an', { citizenIdHash: 'h-an', email: 'an.nv@gialai.gov.vn', position: 'chuyen vien' }),
  person('p-binh', 'tran thi binh', { email: 'binhtt@gialai.gov.vn', status: 'retired', statusSince: '2026-06-01' }),
  person('p-cuong1', 'le van cuong', { unitId: 'u-sgd' }),
  person('p-cuong2', 'le van cuong', { unitId: 'u-sgd' }),
  person('p-dung', 'pham van dung', { unitId: 'u-sgd', formerUnitIds: ['u-skhcn'] }),
  person('p-hoa', 'vo thi hoa', { dateOfBirth: '1980-02-03' }),
];
const acc = (username: string, extra: Partial<ReconcileAccount> = {}): ReconcileAccount => ({
  systemId: 's1', username, enabled: true, lastLoginAt: '2026-11-20T00:00:00Z', mfa: true, ...extra,
});
const base = (accounts: ReconcileAccount[], extra: Partial<ReconcileInput> = {}): ReconcileInput => ({
  accounts, people, units, systems: [{ id: 's1', unitIds: ['u-skhcn'], privilegedRoles: ['Domain Admins'] }], asOf: '2026-11-25T00:00:00Z', ...extra,
});
const kinds = (out: ReturnType<typeof reconcileAccounts>, i: number) => out.findings.filter((f) => f.index === i).map((f) => f.kind).sort();

describe('username patterns', () => {
  it('derives the common Vietnamese forms and normalises domains and digits', () => {
    expect(usernameKeys('nguyen van an')).toEqual(expect.arrayContaining(['nguyenvanan', 'annv', 'an.nv', 'nva.nguyen', 'an.nguyen']));
    expect(normalizeUsername('GIALAI\\AnNV2')).toBe('annv');
    expect(normalizeUsername('an.nv@gialai.gov.vn')).toBe('an.nv');
    expect(isGenericUsername('vanthu01')).toBe(true);
    expect(isGenericUsername('annv')).toBe(false);
  });
});

describe('situations', () => {
  it('links on the citizen ID hash with certainty', () => {
    const out = reconcileAccounts(base([acc('xyz', { citizenIdHash: 'h-an' })]));
    expect(out.results[0]).toMatchObject({ situation: 'linked', personId: 'p-an', score: 100, rules: ['citizen_id'] });
  });
  it('links on e-mail plus username above the threshold', () => {
    const out = reconcileAccounts(base([acc('annv', { email: 'AN.NV@gialai.gov.vn' })]));
    expect(out.results[0]).toMatchObject({ situation: 'linked', personId: 'p-an' });
    expect(out.results[0]!.rules).toEqual(['email', 'username']);
  });
  it('keeps a lone weak candidate as unlinked, with the score and rules', () => {
    const out = reconcileAccounts(base([acc('hoavt')]));
    expect(out.results[0]).toMatchObject({ situation: 'unlinked', personId: 'p-hoa', score: 35, rules: ['username'] });
  });
  it('date of birth and unit raise a name match to a link', () => {
    const out = reconcileAccounts(base([acc('hoavt', { displayName: 'Võ Thị Hoa', dateOfBirth: '1980-02-03', unitText: 'Sở Thông tin và Truyền thông' })]));
    expect(out.results[0]).toMatchObject({ situation: 'linked', personId: 'p-hoa' });
    expect(out.results[0]!.rules).toEqual(['full_name', 'username', 'unit', 'date_of_birth']);
  });
  it('two namesakes make the account disputed', () => {
    const out = reconcileAccounts(base([acc('cuonglv', { displayName: 'Lê Văn Cường' })]));
    expect(out.results[0]!.situation).toBe('disputed');
    expect(out.results[0]!.candidates.map((c) => c.personId).sort()).toEqual(['p-cuong1', 'p-cuong2']);
  });
  it('no candidate is unmatched (an orphan)', () => {
    const out = reconcileAccounts(base([acc('zzz.unknown')]));
    expect(out.results[0]!.situation).toBe('unmatched');
    expect(kinds(out, 0)).toEqual(['orphan']);
    expect(out.findings[0]!.clause).toMatch(/TCVN 14423/);
  });
  it('a manual link wins and a manual unlink rules a person out, across runs', () => {
    const decisions = [
      { systemId: 's1', username: 'zzz.unknown', personId: 'p-hoa', kind: 'link' as const },
      { systemId: 's1', username: 'annv', personId: 'p-an', kind: 'unlink' as const },
    ];
    const out = reconcileAccounts(base([acc('zzz.unknown'), acc('annv', { citizenIdHash: 'h-an' })], { decisions }));
    expect(out.results[0]).toMatchObject({ situation: 'linked', personId: 'p-hoa', rules: ['manual'] });
    expect(out.results[1]!.situation).toBe('unmatched');
  });
  it('a common name (many namesakes) is resolved within the unit and by stronger evidence', () => {
    const many = Array.from({ length: 20 }, (_, i) => person(`p-ns${i}`, 'nguyen thi mai', { unitId: i === 0 ? 'u-sgd' : 'u-skhcn', email: `mai${i}@gialai.gov.vn` }));
    const input = (a: ReconcileAccount) => base([a], { people: [...people, ...many] });
    const withEmail = reconcileAccounts(input(acc('xyz', { displayName: 'Nguyễn Thị Mai', unitText: 'SGDDT', email: 'mai0@gialai.gov.vn' })));
    expect(withEmail.results[0]).toMatchObject({ situation: 'linked', personId: 'p-ns0' });
    expect(withEmail.results[0]!.rules).toEqual(['email', 'full_name', 'unit']);
    const nameOnly = reconcileAccounts(input(acc('xyz', { displayName: 'Nguyễn Thị Mai', unitText: 'SGDDT' })));
    expect(nameOnly.results[0]!.situation).toBe('disputed');
    expect(nameOnly.results[0]!.candidates[0]).toMatchObject({ personId: 'p-ns0', score: 60 });
  });
  it('tunable weights change the outcome', () => {
    const out = reconcileAccounts(base([acc('hoavt')], { weights: { username: 90 } }));
    expect(out.results[0]!.situation).toBe('linked');
  });
});

describe('findings', () => {
  it('flags a retired official whose account is still enabled, not a disabled one', () => {
    const out = reconcileAccounts(base([acc('binhtt', { email: 'binhtt@gialai.gov.vn', displayName: 'Trần Thị Bình' }), acc('binhtt2', { email: 'binhtt@gialai.gov.vn', enabled: false })]));
    expect(kinds(out, 0)).toEqual(['leaver']);
    expect(out.findings[0]!.reason).toMatch(/đã nghỉ hưu từ 2026-06-01/);
    expect(kinds(out, 1)).toEqual([]);
  });
  it('flags a transferred official still in the old unit system', () => {
    const out = reconcileAccounts(base([acc('x', { citizenIdHash: undefined, email: null, displayName: 'Phạm Văn Dũng', username: 'dungpv' })]));
    expect(kinds(out, 0)).toEqual(['transferred']);
    expect(out.findings[0]!.reason).toMatch(/SKHCN/);
  });
  it('flags accounts of a unit merged away, naming the successor', () => {
    const out = reconcileAccounts(base([acc('annv', { citizenIdHash: 'h-an', unitText: 'STTTT' })]));
    expect(kinds(out, 0)).toEqual(['merged_unit']);
    expect(out.findings[0]!.reason).toMatch(/vào SKHCN/);
  });
  it('dormant after 45 days by default, configurable per system; never-used accounts too', () => {
    const accounts = [acc('annv', { citizenIdHash: 'h-an', lastLoginAt: '2026-10-01T00:00:00Z' }), acc('an2', { citizenIdHash: 'h-an', lastLoginAt: null, createdAt: '2026-01-01' })];
    expect(kinds(reconcileAccounts(base(accounts)), 0)).toContain('dormant');
    expect(kinds(reconcileAccounts(base(accounts)), 1)).toContain('dormant');
    const lax = reconcileAccounts(base(accounts, { systems: [{ id: 's1', unitIds: ['u-skhcn'], dormantDays: 90 }] }));
    expect(kinds(lax, 0)).not.toContain('dormant');
  });
  it('privileged without MFA (by flag or privileged group)', () => {
    const out = reconcileAccounts(base([acc('annv', { citizenIdHash: 'h-an', roles: ['Domain Admins'], mfa: false }), acc('an3', { citizenIdHash: 'h-hoa-none', privileged: true, mfa: true })]));
    expect(kinds(out, 0)).toContain('privileged_no_mfa');
    expect(kinds(out, 1)).not.toContain('privileged_no_mfa');
  });
  it('shared: generic names and accounts linked to several people', () => {
    const decisions = [
      { systemId: 's1', username: 'chung', personId: 'p-an', kind: 'link' as const },
      { systemId: 's1', username: 'chung', personId: 'p-hoa', kind: 'link' as const },
    ];
    const out = reconcileAccounts(base([acc('vanthu'), acc('chung')], { decisions }));
    expect(kinds(out, 0)).toEqual(['shared']);
    expect(kinds(out, 1)).toEqual(['shared']);
    expect(out.results[1]!.linkedPersonIds).toEqual(['p-an', 'p-hoa']);
  });
  it('one person with several accounts on one system', () => {
    const out = reconcileAccounts(base([acc('annv', { citizenIdHash: 'h-an' }), acc('nguyenvanan', { citizenIdHash: 'h-an' })]));
    expect(kinds(out, 0)).toEqual(['multiple_accounts']);
    expect(kinds(out, 1)).toEqual(['multiple_accounts']);
  });
  it('rights that do not fit the position under the system role policy', () => {
    const systems = [{ id: 's1', unitIds: ['u-skhcn'], rolePolicy: { 'chuyen vien': ['nhap lieu'], '*': ['xem'] } }];
    const out = reconcileAccounts(base([acc('annv', { citizenIdHash: 'h-an', roles: ['Nhập liệu', 'Xem', 'Phê duyệt'] })], { systems }));
    expect(kinds(out, 0)).toEqual(['role_mismatch']);
    expect(out.findings[0]!.reason).toMatch(/"Phê duyệt"/);
  });
});
