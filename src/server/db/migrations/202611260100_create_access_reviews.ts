import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Account governance, second part: per-system push API keys (stored as SHA-256 of a 256-bit random key, shown
 * once), access review campaigns with stages, review items and reviewer assignments, reminders/escalations
 * produced by the scheduler tick, and revocation tasks verified by a later import. Frozen: never edit.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('account_api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('source_id', 'text', (c) => c.notNull().references('account_sources.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('account_api_keys_hash_uq').on('account_api_keys').column('key_hash').unique().execute();
  await db.schema.createIndex('account_api_keys_source_idx').on('account_api_keys').column('source_id').execute();

  await db.schema
    .createTable('review_campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('system_ids_json', 'text', (c) => c.notNull())
    .addColumn('unit_ids_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('current_stage', 'integer', (c) => c.notNull())
    .addColumn('task_days', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('review_campaigns_unit_idx').on('review_campaigns').column('unit_id').execute();

  await db.schema
    .createTable('review_stages')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('review_campaigns.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('reviewer_kind', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('duration_days', 'integer', (c) => c.notNull())
    .addColumn('remind_before_hours', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('deadline', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('review_stages_campaign_uq').on('review_stages').columns(['campaign_id', 'ordinal']).unique().execute();

  await db.schema
    .createTable('review_items')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('review_campaigns.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('system_accounts.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('roles_json', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.references('people.id'))
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('stage_outcome', 'text')
    .addColumn('outcome', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('review_items_campaign_idx').on('review_items').columns(['campaign_id', 'stage']).execute();

  await db.schema
    .createTable('review_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('item_id', 'text', (c) => c.notNull().references('review_items.id'))
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('review_campaigns.id'))
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('reviewer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('decision', 'text')
    .addColumn('comment', 'text')
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('review_assignments_item_idx').on('review_assignments').columns(['item_id', 'stage']).execute();
  await db.schema.createIndex('review_assignments_reviewer_idx').on('review_assignments').columns(['reviewer_id', 'decided_at']).execute();

  await db.schema
    .createTable('review_notices')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.references('review_campaigns.id'))
    .addColumn('stage', 'integer')
    .addColumn('task_id', 'text')
    .addColumn('recipient_id', 'text', (c) => c.references('users.id'))
    .addColumn('unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_notices_dedupe_uq').on('review_notices').column('dedupe_key').unique().execute();
  await db.schema.createIndex('review_notices_recipient_idx').on('review_notices').columns(['recipient_id', 'created_at']).execute();

  await db.schema
    .createTable('revocation_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('campaign_id', 'text', (c) => c.references('review_campaigns.id'))
    .addColumn('item_id', 'text', (c) => c.references('review_items.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.references('people.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('roles_json', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('operator_note', 'text')
    .addColumn('escalated_at', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('verified_snapshot_id', 'text', (c) => c.references('account_snapshots.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revocation_tasks_system_idx').on('revocation_tasks').columns(['system_id', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['revocation_tasks', 'review_notices', 'review_assignments', 'review_items', 'review_stages', 'review_campaigns', 'account_api_keys']) await db.schema.dropTable(t).execute();
}
