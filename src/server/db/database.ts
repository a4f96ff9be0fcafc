import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { AccessLogTables } from '../modules/access-log/access-log.table.js';
import type { AccountTables } from '../modules/accounts/accounts.table.js';
import type { AuditTables } from '../modules/audit/audit.table.js';
import type { AuditLogTables } from '../modules/audit/merkle.table.js';
import type { AuthTables } from '../modules/auth/auth.table.js';
import type { CaseTables } from '../modules/cases/cases.table.js';
import type { InventoryTables } from '../modules/inventory/inventory.table.js';
import type { MergerTables } from '../modules/merger/merger.table.js';
import type { OrgTables } from '../modules/org/org.table.js';
import type { RuleTables } from '../modules/rules/rules.table.js';
import type { SocTables } from '../modules/soc/soc.table.js';
import type { VulnTables } from '../modules/vuln/vuln.table.js';

/** The whole schema, composed from each module's table file. */
export interface Database extends OrgTables, AuthTables, AuditTables, AuditLogTables, InventoryTables, MergerTables, AccountTables, RuleTables, SocTables, VulnTables, AccessLogTables, CaseTables {}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
  /** The database URL it was opened with (for logs; passwords are masked). */
  label: string;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT/NUMERIC as strings by default; our integers fit in a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/**
 * The SQL function `khien_fold` on SQLite (and what the SOC insert path writes into the events' FTS5 index): đ → d;
 * the FTS5 tokenizer (unicode61 remove_diacritics 2) drops the other diacritics.
 */
export function khienFold(v: string): string {
  return v.replace(/[đĐ]/g, 'd');
}

/**
 * WAL pages after which a commit checkpoints (SQLite's default is 1,000, 4 MB). Every connection must use the same
 * value (the SOC event writer thread's too): the one that commits past it does the checkpoint. At 10,000 (40 MB
 * of WAL) a page rewritten many times between checkpoints (index and FTS5 pages under a stream of events) is
 * copied into the database once: ≈ 1.5 µs less CPU per stored event (issue 6 ingest target).
 */
export const SQLITE_WAL_AUTOCHECKPOINT = 10_000;

const sqliteHandles = new WeakMap<object, SQLite.Database>();

/**
 * The better-sqlite3 connection behind a SQLite Kysely instance (undefined on PostgreSQL), for hot paths that
 * reuse prepared statements (the SOC event insert). Statements run on it inside `db.transaction()` belong to that
 * transaction: SQLite has the one connection, and Kysely holds it for the transaction's duration.
 */
export function sqliteConnection(db: Db): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

/** Open a database from a `sqlite:<path>` or `postgres://…` URL. */
export function openDatabase(url: string, options: { schema?: string } = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const sqlite = new SQLite(file === ':memory:' ? ':memory:' : file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL'); // with WAL: durable at checkpoint, consistent always
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma(`wal_autocheckpoint = ${SQLITE_WAL_AUTOCHECKPOINT}`);
    // Search folding used by the SOC events' FTS5 index (migration 202611260300): đ → d, the tokenizer
    // (unicode61 remove_diacritics 2) drops the other diacritics.
    sqlite.function('khien_fold', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? khienFold(v) : v));
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    sqliteHandles.set(db, sqlite);
    return { db, dialect: 'sqlite', label: url, close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle pooled connection can be terminated by the server (restart, admin kill: 57P01); the pool drops it
  // and opens a new one on demand. Without a listener that event would crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', label: url.replace(/:[^:@/]+@/, ':***@'), close: () => db.destroy() };
}

/**
 * Kysely's SQLite driver prepares every query it runs; preparing a 200-row × 45-column INSERT costs ~3× running it
 * (measured: 3.1 ms vs 1.0 ms), and bulk writers (scan imports, event ingest) repeat the same statement text each
 * batch. This keeps the most recently used statements by their SQL text (least-recently-used, bounded) and hands a
 * cached one back unless it is still busy iterating (a streamed SELECT), in which case a fresh one is prepared.
 * SQLite re-prepares a cached statement by itself after a schema change (sqlite3_prepare_v2).
 */
export function withStatementCache(sqlite: SQLite.Database, size = 128): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SQLite.Statement {
      // Kysely begins a transaction DEFERRED: one that reads before it writes asks for the write lock only at its
      // first write, and if another connection holds it then (the SOC event writer thread, event-writer.ts),
      // "upgrading to a write transaction is not possible and the write statement will fail with SQLITE_BUSY"
      // (sqlite.org/lang_transaction.html) at once, without the busy timeout. Our transactions are for writing:
      // IMMEDIATE takes the write lock at BEGIN, waiting for it as any first write does.
      if (sql === 'begin') sql = 'begin immediate';
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql); // re-insert: Map order is the recency order
        cache.set(sql, hit);
        return hit;
      }
      const stmt = sqlite.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > size) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
    close: () => {
      cache.clear();
      sqlite.close();
    },
  };
}

/** The dialect behind a Kysely instance or one of its transactions. */
export function dialectOf(db: Db | Tx): DialectName {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

/** Choose a value by dialect, explicitly: the one place dialect differences are allowed to branch. */
export function onDialect<T>(dialect: DialectName, choices: { sqlite: T; postgres: T }): T {
  return choices[dialect];
}

/** True when an error is a unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when an error is a foreign-key violation on either database. */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
