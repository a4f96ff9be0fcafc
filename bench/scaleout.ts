import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/server/core/config.js';
import { openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { connectNats, LeaseStore, scaleOutNames } from '../src/server/modules/soc/nats.js';
import { scaleOutStatus } from '../src/server/modules/soc/scale-out.js';
import { scratchDatabase } from '../test/support/scratch-db.js';

/**
 * `npm run bench -- scaleout [events]`: events/s end-to-end through real `khien serve` processes on PostgreSQL
 * (KHIEN_TEST_POSTGRES_URL, default postgres@127.0.0.1) — syslog over TCP → ingest (spool, parse, publish to
 * NATS JetStream at 127.0.0.1:4222) → 1 or 2 detect workers (detect, correlate, store) — against the baseline
 * of the same run: one `serve --role all` process without NATS (spool → parse → detect → store).
 * Workload: the loghub OpenSSH_2k log cycled to N events (default 40,000) as RFC 5424 lines; Khiên's rules.
 * Timed from the first byte sent to the last event stored; process start-up and partition hand-out excluded.
 */
const REPO = new URL('../', import.meta.url).pathname;
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function start(role: string, env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/server/main.ts'), 'serve', '--role', role], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  return new Promise((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(ready)) resolve(c);
      if (buf.length > 1e6) buf = buf.slice(-1e5);
    });
    c.once('exit', (code) => reject(new Error(`${role} exited ${code}`)));
  });
}

async function run1(lines: string[], workers: 0 | 1 | 2): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-scale-'));
  const scratch = await scratchDatabase({ dir, prefix: 'khien_bench', dialect: 'postgres' });
  const handle = openDatabase(scratch.url);
  await migrateToLatest(handle.db, handle.dialect);
  const run = randomBytes(4).toString('hex');
  const tcp = await freePort();
  const env: Record<string, string> = {
    KHIEN_DATABASE_URL: scratch.url, KHIEN_PORT: '0', KHIEN_SYSLOG_UDP_PORT: '-1', KHIEN_SYSLOG_TLS_PORT: '-1', KHIEN_AUDIT_LOG_SEQUENCE_MS: '0',
    KHIEN_CASES_TICK_MS: '0', KHIEN_WEB_DIR: join(dir, 'no-web'), KHIEN_LOG_LEVEL: 'info', KHIEN_SOC_PARTITIONS: '4',
    ...(workers > 0 ? { KHIEN_NATS_URL: '127.0.0.1:4222', KHIEN_NATS_STREAM: `KHIEN_BENCH_${run}`, KHIEN_NATS_SUBJECT_PREFIX: `khien.bench.${run}` } : {}),
  };
  const procs: ChildProcess[] = [];
  const nats = workers > 0 ? await connectNats(loadConfig(env), 'bench') : null;
  try {
    procs.push(await start(workers > 0 ? 'ingest' : 'all', { ...env, KHIEN_DATA_DIR: join(dir, 'main'), KHIEN_SYSLOG_TCP_PORT: String(tcp) }, 'syslog listeners ready'));
    for (let i = 0; i < workers; i++) procs.push(await start('worker', { ...env, KHIEN_DATA_DIR: join(dir, `w${i}`) }, 'khien worker started'));
    if (nats) {
      const names = scaleOutNames(loadConfig(env));
      const leases = new LeaseStore(nats, names.leaseStream);
      for (;;) {
        const s = await scaleOutStatus(nats, leases, names);
        if (s.unowned === 0 && s.workers.length === workers && s.workers.every((w) => w.partitions.length === 4 / workers)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const count = async () => Number((await handle.db.selectFrom('soc_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const t0 = performance.now();
    const sock = net.connect(tcp, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    for (let i = 0; i < lines.length; i += 1000) if (!sock.write(`${lines.slice(i, i + 1000).join('\n')}\n`)) await new Promise((r) => sock.once('drain', r));
    sock.end();
    while ((await count()) < lines.length) await new Promise((r) => setTimeout(r, 100));
    return lines.length / ((performance.now() - t0) / 1000);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    if (nats) {
      for (const s of [`KHIEN_BENCH_${run}`, `KHIEN_BENCH_${run}_LEASES`]) await nats.jsm.streams.delete(s).catch(() => undefined);
      await nats.nc.close();
    }
    await handle.close();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const n = Number(process.argv[3] ?? 40_000);
  const corpus = loadConfig().corpusDir;
  const src = readFileSync(join(corpus, 'logs/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').split('\n').filter(Boolean);
  const base = Date.parse('2026-11-20T01:00:00Z');
  const lines = Array.from({ length: n }, (_, i) => {
    const m = /^\w{3}\s+\d+ [\d:]+ (\S+) (\w+)\[(\d+)\]: (.*)$/.exec(src[i % src.length]!);
    const ts = new Date(base + Math.floor(i / 10) * 1000).toISOString();
    return m ? `<38>1 ${ts} ${m[1]} ${m[2]} ${m[3]} - - ${m[4]} #${i}` : `<38>1 ${ts} host app - - - ${src[i % src.length]} #${i}`;
  });
  console.log(`workload: ${f0(n)} events (loghub OpenSSH_2k cycled, RFC 5424), PostgreSQL, 4 partitions`);
  const baseline = await run1(lines, 0);
  console.log(`baseline: one process, role all, no NATS: ${f0(baseline)} events/s (1.000)`);
  for (const w of [1, 2] as const) {
    const r = await run1(lines, w);
    console.log(`ingest + ${w} worker(s) over NATS JetStream: ${f0(r)} events/s (${(r / baseline).toFixed(3)})`);
  }
}
