import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Inventory and merger schema: information systems with their levels under both regimes, level decisions,
 * assets and their links to systems, merger plans and tasks, maintenance windows, outages and reconciliation
 * results. Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('information_systems')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_folded', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('operating_unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('security_unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('parent_system_id', 'text', (c) => c.references('information_systems.id'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('internal_users', 'integer')
    .addColumn('external_users', 'integer')
    .addColumn('information_json', 'text', (c) => c.notNull())
    .addColumn('online_service_level', 'integer')
    .addColumn('administrative_procedure', 'integer', (c) => c.notNull())
    .addColumn('conditional_business', 'integer', (c) => c.notNull())
    .addColumn('infrastructure_scope', 'text', (c) => c.notNull())
    .addColumn('ics_work_grade', 'text', (c) => c.notNull())
    .addColumn('national_egov_24x7', 'integer', (c) => c.notNull())
    .addColumn('national_security_impact', 'text', (c) => c.notNull())
    .addColumn('connections_json', 'text', (c) => c.notNull())
    .addColumn('hosting', 'text')
    .addColumn('hosting_detail', 'text')
    .addColumn('rto_minutes', 'integer')
    .addColumn('rpo_minutes', 'integer')
    .addColumn('approval_documents_json', 'text', (c) => c.notNull())
    .addColumn('legacy_level', 'integer')
    .addColumn('legacy_dossier_no', 'text')
    .addColumn('legacy_decision_no', 'text')
    .addColumn('legacy_decision_date', 'text')
    .addColumn('new_level', 'integer')
    .addColumn('new_dossier_no', 'text')
    .addColumn('new_decision_no', 'text')
    .addColumn('new_decision_date', 'text')
    .addColumn('proposed_level', 'integer')
    .addColumn('proposal_json', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  for (const col of ['owner_unit_id', 'operating_unit_id', 'security_unit_id', 'parent_system_id', 'status', 'name_folded']) {
    await db.schema.createIndex(`information_systems_${col}_idx`).on('information_systems').column(col).execute();
  }

  await db.schema
    .createTable('system_level_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('regime', 'text', (c) => c.notNull())
    .addColumn('proposed_level', 'integer', (c) => c.notNull())
    .addColumn('proposal_json', 'text', (c) => c.notNull())
    .addColumn('decided_level', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('decided_by', 'text', (c) => c.references('users.id'))
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('system_level_decisions_system_idx').on('system_level_decisions').columns(['system_id', 'decided_at']).execute();

  await db.schema
    .createTable('assets')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_folded', 'text', (c) => c.notNull())
    .addColumn('hostname', 'text')
    .addColumn('ips_json', 'text', (c) => c.notNull())
    .addColumn('os_name', 'text')
    .addColumn('os_version', 'text')
    .addColumn('software_json', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('owner_unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reuse_disposition', 'text')
    .addColumn('reuse_target_unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('reuse_decision', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('assets_owner_unit_idx').on('assets').column('owner_unit_id').execute();
  await db.schema.createIndex('assets_hostname_idx').on('assets').column('hostname').execute();

  await db.schema
    .createTable('system_assets')
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('system_assets_pk', ['system_id', 'asset_id'])
    .execute();
  await db.schema.createIndex('system_assets_asset_idx').on('system_assets').column('asset_id').execute();

  await db.schema
    .createTable('merger_plans')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().unique().references('information_systems.id'))
    .addColumn('disposition', 'text', (c) => c.notNull())
    .addColumn('target_system_id', 'text', (c) => c.references('information_systems.id'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('target_start', 'text')
    .addColumn('target_end', 'text')
    .addColumn('lead_unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('responsible_unit_ids_json', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('merger_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('merger_plans.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('checkpoint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner_unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('assignee', 'text')
    .addColumn('due_date', 'text')
    .addColumn('done_at', 'text')
    .addColumn('evidence_note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merger_tasks_plan_idx').on('merger_tasks').column('plan_id').execute();
  await db.schema.createIndex('merger_tasks_system_idx').on('merger_tasks').column('system_id').execute();

  await db.schema
    .createTable('maintenance_windows')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('task_id', 'text', (c) => c.references('merger_tasks.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('maintenance_windows_system_idx').on('maintenance_windows').columns(['system_id', 'starts_at']).execute();

  await db.schema
    .createTable('outages')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('planned', 'integer', (c) => c.notNull())
    .addColumn('window_id', 'text', (c) => c.references('maintenance_windows.id'))
    .addColumn('cause', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outages_system_idx').on('outages').columns(['system_id', 'started_at']).execute();

  await db.schema
    .createTable('merger_reconciliations')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('task_id', 'text', (c) => c.notNull().references('merger_tasks.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('source_description', 'text', (c) => c.notNull())
    .addColumn('target_description', 'text', (c) => c.notNull())
    .addColumn('report_json', 'text', (c) => c.notNull())
    .addColumn('missing_count', 'integer', (c) => c.notNull())
    .addColumn('extra_count', 'integer', (c) => c.notNull())
    .addColumn('changed_count', 'integer', (c) => c.notNull())
    .addColumn('equal_count', 'integer', (c) => c.notNull())
    .addColumn('attached_by', 'text', (c) => c.references('users.id'))
    .addColumn('attached_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merger_reconciliations_task_idx').on('merger_reconciliations').column('task_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['merger_reconciliations', 'outages', 'maintenance_windows', 'merger_tasks', 'merger_plans', 'system_assets', 'assets', 'system_level_decisions', 'information_systems']) {
    await db.schema.dropTable(t).execute();
  }
}
