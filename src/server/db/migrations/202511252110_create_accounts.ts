import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Account governance: account sources per information system (saved column mapping, LDAP settings, role
 * policy), snapshots of every import with the accounts they held, manual link/unlink decisions kept across
 * imports, and the findings of each reconciliation. Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('account_sources')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mapping_json', 'text', (c) => c.notNull())
    .addColumn('ldap_json', 'text')
    .addColumn('ldap_password_enc', 'text')
    .addColumn('dormant_days', 'integer', (c) => c.notNull())
    .addColumn('role_policy_json', 'text')
    .addColumn('privileged_roles_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_sources_system_idx').on('account_sources').column('system_id').execute();

  await db.schema
    .createTable('account_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('source_id', 'text', (c) => c.notNull().references('account_sources.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('taken_by', 'text', (c) => c.references('users.id'))
    .addColumn('account_count', 'integer', (c) => c.notNull())
    .addColumn('summary_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_snapshots_source_idx').on('account_snapshots').columns(['source_id', 'taken_at']).execute();
  await db.schema.createIndex('account_snapshots_system_idx').on('account_snapshots').columns(['system_id', 'taken_at']).execute();

  await db.schema
    .createTable('system_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull().references('account_snapshots.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('email', 'text')
    .addColumn('citizen_id_hash', 'text')
    .addColumn('date_of_birth', 'text')
    .addColumn('unit_text', 'text')
    .addColumn('roles_json', 'text', (c) => c.notNull())
    .addColumn('privileged', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .addColumn('mfa', 'integer')
    .addColumn('account_created_at', 'text')
    .addColumn('situation', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.references('people.id'))
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('rules_json', 'text', (c) => c.notNull())
    .addColumn('candidates_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('system_accounts_snapshot_user_uq').on('system_accounts').columns(['snapshot_id', 'username']).unique().execute();
  await db.schema.createIndex('system_accounts_person_idx').on('system_accounts').column('person_id').execute();

  await db.schema
    .createTable('account_links')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('decided_by', 'text', (c) => c.references('users.id'))
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_links_uq').on('account_links').columns(['system_id', 'username', 'person_id']).unique().execute();

  await db.schema
    .createTable('account_findings')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull().references('account_snapshots.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('system_accounts.id'))
    .addColumn('system_id', 'text', (c) => c.notNull().references('information_systems.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.references('people.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('clause', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_findings_snapshot_idx').on('account_findings').columns(['snapshot_id', 'kind']).execute();
  await db.schema.createIndex('account_findings_system_idx').on('account_findings').columns(['system_id', 'kind']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['account_findings', 'account_links', 'system_accounts', 'account_snapshots', 'account_sources']) await db.schema.dropTable(t).execute();
}
