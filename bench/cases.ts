import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/server/app.js';
import { loadConfig, testEnv } from '../src/server/core/config.js';
import { createKeys } from '../src/server/core/keys.js';
import { foldText } from '../src/server/core/text.js';
import { newId, nowIso } from '../src/server/db/columns.js';
import { openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { SESSION_COOKIE, sessionIdFromToken } from '../src/server/modules/auth/session-guard.js';

/**
 * Case queue and case page latency on PostgreSQL with 100,000 cases and 5,000,000 timeline entries (plus
 * 1,000,000 tasks, 200,000 clocks, 100,000 members and 100,000 observables drawn from 5,000 IPs, so repeated-IOC
 * look-ups find matches), through the real app with real sessions. The data is built server-side with
 * set-based INSERT … SELECT FROM generate_series (bulk inserts, no per-row round trips). Baseline: GET /healthz
 * through the same app in the same process. Target: p95 < 100 ms.
 */
const CASES = 100_000;
const TIMELINE_PER_CASE = 50;
const TASKS_PER_CASE = 10;
const UNITS = 60;
const RUNS = 300;
/** Case titles (each numbered); `title_folded` is foldText of the same, as the cases service writes it. */
const TITLES = ['Mã độc tống tiền trên máy chủ', 'Tài khoản công vụ bị chiếm quyền', 'Thay đổi giao diện trang xã', 'DDoS cổng dịch vụ công', 'Thư lừa đảo giả danh'];
const WARMUP = 30;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const f = (n: number) => n.toFixed(2);

export async function run(): Promise<void> {
  const base = testEnv().postgresUrl;
  const name = `khien_bench_cases_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-cases-'));
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle.db, handle.dialect);
    const db = handle.db;
    const now = nowIso();
    const rootId = newId();
    const unit = (id: string, code: string, nm: string, parent: { id: string; path: string } | null) => ({
      id, code, name: nm, short_name: null, type: parent ? 'department' : 'province', parent_id: parent?.id ?? null,
      path: `${parent?.path ?? '/'}${id}/`, depth: parent ? 1 : 0, valid_from: '2025-07-01', valid_to: null, merged_into_id: null,
      merged_on: null, merger_decision: null, name_folded: foldText(nm), created_at: now, updated_at: now,
    });
    const root = unit(rootId, 'GL', 'Tỉnh Gia Lai', null);
    const units = Array.from({ length: UNITS }, (_, i) => unit(newId(), `DV-${i}`, `Đơn vị số ${i + 1}`, root));
    await db.insertInto('org_units').values([root, ...units]).execute();

    const mkUser = async (username: string, role: 'admin' | 'unit_manager', unitId: string) => {
      const id = newId();
      await db.insertInto('users').values({
        id, username, display_name: `Người đo ${username}`, person_id: null, unit_id: unitId, email: null, password_hash: null, password_changed_at: null,
        must_change_password: 0, status: 'active', failed_logins: 0, locked_until: null, lockouts: 0, last_login_at: null, locale: 'vi', created_at: now, updated_at: now,
      }).execute();
      await db.insertInto('role_grants').values({ id: newId(), user_id: id, role, unit_id: unitId, granted_by: null, granted_at: now, expires_at: null, note: null }).execute();
      const token = randomBytes(32).toString('base64url');
      await db.insertInto('sessions').values({
        id: sessionIdFromToken(token), user_id: id, stage: 'active', csrf_token: 'x', mfa_method: 'totp', challenge: null, ip: null,
        user_agent: 'bench', created_at: now, last_seen_at: now, expires_at: new Date(Date.now() + 4 * 3600_000).toISOString(), ended_at: null, end_reason: null,
      }).execute();
      return { id, headers: { cookie: `${SESSION_COOKIE}=${token}` } };
    };
    const soc = await mkUser('bench.soc', 'admin', rootId);
    const manager = await mkUser('bench.unit', 'unit_manager', units[7]!.id);

    const unitIds = units.map((x) => x.id);
    const unitPaths = units.map((x) => x.path);
    const t0 = performance.now();
    const n = (x: number) => sql.raw(String(Math.trunc(x)));
    const caseId = (expr: string) => sql.raw(`'00000000-0000-7000-8000-' || lpad(to_hex(${expr}), 12, '0')`);
    const iso = (expr: string) => sql.raw(`to_char(timestamp '2025-11-01' + (${expr}) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
    await sql`
      insert into cases (id, number, title, title_folded, description, severity, severity_rank, tlp, pap, category, phase, close_reason, unit_id, unit_path, reportable, regime,
        immediate, occurred_at, detected_at, acknowledged_at, contained_at, resolved_at, closed_at, next_due_at, affected_json, created_by, created_at, updated_at)
      select ${caseId('i')}, 'SC-B-' || lpad(i::text, 6, '0'),
        (${TITLES}::text[])[1 + i % 5] || ' #' || i, (${TITLES.map(foldText)}::text[])[1 + i % 5] || ' #' || i,
        'Mô tả sự cố số ' || i, (array['low','medium','high','critical'])[1 + i % 4], i % 4, 'amber', 'amber',
        (array['ransomware','account_compromise','web_defacement','ddos','phishing','malware','data_leak'])[1 + i % 7],
        case when i % 10 < 6 then 'closed' else (array['triage','containment','eradication','recovery'])[1 + i % 4] end,
        case when i % 10 < 6 then 'resolved' else null end,
        (${unitIds}::text[])[1 + i % ${n(UNITS)}], (${unitPaths}::text[])[1 + i % ${n(UNITS)}], (i % 5 = 0)::int, case when i % 5 = 0 then 'nd331' else null end, 0,
        ${iso('i * 300 - 3600')}, ${iso('i * 300')}, ${iso('i * 300 + 900')}, ${iso('i * 300 + 7200')}, ${iso('i * 300 + 86400')},
        case when i % 10 < 6 then ${iso('i * 300 + 90000')} else null end,
        case when i % 10 < 6 then null else ${iso('i * 300 + 259200')} end,
        '{"systemIds":[],"assetIds":[],"unitIds":[],"people":""}', ${soc.id}, ${iso('i * 300')}, ${iso('i * 300 + 600')}
      from generate_series(0, ${n(CASES - 1)}) i`.execute(db);
    const tCases = performance.now();
    const TL = CASES * TIMELINE_PER_CASE;
    for (let start = 0; start < TL; start += 500_000) {
      await sql`
        insert into case_timeline (id, case_id, at, kind, actor_user_id, actor_label, text, details_json)
        select '00000001-0000-7000-8000-' || lpad(to_hex(j), 12, '0'), ${caseId(`j / ${TIMELINE_PER_CASE}`)},
          ${iso(`(j / ${TIMELINE_PER_CASE}) * 300 + (j % ${TIMELINE_PER_CASE}) * 60`)},
          (array['event','action','comment','action','clock'])[1 + j % 5], null, 'bench.soc',
          'Diễn biến số ' || (j % ${n(TIMELINE_PER_CASE)}) || ': đã thực hiện bước xử lý, ghi nhận chứng cứ và cập nhật trạng thái.', null
        from generate_series(${n(start)}, ${n(Math.min(TL, start + 500_000) - 1)}) j`.execute(db);
    }
    const tTimeline = performance.now();
    await sql`
      insert into case_tasks (id, case_id, playbook_id, playbook_key, step_key, phase, title, who, evidence_json, decision, mandatory, status, owner_unit_id,
        assignee_user_id, due_at, done_at, done_by, note, sort_order, created_at, updated_at)
      select '00000002-0000-7000-8000-' || lpad(to_hex(k), 12, '0'), ${caseId(`k / ${TASKS_PER_CASE}`)}, null, 'ransomware-server', 'step-' || (k % ${n(TASKS_PER_CASE)}),
        (array['triage','containment','eradication','recovery','post_incident'])[1 + (k % ${n(TASKS_PER_CASE)}) / 2], 'Bước xử lý số ' || (k % ${n(TASKS_PER_CASE)}),
        (array['soc','unit','operator','police'])[1 + k % 4], '[]', null, (k % 3 = 0)::int, case when k % 2 = 0 then 'done' else 'todo' end, null,
        case when k % 97 = 0 then ${soc.id} else null end, ${iso(`(k / ${TASKS_PER_CASE}) * 300 + (k % ${TASKS_PER_CASE}) * 3600`)}, null, null, null, k % ${n(TASKS_PER_CASE)},
        ${iso(`(k / ${TASKS_PER_CASE}) * 300`)}, ${iso(`(k / ${TASKS_PER_CASE}) * 300`)}
      from generate_series(0, ${n(CASES * TASKS_PER_CASE - 1)}) k`.execute(db);
    await sql`
      insert into case_clocks (id, case_id, kind, regime, basis, started_at, due_at, met_at, warned_at, overdue_at)
      select '00000003-0000-7000-8000-' || lpad(to_hex(k), 12, '0'), ${caseId('k / 2')}, case when k % 2 = 0 then 'acknowledge' else 'resolve' end, null, 'SLA',
        ${iso('(k / 2) * 300')}, ${iso('(k / 2) * 300 + 3600 + (k % 2) * 255600')}, case when (k / 2) % 10 < 6 then ${iso('(k / 2) * 300 + 900')} else null end, null, null
      from generate_series(0, ${n(CASES * 2 - 1)}) k`.execute(db);
    await sql`
      insert into case_members (id, case_id, user_id, role, added_at)
      select '00000004-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), ${caseId('i')}, ${soc.id}, 'assignee', ${iso('i * 300')} from generate_series(0, ${n(CASES - 1)}) i`.execute(db);
    await sql`
      insert into case_observables (id, case_id, type, value, match_key, ioc, note, created_by, created_at)
      select '00000005-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), ${caseId('i')}, 'ip', '10.' || (i % 5000) / 250 || '.' || (i % 250) || '.7', '10.' || (i % 5000) / 250 || '.' || (i % 250) || '.7',
        1, null, null, ${iso('i * 300')} from generate_series(0, ${n(CASES - 1)}) i`.execute(db);
    await sql`analyze`.execute(db);
    const tEnd = performance.now();

    const keys = createKeys(randomBytes(32));
    const config = loadConfig({}, { dataDir: dir, webDir: join(dir, 'no-web'), logLevel: 'silent', databaseUrl: url });
    const app = await buildApp({ config: { ...config, cases: { ...config.cases, tickMs: 0 } }, db, dialect: handle.dialect, keys, clock: Date.now }, { logger: false });
    await app.ready();

    const timed = async (path: string, headers: Record<string, string>) => {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url: path, headers });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return { ms, body: res.body };
    };
    const measure = async (paths: () => string, headers: Record<string, string>) => {
      for (let i = 0; i < WARMUP; i++) await timed(paths(), headers);
      const ms: number[] = [];
      let sample = '';
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(paths(), headers);
        ms.push(r.ms);
        if (i === 0) sample = r.body;
      }
      const s = [...ms].sort((a, b) => a - b);
      return { p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), mean: ms.reduce((a, b) => a + b, 0) / ms.length, sample };
    };
    const health = await measure(() => '/healthz', {});
    console.log(`input: ${CASES.toLocaleString('en')} cases in ${UNITS} units, ${TL.toLocaleString('en')} timeline entries, ${(CASES * TASKS_PER_CASE).toLocaleString('en')} tasks, ${(CASES * 2).toLocaleString('en')} clocks, ${CASES.toLocaleString('en')} observables (5,000 distinct IPs)`);
    console.log(`build: cases ${f((tCases - t0) / 1000)} s, timeline ${f((tTimeline - tCases) / 1000)} s, the rest + ANALYZE ${f((tEnd - tTimeline) / 1000)} s (INSERT … SELECT generate_series)`);
    console.log(`${RUNS} requests per shape after ${WARMUP} warm-up; PostgreSQL ${(await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db)).rows[0]!.v}`);
    console.log(`baseline GET /healthz: p50 ${f(health.p50)} ms | p95 ${f(health.p95)} ms`);
    let worst = 0;
    let k = 0;
    const shapes: [string, () => string, Record<string, string>][] = [
      ['queue: open cases, first page (province scope)', () => '/api/v1/cases?phase=open&pageSize=50', soc.headers],
      ['queue: severity + category filter', () => '/api/v1/cases?severity=critical&category=ransomware&pageSize=50', soc.headers],
      ['queue: overdue only', () => '/api/v1/cases?overdue=true&pageSize=50', soc.headers],
      ['queue: page 200 (offset 9,950)', () => '/api/v1/cases?page=200&pageSize=50', soc.headers],
      ['queue: one unit\'s manager (scoped)', () => '/api/v1/cases?pageSize=50', manager.headers],
      ['queue: title search', () => `/api/v1/cases?q=${encodeURIComponent('lừa đảo #99')}&pageSize=50`, soc.headers],
      ['case page (random case: 50 timeline entries, 10 tasks, clocks, IOC matches)', () => `/api/v1/cases/00000000-0000-7000-8000-${(((k += 7919) % CASES)).toString(16).padStart(12, '0')}`, soc.headers],
    ];
    for (const [label, path, headers] of shapes) {
      const r = await measure(path, headers);
      worst = Math.max(worst, r.p95);
      const body = JSON.parse(r.sample) as { total?: number; timeline?: unknown[]; tasks?: unknown[]; observables?: { seenCount: number }[] };
      const what = body.total !== undefined ? `${body.total} matches` : `${body.timeline?.length} timeline, ${body.tasks?.length} tasks, IOC seen in ${body.observables?.[0]?.seenCount} other cases`;
      console.log(`${label} (${what}): p50 ${f(r.p50)} ms | p95 ${f(r.p95)} ms | p99 ${f(r.p99)} ms | p95 ratio to /healthz ${(r.p95 / health.p95).toFixed(1)}×`);
    }
    console.log(`target p95 < 100 ms: ${worst < 100 ? 'met' : 'NOT met'} (worst p95 ${f(worst)} ms)`);
    await app.close();
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
}
