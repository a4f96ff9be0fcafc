import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Case-queue title search (issue 7 benchmark: the `%…%` search scanned every case). The search keeps its meaning —
 * a case-insensitive substring of the title or the case number — and gets an index that can serve it:
 * - PostgreSQL: trigram GIN indexes (pg_trgm, a contrib extension shipped with PostgreSQL) on `lower(title)` and
 *   on `number`, which serve `LIKE '%…%'` for patterns of three or more characters. Created only when the server
 *   offers the extension (pg_available_extensions); without it the search stays a sequential scan.
 * - SQLite: a contentless FTS5 table with the trigram tokenizer (SQLite ≥ 3.34; case-insensitive) over
 *   "title number", kept by triggers; the query uses it to find candidates, then checks the same LIKE as before.
 * Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    const available = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'pg_trgm'`.execute(db);
    if (!available.rows[0]?.n) return;
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index cases_title_trgm_idx on cases using gin (lower(title) gin_trgm_ops)`.execute(db);
    await sql`create index cases_number_trgm_idx on cases using gin (number gin_trgm_ops)`.execute(db);
    return;
  }
  await sql`create virtual table cases_title_fts using fts5(text, content='', contentless_delete=1, tokenize='trigram case_sensitive 0')`.execute(db);
  await sql`insert into cases_title_fts(rowid, text) select rowid, title || ' ' || number from cases`.execute(db);
  await sql`create trigger cases_title_fts_ai after insert on cases begin insert into cases_title_fts(rowid, text) values (new.rowid, new.title || ' ' || new.number); end`.execute(db);
  await sql`create trigger cases_title_fts_ad after delete on cases begin delete from cases_title_fts where rowid = old.rowid; end`.execute(db);
  await sql`create trigger cases_title_fts_au after update of title, number on cases begin
    delete from cases_title_fts where rowid = old.rowid;
    insert into cases_title_fts(rowid, text) values (new.rowid, new.title || ' ' || new.number);
  end`.execute(db);
}
