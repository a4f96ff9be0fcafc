import { sql } from 'kysely';
import { dialectOf, type Db, type Tx } from '../../db/database.js';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import type { AuditEventRow } from './audit.table.js';
import { canonicalAccessLog, canonicalAuditEvent } from './merkle.leaf.js';

/**
 * On SQLite the two kinds of log record are stored as their canonical encoding (merkle.leaf.ts), the exact bytes
 * of their Merkle leaf, in a `doc` column; every other column is a VIRTUAL generated column that SQLite computes
 * from `doc` whenever it is read (`json_extract`), so nothing a person sees can differ from what the leaf covers.
 *
 * Why: verification (issue 5, `khien audit verify`, target ≥ 500,000 leaves/s at ten million entries) used to
 * re-encode every row from its columns in SQL, ≈ 1.6 µs of a ≈ 4 µs leaf (json_object over 17–22 columns).
 * Reading `doc` costs ≈ 0.4 µs. Storing the encoding next to ordinary columns would not have been enough: the
 * columns would still have to be checked against it, at the same cost. With generated columns there is nothing
 * to check but the table definition, which verification compares with the one below (a generated column turned
 * into a plain one, or given another expression, through `writable_schema` or a file edit, is reported).
 *
 * PostgreSQL keeps ordinary columns (its generated columns are STORED, i.e. copies, and its verification encodes
 * the columns as before); the writers below branch on the dialect.
 */

type Kind = 'audit_events' | 'access_log_records';

/** [column, SQL type, constraint]: every column of each table except seq and doc, as json_extract reads them back. */
const COLUMNS: Record<Kind, readonly (readonly [string, 'text' | 'integer', string])[]> = {
  audit_events: [
    ['id', 'text', 'not null'], ['occurred_at', 'text', 'not null'], ['action', 'text', 'not null'], ['outcome', 'text', 'not null'],
    ['actor_user_id', 'text', ''], ['actor_label', 'text', ''], ['target_type', 'text', ''], ['target_id', 'text', ''], ['unit_id', 'text', ''],
    ['ip', 'text', ''], ['user_agent', 'text', ''], ['request_id', 'text', ''], ['reason', 'text', ''], ['before_json', 'text', ''],
    ['after_json', 'text', ''], ['details_json', 'text', ''],
  ],
  access_log_records: [
    ['id', 'text', 'not null'], ['batch_id', 'text', 'not null references "access_log_batches" ("id")'],
    ['system_id', 'text', 'not null references "information_systems" ("id")'], ['external_id', 'text', ''], ['account', 'text', 'not null'],
    ['action', 'text', 'not null'], ['outcome', 'text', 'not null'], ['occurred_at', 'text', 'not null'], ['received_at', 'text', 'not null'],
    ['source', 'text', 'not null'], ['subject_hash', 'text', ''], ['subject_masked', 'text', ''], ['case_ref', 'text', ''], ['ip', 'text', ''],
    ['device', 'text', ''], ['session_id', 'text', ''], ['person_id', 'text', 'references "people" ("id")'],
    ['account_situation', 'text', 'not null'], ['account_mfa', 'integer', ''],
  ],
};

/** The indexes of each table (unchanged from the column layout; SQLite indexes the generated values). */
export const LOG_DOC_INDEXES: Record<Kind, readonly string[]> = {
  audit_events: [
    'create unique index "audit_events_id_uq" on "audit_events" ("id")',
    'create index "audit_events_occurred_idx" on "audit_events" ("occurred_at")',
    'create index "audit_events_action_idx" on "audit_events" ("action")',
    'create index "audit_events_actor_idx" on "audit_events" ("actor_user_id")',
    'create index "audit_events_unit_idx" on "audit_events" ("unit_id")',
    'create index "audit_events_target_idx" on "audit_events" ("target_type", "target_id")',
  ],
  access_log_records: [
    'create unique index "access_log_records_id_uq" on "access_log_records" ("id")',
    'create index "access_log_records_account_idx" on "access_log_records" ("system_id", "account", "occurred_at")',
    'create index "access_log_records_subject_idx" on "access_log_records" ("subject_hash", "occurred_at")',
    'create index "access_log_records_person_idx" on "access_log_records" ("person_id", "occurred_at")',
    'create index "access_log_records_time_idx" on "access_log_records" ("occurred_at")',
    'create unique index "access_log_records_external_uq" on "access_log_records" ("system_id", "external_id")',
  ],
};

/** The CREATE TABLE text of a log table on SQLite, exactly as sqlite_schema keeps it once the table is named `name`. */
export function logDocTableSql(kind: Kind, name: string = kind): string {
  const cols = COLUMNS[kind].map(([c, type, extra]) => `"${c}" ${type} generated always as (json_extract("doc", '$.${c}')) virtual${extra ? ` ${extra}` : ''}`);
  return `CREATE TABLE "${name}" ("seq" integer not null primary key autoincrement, "doc" text not null, ${cols.join(', ')})`;
}

export const LOG_DOC_TABLES: readonly Kind[] = ['audit_events', 'access_log_records'];

/**
 * Table definitions that differ from logDocTableSql (SQLite only; an empty list elsewhere): what verification
 * reports, since a column no longer generated from `doc` could show values the leaf does not cover.
 */
export async function alteredLogTables(db: Db): Promise<{ table: string; found: string | null }[]> {
  if (dialectOf(db) !== 'sqlite') return [];
  const rows = await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_schema where type = 'table' and name in ('audit_events', 'access_log_records')`.execute(db);
  const found = new Map(rows.rows.map((r) => [r.name, r.sql]));
  return LOG_DOC_TABLES.filter((t) => found.get(t) !== logDocTableSql(t)).map((t) => ({ table: t, found: found.get(t) ?? null }));
}

/** `docs` when both log tables have their `doc` column (SQLite as created), else `columns`. */
export async function logLayout(db: Db): Promise<'docs' | 'columns'> {
  if (dialectOf(db) !== 'sqlite') return 'columns';
  const r = await sql<{ n: number }>`select count(*) as n from pragma_table_xinfo('audit_events') where name = 'doc'
    union all select count(*) from pragma_table_xinfo('access_log_records') where name = 'doc'`.execute(db);
  return r.rows.every((x) => Number(x.n) === 1) ? 'docs' : 'columns';
}

const SURROGATE = /[\ud800-\udfff]/;
// In a /u pattern a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

/**
 * The row with `seq`, lone surrogates as U+FFFD (what storing the text as UTF-8 made of them when these were plain
 * columns; JSON would keep them as \ud800 escapes that SQLite cannot decode back).
 */
function withSeq<T extends object>(row: T, seq: number): T & { seq: number } {
  const out = { ...row, seq } as Record<string, unknown>;
  for (const k in out) {
    const v = out[k];
    if (typeof v === 'string' && SURROGATE.test(v)) out[k] = v.replace(LONE_SURROGATE, '\ufffd');
  }
  return out as T & { seq: number };
}

/**
 * Append records to a log table in the caller's transaction (on SQLite, or one of their own): on SQLite each gets
 * the next seq (AUTOINCREMENT's high-water mark, so a seq is never reused) and is stored as its canonical encoding;
 * on PostgreSQL the columns are inserted and the sequence assigns seq.
 */
export async function insertLogRecords(db: Db | Tx, kind: 'audit_events', rows: Omit<AuditEventRow, 'seq'>[]): Promise<void>;
export async function insertLogRecords(db: Db | Tx, kind: 'access_log_records', rows: Omit<AccessLogRecordRow, 'seq'>[]): Promise<void>;
export async function insertLogRecords(db: Db | Tx, kind: Kind, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  if (dialectOf(db) === 'sqlite' && !db.isTransaction) {
    await (db as Db).transaction().execute((tx) => insertRows(tx, kind, rows));
    return;
  }
  await insertRows(db, kind, rows);
}

async function insertRows(db: Db | Tx, kind: Kind, rows: readonly object[]): Promise<void> {
  // `doc` is not in the portable table types (PostgreSQL has no such column), and each overload above types `rows`.
  if (dialectOf(db) === 'postgres') {
    for (let i = 0; i < rows.length; i += 500) await db.insertInto(kind).values(rows.slice(i, i + 500) as never[]).execute();
    return;
  }
  const top = await sql<{ s: number }>`select max(coalesce((select seq from sqlite_sequence where name = ${kind}), 0), coalesce((select max(seq) from ${sql.table(kind)}), 0)) as s`.execute(db);
  let seq = Number(top.rows[0]?.s ?? 0);
  const encode = kind === 'audit_events' ? (r: object) => canonicalAuditEvent(r as AuditEventRow) : (r: object) => canonicalAccessLog(r as AccessLogRecordRow);
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map((r) => ({ seq: ++seq, doc: encode(withSeq(r, seq)) })) as never[];
    await db.insertInto(kind).values(values).execute();
  }
}

/**
 * A record read back from its `doc` (SQLite), for the verifier's row-by-row check and the bundle export, which must
 * not fail on a doc that is no longer JSON: such a record comes back with its seq and `id: null` only.
 */
export function recordFromDoc(seq: number, doc: string): Record<string, unknown> {
  try {
    const v = JSON.parse(doc) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const { t: _t, v: _v, ...fields } = v as Record<string, unknown>;
      return fields;
    }
  } catch {
    // not JSON: reported as modified
  }
  return { seq, id: null };
}
