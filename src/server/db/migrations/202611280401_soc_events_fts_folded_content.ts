import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * SQLite: the events' FTS5 index reads its content from a view of the FOLDED message, not from `soc_events.message`.
 * The index has always held `khien_fold(message)` (written by the insert path, 202611270200; removed by the delete
 * trigger with the same folding), but its external content was the raw column, so FTS5's own `rebuild` (an
 * operator's repair, or the recovery of a damaged index) re-indexed unfolded text: "đ" stayed "đ", "dang nhap" no
 * longer found "đăng nhập", and later deletions of folded entries no longer matched the index (corruption). Its
 * `integrity-check` against the content reported a checksum mismatch for the same reason. With the view as content,
 * `rebuild` and `integrity-check` see exactly what the live path writes. (A connection without the `khien_fold`
 * function — e.g. the sqlite3 shell — can still search; a `rebuild` there fails instead of indexing unfolded text.)
 * The index is re-created and rebuilt here (one pass over the events, folding each message).
 * PostgreSQL: nothing to do (its GIN index is an expression over khien_fold(message), so REINDEX recomputes the same).
 * Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'sqlite') return;
  await sql`drop trigger if exists soc_events_fts_ad`.execute(db);
  await sql`drop table if exists soc_events_fts`.execute(db);
  await sql`create view soc_events_fts_content as select seq, khien_fold(message) as message from soc_events`.execute(db);
  await sql`create virtual table soc_events_fts using fts5(message, content='soc_events_fts_content', content_rowid='seq', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`insert into soc_events_fts(soc_events_fts) values ('rebuild')`.execute(db);
  await sql`create trigger soc_events_fts_ad after delete on soc_events begin insert into soc_events_fts(soc_events_fts, rowid, message) values ('delete', old.seq, khien_fold(old.message)); end`.execute(db);
}
