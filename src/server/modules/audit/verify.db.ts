import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { foldPerfectInto, HexCompactRange, sha256Into } from '../../engines/merkle/index.js';
import { type Db, type DialectName, sqliteConnection } from '../../db/database.js';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import type { AuditEventRow } from './audit.table.js';
import { ACCESS_LOG_FIELDS, ACCESS_LOG_LEAF, AUDIT_EVENT_FIELDS, AUDIT_EVENT_LEAF, type LeafField } from './merkle.leaf.js';
import { recordFromDoc } from './log-docs.js';
import { classifyLeaf, type Finding, type LeafItem } from './verify.js';

/**
 * The leaf layer of `khien audit verify` against the database, built for tens of millions of leaves:
 *
 * - The leaves are cut into aligned segments of 2^k leaves. By RFC 6962 §2.1 (the split point is the largest power
 *   of two below n), a segment starting at a multiple of its own size is one node of every larger tree, so each
 *   segment is verified on its own — in this thread or on a worker thread with its own read-only connection — and
 *   only its subtree roots (≤ log2 n hashes) and, for each checkpoint size inside it, the right fold of its leaves
 *   up to that size come back. The caller folds them into the full tree (verify.service.ts).
 * - A page of 4,096 leaves is read with one aggregate query that returns the stored hex leaf hashes concatenated,
 *   one status letter per leaf, and the canonical encodings of the leaves' entries, each behind a newline (JSON
 *   text never holds a raw newline: control characters are escaped). On SQLite the encoding is the stored record
 *   itself (`doc`, log-docs.ts: the other columns are generated from it, so there is nothing else to check but the
 *   table definition, which verify.service.ts compares); on PostgreSQL the database builds it from the columns.
 *   Each encoding is hashed in place — the newline swapped for the 0x00 leaf prefix — and compared with its stored
 *   hash; no row objects, no per-leaf Buffers.
 * - The fast check is only trusted to say "intact": a page with anything unexpected (a missing, extra or moved row,
 *   an id mismatch, a hash mismatch, a stored value the SQL encoding does not handle) is verified again row by row,
 *   and classifyLeaf names the leaf. On PostgreSQL, saying "intact" needs SHA-256(0x00 ‖ SQL encoding) to equal the
 *   stored hash of the JavaScript encoding (merkle.leaf.ts, the definition) of the original row, i.e. equal bytes:
 *   both are JSON of the same keys with the same escaping (a test checks them byte for byte on awkward strings, on
 *   both databases), so the row still holds the original values. On SQLite the stored bytes are hashed as they are.
 */

const VERIFY_PAGE = 4096;

/** One connection's worth of queries (`?` placeholders). */
export interface LogReader {
  dialect: DialectName;
  all(text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const numbered = (text: string) => {
  let i = 0;
  return text.replace(/\?/g, () => `$${++i}`);
};

/** A reader over the application's own Kysely instance (runs through its driver, so never inside another transaction). */
export function kyselyReader(db: Db): LogReader {
  const dialect: DialectName = sqliteConnection(db) ? 'sqlite' : 'postgres';
  return {
    dialect,
    all: async (text, params) => (await db.executeQuery(CompiledQuery.raw(dialect === 'postgres' ? numbered(text) : text, [...params]))).rows as Record<string, unknown>[],
    close: async () => undefined,
  };
}

/** A read-only connection of its own (a worker thread's). */
export async function openReader(url: string): Promise<LogReader> {
  if (url.startsWith('sqlite:')) {
    const conn = new SQLite(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    conn.pragma('busy_timeout = 5000');
    // Reads through a memory map (no read() copy per page) and a larger page cache: the scan is sequential and large.
    conn.pragma('mmap_size = 2147418112');
    conn.pragma('cache_size = -65536');
    const stmts = new Map<string, SQLite.Statement>();
    return {
      dialect: 'sqlite',
      all: async (text, params) => {
        let st = stmts.get(text);
        if (!st) stmts.set(text, (st = conn.prepare(text)));
        return st.all(...params) as Record<string, unknown>[];
      },
      close: async () => {
        conn.close();
      },
    };
  }
  const client = new pg.Client({
    connectionString: url,
    // BIGINT as numbers, as database.ts sets for the application's pool (this may run on a worker thread).
    types: { getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number.parseInt(v, 10) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  await client.query('set default_transaction_read_only = on');
  return {
    dialect: 'postgres',
    all: async (text, params) => (await client.query(numbered(text), [...params])).rows as Record<string, unknown>[],
    close: () => client.end(),
  };
}

/** The canonical encoding of merkle.leaf.ts as an SQL expression over the row alias `t`. */
function encodingSql(dialect: DialectName, fields: readonly LeafField[], t: string): string {
  if (dialect === 'sqlite') {
    // json_object writes the keys in the order given, no whitespace, text through the same escaper as json_quote,
    // integers as numbers, NULL as null: the canonical encoding in one call (~10 % less than concatenating
    // json_quote of each column).
    const args = fields.map(([key, kind, value]) => `'${key}', ${kind === 'const' ? (value!.startsWith('"') ? `'${JSON.parse(value!) as string}'` : value!) : `${t}.${key}`}`);
    return `char(10) || json_object(${args.join(', ')})`;
  }
  const parts: string[] = [];
  let lit = '';
  fields.forEach(([key, kind, value], i) => {
    lit += `${i === 0 ? '{' : ','}"${key}":`;
    if (kind === 'const') {
      lit += value!;
      return;
    }
    parts.push(`'${lit}'`);
    lit = '';
    // PostgreSQL to_json (like SQLite's JSON functions) escapes exactly as JSON.stringify: \" \\ \b \f \n \r \t,
    // other control characters as \u00xx (lower-case hex), everything else as is.
    parts.push(kind === 'int' ? `coalesce(${t}.${key}::text, 'null')` : `coalesce(to_json(${t}.${key})::text, 'null')`);
  });
  parts.push(`'${lit}}'`);
  return `concat(chr(10), ${parts.join(', ')})`;
}

/** The encoding of a leaf's record of `source` as an SQL expression over the alias `t` (a newline first). */
export function leafEncodingSql(dialect: DialectName, source: typeof AUDIT_EVENT_LEAF | typeof ACCESS_LOG_LEAF, t: string): string {
  return encodingSql(dialect, source === ACCESS_LOG_LEAF ? ACCESS_LOG_FIELDS : AUDIT_EVENT_FIELDS, t);
}

/**
 * How the log tables hold their records: `docs` (SQLite, log-docs.ts) or ordinary `columns` (PostgreSQL, and a
 * SQLite table whose definition was changed so that it has no `doc` any more: verification then reports the change
 * and still checks every column).
 */
export type LogLayout = 'docs' | 'columns';

const pageSqlCache = new Map<string, string>();

/** One row per page: leaf count, bad-hash-length count, hashes, status letters, encodings (see above). */
function pageSql(dialect: DialectName, layout: LogLayout): string {
  const key = `${dialect}:${layout}`;
  const hit = pageSqlCache.get(key);
  if (hit) return hit;
  const nl = dialect === 'sqlite' ? 'char(10)' : 'chr(10)';
  // e: an audit event present and the leaf's own; a: the same for an access-log record; p: payload pruned by
  // retention; x: anything else (checked row by row).
  // SQLite stores each record as its encoding (log-docs.ts): `doc` is read as it is, and a record whose doc hashes
  // to the leaf is the leaf's own (the doc holds its id), so the id is not compared (that would decode the doc).
  // PostgreSQL encodes the columns.
  const status = layout === 'docs'
    ? `case when e.seq is not null then 'e' when a.seq is not null then 'a' when l.pruned_at is not null then 'p' else 'x' end`
    : `case when e.seq is not null then (case when e.id = l.entry_id then 'e' else 'x' end)
    when a.seq is not null then (case when a.id = l.entry_id then 'a' else 'x' end)
    when l.pruned_at is not null then 'p' else 'x' end`;
  const doc = layout === 'docs'
    ? `case when e.seq is not null then char(10) || e.doc when a.seq is not null then char(10) || a.doc else char(10) end`
    : `case when e.seq is not null then ${encodingSql(dialect, AUDIT_EVENT_FIELDS, 'e')}
    when a.seq is not null then ${encodingSql(dialect, ACCESS_LOG_FIELDS, 'a')} else ${nl} end`;
  const from = `from audit_log_leaves l
    left join audit_events e on l.source = '${AUDIT_EVENT_LEAF}' and e.seq = l.source_seq
    left join access_log_records a on l.source = '${ACCESS_LOG_LEAF}' and a.seq = l.source_seq
    where l.leaf_index >= ? and l.leaf_index < ?`;
  // SQLite: the aggregates take the rows in the order the leaf_index range scan yields them, which is leaf order;
  // an ORDER BY inside each aggregate would copy every encoding into a sorter (measured ~1.8 µs per leaf more).
  // Order is not promised for an unordered aggregate, so the page also returns its leaf offsets as the aggregates
  // saw them, and the page counts as read in order only when they are exactly 0,1,2,… (all aggregates of one
  // query step through the same rows in the same order). PostgreSQL sorts inside each aggregate. `bad` counts
  // stored hashes that are not 64 bytes (SQLite octet_length does not walk the characters; a 64-byte value that is
  // not hex fails the comparison with the computed hashes anyway).
  const text = dialect === 'sqlite'
    ? `select count(*) as n, coalesce(sum(octet_length(l.leaf_hash) <> 64 or typeof(l.leaf_index) <> 'integer'), 0) as bad,
        group_concat(l.leaf_index - cast(? as integer), ',') as offsets, group_concat(l.leaf_hash, '') as hashes, group_concat(${status}, '') as status,
        cast(group_concat(${doc}, '') as blob) as docs ${from}`
    : `select count(*) as n, coalesce(sum(case when length(l.leaf_hash) <> 64 then 1 else 0 end), 0) as bad, null as offsets,
        string_agg(l.leaf_hash, '' order by l.leaf_index) as hashes, string_agg(${status}, '' order by l.leaf_index) as status,
        string_agg(${doc}, '' order by l.leaf_index) as docs ${from}`;
  pageSqlCache.set(key, text);
  return text;
}

const NL = 0x0a;
const E = 'e'.charCodeAt(0);
const A = 'a'.charCodeAt(0);
const P = 'p'.charCodeAt(0);

/** Leaves of a page or segment by what was found at them. */
export interface LeafTally {
  /** Leaves whose payload retention removed. */
  pruned: number;
  /** Leaves whose audit event / access-log record is present (the census in verify.service.ts counts against these). */
  auditEntries: number;
  accessEntries: number;
}

/**
 * The fast check of one page: every leaf is 'e' or 'a' and its encoding hashes to the stored hash, or 'p' (its stored
 * hash is taken as is). The page's leaf hashes are written to `out` (32 bytes each) and compared with the stored ones
 * in one go. Adds the page's leaves to `tally` and returns true, or returns false (tally untouched) when the page
 * has to be checked row by row. `docs` is modified (0x00 prefixes).
 */
function checkPageFast(n: number, hashes: string, status: string, docs: Buffer, out: Buffer, tally: LeafTally): boolean {
  if (status.length !== n || hashes.length !== n * 64 || docs.length === 0 || docs[0] !== NL) return false;
  let pruned = 0;
  let audit = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let next = docs.indexOf(NL, pos + 1);
    if (next === -1) next = docs.length;
    const st = status.charCodeAt(i);
    if (st === E || st === A) {
      if (st === E) audit++;
      docs[pos] = 0x00; // RFC 6962 §2.1: leaf hash = SHA-256(0x00 ‖ entry)
      sha256Into(docs.subarray(pos, next), out, i * 32);
    } else if (st === P) {
      pruned++;
      if (out.write(hashes.substring(i * 64, i * 64 + 64), i * 32, 32, 'hex') !== 32) return false;
    } else {
      return false;
    }
    pos = next;
  }
  if (pos !== docs.length || out.toString('hex', 0, n * 32) !== hashes) return false;
  tally.pruned += pruned;
  tally.auditEntries += audit;
  tally.accessEntries += n - pruned - audit;
  return true;
}

export interface SegmentTask {
  from: number;
  to: number;
  /** Tree sizes in (from, to] at which the right fold is wanted (checkpoint and witness sizes). */
  marks: number[];
  maxFindings: number;
  /** Leaves per page query (a power of two; VERIFY_PAGE unless a test wants tiny pages). */
  pageLeaves?: number;
  /** How the records are stored (default: `docs` on SQLite, `columns` on PostgreSQL). */
  layout?: LogLayout;
}

export interface SegmentResult {
  /** The compact range of the task's leaves [from, to): subtree roots (hex) and sizes, largest first. */
  hashes: string[];
  sizes: number[];
  /** For each mark, the right fold of [from, mark). */
  folds: { size: number; fold: string }[];
  findings: Finding[];
  more: number;
  tally: LeafTally;
  /** Pages checked row by row. */
  slowPages: number;
}

const ZERO_HEX = '0'.repeat(64);

const offsetsCache = new Map<number, string>();
/** "0,1,…,n−1": the leaf offsets of a page read in order. */
function offsetsOf(n: number): string {
  let s = offsetsCache.get(n);
  if (s === undefined) {
    s = Array.from({ length: n }, (_, i) => i).join(',');
    if (offsetsCache.size > 16) offsetsCache.clear();
    offsetsCache.set(n, s);
  }
  return s;
}

/** Verify the leaves [from, to) — `from` a multiple of a power of two ≥ to − from — through one reader. */
export async function scanSegment(reader: LogReader, task: SegmentTask): Promise<SegmentResult> {
  const range = new HexCompactRange();
  const findings: Finding[] = [];
  let more = 0;
  const add = (f: Finding) => (findings.length < task.maxFindings ? findings.push(f) : more++);
  const folds: { size: number; fold: string }[] = [];
  let m = 0;
  const tally: LeafTally = { pruned: 0, auditEntries: 0, accessEntries: 0 };
  let slowPages = 0;
  const layout = task.layout ?? (reader.dialect === 'sqlite' ? 'docs' : 'columns');
  const sqlText = pageSql(reader.dialect, layout);
  const page = task.pageLeaves ?? VERIFY_PAGE;
  // The page's leaf hashes, computed or (row by row) stored, 32 bytes each; folded in place into the tree.
  const leaves = Buffer.alloc(page * 32);
  const params = (p: number) => (reader.dialect === 'sqlite' ? [p, p, Math.min(p + page, task.to)] : [p, Math.min(p + page, task.to)]);
  const fetch = (p: number) => (p < task.to ? reader.all(sqlText, params(p)).catch((err: unknown) => err as Error) : null);
  // The next page is requested before this one is hashed (PostgreSQL works on it meanwhile; SQLite is synchronous).
  let pending = fetch(task.from);
  for (let p = task.from; p < task.to; p += page) {
    const end = Math.min(p + page, task.to);
    const res = await pending!;
    pending = fetch(p + page);
    const row = Array.isArray(res) ? res[0] : undefined;
    const n = end - p;
    let fast = false;
    if (row && Number(row.n) === n && Number(row.bad) === 0 && typeof row.hashes === 'string' && typeof row.status === 'string' && row.docs !== null
      && (row.offsets === null || row.offsets === offsetsOf(n))) {
      const docs = typeof row.docs === 'string' ? Buffer.from(row.docs, 'utf8') : (row.docs as Buffer);
      fast = checkPageFast(n, row.hashes, row.status, docs, leaves, tally);
    }
    if (!fast) {
      slowPages++;
      const slow = await checkPageSlow(reader, layout, p, end, add, tally);
      for (let i = 0; i < n; i++) leaves.write(slow.hashes[i]!, i * 32, 32, 'hex');
    }
    // Into the range as aligned perfect subtrees, each folded in place (one node hash per leaf, no per-leaf strings),
    // cut at every mark inside the page for its right fold.
    let x = p;
    while (x < end) {
      const limit = m < task.marks.length && task.marks[m]! < end ? task.marks[m]! : end;
      let size = 1;
      while (size * 2 <= limit - x) size *= 2;
      while ((x - task.from) % size !== 0) size /= 2;
      const at = (x - p) * 32;
      foldPerfectInto(leaves, at, size);
      range.appendSubtree(leaves.toString('hex', at, at + 32), size);
      x += size;
      while (m < task.marks.length && task.marks[m]! <= x) {
        if (task.marks[m] === x) folds.push({ size: x, fold: range.root() });
        m++;
      }
    }
  }
  return { ...range.snapshot(), folds, findings, more, tally, slowPages };
}

/**
 * Records of a log table by seq, as stored: with `docs`, decoded from the stored encoding, which is kept beside the
 * record (a doc that is no longer JSON gives `id: null` instead of an error, which reading its generated columns
 * would raise); with `columns`, the columns.
 */
export async function readRecords(reader: LogReader, layout: LogLayout, table: 'audit_events' | 'access_log_records', seqs: number[]): Promise<Map<number, { record: Record<string, unknown>; doc?: string }>> {
  const out = new Map<number, { record: Record<string, unknown>; doc?: string }>();
  for (let i = 0; i < seqs.length; i += 500) {
    const chunk = seqs.slice(i, i + 500);
    for (const r of await reader.all(`select ${layout === 'docs' ? 'seq, doc' : '*'} from ${table} where seq in (${chunk.map(() => '?').join(',')})`, chunk)) {
      const seq = Number(r.seq);
      out.set(seq, layout === 'docs' ? { record: recordFromDoc(seq, String(r.doc)), doc: String(r.doc) } : { record: r });
    }
  }
  return out;
}

/** Row-by-row check of a page with the JavaScript encoder: names every modified, deleted, reordered or missing leaf. */
async function checkPageSlow(reader: LogReader, layout: LogLayout, from: number, to: number, add: (f: Finding) => void, tally: LeafTally): Promise<{ hashes: string[] }> {
  const leaves = await reader.all('select leaf_index, source, source_seq, entry_id, leaf_hash, pruned_at from audit_log_leaves where leaf_index >= ? and leaf_index < ? order by leaf_index', [from, to]);
  const seqsOf = (source: string) => leaves.filter((l) => l.source === source).map((l) => Number(l.source_seq));
  const audit = await readRecords(reader, layout, 'audit_events', seqsOf(AUDIT_EVENT_LEAF));
  const access = await readRecords(reader, layout, 'access_log_records', seqsOf(ACCESS_LOG_LEAF));
  const leafOfEntry = async (id: string) => {
    const r = await reader.all('select leaf_index from audit_log_leaves where entry_id = ? limit 1', [id]);
    return r[0] ? Number(r[0].leaf_index) : undefined;
  };
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const l of leaves) if (Number.isInteger(Number(l.leaf_index))) byIndex.set(Number(l.leaf_index), l);
  const hashes: string[] = [];
  let gapStart = -1;
  for (let i = from; i <= to; i++) {
    const l = i < to ? byIndex.get(i) : undefined;
    if (l === undefined && i < to) {
      if (gapStart < 0) gapStart = i;
      // A missing leaf row: its hash is unknown, so every checkpoint from here on fails to match.
      hashes.push(ZERO_HEX);
      continue;
    }
    if (gapStart >= 0) {
      add({ kind: 'leaf_gap', leafIndex: gapStart, message: i - gapStart === 1 ? `leaf ${gapStart} is missing: leaves were removed` : `leaves ${gapStart}–${i - 1} are missing: leaves were removed` });
      gapStart = -1;
    }
    if (l === undefined) break;
    const source = String(l.source);
    const seq = Number(l.source_seq);
    const found = source === ACCESS_LOG_LEAF ? access.get(seq) : source === AUDIT_EVENT_LEAF ? audit.get(seq) : undefined;
    const entry = found?.record ?? null;
    const item: LeafItem = {
      leafIndex: i, source, sourceSeq: seq, entryId: String(l.entry_id), leafHash: String(l.leaf_hash), prunedAt: (l.pruned_at as string | null) ?? null,
      entry: entry as AuditEventRow | AccessLogRecordRow | null,
      ...(found?.doc !== undefined ? { doc: found.doc } : {}),
    };
    const stored = Buffer.from(item.leafHash, 'hex');
    if (entry !== null) {
      if (source === ACCESS_LOG_LEAF) tally.accessEntries++;
      else tally.auditEntries++;
    }
    const outcome = await classifyLeaf(item, stored, leafOfEntry);
    if (outcome === 'pruned') tally.pruned++;
    else if (outcome) add(outcome);
    // The tree is built from the stored leaf hashes (a malformed one as its bytes, zero-padded: it cannot match).
    hashes.push(stored.length === 32 ? stored.toString('hex') : stored.toString('hex').padEnd(64, '0').slice(0, 64));
  }
  return { hashes };
}

/**
 * Segments of the leaves [0, total): aligned powers of two, at least a page, enough to keep every worker busy on a
 * loaded machine (≈ 32 each), none larger than 2^18 leaves (about a second of one core), so the last segment
 * handed out leaves the other workers idle for at most that long. `segmentLeaves` fixes the size (tests).
 */
export function planSegments(total: number, marks: readonly number[], opts: { workers: number; maxFindings: number; pageLeaves?: number; segmentLeaves?: number; layout?: LogLayout }): SegmentTask[] {
  const page = opts.pageLeaves ?? VERIFY_PAGE;
  let size = opts.segmentLeaves ?? page;
  if ((size & (size - 1)) !== 0 || (page & (page - 1)) !== 0 || size < page) throw new RangeError('verify: page and segment sizes must be powers of two, segment ≥ page');
  const want = Math.max(1, opts.workers) * 32;
  if (opts.segmentLeaves === undefined) while (size < 1 << 18 && total / size > want) size *= 2;
  const tasks: SegmentTask[] = [];
  let m = 0;
  for (let from = 0; from < total; from += size) {
    const to = Math.min(from + size, total);
    const own: number[] = [];
    while (m < marks.length && marks[m]! <= to) {
      if (marks[m]! > from) own.push(marks[m]!);
      m++;
    }
    tasks.push({ from, to, marks: own, maxFindings: opts.maxFindings, ...(opts.pageLeaves ? { pageLeaves: page } : {}), ...(opts.layout ? { layout: opts.layout } : {}) });
  }
  return tasks;
}

/** How many worker threads to use by default: one per core (this thread only combines their subtree roots), none on a single core. */
export function defaultVerifyWorkers(): number {
  const n = availableParallelism();
  return n > 1 ? n : 0;
}

/**
 * Run the segments on `workers` worker threads, each with its own read-only connection to `url`; results in
 * segment order. Workers pull the next segment when done, so a slow core does not hold the others back.
 */
export async function scanOnWorkers(url: string, tasks: SegmentTask[], workers: number): Promise<SegmentResult[]> {
  const results: SegmentResult[] = new Array(tasks.length);
  const count = Math.min(workers, tasks.length);
  let next = 0;
  const spawned: Worker[] = [];
  try {
    await Promise.all(Array.from({ length: count }, async () => {
      const w = spawnVerifyWorker(url);
      spawned.push(w);
      await new Promise<void>((resolve, reject) => {
        const give = () => {
          if (next >= tasks.length) {
            w.postMessage(null);
            resolve();
            return;
          }
          const i = next++;
          w.once('message', (msg: { result?: SegmentResult; error?: string }) => {
            if (msg.error !== undefined) {
              reject(new Error(`audit verify worker: ${msg.error}`));
              return;
            }
            results[i] = msg.result!;
            give();
          });
          w.postMessage(tasks[i]);
        };
        w.once('error', reject);
        give();
      });
    }));
  } finally {
    await Promise.all(spawned.map((w) => w.terminate()));
  }
  return results;
}

function spawnVerifyWorker(url: string): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // Running from TypeScript sources (tsx, vitest): load the worker through tsx's loader.
    const entry = new URL('./verify.worker.ts', self).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: { url } });
  }
  return new Worker(new URL('./verify.worker.js', self), { workerData: { url } });
}


