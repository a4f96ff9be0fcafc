import { type Insertable, sql } from 'kysely';
import { foldText } from '../../core/text.js';
import type SQLite from 'better-sqlite3';
import { type Db, type DialectName, khienFold, sqliteConnection, type Tx } from '../../db/database.js';
import type { KhienEvent } from '../../../contracts/events.js';
import type { SocEventRow, SocEventsTable } from './soc.table.js';

export type StoredEvent = Omit<Insertable<SocEventsTable>, 'seq'>;

/** Rows per INSERT statement (20 columns: well under SQLite's and PostgreSQL's parameter limits). */
const ROWS_PER_STATEMENT = 500;

export const SQLITE_EVENT_COLUMNS = ['id', 'day', 'ts', 'received_at', 'source_id', 'unit_id', 'system_id', 'asset_id', 'host', 'user_name', 'source_ip', 'action', 'outcome', 'product', 'service', 'code', 'message', 'fields_json', 'expires_on'] as const satisfies readonly (keyof StoredEvent)[];

const COLUMNS = SQLITE_EVENT_COLUMNS;
/** The SQLite insert of one event (replays skipped) and of its FTS5 entry (also used by the writer thread, event-writer.ts). */
export const SQLITE_INSERT_SQL = `insert into soc_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')}) on conflict (day, id) do nothing`;
export const SQLITE_FTS_SQL = 'insert into soc_events_fts (rowid, message) values (?, ?)';
/** The writer thread: `rows` events in one INSERT (replays skipped, as SQLITE_INSERT_SQL). */
export function sqliteInsertManySql(rows: number): string {
  const one = `(${COLUMNS.map(() => '?').join(', ')})`;
  return `insert into soc_events (${COLUMNS.join(', ')}) values ${Array.from({ length: rows }, () => one).join(', ')} on conflict (day, id) do nothing`;
}
/**
 * The writer thread, inside its write transaction: the last seq before its inserts, then the FTS5 entries of
 * every row above it (the rows it inserted: a new row's seq is above every existing one, and nobody else writes).
 */
export const SQLITE_LAST_SEQ_SQL = 'select coalesce(max(seq), 0) from soc_events';
export const SQLITE_FTS_AFTER_SQL = 'insert into soc_events_fts (rowid, message) select seq, khien_fold(message) from soc_events where seq > ?';

interface SqliteStatements {
  insert: SQLite.Statement;
  fts: SQLite.Statement;
}
const statements = new WeakMap<SQLite.Database, SqliteStatements>();

function sqliteStatements(conn: SQLite.Database): SqliteStatements {
  let st = statements.get(conn);
  if (!st) {
    st = {
      insert: conn.prepare(SQLITE_INSERT_SQL),
      fts: conn.prepare(SQLITE_FTS_SQL),
    };
    statements.set(conn, st);
  }
  return st;
}

/** A row's values in the order of SQLITE_INSERT_SQL's placeholders (written into `into` when given). */
export function sqliteEventValues(row: StoredEvent, into: unknown[] = new Array(COLUMNS.length)): unknown[] {
  for (let i = 0; i < COLUMNS.length; i++) into[i] = row[COLUMNS[i]!] ?? null;
  return into;
}

/**
 * Rows for the writer thread (event-writer.ts), packed: every value of every row, in the order of
 * SQLITE_EVENT_COLUMNS, concatenated into one string, with each value's length in UTF-16 units (−1: null). One
 * string and one transferred buffer cross the thread boundary instead of an array per row (structured cloning
 * 19 strings per row cost ≈ 5 µs of the main thread per event).
 */
export interface PackedRows {
  count: number;
  text: string;
  lengths: Int32Array;
}

export function packSqliteRows(rows: readonly StoredEvent[]): PackedRows {
  const lengths = new Int32Array(rows.length * COLUMNS.length);
  const parts: string[] = [];
  let k = 0;
  // listed in SQLITE_EVENT_COLUMNS order (a keyed loop over the column names was measurably slower)
  for (const r of rows) {
    k = pack(parts, lengths, k, r.id);
    k = pack(parts, lengths, k, r.day);
    k = pack(parts, lengths, k, r.ts);
    k = pack(parts, lengths, k, r.received_at);
    k = pack(parts, lengths, k, r.source_id);
    k = pack(parts, lengths, k, r.unit_id);
    k = pack(parts, lengths, k, r.system_id);
    k = pack(parts, lengths, k, r.asset_id);
    k = pack(parts, lengths, k, r.host);
    k = pack(parts, lengths, k, r.user_name);
    k = pack(parts, lengths, k, r.source_ip);
    k = pack(parts, lengths, k, r.action);
    k = pack(parts, lengths, k, r.outcome);
    k = pack(parts, lengths, k, r.product);
    k = pack(parts, lengths, k, r.service);
    k = pack(parts, lengths, k, r.code);
    k = pack(parts, lengths, k, r.message);
    k = pack(parts, lengths, k, r.fields_json);
    k = pack(parts, lengths, k, r.expires_on);
  }
  return { count: rows.length, text: parts.join(''), lengths };
}

function pack(parts: string[], lengths: Int32Array, k: number, v: string | null | undefined): number {
  if (v === null || v === undefined) {
    lengths[k] = -1;
  } else {
    lengths[k] = v.length;
    parts.push(v);
  }
  return k + 1;
}

/**
 * The stored form of an event's fields (`fields_json`): the flat event, key order kept, except that its big
 * copies of the message are references to the `message` column — `"message": {"ref":"message"}` and, when the raw
 * line ends with the message (syslog: header + message), `"event.original": {"ref":"message","head":"<38>1 …"}`
 * (head + message). A flat event never holds an object (EventValue), so a reference cannot be mistaken for a value,
 * and rows stored before this form (full strings) read the same. `eventFields` undoes it; field search
 * (`searchEvents`) resolves it in SQL. An sshd event's fields_json goes from ≈ 850 to ≈ 740 characters: less to
 * stringify, to hand to the writer thread and to write (issue 6 ingest target).
 */
const MESSAGE_REF = Object.freeze({ ref: 'message' });
/** The fields that may be stored as references to the message column. */
const MESSAGE_REF_FIELDS = new Set(['message', 'event.original']);

/** `fields_json` of an event (see MESSAGE_REF). The event is changed only while it is stringified. */
export function encodeEventFields(e: KhienEvent): string {
  const message = e.message;
  if (typeof message !== 'string') return JSON.stringify(e);
  const original = e['event.original'];
  const head = typeof original === 'string' && message.length > 0 && original.endsWith(message) ? original.slice(0, original.length - message.length) : null;
  const fields = e as Record<string, unknown>;
  fields.message = MESSAGE_REF;
  if (head !== null) fields['event.original'] = head === '' ? MESSAGE_REF : { ref: 'message', head };
  try {
    return JSON.stringify(e);
  } finally {
    e.message = message;
    if (head !== null) e['event.original'] = original!;
  }
}

function isMessageRef(v: unknown): v is { ref: 'message'; head?: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { ref?: unknown }).ref === 'message';
}

/** The flat event of a stored row (`fields_json` with its references to `message` resolved). */
export function eventFields(row: Pick<SocEventRow, 'fields_json' | 'message'>): KhienEvent {
  const fields = JSON.parse(row.fields_json) as Record<string, unknown>;
  for (const k of MESSAGE_REF_FIELDS) {
    const v = fields[k];
    if (isMessageRef(v)) fields[k] = (typeof v.head === 'string' ? v.head : '') + row.message;
  }
  return fields as KhienEvent;
}

/**
 * Insert events, skipping any already stored (same day and id: a replay). Returns how many were new. Call it
 * inside `db.transaction()` with the transaction as `tx` and the database as `db`.
 *
 * SQLite: one prepared statement, reused across batches, on the connection the transaction holds; each new row's
 * folded message goes into the FTS5 index right after it (migration 202611270200 replaced the per-row trigger
 * that called back into JavaScript for the folding). This function is the only writer of soc_events, so it
 * keeps the index complete; deletions still go through the delete trigger. PostgreSQL: multi-row INSERTs.
 */
export async function insertEvents(db: Db, tx: Tx | Db, rows: StoredEvent[]): Promise<number> {
  const conn = sqliteConnection(db);
  if (conn) {
    const st = sqliteStatements(conn);
    const values: unknown[] = new Array(COLUMNS.length);
    let inserted = 0;
    for (const row of rows) {
      const r = st.insert.run(sqliteEventValues(row, values));
      if (r.changes === 1) {
        st.fts.run(r.lastInsertRowid, khienFold(row.message));
        inserted++;
      }
    }
    return inserted;
  }
  let inserted = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const r = await tx.insertInto('soc_events').values(chunk).onConflict((oc) => oc.columns(['day', 'id']).doNothing()).executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/**
 * Daily partitions known to exist, per database handle (a process may open several databases: tests, the
 * demo loader), with when they were last seen. Another worker's retention purge may drop a past day's empty
 * partition, so a past day is trusted for a minute only; today's and later days are never dropped.
 */
const knownPartitions = new WeakMap<object, Map<string, number>>();
const PAST_DAY_TRUST_MS = 60_000;

/** PostgreSQL: the daily partition of every day in `rows` exists (created on first use; safe under races). */
export async function ensurePartitions(db: Db, dialect: DialectName, rows: { day: string }[]): Promise<void> {
  if (dialect !== 'postgres') return;
  let known = knownPartitions.get(db);
  if (!known) knownPartitions.set(db, (known = new Map()));
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  const days = new Set(rows.map((r) => r.day));
  for (const day of days) {
    const seen = known.get(day);
    if (seen !== undefined && (day >= today || now - seen < PAST_DAY_TRUST_MS)) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`bad event day ${day}`);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const name = `soc_events_p${day.replace(/-/g, '')}`;
    try {
      await sql.raw(`create table if not exists ${name} partition of soc_events for values from ('${day}') to ('${next}')`).execute(db);
    } catch (err) {
      // Another process created it at the same moment (duplicate table / pg_type race): it exists now.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    known.set(day, now);
  }
}

export interface EventSearch {
  from?: string;
  to?: string;
  host?: string;
  user?: string;
  sourceIp?: string;
  action?: string;
  outcome?: string;
  systemId?: string;
  /** Full text (FTS5 on SQLite, tsvector on PostgreSQL). */
  q?: string;
  /** `field=value` on the flat event (exact, case-sensitive), e.g. `event.code=4625`. */
  field?: { name: string; value: string };
  ids?: string[];
  limit: number;
  offset: number;
}

/** FTS5 query from user text: each word quoted (no FTS syntax injection), all words required. */
function ftsQuery(q: string): string {
  return foldText(q)
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 16)
    .map((w) => `"${w.replace(/"/g, '""')}"`)
    .join(' ');
}

/** Search events visible in `unitIds` (null = everything). Newest first. */
export async function searchEvents(db: Db, dialect: DialectName, s: EventSearch, unitIds: string[] | null): Promise<{ items: SocEventRow[]; total: number }> {
  let q = db.selectFrom('soc_events');
  if (unitIds) q = q.where('unit_id', 'in', unitIds.length > 0 ? unitIds : ['-']);
  if (s.from) q = q.where('ts', '>=', s.from);
  if (s.to) q = q.where('ts', '<', s.to);
  if (s.from && dialect === 'postgres') q = q.where('day', '>=', s.from.slice(0, 10)); // partition pruning
  if (s.to && dialect === 'postgres') q = q.where('day', '<=', s.to.slice(0, 10));
  if (s.host) q = q.where('host', '=', s.host.toLowerCase());
  if (s.user) q = q.where('user_name', '=', s.user);
  if (s.sourceIp) q = q.where('source_ip', '=', s.sourceIp);
  if (s.action) q = q.where('action', '=', s.action);
  if (s.outcome) q = q.where('outcome', '=', s.outcome);
  if (s.systemId) q = q.where('system_id', '=', s.systemId);
  if (s.ids) q = q.where('id', 'in', s.ids.length > 0 ? s.ids : ['-']);
  if (s.q && s.q.trim()) {
    const text = s.q.trim();
    if (dialect === 'sqlite') {
      q = q.where(sql<boolean>`seq in (select rowid from soc_events_fts where soc_events_fts match ${ftsQuery(text)})`);
    } else {
      q = q.where(sql<boolean>`to_tsvector('simple', khien_fold(message)) @@ plainto_tsquery('simple', khien_fold(${text}))`);
    }
  }
  if (s.field) {
    const { name, value } = s.field;
    const path = `$."${name.replace(/"/g, '')}"`;
    if (!MESSAGE_REF_FIELDS.has(name)) {
      q = dialect === 'sqlite'
        ? q.where(sql<boolean>`cast(json_extract(fields_json, ${path}) as text) = ${value}`)
        : q.where(sql<boolean>`(fields_json::jsonb ->> ${name}) = ${value}`);
    } else if (dialect === 'sqlite') {
      // stored as a reference to the message column (encodeEventFields) or, in older rows, as the text itself
      q = q.where(sql<boolean>`(case when json_type(fields_json, ${path}) = 'object' then coalesce(json_extract(fields_json, ${`${path}.head`}), '') || message else cast(json_extract(fields_json, ${path}) as text) end) = ${value}`);
    } else {
      q = q.where(sql<boolean>`(case when jsonb_typeof(fields_json::jsonb -> ${name}) = 'object' then coalesce(fields_json::jsonb -> ${name} ->> 'head', '') || message else fields_json::jsonb ->> ${name} end) = ${value}`);
    }
  }
  const [items, count] = await Promise.all([
    q.selectAll().orderBy('ts', 'desc').orderBy('id', 'desc').limit(s.limit).offset(s.offset).execute(),
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
  ]);
  return { items, total: Number(count?.n ?? 0) };
}

/** Delete events past their retention day; PostgreSQL also drops daily partitions that became empty. */
export async function purgeExpired(db: Db, dialect: DialectName, today: string): Promise<number> {
  const r = await db.deleteFrom('soc_events').where('expires_on', '<', today).executeTakeFirst();
  if (dialect === 'postgres') {
    const parts = await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'soc_events'`.execute(db);
    for (const { name } of parts.rows) {
      const m = /^soc_events_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m || `${m[1]}-${m[2]}-${m[3]}` >= today) continue;
      const left = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(db);
      if (left.rows[0]?.n === 0) {
        await sql`drop table if exists ${sql.table(name)}`.execute(db);
        knownPartitions.get(db)?.delete(`${m[1]}-${m[2]}-${m[3]}`);
      }
    }
  }
  return Number(r.numDeletedRows);
}
