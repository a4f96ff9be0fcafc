import { sql } from 'kysely';
import { dialectOf, type Db } from '../../src/server/db/database.js';
import type { AccessLogRecordRow } from '../../src/server/modules/access-log/access-log.table.js';
import type { AuditEventRow } from '../../src/server/modules/audit/audit.table.js';
import { canonicalAccessLog, canonicalAuditEvent } from '../../src/server/modules/audit/merkle.leaf.js';

/**
 * Tampering with stored log records as someone with write access to the database would: on SQLite the record is its
 * stored encoding (`doc`, modules/audit/log-docs.ts; the other columns are generated from it and cannot be written),
 * on PostgreSQL its columns.
 */
type Table = 'audit_events' | 'access_log_records';

/** Change fields of the record at `seq`. */
export async function setRecordFields(db: Db, table: Table, seq: number, fields: Record<string, string | number | null>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    const args = Object.entries(fields).flatMap(([k, v]) => [sql.lit(`$.${k}`), sql`${v}`]);
    const r = await sql`update ${sql.table(table)} set doc = json_set(doc, ${sql.join(args)}) where seq = ${seq}`.execute(db);
    if (Number(r.numAffectedRows) !== 1) throw new Error(`no ${table} record at seq ${seq}`);
    return;
  }
  await db.updateTable(table).set(fields as never).where('seq', '=', seq).execute();
}

/** The record at `seq` as stored, with a function that puts exactly that back (after an edit or a delete). */
export async function keepRecord(db: Db, table: Table, seq: number): Promise<{ row: AuditEventRow & AccessLogRecordRow; restore(): Promise<void> }> {
  const row = (await db.selectFrom(table).selectAll().where('seq', '=', seq).executeTakeFirstOrThrow()) as AuditEventRow & AccessLogRecordRow;
  if (dialectOf(db) === 'sqlite') {
    const { doc } = (await sql<{ doc: string }>`select doc from ${sql.table(table)} where seq = ${seq}`.execute(db)).rows[0]!;
    return {
      row,
      restore: async () => {
        await sql`insert into ${sql.table(table)} (seq, doc) values (${seq}, ${doc}) on conflict (seq) do update set doc = excluded.doc`.execute(db);
      },
    };
  }
  return {
    row,
    restore: async () => {
      await db.deleteFrom(table).where('seq', '=', seq).execute();
      await db.insertInto(table).values(row as never).execute();
    },
  };
}

/** Write a record into the table directly, bypassing the log (an inserted, forged entry). */
export async function insertRecordDirectly(db: Db, table: Table, row: AuditEventRow | AccessLogRecordRow): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    const doc = table === 'audit_events' ? canonicalAuditEvent(row as AuditEventRow) : canonicalAccessLog(row as AccessLogRecordRow);
    await sql`insert into ${sql.table(table)} (seq, doc) values (${row.seq}, ${doc})`.execute(db);
    return;
  }
  await db.insertInto(table).values(row as never).execute();
}
