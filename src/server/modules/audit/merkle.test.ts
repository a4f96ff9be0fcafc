import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext } from '../../../../test/support/context.js';
import { buildApp } from '../../app.js';
import { loadConfig } from '../../core/config.js';
import { createKeys } from '../../core/keys.js';
import { recordAudit } from '../../core/audit.js';
import { openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrator.js';
import { nowIso } from '../../db/columns.js';
import {
  formatCheckpoint, generateSeed, leafHash, parseVerifierKey, rootOf, signNote, signerFromSeed, verifyConsistency, verifyInclusion,
} from '../../engines/merkle/index.js';
import { verifierKeyOf, verifierOf } from './checkpoint.service.js';
import { auditLogJobFor } from './merkle.routes.js';
import { pruneAuditPayloads } from './merkle.service.js';
import { exportBundle, readWitnessFile, verifyBundle, verifyDatabase } from './verify.service.js';
import { appendToWitnessFile, pushToWitness } from './witness.service.js';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { testEnv } from '../../core/config.js';
import { insertRecordDirectly, keepRecord, setRecordFields } from '../../../../test/support/log-records.js';

/** Build a log of `n` entries with checkpoints after the first half and after all of them. */
async function seed(ctx: TestContext, n: number): Promise<void> {
  const job = auditLogJobFor(ctx.db)!;
  for (let i = 0; i < n; i++) {
    await recordAudit(ctx.db, null, { action: 'test.entry', targetId: `t-${i}`, details: { i, text: 'Nhật ký kiểm toán' } }, nowIso(ctx.now));
    if (i === Math.floor(n / 2) - 1) await job.runNow(true);
  }
  await job.runNow(true);
}

async function verify(ctx: TestContext, witnessed: string[] = []) {
  const signer = auditLogJobFor(ctx.db)!.signer;
  return verifyDatabase(ctx.db, verifierOf(signer), signer.name, witnessed);
}

/**
 * Verify three ways — this thread with the normal page size, this thread in pages of 4 leaves, and two worker
 * threads (each with its own read-only connection) over segments of 8 leaves — and expect the same report.
 */
async function verifyEveryWay(ctx: TestContext, witnessed: string[] = []) {
  const signer = auditLogJobFor(ctx.db)!.signer;
  const run = (opts: Parameters<typeof verifyDatabase>[4]) => verifyDatabase(ctx.db, verifierOf(signer), signer.name, witnessed, { url: ctx.config.databaseUrl, ...opts });
  const plain = await run({ workers: 0 });
  const paged = await run({ workers: 0, pageLeaves: 4, segmentLeaves: 8 });
  const threaded = await run({ workers: 2, pageLeaves: 4, segmentLeaves: 8 });
  expect(threaded.workers).toBe(2);
  const strip = ({ pagesRechecked: _p, workers: _w, ...r }: typeof plain) => r;
  expect(strip(paged)).toEqual(strip(plain));
  expect(strip(threaded)).toEqual(strip(plain));
  return plain;
}

async function seqs(ctx: TestContext): Promise<number[]> {
  return (await ctx.db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
}

describe('audit log store', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    await seed(ctx, 40);
  });
  afterAll(async () => ctx.close());

  it('sequences every entry, signs checkpoints, and verifies clean', async () => {
    const report = await verify(ctx);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.treeSize).toBeGreaterThanOrEqual(40);
    expect(report.checkpointsChecked).toBeGreaterThanOrEqual(2);
  });

  it('serves the public key, checkpoints and proofs that verify with the engine', async () => {
    const pk = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit-log/public-key' });
    expect(pk.statusCode).toBe(200);
    const verifier = parseVerifierKey(pk.json().verifierKey);
    expect(verifier.name).toBe(pk.json().origin);
    const cps = await ctx.db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size').execute();
    const first = cps[0]!;
    const last = cps[cps.length - 1]!;
    // Proof endpoints need a logged-in user with audit.read; anonymous requests are refused.
    const anon = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit-log/checkpoints/latest' });
    expect(anon.statusCode).toBe(401);
    // Verify with the engine directly (the routes are exercised in the route walk and by the CLI).
    const { auditInclusionProof, auditConsistencyProof } = await import('./merkle.service.js');
    const entry = await ctx.db.selectFrom('audit_log_leaves').selectAll().where('leaf_index', '=', 7).executeTakeFirstOrThrow();
    const inc = await auditInclusionProof(ctx.db, { id: entry.entry_id }, Number(last.tree_size));
    expect(verifyInclusion(Buffer.from(inc.leafHash, 'base64'), inc.leafIndex, inc.treeSize, inc.proof.map((p) => Buffer.from(p, 'base64')), Buffer.from(last.root_hash, 'hex'))).toBe(true);
    const cons = await auditConsistencyProof(ctx.db, Number(first.tree_size), Number(last.tree_size));
    expect(verifyConsistency(Number(first.tree_size), Number(last.tree_size), cons.map((p) => Buffer.from(p, 'base64')), Buffer.from(first.root_hash, 'hex'), Buffer.from(last.root_hash, 'hex'))).toBe(true);
  });

  it('API: an auditor gets checkpoints and proofs that verify; a user without audit.read is refused', async () => {
    const unit = await insertUnit(ctx);
    const auditor = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'auditor', unitId: unit.id }] });
    const official = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'official', unitId: unit.id }] });
    await auditLogJobFor(ctx.db)!.runNow(true);
    const latest = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit-log/checkpoints/latest', headers: auditor.headers });
    expect(latest.statusCode).toBe(200);
    const cp = latest.json() as { treeSize: number; rootHash: string; note: string };
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit-log/checkpoints?limit=10', headers: auditor.headers });
    expect((list.json() as { items: { treeSize: number }[] }).items[0]!.treeSize).toBe(cp.treeSize);
    const inc = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit-log/inclusion-proof?seq=${(await seqs(ctx))[3]}`, headers: auditor.headers });
    expect(inc.statusCode).toBe(200);
    const p = inc.json() as { leafIndex: number; treeSize: number; leafHash: string; proof: string[] };
    const b64 = (x: string) => Buffer.from(x, 'base64');
    expect(verifyInclusion(b64(p.leafHash), p.leafIndex, p.treeSize, p.proof.map(b64), b64(cp.rootHash))).toBe(true);
    const cons = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit-log/consistency-proof?from=20&to=${cp.treeSize}`, headers: auditor.headers });
    const first = await ctx.db.selectFrom('audit_log_checkpoints').select('root_hash').where('tree_size', '=', 20).executeTakeFirstOrThrow();
    expect(verifyConsistency(20, cp.treeSize, (cons.json() as { proof: string[] }).proof.map(b64), Buffer.from(first.root_hash, 'hex'), b64(cp.rootHash))).toBe(true);
    const denied = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit-log/checkpoints/latest', headers: official.headers });
    expect(denied.statusCode).toBe(403);
  });

  it('exports a bundle that verifies offline with the published key, and fails when edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'khien-bundle-'));
    try {
      const signer = auditLogJobFor(ctx.db)!.signer;
      const file = join(dir, 'audit.jsonl');
      const out = await exportBundle(ctx.db, file, { origin: signer.name, verifierKey: verifierKeyOf(signer), exportedAt: nowIso() });
      expect(out.leaves).toBeGreaterThanOrEqual(40);
      const ok = await verifyBundle(file, { trustedKey: verifierKeyOf(signer) });
      expect(ok.findings).toEqual([]);
      const text = readFileSync(file, 'utf8').replace('"t-5\\"', '"t-5x\\"').replace('t-5"', 't-5x"');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'edited.jsonl'), text);
      const bad = await verifyBundle(join(dir, 'edited.jsonl'), { trustedKey: verifierKeyOf(signer) });
      expect(bad.ok).toBe(false);
      expect(bad.findings[0]).toMatchObject({ kind: 'modified' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tampering is reported with its position', () => {
  let ctx: TestContext;
  let seqOfLeaf: (i: number) => Promise<number>;
  beforeAll(async () => {
    ctx = await createTestContext();
    await seed(ctx, 30);
    seqOfLeaf = async (i) => Number((await ctx.db.selectFrom('audit_log_leaves').select('source_seq').where('leaf_index', '=', i).executeTakeFirstOrThrow()).source_seq);
  });
  afterAll(async () => ctx.close());

  it('a modified entry', async () => {
    const seq = await seqOfLeaf(11);
    const kept = await keepRecord(ctx.db, 'audit_events', seq);
    await setRecordFields(ctx.db, 'audit_events', seq, { details_json: '{"i":999}' });
    const r = await verifyEveryWay(ctx);
    expect(r.ok).toBe(false);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'modified', leafIndex: 11, seq })]);
    await kept.restore();
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it('a deleted entry', async () => {
    const seq = await seqOfLeaf(4);
    const kept = await keepRecord(ctx.db, 'audit_events', seq);
    await ctx.db.deleteFrom('audit_events').where('seq', '=', seq).execute();
    const r = await verifyEveryWay(ctx);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'deleted', leafIndex: 4, seq })]);
    await kept.restore();
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it('reordered entries', async () => {
    const a = await seqOfLeaf(20);
    const b = await seqOfLeaf(21);
    const swap = async () => {
      await ctx.db.updateTable('audit_events').set({ seq: -1 }).where('seq', '=', a).execute();
      await ctx.db.updateTable('audit_events').set({ seq: a }).where('seq', '=', b).execute();
      await ctx.db.updateTable('audit_events').set({ seq: b }).where('seq', '=', -1).execute();
    };
    await swap();
    const r = await verifyEveryWay(ctx);
    expect(r.findings).toEqual([
      expect.objectContaining({ kind: 'reordered', leafIndex: 20, seq: a }),
      expect.objectContaining({ kind: 'reordered', leafIndex: 21, seq: b }),
    ]);
    await swap();
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it('an inserted entry', async () => {
    const all = await seqs(ctx);
    // A free position before the first entry, beyond the sequencer's look-back window for late commits.
    const at = all[0]! - 20_000;
    await insertRecordDirectly(ctx.db, 'audit_events', {
      seq: at, id: '01900000-0000-7000-8000-000000000001', occurred_at: nowIso(ctx.now), action: 'test.forged', outcome: 'success',
      actor_user_id: null, actor_label: 'kẻ giả mạo', target_type: null, target_id: null, unit_id: null, ip: null, user_agent: null,
      request_id: null, reason: null, before_json: null, after_json: null, details_json: null,
    });
    const r = await verifyEveryWay(ctx);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'inserted', seq: at })]);
    await ctx.db.deleteFrom('audit_events').where('seq', '=', at).execute();
  });

  it('an entry rewritten together with its leaf hash is caught by the signed checkpoints', async () => {
    const seq = await seqOfLeaf(3);
    const leaf = await ctx.db.selectFrom('audit_log_leaves').selectAll().where('leaf_index', '=', 3).executeTakeFirstOrThrow();
    const kept = await keepRecord(ctx.db, 'audit_events', seq);
    await setRecordFields(ctx.db, 'audit_events', seq, { actor_label: 'người khác' });
    const { auditEventLeafHash } = await import('./merkle.leaf.js');
    await ctx.db.updateTable('audit_log_leaves').set({ leaf_hash: auditEventLeafHash({ ...kept.row, actor_label: 'người khác' }).toString('hex') }).where('leaf_index', '=', 3).execute();
    const r = await verifyEveryWay(ctx);
    expect(r.ok).toBe(false);
    expect(r.findings[0]).toMatchObject({ kind: 'checkpoint_mismatch', treeSize: 15 });
    expect(r.findings[0]!.message).toContain('[0, 15)');
    await kept.restore();
    await ctx.db.updateTable('audit_log_leaves').set({ leaf_hash: leaf.leaf_hash }).where('leaf_index', '=', 3).execute();
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it('the API verification (as the audit page runs it) names a modified entry, and requests at once share one run', async () => {
    const unit = await insertUnit(ctx);
    const auditor = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'auditor', unitId: unit.id }] });
    const verify = () => ctx.app.inject({ method: 'POST', url: '/api/v1/audit-log/verify', headers: auditor.headers });
    const seq = await seqOfLeaf(7);
    const kept = await keepRecord(ctx.db, 'audit_events', seq);
    await setRecordFields(ctx.db, 'audit_events', seq, { actor_label: 'người khác' });
    const [a, b] = await Promise.all([verify(), verify()]);
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toMatchObject({ ok: false, findings: [expect.objectContaining({ kind: 'modified', leafIndex: 7, seq })] });
    // The second request was answered by the first one's run: the same report and the same run time.
    expect(b.json()).toEqual(a.json());
    await kept.restore();
    const again = await verify();
    expect(again.json()).toMatchObject({ ok: true, findings: [] });
  });

  it('a rewritten checkpoint', async () => {
    const cp = await ctx.db.selectFrom('audit_log_checkpoints').selectAll().where('tree_size', '=', 15).executeTakeFirstOrThrow();
    // Re-signed by another key with a forged root: the signature no longer verifies.
    const forger = signerFromSeed(auditLogJobFor(ctx.db)!.signer.name, generateSeed());
    const forged = signNote(formatCheckpoint({ origin: forger.name, size: 15, root: leafHash(Buffer.from('x')) }), forger);
    await ctx.db.updateTable('audit_log_checkpoints').set({ note: forged }).where('tree_size', '=', 15).execute();
    let r = await verifyEveryWay(ctx);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'checkpoint_signature', treeSize: 15 })]);
    // Stored root changed but the note kept: the stored columns no longer match the signed text.
    await ctx.db.updateTable('audit_log_checkpoints').set({ note: cp.note, root_hash: '00'.repeat(32) }).where('tree_size', '=', 15).execute();
    r = await verifyEveryWay(ctx);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'checkpoint_rewritten', treeSize: 15 })]);
    await ctx.db.updateTable('audit_log_checkpoints').set({ root_hash: cp.root_hash }).where('tree_size', '=', 15).execute();
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  // SQLite keeps each record as its encoding with the other columns generated from it (log-docs.ts): what a person
  // sees can only differ from what the leaf covers if the table definition is changed, and that is reported.
  it.skipIf(testEnv().db !== 'sqlite')('a table definition changed behind the log (a column no longer read from the record) is named', async () => {
    const file = ctx.config.databaseUrl.slice('sqlite:'.length);
    const seq = await seqOfLeaf(9);
    const raw = new SQLite(file);
    const rewrite = (from: string, to: string) => {
      raw.unsafeMode(true);
      const version = Number(raw.pragma('schema_version', { simple: true }));
      raw.pragma('writable_schema = on');
      raw.prepare("update sqlite_schema set sql = replace(sql, ?, ?) where type = 'table' and name = 'audit_events'").run(from, to);
      raw.pragma(`schema_version = ${version + 1}`);
      raw.pragma('writable_schema = off');
      raw.unsafeMode(false);
    };
    const genuine = `"actor_label" text generated always as (json_extract("doc", '$.actor_label')) virtual`;
    const forged = `"actor_label" text generated always as (case when seq = ${seq} then 'người khác' else json_extract("doc", '$.actor_label') end) virtual`;
    try {
      rewrite(genuine, forged);
      expect((await ctx.db.selectFrom('audit_events').select('actor_label').where('seq', '=', seq).executeTakeFirstOrThrow()).actor_label).toBe('người khác');
      const r = await verifyEveryWay(ctx);
      expect(r.ok).toBe(false);
      expect(r.findings).toEqual([expect.objectContaining({ kind: 'schema_altered' })]);
      expect(r.findings[0]!.message).toContain('audit_events');
    } finally {
      rewrite(forged, genuine);
      raw.close();
    }
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it.skipIf(testEnv().db !== 'sqlite')('a log table rebuilt with ordinary columns (no stored records) is named, and its entries are still checked', async () => {
    const seq = await seqOfLeaf(6);
    const cols = ['seq', 'id', 'occurred_at', 'action', 'outcome', 'actor_user_id', 'actor_label', 'target_type', 'target_id', 'unit_id', 'ip', 'user_agent', 'request_id', 'reason', 'before_json', 'after_json', 'details_json'];
    const original = (await sql<{ sql: string }>`select sql from sqlite_schema where name = 'audit_events'`.execute(ctx.db)).rows[0]!.sql;
    const indexes = (await sql<{ sql: string }>`select sql from sqlite_schema where type = 'index' and tbl_name = 'audit_events' and sql is not null`.execute(ctx.db)).rows.map((r) => r.sql);
    const saved = (await sql<{ seq: number; doc: string }>`select seq, doc from audit_events`.execute(ctx.db)).rows;
    // The attacker's table: the same columns, ordinary ones, with one value changed on the way.
    await sql.raw(`create table forged (${cols.map((c) => `"${c}"${c === 'seq' ? ' integer primary key' : ''}`).join(', ')})`).execute(ctx.db);
    await sql.raw(`insert into forged select ${cols.join(', ')} from audit_events`).execute(ctx.db);
    await sql`update forged set actor_label = 'người khác' where seq = ${seq}`.execute(ctx.db);
    await sql`drop table audit_events`.execute(ctx.db);
    await sql`alter table forged rename to audit_events`.execute(ctx.db);
    try {
      const r = await verifyEveryWay(ctx);
      expect(r.findings).toEqual([
        expect.objectContaining({ kind: 'schema_altered' }),
        expect.objectContaining({ kind: 'modified', leafIndex: 6, seq }),
      ]);
    } finally {
      await sql`drop table audit_events`.execute(ctx.db);
      await sql.raw(original).execute(ctx.db);
      for (const ix of indexes) await sql.raw(ix).execute(ctx.db);
      for (const r of saved) await sql`insert into audit_events (seq, doc) values (${r.seq}, ${r.doc})`.execute(ctx.db);
    }
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  // SQLite refuses to write a doc that is not JSON (its generated columns are computed on write), but the file can
  // still be edited: one byte of the stored record is overwritten in place.
  it.skipIf(testEnv().db !== 'sqlite')('a record whose stored bytes were edited in the file into something unreadable is named as modified', async () => {
    const file = ctx.config.databaseUrl.slice('sqlite:'.length);
    const seq = await seqOfLeaf(13);
    const { doc } = (await sql<{ doc: string }>`select doc from audit_events where seq = ${seq}`.execute(ctx.db)).rows[0]!;
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(ctx.db);
    const at = readFileSync(file).indexOf(Buffer.from(doc, 'utf8'));
    expect(at).toBeGreaterThan(0);
    const end = at + Buffer.byteLength(doc) - 1; // the closing brace
    const poke = (byte: string) => {
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.from(byte), 0, 1, end);
      closeSync(fd);
    };
    try {
      poke(' ');
      const r = await verifyDatabase(ctx.db, verifierOf(auditLogJobFor(ctx.db)!.signer), auditLogJobFor(ctx.db)!.signer.name, [], { url: ctx.config.databaseUrl, workers: 0 });
      expect(r.findings).toEqual([expect.objectContaining({ kind: 'modified', leafIndex: 13, seq })]);
    } finally {
      poke('}');
    }
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it('pruning payloads keeps verification green and reports them as pruned', async () => {
    const n = await pruneAuditPayloads(ctx.db, { before: '9999-01-01T00:00:00.000Z', now: nowIso(ctx.now) });
    expect(n).toBeGreaterThanOrEqual(30);
    expect(await ctx.db.selectFrom('audit_events').select('seq').where('action', '=', 'test.entry').execute()).toEqual([]);
    const r = await verifyEveryWay(ctx);
    expect(r.findings).toEqual([]);
    expect(r.pruned).toBe(n);
  });
});

describe('database verification: SQL-side encoding, pages and worker threads', () => {
  let ctx: TestContext;
  const awkward = ['Nhật ký "kiểm toán"', 'a\\b', 'dòng 1\ndòng 2\ttab\r\f\b', '\u001f\u007f', 'emoji 🛡️', '', 'Đắk Lắk – Gia Lai', '\u2028', '{"k":"v"}'];
  beforeAll(async () => {
    // The sequencer runs only when told to, so the log holds still between the verifications compared.
    ctx = await createTestContext({ configure: (c) => ({ ...c, auditLog: { ...c.auditLog, sequenceMs: 0 } }) });
  });
  afterAll(async () => ctx.close());

  it('encodes records in SQL byte-identically to the JavaScript leaf encoder, whatever the strings hold', async () => {
    const { sql } = await import('kysely');
    const { canonicalAccessLog, canonicalAuditEvent, AUDIT_EVENT_FIELDS, ACCESS_LOG_FIELDS } = await import('./merkle.leaf.js');
    const { leafEncodingSql } = await import('./verify.db.js');
    // PostgreSQL text cannot hold NUL. A lone surrogate is stored by node-postgres as U+FFFD, but by better-sqlite3
    // as the bytes ED A0 80 (not UTF-8), which SQLite's json_quote passes through while JavaScript reads them back
    // as U+FFFD: there the SQL encoding differs and the page is left to the JavaScript check (next test).
    const strings = ctx.dialect === 'sqlite' ? [...awkward, 'nul \u0000 byte'] : [...awkward, 'lone \ud800 surrogate'];
    for (const [kind, fields, encode] of [
      ['audit_event', AUDIT_EVENT_FIELDS, (r: Record<string, unknown>) => canonicalAuditEvent(r as never)],
      ['access_log', ACCESS_LOG_FIELDS, (r: Record<string, unknown>) => canonicalAccessLog(r as never)],
    ] as const) {
      for (const [i, text] of strings.entries()) {
        const row: Record<string, unknown> = {};
        for (const [key, k] of fields) if (k !== 'const') row[key] = k === 'int' ? (i % 3 === 2 ? null : 1000 + i) : i % 4 === 3 ? null : `${key}: ${text}`;
        const cols = fields.filter(([, k]) => k !== 'const');
        // Parameters bound with the columns' types (JavaScript numbers would bind as REAL on SQLite).
        const select = cols.map(([key, k]) => (k === 'int'
          ? sql`cast(${row[key]} as bigint) as ${sql.ref(key)}`
          : sql`cast(${row[key]} as text) as ${sql.ref(key)}`));
        const q = sql<{ doc: string }>`select ${sql.raw(leafEncodingSql(ctx.dialect, kind, 't'))} as doc from (select ${sql.join(select)}) t`;
        const doc = (await q.execute(ctx.db)).rows[0]!.doc;
        // The database stores the lone surrogate as U+FFFD (UTF-8 has no surrogates); compare with what it holds.
        const stored = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\ud800/u, '\ufffd') : v]));
        expect(doc, `${kind} ${JSON.stringify(text)}`).toBe(`\n${encode(stored)}`);
      }
    }
  });

  it('an intact log of awkward entries passes the fast check (no page re-checked), here and on worker threads', async () => {
    const job = auditLogJobFor(ctx.db)!;
    for (const [i, text] of awkward.entries()) {
      await recordAudit(ctx.db, null, { action: 'test.awkward', targetId: text, details: { i, text } }, nowIso(ctx.now));
      if (i === 4) await job.runNow(true);
    }
    await job.runNow(true);
    const report = await verifyEveryWay(ctx);
    expect(report).toMatchObject({ ok: true, findings: [] });
    expect(report.treeSize).toBeGreaterThanOrEqual(awkward.length);
    const signer = job.signer;
    const fast = await verifyDatabase(ctx.db, verifierOf(signer), signer.name, [], { url: ctx.config.databaseUrl, workers: 2, pageLeaves: 4, segmentLeaves: 4 });
    expect(fast).toMatchObject({ ok: true, pagesRechecked: 0, workers: 2 });
    // The root is the one the sequencer signed.
    const latest = await ctx.db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size', 'desc').executeTakeFirstOrThrow();
    expect(Number(latest.tree_size)).toBe(report.treeSize);
    expect(report.rootHash).toBe(latest.root_hash);
    // A lone surrogate is stored as U+FFFD on both databases (UTF-8 has no surrogates), and the entry is intact.
    await recordAudit(ctx.db, null, { action: 'test.awkward', targetId: 'lone \ud800 surrogate' }, nowIso(ctx.now));
    await job.runNow(true);
    const lone = await verifyDatabase(ctx.db, verifierOf(signer), signer.name, [], { url: ctx.config.databaseUrl, workers: 0 });
    expect(lone).toMatchObject({ ok: true, pagesRechecked: 0 });
    expect((await ctx.db.selectFrom('audit_events').select('target_id').where('target_id', 'like', 'lone %').executeTakeFirstOrThrow()).target_id).toBe('lone \ufffd surrogate');
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });

  it('a deleted leaf row is named, and every checkpoint after it fails', async () => {
    const leaf = await ctx.db.selectFrom('audit_log_leaves').selectAll().where('leaf_index', '=', 2).executeTakeFirstOrThrow();
    await ctx.db.deleteFrom('audit_log_leaves').where('leaf_index', '=', 2).execute();
    const r = await verifyEveryWay(ctx);
    expect(r.ok).toBe(false);
    expect(r.findings[0]).toMatchObject({ kind: 'leaf_gap', leafIndex: 2 });
    // Every signed checkpoint above leaf 2 fails; the entry of the lost leaf is now in no leaf.
    const above = (await ctx.db.selectFrom('audit_log_checkpoints').select('tree_size').where('tree_size', '>', 2).execute()).length;
    expect(r.findings.slice(1).map((f) => f.kind)).toEqual([...Array(above).fill('checkpoint_mismatch'), 'inserted']);
    expect(r.findings[above + 1]).toMatchObject({ kind: 'inserted', seq: Number(leaf.source_seq) });
    await ctx.db.insertInto('audit_log_leaves').values(leaf).execute();
    expect((await verifyEveryWay(ctx)).ok).toBe(true);
  });
});

describe('witnesses', () => {
  let a: TestContext;
  let dir: string;
  let witness: Awaited<ReturnType<typeof buildApp>>;
  let closeWitnessDb: () => Promise<void>;
  const secret = randomBytes(24).toString('hex');
  beforeAll(async () => {
    a = await createTestContext();
    await seed(a, 20);
    dir = mkdtempSync(join(tmpdir(), 'khien-witness-'));
    // A second Khiên instance (its own database, key and origin) configured to witness log A.
    const handle = openDatabase(`sqlite:${join(dir, 'w.db')}`);
    await migrateToLatest(handle.db, handle.dialect);
    closeWitnessDb = () => handle.close();
    const base = loadConfig({}, { dataDir: dir, webDir: join(dir, 'no-web'), logLevel: 'silent', databaseUrl: `sqlite:${join(dir, 'w.db')}` });
    const config = {
      ...base,
      auditLog: { ...base.auditLog, origin: 'witness.example/audit', sequenceMs: 0, witnessPeers: [{ name: 'log-a', secret, verifierKey: verifierKeyOf(auditLogJobFor(a.db)!.signer) }] },
    };
    witness = await buildApp({ config, db: handle.db, dialect: handle.dialect, keys: createKeys(randomBytes(32)), clock: Date.now }, { logger: false });
    await witness.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await witness.close();
    await closeWitnessDb();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the HTTP witness accepts consistent checkpoints and refuses an inconsistent one', async () => {
    const addr = witness.server.address() as { port: number };
    const target = { name: 'log-a', url: `http://127.0.0.1:${addr.port}/api/v1/audit-log/witness`, secret };
    const cps = await a.db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size').execute();
    for (const cp of cps) {
      const r = await pushToWitness({ db: a.db, now: nowIso() }, target, cp);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((r.body as { cosigned: string }).cosigned.startsWith(cp.note)).toBe(true);
    }
    // Log A (key holder) rewrites history: a fork of the same size with leaf 2 changed, properly signed.
    const signer = auditLogJobFor(a.db)!.signer;
    const leaves = (await a.db.selectFrom('audit_log_leaves').select('leaf_hash').orderBy('leaf_index').execute()).map((l) => Buffer.from(l.leaf_hash, 'hex'));
    leaves[2] = leafHash(Buffer.from('rewritten')) as Buffer<ArrayBuffer>;
    const last = cps[cps.length - 1]!;
    const fork = signNote(formatCheckpoint({ origin: signer.name, size: Number(last.tree_size), root: rootOf(leaves.slice(0, Number(last.tree_size))) }), signer);
    const res = await fetch(target.url, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, 'x-khien-witness-peer': 'log-a', 'x-csrf-token': 'witness' },
      body: JSON.stringify({ checkpoint: fork, oldSize: Number(last.tree_size), proof: [] }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('audit_log.witness_inconsistent');
    // A larger forked tree with a made-up proof is refused too.
    leaves.push(leafHash(Buffer.from('extra')) as Buffer<ArrayBuffer>);
    const bigger = signNote(formatCheckpoint({ origin: signer.name, size: leaves.length, root: rootOf(leaves) }), signer);
    const res2 = await fetch(target.url, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, 'x-khien-witness-peer': 'log-a', 'x-csrf-token': 'witness' },
      body: JSON.stringify({ checkpoint: bigger, oldSize: Number(last.tree_size), proof: [leaves[leaves.length - 1]!.toString('base64')] }),
    });
    expect(res2.status).toBe(409);
    // Wrong secret.
    const res3 = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope', 'x-khien-witness-peer': 'log-a', 'x-csrf-token': 'witness' }, body: JSON.stringify({ checkpoint: last.note }) });
    expect(res3.status).toBe(401);
  });

  it('the file witness holds every checkpoint; verify detects a history re-signed after the fact', async () => {
    const file = join(dir, 'witness', 'checkpoints.txt');
    const verifier = verifierOf(auditLogJobFor(a.db)!.signer);
    for (const cp of await a.db.selectFrom('audit_log_checkpoints').selectAll().orderBy('tree_size').execute()) await appendToWitnessFile(a.db, file, verifier, cp);
    const notes = readWitnessFile(file);
    expect(notes.length).toBe(2);
    expect((await verify(a, notes)).ok).toBe(true);
    // The key holder rewrites leaf 1 and re-signs every checkpoint: the database alone looks consistent…
    const signer = auditLogJobFor(a.db)!.signer;
    const { auditEventLeafHash } = await import('./merkle.leaf.js');
    const l1 = await a.db.selectFrom('audit_log_leaves').selectAll().where('leaf_index', '=', 1).executeTakeFirstOrThrow();
    const { row } = await keepRecord(a.db, 'audit_events', Number(l1.source_seq));
    await setRecordFields(a.db, 'audit_events', Number(row.seq), { action: 'test.hidden' });
    await a.db.updateTable('audit_log_leaves').set({ leaf_hash: auditEventLeafHash({ ...row, action: 'test.hidden' }).toString('hex') }).where('leaf_index', '=', 1).execute();
    const leaves = (await a.db.selectFrom('audit_log_leaves').select('leaf_hash').orderBy('leaf_index').execute()).map((l) => Buffer.from(l.leaf_hash, 'hex'));
    for (const cp of await a.db.selectFrom('audit_log_checkpoints').selectAll().execute()) {
      const root = rootOf(leaves.slice(0, Number(cp.tree_size)));
      await a.db.updateTable('audit_log_checkpoints').set({ root_hash: root.toString('hex'), note: signNote(formatCheckpoint({ origin: signer.name, size: Number(cp.tree_size), root }), signer) }).where('tree_size', '=', cp.tree_size).execute();
    }
    expect((await verify(a)).ok).toBe(true);
    // …but not against the witness.
    const r = await verify(a, notes);
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => f.kind)).toEqual(['witness_mismatch', 'witness_mismatch']);
    expect(r.findings[0]!.treeSize).toBe(10);
  });
});
