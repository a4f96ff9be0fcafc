import { sql } from 'kysely';
import { CompactRange, consistencyProof, inclusionProof } from '../../engines/merkle/index.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { dialectOf, type Db, type Tx } from '../../db/database.js';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import type { AuditEventRow } from './audit.table.js';
import { ACCESS_LOG_LEAF, AUDIT_EVENT_LEAF, accessLogLeafHash, auditEventLeafHash, docId, docLeafHash } from './merkle.leaf.js';

/**
 * The audit log store: the sequencer that turns audit entries into leaves (in `seq` order, each batch in one
 * transaction), the tree state it resumes from, proofs over the stored leaf hashes, and retention pruning.
 */

const STATE_ID = 'main';
/**
 * On PostgreSQL a transaction holding a lower seq can commit after a higher one; such an entry becomes a
 * later leaf. The sequencer looks this many seqs back for entries not yet in the log.
 */
const LATE_WINDOW = 10_000;

export interface TreeState {
  range: CompactRange;
}

export async function readTreeState(db: Db): Promise<TreeState> {
  const row = await db.selectFrom('audit_log_state').selectAll().where('id', '=', STATE_ID).executeTakeFirst();
  return { range: row ? CompactRange.restore(JSON.parse(row.compact_json) as { size: number; hashes: string[] }) : new CompactRange() };
}

/**
 * Append up to `limit` audit entries not yet in the log as leaves. Returns how many were appended.
 * Two sequencers racing (several processes) collide on the leaf index primary key or the state's
 * compare-and-set, and the loser's transaction rolls back.
 */
export async function sequenceAuditEvents(db: Db, opts: { now: string; limit?: number; lateWindow?: number }): Promise<number> {
  const limit = opts.limit ?? 5000;
  // SQLite has one writer, so seq order is commit order and no look-back is needed (lateWindow 0).
  const lateWindow = opts.lateWindow ?? LATE_WINDOW;
  return db.transaction().execute(async (tx) => {
    const high = await highestSeq(tx, AUDIT_EVENT_LEAF);
    // SQLite: seq and the stored canonical encoding, whose hash is the leaf and which holds the id (log-docs.ts;
    // nothing is decoded); PostgreSQL: every column, encoded here.
    const docs = dialectOf(tx) === 'sqlite';
    let q = tx.selectFrom('audit_events as e')
      .$if(docs, (b) => b.select(['e.seq', sql<string>`e.doc`.as('doc')]))
      .$if(!docs, (b) => b.selectAll('e'));
    q = lateWindow > 0 && high !== Number.MIN_SAFE_INTEGER
      ? q.where('e.seq', '>', high - lateWindow).where(({ and, not, exists, selectFrom }) =>
          // An entry already in the log (by seq or by id) is never appended twice.
          and([
            not(exists(selectFrom('audit_log_leaves as l').select(sql`1`.as('one')).where('l.source', '=', AUDIT_EVENT_LEAF).whereRef('l.source_seq', '=', 'e.seq'))),
            not(exists(selectFrom('audit_log_leaves as l2').select(sql`1`.as('one')).whereRef('l2.entry_id', '=', 'e.id'))),
          ]),
        )
      : q.where('e.seq', '>', high);
    const rows = (await q.orderBy('e.seq').limit(limit).execute()) as (AuditEventRow & { doc?: string })[];
    return appendLeaves(tx, AUDIT_EVENT_LEAF, rows.map((r) => (r.doc !== undefined ? { seq: Number(r.seq), id: docId(r.doc), hash: docLeafHash(r.doc) } : { seq: Number(r.seq), id: r.id, hash: auditEventLeafHash(r) })), opts.now);
  });
}

/**
 * The same for ingested access-log records (leaf source `access_log`): records become leaves of the same tree,
 * interleaved with audit entries in the order the sequencer meets them.
 */
export async function sequenceAccessLogs(db: Db, opts: { now: string; limit?: number; lateWindow?: number }): Promise<number> {
  const limit = opts.limit ?? 5000;
  const lateWindow = opts.lateWindow ?? LATE_WINDOW;
  return db.transaction().execute(async (tx) => {
    const high = await highestSeq(tx, ACCESS_LOG_LEAF);
    const docs = dialectOf(tx) === 'sqlite';
    let q = tx.selectFrom('access_log_records as r')
      .$if(docs, (b) => b.select(['r.seq', sql<string>`r.doc`.as('doc')]))
      .$if(!docs, (b) => b.selectAll('r'));
    q = lateWindow > 0 && high !== Number.MIN_SAFE_INTEGER
      ? q.where('r.seq', '>', high - lateWindow).where(({ and, not, exists, selectFrom }) =>
          and([
            not(exists(selectFrom('audit_log_leaves as l').select(sql`1`.as('one')).where('l.source', '=', ACCESS_LOG_LEAF).whereRef('l.source_seq', '=', 'r.seq'))),
            not(exists(selectFrom('audit_log_leaves as l2').select(sql`1`.as('one')).whereRef('l2.entry_id', '=', 'r.id'))),
          ]),
        )
      : q.where('r.seq', '>', high);
    const rows = (await q.orderBy('r.seq').limit(limit).execute()) as (AccessLogRecordRow & { doc?: string })[];
    return appendLeaves(tx, ACCESS_LOG_LEAF, rows.map((r) => (r.doc !== undefined ? { seq: Number(r.seq), id: docId(r.doc), hash: docLeafHash(r.doc) } : { seq: Number(r.seq), id: r.id, hash: accessLogLeafHash(r) })), opts.now);
  });
}

async function highestSeq(tx: Tx, source: string): Promise<number> {
  const maxSeq = await tx.selectFrom('audit_log_leaves').select((eb) => eb.fn.max('source_seq').as('m')).where('source', '=', source).executeTakeFirst();
  return maxSeq?.m === null || maxSeq?.m === undefined ? Number.MIN_SAFE_INTEGER : Number(maxSeq.m);
}

/** Append leaves after the stored compact range and move the state with a compare-and-set. */
async function appendLeaves(tx: Tx, source: string, items: { seq: number; id: string; hash: Buffer }[], now: string): Promise<number> {
  if (items.length === 0) return 0;
  const stateRow = await tx.selectFrom('audit_log_state').selectAll().where('id', '=', STATE_ID).executeTakeFirst();
  const range = stateRow ? CompactRange.restore(JSON.parse(stateRow.compact_json) as { size: number; hashes: string[] }) : new CompactRange();
  const start = range.size;
  const values = items.map((it, i) => {
    range.append(it.hash);
    return { leaf_index: start + i, source, source_seq: it.seq, entry_id: it.id, leaf_hash: it.hash.toString('hex'), sequenced_at: now, pruned_at: null };
  });
  for (let i = 0; i < values.length; i += 1000) await tx.insertInto('audit_log_leaves').values(values.slice(i, i + 1000)).execute();
  const compact = JSON.stringify(range.snapshot());
  if (stateRow) {
    const r = await tx.updateTable('audit_log_state').set({ tree_size: range.size, compact_json: compact, updated_at: now })
      .where('id', '=', STATE_ID).where('tree_size', '=', start).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Error('audit log sequencer: concurrent append, retry');
  } else {
    await tx.insertInto('audit_log_state').values({ id: STATE_ID, tree_size: range.size, compact_json: compact, updated_at: now }).execute();
  }
  return items.length;
}

/** All leaf hashes of the first `size` leaves (proof generation; O(n), see docs/security.md). */
async function leafHashes(db: Db, size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let from = 0;
  while (from < size) {
    const page = await db.selectFrom('audit_log_leaves').select(['leaf_index', 'leaf_hash']).where('leaf_index', '>=', from)
      .where('leaf_index', '<', size).orderBy('leaf_index').limit(50_000).execute();
    if (page.length === 0) break;
    for (const r of page) out.push(Buffer.from(r.leaf_hash, 'hex'));
    from = Number(page[page.length - 1]!.leaf_index) + 1;
  }
  if (out.length !== size) throw new Error(`audit log: ${out.length} leaf hashes stored below tree size ${size}`);
  return out;
}

export async function treeSize(db: Db): Promise<number> {
  return (await readTreeState(db)).range.size;
}

export interface InclusionProofResult {
  leafIndex: number;
  source: string;
  seq: number;
  entryId: string;
  treeSize: number;
  leafHash: string;
  proof: string[];
}

/**
 * Inclusion proof of a log record in the tree of `size` leaves: an audit entry by seq, or any record (audit
 * entry or access-log record) by id.
 */
export async function auditInclusionProof(db: Db, by: { seq?: number; id?: string; source?: string }, size: number): Promise<InclusionProofResult> {
  let q = db.selectFrom('audit_log_leaves').selectAll();
  if (by.seq !== undefined) q = q.where('source', '=', by.source ?? AUDIT_EVENT_LEAF).where('source_seq', '=', by.seq);
  else if (by.id !== undefined) q = q.where('entry_id', '=', by.id);
  else throw new ValidationError('audit_log.bad_query', 'Cần seq hoặc id của bản ghi.');
  const leaf = await q.executeTakeFirst();
  if (!leaf) throw new NotFoundError('audit_log.leaf_not_found', 'Bản ghi chưa có trong cây Merkle (chưa được sắp thứ tự).');
  if (leaf.leaf_index >= size) throw new ValidationError('audit_log.not_in_tree', `Bản ghi là lá ${leaf.leaf_index}, nằm ngoài cây ${size} lá.`, { leafIndex: leaf.leaf_index });
  const proof = inclusionProof(await leafHashes(db, size), Number(leaf.leaf_index), size);
  return { leafIndex: Number(leaf.leaf_index), source: leaf.source, seq: Number(leaf.source_seq), entryId: leaf.entry_id, treeSize: size, leafHash: Buffer.from(leaf.leaf_hash, 'hex').toString('base64'), proof: proof.map((p) => p.toString('base64')) };
}

/** Consistency proof between two tree sizes (RFC 6962 §2.1.2). */
export async function auditConsistencyProof(db: Db, from: number, to: number): Promise<string[]> {
  const size = await treeSize(db);
  if (!(from >= 0 && from <= to && to <= size)) throw new ValidationError('audit_log.bad_range', `Cần 0 ≤ from ≤ to ≤ ${size}.`, { treeSize: size });
  return consistencyProof(await leafHashes(db, to), from, to).map((p) => p.toString('base64'));
}

/**
 * Retention: remove the payload (the audit_events row) of sequenced entries older than `before`, keeping the
 * leaf hash and marking the leaf pruned, so the tree and every checkpoint still verify. Unsequenced entries
 * are never pruned. Returns the number pruned.
 */
export async function pruneAuditPayloads(db: Db, opts: { before: string; now: string; limit?: number }): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('audit_log_leaves as l')
      .innerJoin('audit_events as e', 'e.seq', 'l.source_seq')
      .select(['l.leaf_index', 'e.seq'])
      .where('l.source', '=', AUDIT_EVENT_LEAF)
      .where('l.pruned_at', 'is', null)
      .where('e.occurred_at', '<', opts.before)
      .orderBy('l.leaf_index')
      .limit(opts.limit ?? 10_000)
      .execute();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await tx.updateTable('audit_log_leaves').set({ pruned_at: opts.now }).where('leaf_index', 'in', chunk.map((r) => r.leaf_index)).execute();
      await tx.deleteFrom('audit_events').where('seq', 'in', chunk.map((r) => r.seq)).execute();
    }
    return rows.length;
  });
}

/**
 * Minimum retention of ingested access logs by the system's security level (issue 5 item 3, the new decree's
 * 1, 3, 6 and 12 months for levels 2–5; level 1 like level 2). A system without a level keeps 12 months.
 */
export const ACCESS_LOG_RETENTION_MONTHS: Record<number, number> = { 1: 1, 2: 1, 3: 3, 4: 6, 5: 12 };

/**
 * Retention for ingested access-log records: the payload of a sequenced record is removed once it is older than
 * its system's level-based retention (or `minDays` when that is longer — the configurable longer retention),
 * the leaf hash stays and the leaf is marked pruned, so the tree and every checkpoint still verify.
 */
export async function pruneAccessLogPayloads(db: Db, opts: { now: string; minDays?: number; limit?: number }): Promise<number> {
  const nowMs = Date.parse(opts.now);
  const cutoff = (months: number) => {
    const d = new Date(nowMs);
    d.setUTCMonth(d.getUTCMonth() - months);
    const byLevel = d.getTime();
    return new Date(Math.min(byLevel, nowMs - (opts.minDays ?? 0) * 86_400_000)).toISOString();
  };
  return db.transaction().execute(async (tx) => {
    const systems = await tx.selectFrom('information_systems').select(['id', 'new_level', 'legacy_level'])
      .where(({ exists, selectFrom }) => exists(selectFrom('access_log_records as r').select('r.seq').whereRef('r.system_id', '=', 'information_systems.id'))).execute();
    let pruned = 0;
    for (const sys of systems) {
      const level = sys.new_level ?? sys.legacy_level;
      const before = cutoff(level ? ACCESS_LOG_RETENTION_MONTHS[level] ?? 12 : 12);
      const rows = await tx
        .selectFrom('access_log_records as r')
        .innerJoin('audit_log_leaves as l', (j) => j.onRef('l.source_seq', '=', 'r.seq').on('l.source', '=', ACCESS_LOG_LEAF))
        .select(['l.leaf_index', 'r.seq'])
        .where('r.system_id', '=', sys.id)
        .where('r.occurred_at', '<', before)
        .where('l.pruned_at', 'is', null)
        .orderBy('r.seq')
        .limit(opts.limit ?? 10_000)
        .execute();
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        await tx.updateTable('audit_log_leaves').set({ pruned_at: opts.now }).where('leaf_index', 'in', chunk.map((r) => r.leaf_index)).execute();
        await tx.deleteFrom('access_log_records').where('seq', 'in', chunk.map((r) => r.seq)).execute();
      }
      pruned += rows.length;
    }
    return pruned;
  });
}
