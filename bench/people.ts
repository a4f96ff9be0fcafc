import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/core/config.js';
import { createKeys } from '../src/server/core/keys.js';
import { foldText } from '../src/server/core/text.js';
import { newId, nowIso } from '../src/server/db/columns.js';
import { openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { SESSION_COOKIE, sessionIdFromToken } from '../src/server/modules/auth/session-guard.js';
import { hashCitizenId, maskCitizenId } from '../src/server/modules/org/citizen-id.js';

/**
 * GET /api/v1/people?pageSize=50 latency on 10,000 people in a temporary SQLite database, through the real
 * app with a real session (cookie → session row → grants → scoped query). Three shapes: first page,
 * filtered by unit, folded-name search. Baseline: GET /healthz through the same app in the same process.
 * Target: p95 < 50 ms.
 */
const PEOPLE = 10_000;
const UNITS = 40;
const RUNS = 300;
const WARMUP = 30;

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Rơ Châm', 'Ksor', 'Siu', 'Rah Lan'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Xuân', 'Thu'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Đào', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hiếu', 'Hoa', 'Hùng', 'Hương', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Nga', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Vân', 'Yến', 'H’Hen'];
const STATUSES = ['active', 'active', 'active', 'active', 'active', 'active', 'retired', 'on_leave', 'transferred', 'dismissed'];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
function summary(ms: number[]): { p50: number; p95: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const f = (n: number) => n.toFixed(2);

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-people-'));
  const url = `sqlite:${join(dir, 'bench.db')}`;
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle.db, handle.dialect);
    const keys = createKeys(randomBytes(32));
    const config = loadConfig({}, { dataDir: dir, webDir: join(dir, 'no-web'), logLevel: 'silent', databaseUrl: url });
    const app = await buildApp({ config, db: handle.db, dialect: handle.dialect, keys, clock: Date.now }, { logger: false });
    await app.ready();
    const db = handle.db;
    const now = nowIso();

    // Province → 40 units; 10,000 people spread evenly.
    const rootId = newId();
    const unit = (id: string, code: string, name: string, parent: { id: string; path: string } | null) => ({
      id, code, name, short_name: null, type: parent ? 'commune' : 'province', parent_id: parent?.id ?? null,
      path: `${parent?.path ?? '/'}${id}/`, depth: parent ? 1 : 0, valid_from: '2025-07-01', valid_to: null, merged_into_id: null,
      merged_on: null, merger_decision: null, name_folded: foldText(name), created_at: now, updated_at: now,
    });
    const root = unit(rootId, 'GL', 'Tỉnh Gia Lai', null);
    const units = Array.from({ length: UNITS }, (_, i) => unit(newId(), `XA-${i}`, `Xã số ${i + 1}`, root));
    await db.insertInto('org_units').values([root, ...units]).execute();
    const t0 = performance.now();
    await db.transaction().execute(async (tx) => {
      for (let start = 0; start < PEOPLE; start += 500) {
        const batch = [];
        for (let i = start; i < Math.min(PEOPLE, start + 500); i++) {
          const name = `${SURNAMES[i % SURNAMES.length]} ${MIDDLE[(i * 7) % MIDDLE.length]} ${GIVEN[(i * 13) % GIVEN.length]}`;
          const cccd = String(52_000_000_000 + i).padStart(12, '0');
          batch.push({
            id: newId(), full_name: name, name_folded: foldText(name), citizen_id_hash: hashCitizenId(keys, cccd), citizen_id_masked: maskCitizenId(cccd),
            date_of_birth: null, gender: i % 2 ? 'male' : 'female', email: `cb${i}@gialai.gov.vn`, phone: `09${String(i).padStart(8, '0')}`,
            unit_id: units[i % UNITS]!.id, position: 'Chuyên viên', status: STATUSES[i % STATUSES.length]!, status_since: '2025-07-01',
            created_at: now, updated_at: now,
          });
        }
        await tx.insertInto('people').values(batch).execute();
      }
    });
    const insertMs = performance.now() - t0;

    // A real session for a provincial auditor (reads everyone).
    const userId = newId();
    await db.insertInto('users').values({
      id: userId, username: 'bench', display_name: 'Người đo', person_id: null, unit_id: rootId, email: null, password_hash: null,
      password_changed_at: null, must_change_password: 0, status: 'active', failed_logins: 0, locked_until: null, lockouts: 0,
      last_login_at: null, locale: 'vi', created_at: now, updated_at: now,
    }).execute();
    await db.insertInto('role_grants').values({ id: newId(), user_id: userId, role: 'auditor', unit_id: rootId, granted_by: null, granted_at: now, expires_at: null, note: null }).execute();
    const token = randomBytes(32).toString('base64url');
    await db.insertInto('sessions').values({
      id: sessionIdFromToken(token), user_id: userId, stage: 'active', csrf_token: 'x', mfa_method: 'totp', challenge: null, ip: null,
      user_agent: 'bench', created_at: now, last_seen_at: now, expires_at: new Date(Date.now() + 3600_000).toISOString(), ended_at: null, end_reason: null,
    }).execute();
    const headers = { cookie: `${SESSION_COOKIE}=${token}` };

    const timed = async (u: string, auth: boolean) => {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url: u, headers: auth ? headers : {} });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`${u} answered ${res.statusCode}: ${res.body}`);
      return { ms, body: res.body };
    };
    const measure = async (u: string, auth = true) => {
      for (let i = 0; i < WARMUP; i++) await timed(u, auth);
      const ms: number[] = [];
      let total = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(u, auth);
        ms.push(r.ms);
        if (i === 0 && auth) total = (JSON.parse(r.body) as { total: number }).total;
      }
      return { ...summary(ms), total };
    };

    const health = await measure('/healthz', false);
    const cases = [
      ['first page', '/api/v1/people?pageSize=50'],
      ['filtered by unit', `/api/v1/people?pageSize=50&unitId=${units[7]!.id}`],
      ['folded-name search "nguyen van"', `/api/v1/people?pageSize=50&q=${encodeURIComponent('nguyen van')}`],
    ] as const;
    console.log(`input: ${PEOPLE} people in ${UNITS} units (inserted in ${f(insertMs)} ms); ${RUNS} requests per case after ${WARMUP} warm-up`);
    console.log(`baseline GET /healthz: p50 ${f(health.p50)} ms | p95 ${f(health.p95)} ms | mean ${f(health.mean)} ms`);
    let worst = 0;
    for (const [label, u] of cases) {
      const r = await measure(u);
      worst = Math.max(worst, r.p95);
      console.log(
        `GET /api/v1/people ${label} (${r.total} matches): p50 ${f(r.p50)} ms | p95 ${f(r.p95)} ms | mean ${f(r.mean)} ms | p95 ratio to /healthz ${(r.p95 / health.p95).toFixed(1)}×`,
      );
    }
    console.log(`target p95 < 50 ms: ${worst < 50 ? 'met' : 'NOT met'} (worst p95 ${f(worst)} ms)`);
    await app.close();
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
