import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/core/config.js';
import { createKeys } from '../src/server/core/keys.js';
import { newId, nowIso } from '../src/server/db/columns.js';
import { openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from '../src/server/modules/auth/password.js';

/**
 * POST /api/v1/auth/login throughput and latency on a temporary SQLite database with the real app, against
 * baselines measured in the same process: GET /healthz through the same app, and raw argon2id hash/verify.
 */
const PASSWORD = 'hoa sen nở trên hồ tây sáng nay';
const LOGINS = 200;
const WARMUP = 10;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
function summary(ms: number[]): { p50: number; p95: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const f = (n: number) => n.toFixed(2);

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-'));
  const url = `sqlite:${join(dir, 'bench.db')}`;
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle.db, handle.dialect);
    const config = loadConfig({}, { dataDir: dir, webDir: join(dir, 'no-web'), logLevel: 'silent', databaseUrl: url, loginMaxPerMinutePerIp: 1_000_000 });
    const app = await buildApp({ config, db: handle.db, dialect: handle.dialect, keys: createKeys(randomBytes(32)), clock: Date.now }, { logger: false });
    await app.ready();

    // One unit and one user with a known password (no MFA yet: login ends in stage mfa_enrolment).
    const now = nowIso();
    const unitId = newId();
    await handle.db
      .insertInto('org_units')
      .values({ id: unitId, code: 'BENCH', name: 'Đơn vị đo', short_name: null, type: 'department', parent_id: null, path: `/${unitId}/`, depth: 0, valid_from: '2025-07-01', valid_to: null, merged_into_id: null, merged_on: null, merger_decision: null, name_folded: 'don vi do', created_at: now, updated_at: now })
      .execute();
    await handle.db
      .insertInto('users')
      .values({ id: newId(), username: 'bench', display_name: 'Người đo', person_id: null, unit_id: unitId, email: null, password_hash: await hashPassword(PASSWORD), password_changed_at: now, must_change_password: 0, status: 'active', failed_logins: 0, locked_until: null, lockouts: 0, last_login_at: null, locale: 'vi', created_at: now, updated_at: now })
      .execute();

    const login = async () => {
      const t = performance.now();
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-csrf-token': 'bench', 'user-agent': 'bench' }, payload: { username: 'bench', password: PASSWORD } });
      if (res.statusCode !== 200) throw new Error(`login answered ${res.statusCode}: ${res.body}`);
      return performance.now() - t;
    };
    const health = async () => {
      const t = performance.now();
      await app.inject({ method: 'GET', url: '/healthz' });
      return performance.now() - t;
    };

    // Baselines
    for (let i = 0; i < 200; i++) await health();
    const healthMs: number[] = [];
    for (let i = 0; i < 2000; i++) healthMs.push(await health());
    const hashMs: number[] = [];
    const verifyMs: number[] = [];
    const stored = await hashPassword(PASSWORD);
    for (let i = 0; i < 30; i++) {
      let t = performance.now();
      await hashPassword(PASSWORD);
      hashMs.push(performance.now() - t);
      t = performance.now();
      await verifyPassword(stored, PASSWORD);
      verifyMs.push(performance.now() - t);
    }

    // Login, sequential
    for (let i = 0; i < WARMUP; i++) await login();
    const seqMs: number[] = [];
    let t0 = performance.now();
    for (let i = 0; i < LOGINS; i++) seqMs.push(await login());
    const seqSeconds = (performance.now() - t0) / 1000;

    // Login, concurrency 2 (the argon2 work runs on libuv's thread pool, off the event loop)
    const concMs: number[] = [];
    t0 = performance.now();
    await Promise.all(
      [0, 1].map(async () => {
        for (let i = 0; i < LOGINS / 2; i++) concMs.push(await login());
      }),
    );
    const concSeconds = (performance.now() - t0) / 1000;
    await app.close();

    const h = summary(healthMs);
    const hh = summary(hashMs);
    const vv = summary(verifyMs);
    const s = summary(seqMs);
    const c = summary(concMs);
    console.log(`argon2id: m=${ARGON2_OPTIONS.memoryCost} KiB, t=${ARGON2_OPTIONS.timeCost}, p=${ARGON2_OPTIONS.parallelism}`);
    console.log(`baseline GET /healthz (n=2000):        p50 ${f(h.p50)} ms  p95 ${f(h.p95)} ms`);
    console.log(`baseline argon2id hash (n=30):         p50 ${f(hh.p50)} ms  p95 ${f(hh.p95)} ms`);
    console.log(`baseline argon2id verify (n=30):       p50 ${f(vv.p50)} ms  p95 ${f(vv.p95)} ms`);
    console.log(`POST /auth/login sequential (n=${LOGINS}):   p50 ${f(s.p50)} ms  p95 ${f(s.p95)} ms  ${f(LOGINS / seqSeconds)} logins/s`);
    console.log(`POST /auth/login concurrency 2 (n=${LOGINS}): p50 ${f(c.p50)} ms  p95 ${f(c.p95)} ms  ${f(LOGINS / concSeconds)} logins/s`);
    console.log(`ratio login p50 / healthz p50: ${f(s.p50 / h.p50)}x; login p50 / argon2 verify p50: ${f(s.p50 / vv.p50)}x`);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
