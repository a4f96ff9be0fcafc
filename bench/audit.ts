import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import SQLite from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { testEnv } from '../src/server/core/config.js';
import { newId } from '../src/server/db/columns.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { CompactRange, formatCheckpoint, generateSeed, signNote, signerFromSeed, encodeVerifierKey, parseVerifierKey } from '../src/server/engines/merkle/index.js';
import type { AuditEventRow } from '../src/server/modules/audit/audit.table.js';
import { signCheckpoint } from '../src/server/modules/audit/checkpoint.service.js';
import { auditEventLeafHash, canonicalAuditEvent } from '../src/server/modules/audit/merkle.leaf.js';
import { insertLogRecords } from '../src/server/modules/audit/log-docs.js';
import { sequenceAuditEvents } from '../src/server/modules/audit/merkle.service.js';
import { verifyDatabase, type VerifyDatabaseOptions } from '../src/server/modules/audit/verify.service.js';
import { verifyLog, type CheckpointItem, type LeafItem } from '../src/server/modules/audit/verify.js';

/**
 * `npm run bench -- audit [verifyLeaves] [appendEntries]`
 * 1. Durable appends: audit entries inserted in transactions of BATCH rows, each batch then integrated by the
 *    sequencer (leaf hashes, leaf rows, compact range) in its own transaction, a checkpoint signed every second;
 *    on SQLite (file, WAL, synchronous=FULL so every commit is on disk) and PostgreSQL (temp database).
 *    Baseline: the same entry inserts without the log. Target ≥ 20,000 appends/s on SQLite.
 * 2. Full verification of N leaves (default 10,000,000) from a SQLite database, as `khien audit verify` runs it:
 *    on this thread, and on worker threads (one per core, each with its own read-only connection). Ratio to raw
 *    SHA-256 over the same entry bytes (one one-shot SHA-256 per entry, this thread) in the same process.
 *    Target ≥ 500,000 leaves/s. The database is built before timing (minutes at 10 M; set KHIEN_BENCH_AUDIT_DB
 *    to a file path to keep it between runs). Then the in-memory path of offline bundles (verifyLog) at ≤ 1 M.
 */
const BATCH = 1000;
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');

function row(i: number): AuditEventRow {
  // A typical entry: an update with before/after documents (~450 bytes canonical).
  return {
    seq: i + 1,
    id: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    occurred_at: new Date(1_764_000_000_000 + i * 10).toISOString(),
    action: 'information_system.update',
    outcome: 'success',
    actor_user_id: '0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b',
    actor_label: 'nguyen.van.an',
    target_type: 'information_system',
    target_id: `0192b3c4-d5e6-7f80-9a1b-${String(i % 5000).padStart(12, '0')}`,
    unit_id: '0190f1e2-d3c4-7b5a-8978-6a5b4c3d2e1f',
    ip: '10.20.30.40',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130',
    request_id: `req-${i}`,
    reason: null,
    before_json: '{"status":"operating","newLevel":2,"hosting":"Trung tâm dữ liệu tỉnh"}',
    after_json: '{"status":"operating","newLevel":3,"hosting":"Trung tâm dữ liệu tỉnh"}',
    details_json: null,
  };
}

async function appendBench(handle: DatabaseHandle, url: string, label: string, entries: number): Promise<void> {
  const signer = signerFromSeed('bench.khien/audit', generateSeed());
  const insert = async (from: number, withLog: boolean) => {
    const t0 = performance.now();
    let lastCp = t0;
    for (let b = from; b < from + entries; b += BATCH) {
      const rows = Array.from({ length: BATCH }, (_, k) => {
        const { seq: _s, ...r } = row(b + k);
        return { ...r, id: newId() };
      });
      await handle.db.transaction().execute(async (tx) => insertLogRecords(tx, 'audit_events', rows));
      if (withLog) {
        await sequenceAuditEvents(handle.db, { now: new Date().toISOString(), limit: BATCH, lateWindow: handle.dialect === 'sqlite' ? 0 : 10_000 });
        if (performance.now() - lastCp >= 1000) {
          await signCheckpoint(handle.db, signer, { now: new Date().toISOString(), minIntervalSeconds: 0, force: true });
          lastCp = performance.now();
        }
      }
    }
    if (withLog) await signCheckpoint(handle.db, signer, { now: new Date().toISOString(), minIntervalSeconds: 0, force: true });
    return performance.now() - t0;
  };
  const base = await insert(0, false);
  // The baseline rows are already in the table; the sequencer integrates them too, so clear them first.
  await handle.db.deleteFrom('audit_events').execute();
  const logged = await insert(entries, true);
  const leaves = await handle.db.selectFrom('audit_log_leaves').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rate = (entries / logged) * 1000;
  console.log(`append ${label}: ${f0(entries)} entries in batches of ${BATCH}: ${f0(rate)} appends/s (${(logged / 1000).toFixed(2)} s, ${Number(leaves.n)} leaves) | baseline inserts without the log ${f0((entries / base) * 1000)}/s | ratio ${(rate / ((entries / base) * 1000)).toFixed(2)}`);
  const v = parseVerifierKey(encodeVerifierKey(signer.name, signer.publicKey));
  for (const workers of [0, availableParallelism()]) {
    const m = await timedVerify(handle.db, v, signer.name, { url, workers });
    console.log(`verify ${label} (from the database, ${workers === 0 ? 'this thread' : `${m.report.workers} workers`}): ${f0(m.report.treeSize)} leaves, ${m.report.checkpointsChecked} checkpoints, ok=${m.report.ok}: ${f0(m.rate)} leaves/s wall, ${f0(m.perCpu)} per CPU-second`);
  }
}

/** verifyDatabase with wall time and the process's CPU time (all threads). */
async function timedVerify(db: DatabaseHandle['db'], v: ReturnType<typeof parseVerifierKey>, origin: string, opts: VerifyDatabaseOptions, impl: typeof verifyDatabase = verifyDatabase) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await impl(db, v, origin, [], opts);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  return { report, ms, cpuS, rate: (report.treeSize / ms) * 1000, perCpu: report.treeSize / cpuS };
}

/**
 * A SQLite log of n typical entries with their leaves and a signed checkpoint every 1,000,000 leaves and at n, as the
 * sequencer would leave it, written directly (the sequencer's own rate is the append bench). The audit_events
 * secondary indexes (by time, action, actor, unit, target — verification reads none of them) are dropped to
 * build faster.
 */
function buildVerifyDb(file: string, n: number, signerSeed: Buffer): void {
  const signer = signerFromSeed('bench.khien/audit', signerSeed);
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  for (const ix of ['audit_events_occurred_idx', 'audit_events_action_idx', 'audit_events_actor_idx', 'audit_events_unit_idx', 'audit_events_target_idx']) db.exec(`drop index if exists ${ix}`);
  // Each entry as its canonical encoding, as the application stores it on SQLite (log-docs.ts).
  const ins = db.prepare('insert into audit_events (seq, doc) values (?, ?)');
  const leaf = db.prepare("insert into audit_log_leaves (leaf_index, source, source_seq, entry_id, leaf_hash, sequenced_at, pruned_at) values (?, 'audit_event', ?, ?, ?, ?, null)");
  const cp = db.prepare('insert into audit_log_checkpoints (tree_size, root_hash, note, created_at) values (?, ?, ?, ?)');
  const range = new CompactRange();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = row(i);
      ins.run(r.seq, canonicalAuditEvent(r));
      const h = auditEventLeafHash(r);
      leaf.run(i, r.seq, r.id, h.toString('hex'), r.occurred_at);
      range.append(h);
      if ((i + 1) % 1_000_000 === 0 || i + 1 === n) {
        const root = range.root();
        cp.run(i + 1, root.toString('hex'), signNote(formatCheckpoint({ origin: signer.name, size: i + 1, root }), signer), r.occurred_at);
      }
    }
  });
  for (let i = 0; i < n; i += 50_000) batch(i, Math.min(n, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * The verifier as `khien audit verify` runs it: the compiled server code in dist/ (plain JavaScript; its worker
 * threads start in tens of milliseconds, where a worker loading the TypeScript sources through tsx takes 1–2 s of
 * CPU). Compiled first when dist/ is missing or older than the sources it is built from.
 */
async function compiledVerify(): Promise<{ verifyDatabase: typeof verifyDatabase; openDatabase: typeof openDatabase }> {
  const root = join(import.meta.dirname, '..');
  const built = join(root, 'dist/server/modules/audit/verify.service.js');
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .reduce((m, e) => Math.max(m, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
  if (!existsSync(built) || statSync(built).mtimeMs < newest(join(root, 'src/server'))) {
    const t = performance.now();
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.server.json')], { stdio: 'inherit' });
    console.log(`compiled the server code for the timed verification (dist/, as \`khien audit verify\` runs it) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const { verifyDatabase: verify } = (await import(pathToFileURL(built).href)) as { verifyDatabase: typeof verifyDatabase };
  const { openDatabase: open } = (await import(pathToFileURL(join(root, 'dist/server/db/database.js')).href)) as { openDatabase: typeof openDatabase };
  return { verifyDatabase: verify, openDatabase: open };
}

/** Verification of n leaves from a SQLite database, this thread and worker threads, against raw SHA-256. */
async function verifyDbBench(dir: string, n: number): Promise<void> {
  const keep = process.env.KHIEN_BENCH_AUDIT_DB;
  const file = keep ?? join(dir, 'verify.db');
  const seedFile = `${file}.seed`;
  let built = false;
  if (!keep || !existsSync(file) || !existsSync(seedFile)) {
    rmSync(file, { force: true });
    const h = openDatabase(`sqlite:${file}`);
    await migrateToLatest(h.db, h.dialect);
    await h.close();
    const seed = generateSeed();
    const t = performance.now();
    buildVerifyDb(file, n, seed);
    writeFileSync(seedFile, seed.toString('hex'));
    console.log(`verify database: ${f0(n)} entries + leaves + ${Math.ceil(n / 1_000_000)} checkpoints built in ${((performance.now() - t) / 1000).toFixed(0)} s (${file})`);
    built = true;
  }
  const signer = signerFromSeed('bench.khien/audit', Buffer.from(readFileSync(seedFile, 'utf8'), 'hex'));
  const v = parseVerifierKey(encodeVerifierKey(signer.name, signer.publicKey));
  const handle = openDatabase(`sqlite:${file}`);
  const size = Number((await handle.db.selectFrom('audit_log_leaves').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (!built) console.log(`verify database: reusing ${file} (${f0(size)} leaves)`);

  // Raw SHA-256 over the same bytes: each entry's leaf input 0x00 ‖ canonical JSON, one one-shot SHA-256 per entry,
  // this thread; 100,000 distinct entries cycled to the same count (the byte count per entry is the same).
  const oneShot = (nodeCrypto as unknown as { hash: (a: string, d: Uint8Array, e: 'hex') => string }).hash;
  const inputs = Array.from({ length: Math.min(size, 100_000) }, (_, i) => Buffer.from(`\u0000${canonicalAuditEvent(row(i))}`, 'utf8'));
  const bytes = inputs.reduce((a, b) => a + b.length, 0) / inputs.length;
  let t0 = performance.now();
  for (let i = 0; i < size; i++) oneShot('sha256', inputs[i % inputs.length]!, 'hex');
  const rawRate = (size / (performance.now() - t0)) * 1000;
  console.log(`raw SHA-256 of the same bytes (${bytes.toFixed(0)} bytes per entry, one call each, this thread): ${f0(rawRate)} /s (${((rawRate * bytes) / 2 ** 20).toFixed(0)} MiB/s)`);

  // Timed with the compiled code and a database handle of its own (the handle registry is per module instance).
  const compiled = await compiledVerify();
  const builtHandle = compiled.openDatabase(`sqlite:${file}`);
  for (const workers of [0, availableParallelism()]) {
    const load = loadavg()[0]!.toFixed(1);
    const m = await timedVerify(builtHandle.db, v, signer.name, { url: `sqlite:${file}`, workers }, compiled.verifyDatabase);
    if (!m.report.ok) throw new Error(`verification failed: ${JSON.stringify(m.report.findings.slice(0, 3))}`);
    console.log(`full verification from SQLite, ${workers === 0 ? 'this thread' : `${m.report.workers} worker threads`}: ${f0(m.report.treeSize)} leaves, ${m.report.checkpointsChecked} checkpoints, ${m.report.pagesRechecked} pages re-checked: `
      + `${f0(m.rate)} leaves/s wall (${(m.ms / 1000).toFixed(1)} s), ${f0(m.perCpu)} leaves per CPU-second (${m.cpuS.toFixed(1)} s CPU) | ratio to raw SHA-256: ${(m.rate / rawRate).toFixed(2)} wall, ${(m.perCpu / rawRate).toFixed(2)} per CPU-second | load average before ${load}`);
    if (workers > 0) console.log(`target ≥ 500,000 leaves/s: ${m.rate >= 500_000 ? 'met' : 'NOT met'}`);
  }
  await builtHandle.close();
  await handle.close();
  if (!keep) rmSync(file, { force: true });
}

async function verifyBench(n: number): Promise<void> {
  // Setup (not timed): the stored leaf hashes and two signed checkpoints, as the sequencer would have left them.
  const signer = signerFromSeed('bench.khien/audit', generateSeed());
  const stored = Buffer.allocUnsafe(n * 32);
  const range = new CompactRange();
  const checkpoints: CheckpointItem[] = [];
  const tSetup = performance.now();
  const cycle = Math.min(n, 100_000);
  const distinctHashes: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (i < cycle) distinctHashes.push(auditEventLeafHash(row(i)));
    const h = distinctHashes[i % cycle]!;
    h.copy(stored, i * 32);
    range.append(h);
    if (i + 1 === Math.floor(n / 2) || i + 1 === n) {
      const root = range.root();
      checkpoints.push({ treeSize: i + 1, rootHash: root.toString('hex'), note: signNote(formatCheckpoint({ origin: signer.name, size: i + 1, root }), signer) });
    }
  }
  console.log(`verify input: ${f0(n)} leaves (~${canonicalAuditEvent(row(0)).length} bytes per entry), built in ${((performance.now() - tSetup) / 1000).toFixed(1)} s`);

  const distinct = cycle;
  const rows = Array.from({ length: distinct }, (_, i) => row(i));
  // Baseline: the same entries encoded and hashed with one SHA-256 each, nothing else.
  let t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(canonicalAuditEvent(rows[i % distinct]!), 'utf8');
    bytes += b.length;
    createHash('sha256').update(b).digest();
  }
  const baseMs = performance.now() - t0;

  // Raw SHA-256 only, over the same byte count (one fixed entry-sized buffer): the hashing floor.
  const sample = Buffer.from(canonicalAuditEvent(row(0)), 'utf8');
  t0 = performance.now();
  for (let i = 0; i < n; i++) createHash('sha256').update(sample).digest();
  const rawMs = performance.now() - t0;

  // Pages of 5,000 leaves, as the database reader yields them. The entries are built before timing: 100,000
  // distinct rows (the ones hashed into `stored` above, which cycle with period 100,000 only in their input
  // slots — see `row`) are reused by reference, so the timed loop pays for verification, not for generating
  // test data. Each leaf is still re-encoded and re-hashed from its entry every time.
  const hex = Array.from({ length: n }, (_, i) => stored.toString('hex', i * 32, i * 32 + 32));
  async function* leaves(): AsyncGenerator<LeafItem[]> {
    for (let p = 0; p < n; p += 5000) {
      const page: LeafItem[] = [];
      for (let i = p; i < Math.min(n, p + 5000); i++) {
        const r = rows[i % distinct]!;
        page.push({ leafIndex: i, source: 'audit_event', sourceSeq: i + 1, entryId: r.id, leafHash: hex[i]!, prunedAt: null, entry: r });
      }
      yield page;
    }
  }
  // The cost of feeding pages alone (object creation per leaf), to separate it from verification.
  t0 = performance.now();
  for await (const page of leaves()) if (page.length === 0) throw new Error('empty page');
  const feedMs = performance.now() - t0;
  async function* cps(): AsyncGenerator<CheckpointItem> {
    yield* checkpoints;
  }
  t0 = performance.now();
  const report = await verifyLog({ verifier: parseVerifierKey(encodeVerifierKey(signer.name, signer.publicKey)), origin: signer.name, leaves: leaves(), checkpoints: cps() });
  const verifyMs = performance.now() - t0;
  if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.findings.slice(0, 3))}`);
  const rate = (n / verifyMs) * 1000;
  console.log(`baseline encode + SHA-256 per entry: ${f0((n / baseMs) * 1000)} entries/s (${(bytes / 2 ** 20 / (baseMs / 1000)).toFixed(0)} MiB/s) | raw SHA-256 of an entry-sized buffer: ${f0((n / rawMs) * 1000)}/s`);
  console.log(`feeding pages alone (not verification): ${f0((n / feedMs) * 1000)} leaves/s (${(feedMs / 1000).toFixed(1)} s)`);
  console.log(`in-memory verifyLog, the offline bundle path (encode, leaf hash, compare, tree, ${report.checkpointsChecked} checkpoints): ${f0(rate)} leaves/s (${(verifyMs / 1000).toFixed(1)} s) | ratio to encode+SHA-256 ${(rate / ((n / baseMs) * 1000)).toFixed(2)} | ratio to raw SHA-256 ${(rate / ((n / rawMs) * 1000)).toFixed(2)}`);

  // Before/after of this change's two hot paths, alternated three times in the same process so machine load
  // hits both alike: (1) leaf = JSON.stringify of the sorted object + Buffer.from + createHash (before) vs the
  // hand-built encoding hashed from the string by one-shot crypto.hash (after); (2) node hash with
  // Buffer.concat per node (before) vs one reused 65-byte input (after).
  const m = Math.min(n, 300_000);
  const before = (r: AuditEventRow) => createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({
    action: r.action, actor_label: r.actor_label, actor_user_id: r.actor_user_id, after_json: r.after_json, before_json: r.before_json,
    details_json: r.details_json, id: r.id, ip: r.ip, occurred_at: r.occurred_at, outcome: r.outcome, reason: r.reason, request_id: r.request_id,
    seq: Number(r.seq), t: 'audit_event', target_id: r.target_id, target_type: r.target_type, unit_id: r.unit_id, user_agent: r.user_agent, v: 1,
  }), 'utf8')])).digest();
  if (!before(rows[0]!).equals(auditEventLeafHash(rows[0]!))) throw new Error('encodings differ');
  const nodeBefore = (a: Buffer, b: Buffer) => createHash('sha256').update(Buffer.concat([Buffer.from([1]), a, b])).digest();
  const h1 = auditEventLeafHash(rows[0]!);
  const h2 = auditEventLeafHash(rows[1]!);
  const { nodeHash } = await import('../src/server/engines/merkle/index.js');
  const time = (f: () => void) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  const leafB: number[] = [];
  const leafA: number[] = [];
  const nodeB: number[] = [];
  const nodeA: number[] = [];
  for (let round = 0; round < 3; round++) {
    leafB.push(time(() => { for (let i = 0; i < m; i++) before(rows[i % distinct]!); }));
    leafA.push(time(() => { for (let i = 0; i < m; i++) auditEventLeafHash(rows[i % distinct]!); }));
    nodeB.push(time(() => { for (let i = 0; i < m; i++) nodeBefore(h1, h2); }));
    nodeA.push(time(() => { for (let i = 0; i < m; i++) nodeHash(h1, h2); }));
  }
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`leaf hash from entry, ${f0(m)} × 3 rounds (best): before ${f0((m / best(leafB)) * 1000)}/s | after ${f0((m / best(leafA)) * 1000)}/s | speed-up ${(best(leafB) / best(leafA)).toFixed(2)}×`);
  console.log(`node hash, ${f0(m)} × 3 rounds (best): before ${f0((m / best(nodeB)) * 1000)}/s | after ${f0((m / best(nodeA)) * 1000)}/s | speed-up ${(best(nodeB) / best(nodeA)).toFixed(2)}×`);
}

export async function run(): Promise<void> {
  const n = Number(process.argv[3] ?? 10_000_000);
  const appends = Number(process.argv[4] ?? 100_000);
  // Arguments: verification leaves (0 skips it), append entries.
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-audit-'));
  try {
    // SQLite: a file in WAL mode; synchronous=FULL so each committed batch is on disk before the next.
    if (appends === 0) {
      if (n > 0) {
        await verifyDbBench(dir, n);
        await verifyBench(Math.min(n, 1_000_000));
      }
      return;
    }
    const sqlite = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
    await migrateToLatest(sqlite.db, sqlite.dialect);
    const { sql } = await import('kysely');
    await sql`pragma synchronous = FULL`.execute(sqlite.db);
    await appendBench(sqlite, `sqlite:${join(dir, 'bench.db')}`, 'SQLite (WAL, synchronous=FULL)', appends);
    await sqlite.close();

    const url = testEnv().postgresUrl;
    const name = `khien_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    let pgOk = true;
    try {
      await admin.connect();
      await admin.query(`create database ${name}`);
    } catch (err) {
      pgOk = false;
      console.log(`append PostgreSQL: skipped (${(err as Error).message})`);
    }
    if (pgOk) {
      const u = new URL(url);
      u.pathname = `/${name}`;
      const handle = openDatabase(u.toString());
      try {
        await migrateToLatest(handle.db, handle.dialect);
        await appendBench(handle, u.toString(), 'PostgreSQL (synchronous_commit default)', appends);
      } finally {
        await handle.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    }
    if (n > 0) {
      await verifyDbBench(dir, n);
      await verifyBench(Math.min(n, 1_000_000));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
