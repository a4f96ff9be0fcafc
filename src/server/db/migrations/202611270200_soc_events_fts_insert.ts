import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * SQLite: the FTS5 index of soc_events is filled by the SOC insert path (events.repository.ts insertEvents, the
 * only writer of soc_events) in the same transaction as each row, instead of by a per-row AFTER INSERT trigger
 * that called the JavaScript function khien_fold for every event (about half the cost of storing an event).
 * The delete trigger stays (purges delete rows in SQL). Rows stored before this migration are already indexed.
 * PostgreSQL: nothing changes (its GIN index is maintained by the database). Frozen: never edit.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'sqlite') return;
  await sql`drop trigger if exists soc_events_fts_ai`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'sqlite') return;
  await sql`create trigger soc_events_fts_ai after insert on soc_events begin insert into soc_events_fts(rowid, message) values (new.seq, khien_fold(new.message)); end`.execute(db);
}
