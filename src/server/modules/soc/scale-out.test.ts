import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../../../../test/support/context.js';
import { insertUnit } from '../../../../test/support/context.js';
import { loadConfig } from '../../core/config.js';
import { type DatabaseHandle, openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrator.js';
import { connectNats, LeaseStore, scaleOutNames } from './nats.js';
import { scaleOutStatus } from './scale-out.js';
import { scratchDatabase } from '../../../../test/support/scratch-db.js';

/**
 * Scale-out over real NATS JetStream with real processes (`khien serve --role ingest` and `--role worker`).
 * The same syslog workload — twelve addresses brute-forcing SSH among quiet ones and routine noise — goes
 * (a) through one ingest and ONE worker, (b) through one ingest and TWO workers, one of which is killed with
 * SIGKILL mid-stream. The correlation alerts (rule, group, count, first and last seen) must be identical,
 * every event stored exactly once, and the survivor must own every partition at the end.
 */
const REPO = new URL('../../../../', import.meta.url).pathname;
const NATS_URL = '127.0.0.1:4222';
const N = 8_000;
const PARTITIONS = 4;
const ATTACKERS = Array.from({ length: 12 }, (_, i) => `45.142.${120 + i}.${33 + i}`);
const QUIET = Array.from({ length: 200 }, (_, i) => `10.20.${Math.floor(i / 50)}.${(i % 50) + 10}`);

/**
 * Access-log records over syslog (issue 5 item 4) from the declared source `motcua-gl01`, interleaved with the
 * workload: look-ups by counter staff during the day (half with a recordId, half without, so a record stored
 * twice would show), and five night-time look-ups by `dem.khuya` (an out-of-hours look-up alert).
 */
const ACCESS = 240;
const ACCESS_HOST = 'motcua-gl01';
const cccd = (i: number) => `0521900${String(10000 + i).slice(-5)}`;
function accessLines(): string[] {
  const base = Date.parse('2026-11-20T01:00:00Z');
  return Array.from({ length: ACCESS }, (_, i) => {
    const ts = new Date(base + i * 7000).toISOString().replace('.000Z', '+00:00');
    const night = i >= ACCESS - 5;
    const at = night ? ` at="2026-11-19T23:${String(10 + i - (ACCESS - 5)).padStart(2, '0')}:00+07:00"` : '';
    const sd = `[khienAccess@32473 account="${night ? 'dem.khuya' : `quay.${i % 6}`}" action="lookup" citizenId="${cccd(i)}" caseRef="HS-${i}" ip="10.30.2.${20 + (i % 6)}"${at}${i % 2 ? ` recordId="acc-${i}"` : ''}]`;
    return `<134>1 ${ts} ${ACCESS_HOST} motcua - ACC ${sd} Tra cứu CSDL dân cư, công dân ${cccd(i)}`;
  });
}

/** The workload: deterministic (seeded), one RFC 5424 line per event, five events per second of log time. */
function workload(): string[] {
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const base = Date.parse('2026-11-20T01:00:00Z');
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const ts = new Date(base + Math.floor(i / 5) * 1000).toISOString().replace('.000Z', '+00:00');
    const r = rnd();
    const port = 30000 + i; // makes every message unique (exactly-once check)
    let msg: string;
    if (r < 0.3) msg = `sshd 4242 - - Failed password for invalid user admin from ${ATTACKERS[Math.floor(rnd() * ATTACKERS.length)]} port ${port} ssh2`;
    else if (r < 0.31) msg = `sshd 4242 - - Accepted password for deploy from ${ATTACKERS[Math.floor(rnd() * 3)]} port ${port} ssh2`;
    else if (r < 0.33) msg = `sshd 4242 - - Failed password for an from ${QUIET[Math.floor(rnd() * QUIET.length)]} port ${port} ssh2`;
    else msg = `CRON 77 - - (root) CMD (run-parts /etc/cron.hourly) job=${port}`;
    lines.push(`<38>1 ${ts} srv-ssh-01 ${msg}`);
  }
  // One access-log record every ~33 lines.
  const acc = accessLines();
  return lines.flatMap((l, i) => (i % Math.floor(N / ACCESS) === 0 && i / Math.floor(N / ACCESS) < ACCESS ? [acc[i / Math.floor(N / ACCESS)]!, l] : [l]));
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

interface Db {
  url: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

async function freshDatabase(dir: string): Promise<Db> {
  // SQLite: the ingest and the workers share one file.
  const { url, drop } = await scratchDatabase({ dir, prefix: 'khien_scale' });
  const handle = openDatabase(url);
  await migrateToLatest(handle.db, handle.dialect);
  // The province's root unit: events of unknown hosts fall back to it, so their alerts have a unit.
  const root = await insertUnit({ db: handle.db, now: () => Date.now() } as unknown as TestContext, { code: 'TINH', name: 'UBND tỉnh', type: 'province' });
  // The one-stop system and the syslog source declared to carry its access-log records.
  const now = new Date().toISOString();
  await handle.db.insertInto('information_systems').values({
    id: SYSTEM_ID, code: 'MCDT-GL', name: 'Hệ thống một cửa điện tử tỉnh', name_folded: 'he thong mot cua dien tu tinh', type: 'citizen_service', status: 'in_operation',
    owner_unit_id: root.id, origin: 'new', information_json: '{}', administrative_procedure: 1, conditional_business: 0, infrastructure_scope: 'none', ics_work_grade: 'none',
    national_egov_24x7: 0, national_security_impact: 'none', connections_json: '{}', approval_documents_json: '[]', created_at: now, updated_at: now,
  }).execute();
  await handle.db.insertInto('soc_sources').values({
    id: SOURCE_ID, name: 'Syslog một cửa', kind: 'syslog', unit_id: root.id, system_id: SYSTEM_ID, asset_id: null, hosts_json: JSON.stringify([ACCESS_HOST]),
    api_key_hash: null, api_key_prefix: null, tz_offset_minutes: 420, access_log: 1, enabled: 1, created_at: now, updated_at: now,
  }).execute();
  return { url, handle, drop };
}

const SYSTEM_ID = '019ac000-0000-7000-8000-00000000a001';
const SOURCE_ID = '019ac000-0000-7000-8000-00000000a002';
const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const f of cleanups.reverse()) await f().catch(() => undefined);
});

/** Start a `khien serve` process; resolves once a line containing `ready` appears in its log. */
function startKhien(role: 'ingest' | 'worker', env: Record<string, string>, ready: string, onLine: (line: string) => void = () => undefined): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/server/main.ts'), 'serve', '--role', role], {
    cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(c);
  c.once('exit', () => children.delete(c));
  let buf = '';
  let err = '';
  c.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} did not start: ${err}`)), 60_000);
    c.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        onLine(line);
        if (line.includes(ready)) {
          clearTimeout(timer);
          resolve(c);
        }
      }
    });
    c.once('exit', (code) => reject(new Error(`${role} exited ${code}: ${err}`)));
  });
}

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Outcome {
  correlation: string[];
  totals: Record<string, number>;
  stored: number;
  distinct: number;
  status: Awaited<ReturnType<typeof scaleOutStatus>>;
  access: { records: number; distinctSubjects: number; sealed: number; clearInEvents: number; offHours: { status: string; socAlertId: string | null }[]; socLookupAlerts: number };
}

/** One scenario: fresh database and stream, one ingest, `workers` workers; kill the first one mid-stream. */
async function scenario(lines: string[], workers: 1 | 2, killOne: boolean): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'khien-scale-'));
  const db = await freshDatabase(dir);
  const run = randomBytes(4).toString('hex');
  const stream = `KHIEN_TEST_${run}`;
  const env = {
    KHIEN_DATABASE_URL: db.url, KHIEN_NATS_URL: NATS_URL, KHIEN_NATS_STREAM: stream, KHIEN_NATS_SUBJECT_PREFIX: `khien.test.${run}.soc.events`,
    KHIEN_SOC_PARTITIONS: String(PARTITIONS), KHIEN_SOC_LEASE_SECONDS: '6', KHIEN_PORT: '0', KHIEN_SYSLOG_UDP_PORT: '-1', KHIEN_SYSLOG_TLS_PORT: '-1',
    KHIEN_AUDIT_LOG_SEQUENCE_MS: '0', KHIEN_CASES_TICK_MS: '0', KHIEN_WEB_DIR: join(dir, 'no-web'), KHIEN_LOG_LEVEL: 'info',
  };
  const config = loadConfig(Object.fromEntries(Object.entries(env)), {});
  const names = scaleOutNames(config);
  const nats = await connectNats(config, 'khien-scale-test');
  const cleanup = async () => {
    for (const s of [names.stream, names.leaseStream]) await nats.jsm.streams.delete(s).catch(() => undefined);
    await nats.nc.close();
    await db.handle.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(cleanup);
  const tcp = await freePort();
  const t0 = Date.now();
  const taken = new Map<number, number>(); // worker index → partitions taken
  const workerEnv = (i: number) => ({ ...env, KHIEN_DATA_DIR: join(dir, `worker${i}`) });
  // All processes start together (starting one costs seconds of TypeScript loading on this machine).
  const [ingest, ...procs] = await Promise.all([
    startKhien('ingest', { ...env, KHIEN_DATA_DIR: join(dir, 'ingest'), KHIEN_SYSLOG_TCP_PORT: String(tcp) }, 'syslog listeners ready'),
    ...Array.from({ length: workers }, (_, i) => startKhien('worker', workerEnv(i), 'khien worker started', (line) => {
      if (line.includes('partition taken')) taken.set(i, (taken.get(i) ?? 0) + 1);
    })),
  ]);
  const leases = new LeaseStore(nats, names.leaseStream);
  // Every partition owned (with two workers: two each) before the stream starts.
  await waitFor('the partitions to be shared', async () => {
    const s = await scaleOutStatus(nats, leases, names);
    return s.unowned === 0 && s.workers.length === workers && s.workers.every((w) => w.partitions.length === PARTITIONS / workers);
  }, 30_000);
  const count = async () => Number((await db.handle.db.selectFrom('soc_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  const sock = net.connect(tcp, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  for (let i = 0; i < lines.length; i += 500) {
    if (!sock.write(`${lines.slice(i, i + 500).join('\n')}\n`)) await new Promise((r) => sock.once('drain', r));
  }
  sock.end();
  let killedAt = -1;
  if (killOne) {
    await waitFor('a third of the events stored', async () => (await count()) >= N / 3, 60_000);
    killedAt = await count();
    procs[0]!.kill('SIGKILL');
    await new Promise((r) => procs[0]!.once('exit', r));
  }
  await waitFor('every event stored', async () => (await count()) >= lines.length, 90_000);
  await waitFor('the partitions drained', async () => (await scaleOutStatus(nats, leases, names)).lag === 0, 30_000);
  if (killOne) {
    await waitFor('the survivor to own every partition', async () => {
      const s = await scaleOutStatus(nats, leases, names);
      return s.workers.length === 1 && s.workers[0]!.partitions.length === PARTITIONS;
    }, 30_000);
    expect(killedAt, 'the worker was killed mid-stream').toBeLessThan(lines.length);
  }
  const d = db.handle.db;
  // The access-log records are committed with their events; the look-up analytics run just after.
  await waitFor('the access-log records', async () => Number((await d.selectFrom('access_log_records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0) >= ACCESS, 30_000);
  await new Promise((r) => setTimeout(r, 1500)); // a heartbeat with the final counters
  const status = await scaleOutStatus(nats, leases, names);
  const records = await d.selectFrom('access_log_records').select(['subject_hash', 'subject_masked', 'source']).execute();
  const clearInEvents = Number((await d.selectFrom('soc_events').select((eb) => eb.fn.countAll().as('n')).where((eb) => eb.or([eb('message', 'like', '%0521900%'), eb('fields_json', 'like', '%0521900%')])).executeTakeFirst())?.n ?? 0);
  const offHours = await d.selectFrom('lookup_alerts').select(['status', 'soc_alert_id']).where('kind', '=', 'off_hours').where('account', '=', 'dem.khuya').execute();
  const socLookupAlerts = Number((await d.selectFrom('soc_alerts').select((eb) => eb.fn.countAll().as('n')).where('origin', '=', 'lookup').executeTakeFirst())?.n ?? 0);
  const access = {
    records: records.length, distinctSubjects: new Set(records.map((r) => r.subject_hash)).size,
    sealed: records.filter((r) => r.source === 'syslog' && /^[0-9a-f]{64}$/.test(r.subject_hash ?? '') && /^052\*{6}\d{3}$/.test(r.subject_masked ?? '')).length,
    clearInEvents, offHours: offHours.map((o) => ({ status: o.status, socAlertId: o.soc_alert_id })), socLookupAlerts,
  };
  const alerts = await d.selectFrom('soc_alerts').select(['origin', 'rule_id', 'group_key', 'count', 'first_seen', 'last_seen']).orderBy('group_key').orderBy('first_seen').execute();
  const totals: Record<string, number> = {};
  for (const a of alerts) totals[`${a.origin}|${a.rule_id}`] = (totals[`${a.origin}|${a.rule_id}`] ?? 0) + Number(a.count);
  const stored = await count();
  const distinct = Number((await d.selectFrom('soc_events').select((eb) => eb.fn.count('message').distinct().as('n')).executeTakeFirst())?.n ?? 0);
  for (const p of [ingest, ...procs]) p.kill('SIGTERM');
  await Promise.all([ingest, ...procs].filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise((r) => p.once('exit', r))));
  console.log(`scale-out ${workers} worker(s)${killOne ? `, one killed at ${killedAt} stored` : ''}: ${stored} stored in ${Date.now() - t0} ms, ${alerts.length} alerts; workers ${JSON.stringify(status.workers.map((w) => ({ partitions: w.partitions, stored: w.stored, redelivered: w.redelivered, replayed: w.replayed, takeovers: w.takeovers })))}`);
  return {
    correlation: alerts.filter((a) => a.origin === 'correlation').map((a) => `${a.rule_id} ${a.group_key} count=${a.count} ${a.first_seen}..${a.last_seen}`),
    totals, stored, distinct, status, access,
  };
}

describe('SOC scale-out over NATS JetStream (real processes)', () => {
  it('two workers, one killed with SIGKILL mid-stream, give the same correlation alerts as one worker; every event stored once', async () => {
    const lines = workload();
    const one = await scenario(lines, 1, false);
    expect(one.stored).toBe(lines.length);
    expect(one.distinct).toBe(lines.length);
    // Access-log records from the declared source: each stored once, citizen ID hashed and masked (never clear in
    // the events), and the night-time look-ups raised a look-up alert mirrored into the SOC queue.
    expect(one.access).toMatchObject({ records: ACCESS, distinctSubjects: ACCESS, sealed: ACCESS, clearInEvents: 0 });
    expect(one.access.offHours).toHaveLength(1);
    expect(one.access.offHours[0]!.socAlertId).not.toBeNull();
    expect(one.access.socLookupAlerts).toBeGreaterThanOrEqual(1);
    // Brute force raised for every attacking address, for none of the quiet ones.
    for (const ip of ATTACKERS) expect(one.correlation.some((a) => a.includes(`["${ip}"]`)), ip).toBe(true);
    for (const ip of QUIET) expect(one.correlation.some((a) => a.includes(`["${ip}"]`)), ip).toBe(false);
    expect(one.status.workers[0]!.partitions).toEqual([0, 1, 2, 3]);

    const two = await scenario(lines, 2, true);
    expect(two.stored, 'every event stored exactly once').toBe(lines.length);
    expect(two.distinct).toBe(lines.length);
    expect(two.access, 'every access-log record stored exactly once despite the kill').toMatchObject({ records: ACCESS, distinctSubjects: ACCESS, sealed: ACCESS, clearInEvents: 0 });
    expect(two.correlation).toEqual(one.correlation);
    // Look-up alerts are analysed after each commit (not part of the exactly-once contract): compared above.
    const sigma = (t: Record<string, number>) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('lookup|')));
    expect(sigma(two.totals)).toEqual(sigma(one.totals));
    const survivor = two.status.workers[0]!;
    expect(survivor.takeovers, 'the survivor took the dead worker\'s partitions over').toBeGreaterThanOrEqual(PARTITIONS / 2);
    expect(two.status.unowned).toBe(0);
  }, 240_000);
});
