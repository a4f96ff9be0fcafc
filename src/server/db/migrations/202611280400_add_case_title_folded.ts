import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Case-queue search without diacritics ("lua dao" finds "lừa đảo"): a column `title_folded` holding the title folded
 * the way people's names are (core/text.ts foldText: NFD, combining marks dropped, đ → d, lower case, spaces
 * collapsed), written by the cases service with every title, backfilled here; the search folds the query the same
 * way and matches it as a substring of `title_folded` (or of the case number, as before).
 * Indexes (the ones of 202611270410, moved to the folded text):
 * - PostgreSQL: a trigram GIN index on `title_folded` replaces the one on `lower(title)` (only where pg_trgm is
 *   offered, as before).
 * - SQLite: the trigram FTS5 table `cases_title_fts` now holds "title_folded number"; its triggers follow
 *   `title_folded`, and it is refilled from the backfilled column.
 * The column is nullable only because SQLite cannot add a NOT NULL column without a default; every row has it.
 * Frozen: never edit, add a new migration.
 */

/** foldText of core/text.ts when this migration was written (a frozen copy: a migration must not change later). */
function fold(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema.alterTable('cases').addColumn('title_folded', 'text').execute();
  // Backfill in keyset pages, one WITH v AS (VALUES …) UPDATE … FROM v per page (PostgreSQL, and SQLite ≥ 3.33).
  let after = '';
  for (;;) {
    const page = await sql<{ id: string; title: string }>`select id, title from cases where id > ${after} order by id limit 1000`.execute(db);
    if (page.rows.length === 0) break;
    const values = sql.join(page.rows.map((r) => sql`(${r.id}, ${fold(r.title)})`));
    await sql`with v(id, f) as (values ${values}) update cases set title_folded = v.f from v where cases.id = v.id`.execute(db);
    after = page.rows[page.rows.length - 1]!.id;
  }
  if (dialect === 'postgres') {
    const available = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'pg_trgm'`.execute(db);
    if (!available.rows[0]?.n) return;
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`drop index if exists cases_title_trgm_idx`.execute(db);
    await sql`create index cases_title_folded_trgm_idx on cases using gin (title_folded gin_trgm_ops)`.execute(db);
    return;
  }
  await sql`drop trigger if exists cases_title_fts_ai`.execute(db);
  await sql`drop trigger if exists cases_title_fts_au`.execute(db);
  await sql`insert into cases_title_fts(cases_title_fts) values ('delete-all')`.execute(db);
  await sql`insert into cases_title_fts(rowid, text) select rowid, coalesce(title_folded, '') || ' ' || number from cases`.execute(db);
  await sql`create trigger cases_title_fts_ai after insert on cases begin insert into cases_title_fts(rowid, text) values (new.rowid, coalesce(new.title_folded, '') || ' ' || new.number); end`.execute(db);
  await sql`create trigger cases_title_fts_au after update of title_folded, number on cases begin
    delete from cases_title_fts where rowid = old.rowid;
    insert into cases_title_fts(rowid, text) values (new.rowid, coalesce(new.title_folded, '') || ' ' || new.number);
  end`.execute(db);
}
