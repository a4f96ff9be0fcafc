import { describe, expect, it } from 'vitest';
import { type ReconcileAccount, reconcileAccounts, type ReconcileInput, type ReconcileOutput, type ReconcilePerson, type ReconcileSystem, type ReconcileUnit } from './account-reconcile.js';
import { referenceReconcile } from './account-reconcile.reference.js';
import { instantMs } from './instant.js';

/**
 * The fast engine (interned terms, typed arrays, one pass) against the straightforward reference engine on
 * random rosters and accounts: every situation, score, rule list, candidate list, finding and reason text must
 * be the same. The inputs are built to hit the edges: namesakes above the ambiguity threshold, one-word names
 * that equal someone's username key, shared and upper-case e-mails, merged units (chains, missing targets),
 * manual links and unlinks, tuned weights with fractions, dates in several formats, unknown systems.
 */

/** mulberry32: deterministic, so a failure names its seed. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chance = (p: number) => next() < p;
  return { next, pick, chance };
}

const SURNAMES = ['nguyen', 'tran', 'le', 'ngo', 'dang', 'ksor', 'rah lan'];
const MIDDLE = ['van', 'thi', 'minh', 'ngoc'];
const GIVEN = ['an', 'binh', 'hoa', 'ab', 'annv'];
const LOGINS = ['2026-11-01T00:00:00Z', '2026-08-01', '2026-09-01T10:00:00.500Z', '2026-10-01T00:00:00', 'không rõ', '2026-02-30T00:00:00Z', '2026-09-15 08:00:00+07'];

function randomInput(seed: number): ReconcileInput {
  const { next, pick, chance } = random(seed);
  const unitCount = 2 + Math.floor(next() * 6);
  const units: ReconcileUnit[] = Array.from({ length: unitCount }, (_, i) => ({
    id: `u${i}`, code: pick([`DV${i}`, `dv${i}`]), nameFolded: pick([`don vi ${i}`, `don vi ${i % 3}`]),
    mergedIntoId: chance(0.3) ? pick([`u${Math.floor(next() * unitCount)}`, 'u-missing']) : null, mergedOn: chance(0.5) ? '2025-07-01' : null,
  }));
  const unitIds = units.map((u) => u.id);
  const common = pick(['nguyen thi mai', 'le van an', 'annv']);
  const people: ReconcilePerson[] = Array.from({ length: 1 + Math.floor(next() * (chance(0.3) ? 80 : 25)) }, (_, i) => ({
    id: `p${(i * 37) % 1000}`,
    nameFolded: chance(0.25) ? common : chance(0.1) ? pick(['annv', 'an', '']) : `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)}`,
    citizenIdHash: chance(0.7) ? `h${Math.floor(next() * 90)}` : null,
    email: chance(0.7) ? pick([`p${i}@gialai.gov.vn`, 'chung@gialai.gov.vn', `a${Math.floor(next() * 5)}@gialai.gov.vn`]) : null,
    dateOfBirth: chance(0.3) ? pick(['1980-01-01', '1990-02-02']) : null,
    unitId: pick([...unitIds, 'u-ngoai']),
    status: pick(['active', 'active', 'active', 'retired', 'transferred', 'dismissed', 'deceased', 'on_leave']),
    statusSince: chance(0.5) ? '2026-01-01' : null,
    position: chance(0.8) ? pick(['chuyen vien', 'Trưởng phòng', 'van thu', '']) : null,
    formerUnitIds: chance(0.2) ? [pick([...unitIds, 'u-cu'])] : chance(0.5) ? [] : undefined,
  }));
  const systems: ReconcileSystem[] = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => ({
    id: chance(0.1) ? 's0' : `s${i}`, unitIds: chance(0.2) ? [] : [pick([...unitIds, 'u-x'])], dormantDays: chance(0.5) ? pick([30, 45, 90]) : undefined,
    privilegedRoles: chance(0.8) ? ['Domain Admins', 'quản trị'] : undefined,
    rolePolicy: chance(0.5) ? { 'chuyen vien': ['nhap lieu', 'Xem'], 'truong phong': ['phê duyệt', 'xem'], ...(chance(0.5) ? { '*': ['xem'] } : {}) } : null,
  }));
  const accounts: ReconcileAccount[] = Array.from({ length: 1 + Math.floor(next() * 60) }, () => {
    const p = pick(people);
    const parts = p.nameFolded.split(' ').filter(Boolean);
    const key = parts.length > 1 ? pick([`${parts.at(-1)}${parts.slice(0, -1).map((x) => x[0]).join('')}`, parts.join('.'), parts.join('')]) : p.nameFolded || 'x';
    return {
      systemId: pick([...systems.map((s) => s.id), 's-khac']),
      username: pick([key, key.toUpperCase(), `GL\\${key}2`, `${key}@gialai.gov.vn`, 'admin', 'VanThu01', 'zz.unknown', common.replace(/ /g, ''), 'annv', '123']),
      displayName: chance(0.5) ? pick([p.nameFolded, p.nameFolded.toUpperCase(), 'Nguyễn Thị  Mai', common, '  ', 'Lê Văn An']) : null,
      email: chance(0.4) ? pick([p.email ?? 'khong@co', 'CHUNG@gialai.gov.vn', 'a1@gialai.gov.vn']) : null,
      citizenIdHash: chance(0.3) ? pick([p.citizenIdHash ?? 'hx', `h${Math.floor(next() * 90)}`]) : null,
      dateOfBirth: chance(0.2) ? pick(['1980-01-01', '1990-02-02']) : null,
      unitText: chance(0.8) ? pick([...units.flatMap((u) => [u.code, u.nameFolded.toUpperCase(), `Đơn vị ${u.id.slice(1)}`]), '', 'khác']) : null,
      roles: chance(0.8) ? pick([['Xem'], ['nhap lieu', 'xem'], ['Domain Admins'], ['phê duyệt'], [], ['quan tri', 'xem']]) : undefined,
      privileged: chance(0.05) ? true : undefined,
      enabled: chance(0.85),
      lastLoginAt: chance(0.8) ? pick(LOGINS) : null,
      mfa: pick([true, false, null, undefined]),
      createdAt: chance(0.5) ? '2026-01-01' : null,
    };
  });
  const decisions = chance(0.3)
    ? Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
      const a = pick(accounts);
      return { systemId: a.systemId, username: chance(0.5) ? a.username : a.username.toUpperCase(), personId: chance(0.8) ? pick(people).id : 'p-khac', kind: pick(['link', 'unlink'] as const) };
    })
    : undefined;
  const weights = chance(0.3)
    ? { username: pick([10, 35, 50, 90]), fullName: pick([20, 35, 40.5]), unit: pick([0, 25, 12.25]), candidateThreshold: pick([0, 35, 50]), linkThreshold: pick([60, 80, 100]) }
    : undefined;
  return { accounts, people, units, systems, decisions, weights, asOf: '2026-11-25T00:00:00Z' };
}

/** Everything a user or the service can see of an output, as plain data. */
const visible = (out: ReconcileOutput) => ({
  results: out.results.map((r) => ({ ...r })),
  findings: out.findings.map((f) => ({ index: f.index, kind: f.kind, severity: f.severity, personId: f.personId, reason: f.reason, clause: f.clause })),
});

describe('fast engine = reference engine', () => {
  it('on 600 random rosters and account lists', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const input = randomInput(seed);
      const fast = visible(reconcileAccounts(input));
      const reference = visible(referenceReconcile(input));
      if (JSON.stringify(fast) !== JSON.stringify(reference)) expect({ seed, ...fast }).toEqual({ seed, ...reference });
    }
  });

  it('on one larger roster where most username keys and names are shared by dozens of people', () => {
    const { next, pick } = random(7);
    const units: ReconcileUnit[] = Array.from({ length: 12 }, (_, i) => ({ id: `u${i}`, code: `DV${i}`, nameFolded: `don vi ${i}`, mergedIntoId: i >= 10 ? `u${i - 10}` : null, mergedOn: i >= 10 ? '2025-07-01' : null }));
    const people: ReconcilePerson[] = Array.from({ length: 2000 }, (_, i) => ({
      id: `p${i}`, nameFolded: `${pick(SURNAMES.slice(0, 3))} ${pick(MIDDLE)} ${pick(GIVEN.slice(0, 3))}`, citizenIdHash: `h${i}`, email: `p${i}@gialai.gov.vn`,
      unitId: `u${i % 10}`, status: pick(['active', 'active', 'active', 'retired', 'transferred']), position: pick(['chuyen vien', 'van thu']), formerUnitIds: i % 37 === 0 ? [`u${(i + 1) % 10}`] : [],
    }));
    const accounts: ReconcileAccount[] = Array.from({ length: 10_000 }, (_, i) => {
      const r = next();
      const p = pick(people);
      const parts = p.nameFolded.split(' ');
      return {
        systemId: `s${i % 5}`, username: r < 0.02 ? `orphan${i}` : `${parts.at(-1)}${parts.slice(0, -1).map((x) => x[0]).join('')}${i % 7 === 0 ? i % 10 : ''}`,
        displayName: r >= 0.02 && r < 0.5 ? p.nameFolded : null, email: r > 0.3 && r < 0.6 ? p.email : null, citizenIdHash: r > 0.8 ? p.citizenIdHash : null,
        unitText: next() < 0.1 ? `DV${Math.floor(next() * 12)}` : `DV${p.unitId.slice(1)}`, roles: next() < 0.1 ? ['quan tri'] : ['nhap lieu', 'xem'],
        enabled: next() < 0.9, lastLoginAt: next() < 0.85 ? '2026-11-01T00:00:00Z' : '2026-08-01T00:00:00Z', mfa: next() < 0.6,
      };
    });
    const systems: ReconcileSystem[] = Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, unitIds: [`u${i}`], privilegedRoles: ['quan tri'], rolePolicy: i % 2 ? { 'chuyen vien': ['nhap lieu', 'xem'] } : null }));
    const input: ReconcileInput = { accounts, people, units, systems, asOf: '2026-11-25T00:00:00Z' };
    const fast = visible(reconcileAccounts(input));
    const reference = visible(referenceReconcile(input));
    expect(new Set(fast.results.map((r) => r.situation))).toEqual(new Set(['linked', 'disputed', 'unmatched']));
    expect(JSON.stringify(fast) === JSON.stringify(reference)).toBe(true);
  });
});

describe('login times', () => {
  it('are read exactly as Date.parse reads them, valid or not', () => {
    const { next } = random(11);
    const two = (n: number) => String(Math.floor(next() * n)).padStart(2, '0');
    const wrong: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const y = String(Math.floor(next() * 10_000)).padStart(4, '0');
      const [m, d, hh, mi, ss] = [two(14), two(33), two(26), two(61), two(61)];
      const ms = String(Math.floor(next() * 1000)).padStart(3, '0');
      for (const s of [`${y}-${m}-${d}`, `${y}-${m}-${d}T${hh}:${mi}:${ss}Z`, `${y}-${m}-${d}T${hh}:${mi}:${ss}.${ms}Z`, `${y}-${m}-${d}T${hh}:${mi}:${ss}`, `${y}-${m}-${d} ${hh}:${mi}:${ss}Z`, `${y}-${m}-${d}T${hh}:${mi}:${ss}+07:00`, `${y}/${m}/${d}`, `${y}-${m}-${d}t${hh}:${mi}:${ss}z`]) {
        if (!Object.is(instantMs(s), Date.parse(s))) wrong.push(`${s}: ${instantMs(s)} ≠ ${Date.parse(s)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
