import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Access-log monitoring (issue 5 items 4–5): per-system API keys for ingestion, the ingested login / access /
 * look-up records (each a leaf of the Merkle audit log, source `access_log`), the receipt of every ingested
 * batch, and the look-up alerts raised by the analytics. Citizen IDs looked up are stored only as keyed
 * hashes. The only dialect branch is the record sequence column, as for audit_events.
 * Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('system_api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_hint', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
    .execute();
  await db.schema.createIndex('system_api_keys_system_idx').on('system_api_keys').column('system_id').execute();

  await db.schema
    .createTable('access_log_batches')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('api_key_id', 'text', (c) => c.references('system_api_keys.id'))
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('record_count', 'integer', (c) => c.notNull())
    .addColumn('duplicate_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_log_batches_system_idx').on('access_log_batches').columns(['system_id', 'received_at']).execute();

  await db.schema
    .createTable('access_log_records')
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey().notNull() : c.primaryKey().autoIncrement().notNull(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('access_log_batches.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('external_id', 'text')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('subject_hash', 'text')
    .addColumn('subject_masked', 'text')
    .addColumn('case_ref', 'text')
    .addColumn('ip', 'text')
    .addColumn('device', 'text')
    .addColumn('session_id', 'text')
    .addColumn('person_id', 'text', (c) => c.references('people.id'))
    .addColumn('account_situation', 'text', (c) => c.notNull())
    .addColumn('account_mfa', 'integer')
    .execute();
  await db.schema.createIndex('access_log_records_account_idx').on('access_log_records').columns(['system_id', 'account', 'occurred_at']).execute();
  await db.schema.createIndex('access_log_records_subject_idx').on('access_log_records').columns(['subject_hash', 'occurred_at']).execute();
  await db.schema.createIndex('access_log_records_person_idx').on('access_log_records').columns(['person_id', 'occurred_at']).execute();
  await db.schema.createIndex('access_log_records_time_idx').on('access_log_records').column('occurred_at').execute();
  await db.schema.createIndex('access_log_records_external_uq').on('access_log_records').columns(['system_id', 'external_id']).unique().execute();

  await db.schema
    .createTable('lookup_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.references('people.id'))
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('record_count', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reason_key', 'text', (c) => c.notNull())
    .addColumn('reason_params_json', 'text', (c) => c.notNull())
    .addColumn('evidence_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('status_note', 'text')
    .addColumn('status_changed_by', 'text', (c) => c.references('users.id'))
    .addColumn('status_changed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lookup_alerts_status_idx').on('lookup_alerts').columns(['status', 'last_seen']).execute();
  await db.schema.createIndex('lookup_alerts_system_idx').on('lookup_alerts').columns(['system_id', 'kind']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['lookup_alerts', 'access_log_records', 'access_log_batches', 'system_api_keys']) await db.schema.dropTable(t).execute();
}
