import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../database.js';
import { LOG_DOC_INDEXES, LOG_DOC_TABLES, logDocTableSql } from '../../modules/audit/log-docs.js';
import { canonicalAccessLog, canonicalAuditEvent } from '../../modules/audit/merkle.leaf.js';
import type { AccessLogRecordRow } from '../../modules/access-log/access-log.table.js';
import type { AuditEventRow } from '../../modules/audit/audit.table.js';

/**
 * SQLite: audit_events and access_log_records become their canonical encodings (`doc`, the bytes of each record's
 * Merkle leaf) with every other column generated from `doc` (modules/audit/log-docs.ts explains why). Each table is
 * rebuilt: the new table is filled in seq order with the canonical encoding of each stored row — made by the
 * encoder that defines the leaves, so a row that was intact still hashes to its leaf and a row that had been
 * tampered with still does not — then the old table is dropped, the new one renamed and the indexes re-created
 * under their old names. AUTOINCREMENT's high-water mark is carried over, so no seq is ever handed out twice.
 * The definition is the one logDocTableSql gives (version 1 of the layout; `khien audit verify` compares the
 * stored definition with it), so changing that function needs a new migration.
 * PostgreSQL: nothing to do.
 * Frozen: never edit, add a new migration.
 */
const CHUNK = 5000;

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'sqlite') return;
  for (const table of LOG_DOC_TABLES) {
    const next = `${table}_docs`;
    const hw = await sql<{ seq: number }>`select seq from sqlite_sequence where name = ${table}`.execute(db);
    const highWater = Number(hw.rows[0]?.seq ?? 0);
    await sql.raw(logDocTableSql(table, next)).execute(db);
    const encode = table === 'audit_events' ? (r: unknown) => canonicalAuditEvent(r as AuditEventRow) : (r: unknown) => canonicalAccessLog(r as AccessLogRecordRow);
    let last = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = (await sql<Record<string, unknown> & { seq: number }>`select * from ${sql.table(table)} where seq > ${last} order by seq limit ${CHUNK}`.execute(db)).rows;
      if (rows.length === 0) break;
      for (let i = 0; i < rows.length; i += 500) {
        const values = rows.slice(i, i + 500).map((r) => sql`(${r.seq}, ${encode(r)})`);
        await sql`insert into ${sql.table(next)} ("seq", "doc") values ${sql.join(values)}`.execute(db);
      }
      last = Number(rows[rows.length - 1]!.seq);
    }
    await sql`drop table ${sql.table(table)}`.execute(db);
    await sql`alter table ${sql.table(next)} rename to ${sql.table(table)}`.execute(db);
    for (const ix of LOG_DOC_INDEXES[table]) await sql.raw(ix).execute(db);
    await sql`update sqlite_sequence set seq = max(seq, ${highWater}) where name = ${table}`.execute(db);
    await sql`insert into sqlite_sequence (name, seq) select ${table}, ${highWater} where ${highWater} > 0 and not exists (select 1 from sqlite_sequence where name = ${table})`.execute(db);
  }
}
