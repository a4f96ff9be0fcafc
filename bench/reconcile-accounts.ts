import { performance } from 'node:perf_hooks';
import { type ReconcileAccount, reconcileAccounts, type ReconcilePerson, type ReconcileSystem, type ReconcileUnit } from '../src/server/engines/account-reconcile/account-reconcile.js';

/**
 * The account-reconciliation engine on 1,000,000 accounts across 50 systems against 100,000 people and 120
 * units (20 merged away). Baseline: "merely loading the rows" — turning the raw row tuples (as a database
 * driver or CSV reader hands them over) into the engine's account objects. Target: under 10 s and under
 * 1 GB RSS for the reconciliation. Deterministic data (a fixed LCG), so runs compare.
 */
const PEOPLE = 100_000;
const ACCOUNTS = Number(process.env.KHIEN_BENCH_ACCOUNTS ?? 1_000_000);
const SYSTEMS = 50;
const UNITS = 120;

let seed = 42;
/** mulberry32: small, fast, well mixed (an LCG's correlated draws skewed the first runs). */
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const SURNAMES = ['nguyen', 'tran', 'le', 'pham', 'hoang', 'huynh', 'phan', 'vu', 'vo', 'dang', 'bui', 'do', 'ho', 'ngo', 'duong', 'ly', 'ksor', 'siu', 'rah lan', 'ro cham'];
const MIDDLE = ['van', 'thi', 'huu', 'duc', 'minh', 'ngoc', 'thanh', 'quoc', 'xuan', 'thu', 'kim', 'bao'];
const GIVEN = ['an', 'binh', 'cuong', 'dung', 'dao', 'giang', 'ha', 'hai', 'hanh', 'hieu', 'hoa', 'hung', 'huong', 'khanh', 'lan', 'linh', 'long', 'mai', 'nam', 'nga', 'phuc', 'quan', 'son', 'tam', 'thao', 'trang', 'tuan', 'van', 'yen', 'hen'];
/** About 4 % leavers/transfers, as in a roster kept up to date. */
const STATUSES = [...Array<string>(96).fill('active'), 'retired', 'retired', 'transferred', 'dismissed'];

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

export async function run(): Promise<void> {
  const timer = setInterval(sample, 20);
  const units: ReconcileUnit[] = Array.from({ length: UNITS }, (_, i) => ({
    id: `u${i}`, code: `DV${i}`, nameFolded: `don vi ${i}`, mergedIntoId: i >= 100 ? `u${i - 100}` : null, mergedOn: i >= 100 ? '2025-07-01' : null,
  }));
  const people: ReconcilePerson[] = Array.from({ length: PEOPLE }, (_, i) => {
    const name = `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
    return {
      id: `p${i}`, nameFolded: name, citizenIdHash: `h${i}`, email: `p${i}@gialai.gov.vn`, unitId: `u${i % 100}`,
      status: pick(STATUSES), statusSince: '2026-01-01', position: pick(['chuyen vien', 'truong phong', 'van thu']),
      formerUnitIds: i % 37 === 0 ? [`u${(i + 1) % 100}`] : [],
    };
  });
  const systems: ReconcileSystem[] = Array.from({ length: SYSTEMS }, (_, i) => ({
    id: `s${i}`, unitIds: [`u${i}`], dormantDays: i % 5 === 0 ? 90 : 45, privilegedRoles: ['domain admins', 'quan tri'],
    rolePolicy: i % 2 === 0 ? { 'chuyen vien': ['nhap lieu', 'xem'], 'van thu': ['nhap lieu', 'xem'], 'truong phong': ['phe duyet', 'nhap lieu', 'xem'], '*': ['xem'] } : null,
  }));
  // Raw tuples: [system, username, display, email, cidHash, unit, roles, enabled, lastLogin, mfa]
  const raw: (string | number | null)[][] = new Array(ACCOUNTS);
  for (let i = 0; i < ACCOUNTS; i++) {
    const r = rnd();
    const p = people[Math.floor(rnd() * PEOPLE)]!;
    const parts = p.nameFolded.split(' ');
    const username = r < 0.02 ? `orphan${i}` : r < 0.025 ? pick(['admin', 'vanthu', 'ketoan']) : `${parts[parts.length - 1]}${parts.slice(0, -1).map((x) => x[0]).join('')}${i % 7 === 0 ? i % 10 : ''}`;
    raw[i] = [
      `s${i % SYSTEMS}`, username, r < 0.5 && r >= 0.025 ? p.nameFolded : null, r > 0.3 && r < 0.8 ? p.email! : null, r > 0.6 ? p.citizenIdHash! : null,
      // Mostly the person's own unit; 3 % a unit merged away, 5 % another unit.
      (() => { const x = rnd(); return x < 0.03 ? `DV${100 + Math.floor(rnd() * 20)}` : x < 0.08 ? `DV${Math.floor(rnd() * 100)}` : `DV${p.unitId.slice(1)}`; })(),
      rnd() < 0.05 ? 'quan tri' : rnd() < 0.1 ? 'phe duyet|xem' : 'nhap lieu|xem', rnd() < 0.9 ? 1 : 0,
      rnd() < 0.85 ? '2026-11-01T00:00:00Z' : '2026-08-01T00:00:00Z', rnd() < 0.6 ? 1 : 0,
    ];
  }
  sample();
  const rssBefore = process.memoryUsage().rss;

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // Interned role lists: a system's accounts share a handful of role combinations, so one frozen array per
  // distinct cell value instead of a new array (and new strings) per account.
  const roleLists = new Map<string, readonly string[]>();
  const rolesOf = (cell: string) => {
    let r = roleLists.get(cell);
    if (!r) roleLists.set(cell, (r = Object.freeze(cell.split('|'))));
    return r;
  };
  const accounts: ReconcileAccount[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]!;
    accounts[i] = {
      systemId: t[0] as string, username: t[1] as string, displayName: t[2] as string | null, email: t[3] as string | null,
      citizenIdHash: t[4] as string | null, unitText: t[5] as string, roles: rolesOf(t[6] as string), enabled: t[7] === 1,
      lastLoginAt: t[8] as string, mfa: t[9] === 1,
    };
  }
  const loadMs = performance.now() - t0;
  const loadCpu = process.cpuUsage(cpu0);
  const loadCpuMs = (loadCpu.user + loadCpu.system) / 1000;
  sample();

  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  const out = reconcileAccounts({ accounts, people, units, systems, asOf: '2026-11-25T00:00:00Z' });
  const reconcileMs = performance.now() - t1;
  // CPU time of this process (user + system): on a machine shared with other work, wall time mostly measures the others.
  const cpu = process.cpuUsage(cpu1);
  const reconcileCpuMs = (cpu.user + cpu.system) / 1000;
  sample();
  clearInterval(timer);

  const situations: Record<string, number> = {};
  for (const r of out.results) situations[r.situation] = (situations[r.situation] ?? 0) + 1;
  const findings: Record<string, number> = {};
  for (const f of out.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
  console.log(`data: ${ACCOUNTS.toLocaleString('en')} accounts, ${SYSTEMS} systems, ${PEOPLE.toLocaleString('en')} people, ${UNITS} units (20 merged)`);
  console.log(`load rows → account objects: ${(loadMs / 1000).toFixed(2)} s wall, ${(loadCpuMs / 1000).toFixed(2)} s CPU`);
  console.log(`reconcile (situations + findings): ${(reconcileMs / 1000).toFixed(2)} s wall, ${(reconcileCpuMs / 1000).toFixed(2)} s CPU | ratio to loading: ${(reconcileMs / loadMs).toFixed(1)}×`);
  console.log(`RSS: ${Math.round(rssBefore / 2 ** 20)} MiB after generating data, peak ${Math.round(peakRss / 2 ** 20)} MiB (target < 1024)`);
  console.log(`situations: ${JSON.stringify(situations)}`);
  console.log(`findings: ${out.findings.length.toLocaleString('en')} ${JSON.stringify(findings)}`);
  console.log(`target: reconcile < 10 s and peak RSS < 1 GiB → ${reconcileMs < 10_000 && peakRss < 2 ** 30 ? 'MET' : 'NOT MET'}`);
}
