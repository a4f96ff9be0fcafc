import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { EMPTY_ROOT_HEX, HexCompactRange, parseNote, parseVerifierKey, type NoteVerifier } from '../../engines/merkle/index.js';
import type { Db } from '../../db/database.js';
import { alteredLogTables, logLayout } from './log-docs.js';
import type { AuditEventRow } from './audit.table.js';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import { ACCESS_LOG_LEAF, AUDIT_EVENT_LEAF } from './merkle.leaf.js';
import { defaultVerifyWorkers, kyselyReader, type LogLayout, openReader, planSegments, readRecords, scanOnWorkers, scanSegment, type SegmentResult } from './verify.db.js';
import { CheckpointChecker, FindingList, unsequencedFinding, verifyLog, Witnessed, type CheckpointItem, type LeafItem, type VerifyReport } from './verify.js';

/** Verification against the database, bundle export, and offline verification of a bundle. */

const PAGE = 5000;

async function* dbLeaves(db: Db): AsyncGenerator<LeafItem[]> {
  const reader = kyselyReader(db);
  const layout = await logLayout(db);
  const seqsOf = (leaves: { source: string; source_seq: number }[], source: string) => leaves.filter((l) => l.source === source).map((l) => Number(l.source_seq));
  let from = 0;
  for (;;) {
    const leaves = await db.selectFrom('audit_log_leaves').selectAll().where('leaf_index', '>=', from).orderBy('leaf_index').limit(PAGE).execute();
    if (leaves.length === 0) return;
    const rows = await readRecords(reader, layout, 'audit_events', seqsOf(leaves, AUDIT_EVENT_LEAF));
    const access = await readRecords(reader, layout, 'access_log_records', seqsOf(leaves, ACCESS_LOG_LEAF));
    yield leaves.map((l) => ({
      leafIndex: Number(l.leaf_index), source: l.source, sourceSeq: Number(l.source_seq), entryId: l.entry_id, leafHash: l.leaf_hash,
      prunedAt: l.pruned_at,
      entry: ((l.source === ACCESS_LOG_LEAF ? access : rows).get(Number(l.source_seq))?.record ?? null) as AuditEventRow | AccessLogRecordRow | null,
    }));
    from = Number(leaves[leaves.length - 1]!.leaf_index) + 1;
  }
}

async function* dbCheckpoints(db: Db): AsyncGenerator<CheckpointItem> {
  let from = 0;
  for (;;) {
    const page = await db.selectFrom('audit_log_checkpoints').selectAll().where('tree_size', '>', from).orderBy('tree_size').limit(1000).execute();
    if (page.length === 0) return;
    for (const c of page) yield { treeSize: Number(c.tree_size), rootHash: c.root_hash, note: c.note };
    from = Number(page[page.length - 1]!.tree_size);
  }
}

/** The two kinds of log records and their tables. */
const LOG_SOURCES = [
  { source: AUDIT_EVENT_LEAF, table: 'audit_events' },
  { source: ACCESS_LOG_LEAF, table: 'access_log_records' },
] as const;

interface Census {
  source: string;
  table: string;
  /** Highest sequenced seq of this kind (null: none sequenced yet). */
  maxSeq: number | null;
  /** Entries of the table at or below maxSeq. */
  entries: number;
}

/**
 * For each kind, its entries at or below the highest sequenced seq, counted in one statement. Taken before the
 * leaves are scanned: the scan counts the leaves whose entry it found, and when the two numbers agree no entry can
 * be without a leaf, so the anti-join that names such entries (a full pass over both tables, seconds at ten million
 * entries) is skipped. A count that moves meanwhile (appends, retention, tampering) only makes the census larger
 * than the scan's tally, which runs the anti-join: the shortcut never hides an entry.
 */
async function entryCensus(db: Db): Promise<Census[]> {
  const out: Census[] = [];
  for (const { source, table } of LOG_SOURCES) {
    const max = await db.selectFrom('audit_log_leaves').select((eb) => eb.fn.max('source_seq').as('m')).where('source', '=', source).executeTakeFirst();
    const maxSeq = max?.m === null || max?.m === undefined ? null : Number(max.m);
    const r = maxSeq === null ? null : await sql<{ n: number | string }>`select (select count(*) from ${sql.table(table)}) - (select count(*) from ${sql.table(table)} where seq > ${maxSeq}) as n`.execute(db);
    out.push({ source, table, maxSeq, entries: Number(r?.rows[0]?.n ?? 0) });
  }
  return out;
}

/** Entries of a kind below its highest sequenced seq that no leaf points at (the first 1,000). */
async function* unsequenced(db: Db, c: Census, layout: LogLayout): AsyncGenerator<{ seq: number; id: string; source: string }> {
  if (c.maxSeq === null) return;
  // On SQLite the id is decoded from the doc only where the doc is JSON (an inserted row may not be).
  const id = layout === 'docs' ? sql`case when json_valid(t.doc) then t.id end` : sql`t.id`;
  const rows = await sql<{ seq: number | string; id: string | null }>`select t.seq, ${id} as id from ${sql.table(c.table)} t
    where t.seq < ${c.maxSeq} and not exists (select 1 from audit_log_leaves l where l.source = ${c.source} and l.source_seq = t.seq)
    order by t.seq limit 1000`.execute(db);
  for (const r of rows.rows) yield { seq: Number(r.seq), id: r.id ?? '(unreadable)', source: c.source };
}

/** Read the notes held in a witness file (signed notes separated by a blank line after each signature block). */
export function readWitnessFile(file: string): string[] {
  if (!existsSync(file)) return [];
  return splitNotes(readFileSync(file, 'utf8'));
}

export function splitNotes(text: string): string[] {
  // Each note is "body\n\n— sig\n…"; the file separates notes with an extra blank line.
  return text.split(/\n\n(?=[^\u2014\n])/u).map((n) => `${n.replace(/\n+$/u, '')}\n`).filter((n) => n.trim().length > 0)
    .filter((n) => {
      try {
        parseNote(n);
        return true;
      } catch {
        return false;
      }
    });
}

export interface VerifyDatabaseOptions {
  /** The database URL, so worker threads can open their own read-only connections (none without it). */
  url?: string;
  /** Worker threads (default: one per core when `url` is given and the log is large; 0 = this thread only). */
  workers?: number;
  /** At most this many worker threads, whatever `workers` or the default says (the API keeps a core for itself). */
  maxWorkers?: number;
  maxFindings?: number;
  /** Leaves per page query and per segment (powers of two; tests use tiny ones to exercise paging and workers). */
  pageLeaves?: number;
  segmentLeaves?: number;
}

/** Below this many leaves the log is verified on this thread: starting workers costs more than it saves. */
const WORKER_THRESHOLD = 200_000;

/**
 * `khien audit verify`: recompute the tree from the stored entries and check every checkpoint. The leaves are
 * verified in aligned segments (verify.db.ts), here or on worker threads; this folds the segments' subtree roots
 * into the tree and checks each signed checkpoint and witnessed checkpoint at its size against it.
 */
export async function verifyDatabase(db: Db, verifier: NoteVerifier, origin: string, witnessedNotes: string[] = [], opts: VerifyDatabaseOptions = {}): Promise<VerifyReport> {
  const max = opts.maxFindings ?? 1000;
  const findings = new FindingList(max);
  const add = findings.add;
  const witnessed = new Witnessed(witnessedNotes, verifier, add);
  // The tree verified is the one of the leaves present when verification starts (leaves appended meanwhile wait for the next run).
  const top = await db.selectFrom('audit_log_leaves').select((eb) => eb.fn.max('leaf_index').as('m')).executeTakeFirst();
  const total = top?.m === null || top?.m === undefined ? 0 : Number(top.m) + 1;
  const cpSizes = (await db.selectFrom('audit_log_checkpoints').select('tree_size').where('tree_size', '>', 0).where('tree_size', '<=', total).orderBy('tree_size').execute()).map((r) => Number(r.tree_size));
  const marks = [...new Set([...cpSizes, ...[...witnessed.roots.keys()].filter((s) => s > 0 && s <= total)])].sort((a, b) => a - b);

  const census = await entryCensus(db);
  for (const t of await alteredLogTables(db)) {
    add({
      kind: 'schema_altered',
      message: t.found === null
        ? `table ${t.table} is missing`
        : `table ${t.table} is not defined as Khiên created it: its columns may no longer be read from the records the leaves cover`,
    });
  }

  const url = opts.url && !opts.url.endsWith(':memory:') ? opts.url : undefined;
  const workers = url ? Math.min(opts.maxWorkers ?? Infinity, opts.workers ?? (total >= WORKER_THRESHOLD ? defaultVerifyWorkers() : 0)) : 0;
  const layout = await logLayout(db);
  const tasks = planSegments(total, marks, { workers, maxFindings: max, pageLeaves: opts.pageLeaves, segmentLeaves: opts.segmentLeaves, layout });
  let results: SegmentResult[];
  if (workers > 0 && tasks.length > 1) {
    results = await scanOnWorkers(url!, tasks, workers);
  } else {
    // This thread: a read-only connection of its own when the URL is known (on SQLite it reads through a memory
    // map, ~15 % less CPU than the application's connection), else the application's.
    const reader = url ? await openReader(url) : kyselyReader(db);
    results = [];
    try {
      for (const t of tasks) results.push(await scanSegment(reader, t));
    } finally {
      await reader.close();
    }
  }

  const checker = new CheckpointChecker(verifier, origin, add);
  const cpIter = dbCheckpoints(db)[Symbol.asyncIterator]();
  let nextCp = (await cpIter.next()).value as CheckpointItem | undefined;
  let pruned = 0;
  const found = new Map<string, number>([[AUDIT_EVENT_LEAF, 0], [ACCESS_LOG_LEAF, 0]]);
  let leafFindings = 0;
  let pagesRechecked = 0;
  const tree = new HexCompactRange();
  const checkAt = async (size: number, rootHex: string) => {
    const root = Buffer.from(rootHex, 'hex');
    witnessed.checkAt(size, root);
    while (nextCp && nextCp.treeSize <= size) {
      checker.check(nextCp, nextCp.treeSize === size ? root : null, size);
      nextCp = (await cpIter.next()).value as CheckpointItem | undefined;
    }
  };
  if (witnessed.roots.has(0)) await checkAt(0, EMPTY_ROOT_HEX);
  for (const seg of results) {
    // Findings in tree order: a segment's leaf findings before each checkpoint at or above them.
    let f = 0;
    for (const { size, fold } of seg.folds) {
      while (f < seg.findings.length && (seg.findings[f]!.leafIndex ?? -1) < size) add(seg.findings[f++]!);
      await checkAt(size, tree.root(fold));
    }
    while (f < seg.findings.length) add(seg.findings[f++]!);
    findings.more += seg.more;
    leafFindings += seg.findings.length + seg.more;
    pruned += seg.tally.pruned;
    found.set(AUDIT_EVENT_LEAF, found.get(AUDIT_EVENT_LEAF)! + seg.tally.auditEntries);
    found.set(ACCESS_LOG_LEAF, found.get(ACCESS_LOG_LEAF)! + seg.tally.accessEntries);
    pagesRechecked += seg.slowPages;
    tree.appendRange(seg);
  }
  while (nextCp) {
    checker.check(nextCp, null, total);
    nextCp = (await cpIter.next()).value as CheckpointItem | undefined;
  }
  witnessed.checkEnd(total);
  const leafOfEntry = async (id: string) => {
    const r = await db.selectFrom('audit_log_leaves').select('leaf_index').where('entry_id', '=', id).executeTakeFirst();
    return r ? Number(r.leaf_index) : undefined;
  };
  // Entries without a leaf (inserted into the tables, not the log), named only when the census says there are some,
  // or when leaves are already wrong (a tampered leaf could stand for an entry that is not its own).
  for (const c of census) {
    if (c.entries <= found.get(c.source)! && leafFindings === 0) continue;
    for await (const row of unsequenced(db, c, layout)) {
      if ((await leafOfEntry(row.id)) === undefined) add(unsequencedFinding(row));
    }
  }
  const list = findings.done();
  return { ok: list.length === 0, treeSize: total, rootHash: tree.root(), checkpointsChecked: checker.checked, witnessedChecked: witnessed.checked, pruned, findings: list, pagesRechecked, workers: workers > 0 && tasks.length > 1 ? Math.min(workers, tasks.length) : 0 };
}

/**
 * Bundle format (JSON lines, UTF-8), in this order so it can be verified in one streaming pass:
 *   {"type":"khien-audit-bundle","version":1,"origin":…,"verifierKey":…,"treeSize":…,"exportedAt":…}
 *   {"type":"checkpoint","treeSize":…,"rootHash":…,"note":…}                                             × checkpoints
 *   {"type":"leaf","leafIndex":…,"source":…,"sourceSeq":…,"entryId":…,"leafHash":…,"prunedAt":…,"entry":{…}|null}   × leaves
 */
export async function exportBundle(db: Db, file: string, header: { origin: string; verifierKey: string; exportedAt: string }): Promise<{ leaves: number; checkpoints: number }> {
  const out = createWriteStream(file, { flags: 'wx' });
  const counts = { leaves: 0, checkpoints: 0 };
  for await (const line of bundleLines(db, header, counts)) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return counts;
}

/** The bundle as a stream of lines (the CLI writes it to a file; the API streams it to an inspector). */
export async function* bundleLines(db: Db, header: { origin: string; verifierKey: string; exportedAt: string }, counts = { leaves: 0, checkpoints: 0 }): AsyncGenerator<string> {
  const size = await db.selectFrom('audit_log_leaves').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  yield `${JSON.stringify({ type: 'khien-audit-bundle', version: 1, ...header, treeSize: Number(size.n) })}\n`;
  for await (const c of dbCheckpoints(db)) {
    yield `${JSON.stringify({ type: 'checkpoint', ...c })}\n`;
    counts.checkpoints++;
  }
  for await (const page of dbLeaves(db)) {
    let chunk = '';
    for (const l of page) {
      chunk += `${JSON.stringify({ type: 'leaf', ...l })}\n`;
      counts.leaves++;
    }
    yield chunk;
  }
}

/**
 * `khien audit verify --offline <bundle>`: verify a bundle with no database, in one streaming pass.
 * The verifier key is taken from `trustedKey` when given — it should come from the docs or the public
 * endpoint, not from the bundle itself, which anyone could have re-signed.
 */
export async function verifyBundle(file: string, opts: { trustedKey?: string; witnessed?: string[] } = {}): Promise<VerifyReport & { verifierKey: string; origin: string }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const first = await lines.next();
  const header = JSON.parse((first.value as string | undefined) ?? '{}') as { type?: string; version?: number; origin: string; verifierKey: string };
  if (header.type !== 'khien-audit-bundle' || header.version !== 1) throw new Error('not a Khiên audit bundle (version 1)');
  const verifierKey = opts.trustedKey ?? header.verifierKey;
  const verifier = parseVerifierKey(verifierKey);
  const checkpoints: CheckpointItem[] = [];
  let pending: LeafItem | undefined;
  for (;;) {
    const n = await lines.next();
    if (n.done) break;
    if (!n.value) continue;
    const obj = JSON.parse(n.value) as { type: string } & LeafItem & CheckpointItem;
    if (obj.type === 'checkpoint') checkpoints.push({ treeSize: obj.treeSize, rootHash: obj.rootHash, note: obj.note });
    else if (obj.type === 'leaf') {
      pending = obj;
      break;
    }
  }
  checkpoints.sort((a, b) => a.treeSize - b.treeSize);
  async function* leaves(): AsyncGenerator<LeafItem[]> {
    let page: LeafItem[] = pending ? [pending] : [];
    for (;;) {
      const n = await lines.next();
      if (n.done) break;
      if (!n.value) continue;
      const obj = JSON.parse(n.value) as { type: string } & LeafItem;
      if (obj.type === 'leaf') page.push(obj);
      if (page.length >= 1000) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
  async function* cps(): AsyncGenerator<CheckpointItem> {
    yield* checkpoints;
  }
  const report = await verifyLog({ verifier, origin: header.origin, leaves: leaves(), checkpoints: cps(), witnessed: opts.witnessed ?? [] });
  return { ...report, verifierKey, origin: header.origin };
}
