import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * SOC pipeline: log sources (per-source API keys stored hashed), stored events (searchable by time, host,
 * user, field values and full text), alerts with their events, and the spool checkpoint the pipeline commits
 * together with every batch of stored events. Frozen: never edit, add a new migration.
 *
 * Dialect differences (explicit, documented in docs/architecture.md "SOC"):
 * - events: SQLite keeps a rowid alias `seq` for its FTS5 index (external content, `unicode61
 *   remove_diacritics 2` over text folded by `khien_fold`, so "dang nhap" finds "đăng nhập"); PostgreSQL partitions the table by day
 *   (`PARTITION BY RANGE (day)`, partitions created by the pipeline as days arrive) with a GIN index on
 *   `to_tsvector('simple', khien_fold(message))` (an immutable SQL function created here). The primary key is (day, id) on both: an event id is unique per day,
 *   and an event's day comes from its own timestamp, so a replayed event always meets its first copy.
 */
/** Vietnamese (and other Latin) letters with diacritics → base letters, for PostgreSQL's translate(). */
const FOLD_FROM = 'ÀÁÂÃÄÅÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜÝàáâãäåèéêëìíîïòóôõöùúûüýÿĀāĂăĄąĒēĔĕĖėĘęĚěĨĩĪīĬĭĮįİŌōŎŏŐőŨũŪūŬŭŮůŰűŲųŶŷŸƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǪǫǬǭǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȔȕȖȗȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḔḕḖḗḘḙḚḛḜḝḬḭḮḯṌṍṎṏṐṑṒṓṲṳṴṵṶṷṸṹṺṻẎẏẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ';
const FOLD_TO = 'aaaaaaeeeeiiiiooooouuuuyaaaaaaeeeeiiiiooooouuuuyyaaaaaaeeeeeeeeeeiiiiiiiiioooooouuuuuuuuuuuuyyyoouuaaiioouuuuuuuuuuaaaaooooaaaaaaeeeeiiiioooouuuuaaeeooooooooyyaaeeeeeeeeeeiiiioooooooouuuuuuuuuuyyyaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydd';

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('soc_sources')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('system_id', 'text', (c) => c.references('information_systems.id'))
    .addColumn('asset_id', 'text', (c) => c.references('assets.id'))
    .addColumn('hosts_json', 'text', (c) => c.notNull())
    .addColumn('api_key_hash', 'text')
    .addColumn('api_key_prefix', 'text')
    .addColumn('tz_offset_minutes', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('soc_sources_key_uq').on('soc_sources').column('api_key_hash').unique().execute();

  const events = db.schema
    .createTable('soc_events')
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.notNull() : c.primaryKey().notNull()))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('unit_id', 'text')
    .addColumn('system_id', 'text')
    .addColumn('asset_id', 'text')
    .addColumn('host', 'text')
    .addColumn('user_name', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('action', 'text')
    .addColumn('outcome', 'text')
    .addColumn('product', 'text')
    .addColumn('service', 'text')
    .addColumn('code', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('fields_json', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text', (c) => c.notNull());
  if (dialect === 'postgres') {
    await events.addPrimaryKeyConstraint('soc_events_pk', ['day', 'id']).modifyEnd(sql`partition by range (day)`).execute();
    // khien_fold: lower case without Vietnamese diacritics (đ → d), IMMUTABLE so it can be indexed.
    await sql.raw(`create or replace function khien_fold(t text) returns text language sql immutable parallel safe as $$ select translate(lower(t), '${FOLD_FROM}', '${FOLD_TO}') $$`).execute(db);
    await sql`create index soc_events_search_idx on soc_events using gin (to_tsvector('simple', khien_fold(message)))`.execute(db);
  } else {
    await events.execute();
    await db.schema.createIndex('soc_events_day_id_uq').on('soc_events').columns(['day', 'id']).unique().execute();
    await sql`create virtual table soc_events_fts using fts5(message, content='soc_events', content_rowid='seq', tokenize='unicode61 remove_diacritics 2')`.execute(db);
    // khien_fold (a function every connection registers, db/database.ts) maps đ → d; the tokenizer drops the
    // other diacritics. The index holds folded text; the content column stays as received.
    await sql`create trigger soc_events_fts_ai after insert on soc_events begin insert into soc_events_fts(rowid, message) values (new.seq, khien_fold(new.message)); end`.execute(db);
    await sql`create trigger soc_events_fts_ad after delete on soc_events begin insert into soc_events_fts(soc_events_fts, rowid, message) values ('delete', old.seq, khien_fold(old.message)); end`.execute(db);
  }
  await db.schema.createIndex('soc_events_ts_idx').on('soc_events').column('ts').execute();
  await db.schema.createIndex('soc_events_host_idx').on('soc_events').columns(['host', 'ts']).execute();
  await db.schema.createIndex('soc_events_user_idx').on('soc_events').columns(['user_name', 'ts']).execute();
  await db.schema.createIndex('soc_events_expires_idx').on('soc_events').column('expires_on').execute();

  await db.schema
    .createTable('soc_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('rule_author', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('tags_json', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('system_id', 'text', (c) => c.references('information_systems.id'))
    .addColumn('asset_id', 'text', (c) => c.references('assets.id'))
    .addColumn('host', 'text')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('details_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('soc_alerts_group_idx').on('soc_alerts').columns(['group_key', 'last_seen']).execute();
  await db.schema.createIndex('soc_alerts_queue_idx').on('soc_alerts').columns(['status', 'last_seen']).execute();
  await db.schema.createIndex('soc_alerts_unit_idx').on('soc_alerts').columns(['unit_id', 'last_seen']).execute();

  await db.schema
    .createTable('soc_alert_events')
    .addColumn('alert_id', 'text', (c) => c.notNull().references('soc_alerts.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_day', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('soc_alert_events_pk', ['alert_id', 'event_id'])
    .execute();

  await db.schema
    .createTable('soc_spool_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('segment', 'integer', (c) => c.notNull())
    .addColumn('offset', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') await sql`drop table if exists soc_events_fts`.execute(db);
  if (dialect === 'postgres') await sql`drop function if exists khien_fold(text)`.execute(db);
  for (const t of ['soc_spool_checkpoints', 'soc_alert_events', 'soc_alerts', 'soc_events', 'soc_sources']) await db.schema.dropTable(t).execute();
}
