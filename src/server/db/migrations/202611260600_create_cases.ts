import { sql, type Kysely } from 'kysely';
import { onDialect, type DialectName } from '../database.js';

/**
 * Incident response (issue 7): cases with their alert references, members, timeline, tasks from SOP
 * playbooks, observables, attachments, legal/SLA clocks and generated reports; versioned playbooks; notification
 * channels, per-user preferences and the delivery log. Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('case_sequences')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('severity_rank', 'integer', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('pap', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('close_reason', 'text')
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('unit_path', 'text', (c) => c.notNull())
    .addColumn('reportable', 'integer', (c) => c.notNull())
    .addColumn('regime', 'text')
    .addColumn('immediate', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', 'text')
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('contained_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('next_due_at', 'text')
    .addColumn('affected_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_created_idx').on('cases').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('cases_unit_path_idx').on('cases').columns(['unit_path', 'created_at']).execute();
  await db.schema.createIndex('cases_phase_idx').on('cases').columns(['phase', 'created_at']).execute();
  await db.schema.createIndex('cases_due_idx').on('cases').column('next_due_at').execute();
  await db.schema.createIndex('cases_category_idx').on('cases').columns(['category', 'created_at']).execute();
  await db.schema.createIndex('cases_severity_idx').on('cases').columns(['severity', 'created_at']).execute();
  // Scope filters are `unit_path LIKE '<prefix>%'`. SQLite uses the plain index for a prefix LIKE only with
  // case_sensitive_like, PostgreSQL only with a pattern-ops index when the collation is not C: add that one there.
  await onDialect(dialect, {
    sqlite: async () => undefined,
    postgres: async () => void (await sql`create index cases_unit_path_pattern_idx on cases (unit_path text_pattern_ops)`.execute(db)),
  })();

  await db.schema
    .createTable('case_members')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('case_members_unique', ['case_id', 'user_id', 'role'])
    .execute();
  await db.schema.createIndex('case_members_user_idx').on('case_members').columns(['user_id', 'role']).execute();

  await db.schema
    .createTable('case_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('rule', 'text')
    .addColumn('occurred_at', 'text')
    .addColumn('unit_id', 'text')
    .addColumn('linked_by', 'text', (c) => c.references('users.id'))
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('case_alerts_unique', ['case_id', 'kind', 'ref_id'])
    .execute();
  await db.schema.createIndex('case_alerts_ref_idx').on('case_alerts').columns(['kind', 'ref_id']).execute();

  await db.schema
    .createTable('case_timeline')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('details_json', 'text')
    .execute();
  await db.schema.createIndex('case_timeline_case_idx').on('case_timeline').columns(['case_id', 'at']).execute();

  await db.schema
    .createTable('playbooks')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('categories_json', 'text', (c) => c.notNull())
    .addColumn('alert_rules_json', 'text', (c) => c.notNull())
    .addColumn('yaml', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('playbooks_key_version', ['key', 'version'])
    .execute();

  await db.schema
    .createTable('case_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('playbook_id', 'text', (c) => c.references('playbooks.id'))
    .addColumn('playbook_key', 'text')
    .addColumn('step_key', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('who', 'text', (c) => c.notNull())
    .addColumn('evidence_json', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('mandatory', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner_unit_id', 'text', (c) => c.references('org_units.id'))
    .addColumn('assignee_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('due_at', 'text')
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .addColumn('note', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_tasks_case_idx').on('case_tasks').columns(['case_id', 'sort_order']).execute();
  await db.schema.createIndex('case_tasks_assignee_idx').on('case_tasks').columns(['assignee_user_id', 'status']).execute();

  await db.schema
    .createTable('case_observables')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('match_key', 'text', (c) => c.notNull())
    .addColumn('ioc', 'integer', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('case_observables_unique', ['case_id', 'type', 'match_key'])
    .execute();
  await db.schema.createIndex('case_observables_match_idx').on('case_observables').columns(['type', 'match_key']).execute();

  await db.schema
    .createTable('case_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.references('users.id'))
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_attachments_case_idx').on('case_attachments').column('case_id').execute();

  await db.schema
    .createTable('case_clocks')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('regime', 'text')
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('met_at', 'text')
    .addColumn('warned_at', 'text')
    .addColumn('overdue_at', 'text')
    .addUniqueConstraint('case_clocks_unique', ['case_id', 'kind'])
    .execute();
  await db.schema.createIndex('case_clocks_open_idx').on('case_clocks').columns(['met_at', 'due_at']).execute();

  await db.schema
    .createTable('case_reports')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_reports_case_idx').on('case_reports').column('case_id').execute();

  await db.schema
    .createTable('notification_channels')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('secret_enc', 'text')
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('unit_path', 'text', (c) => c.notNull())
    .addColumn('min_severity', 'text', (c) => c.notNull())
    .addColumn('categories_json', 'text', (c) => c.notNull())
    .addColumn('events_json', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_prefs')
    .addColumn('user_id', 'text', (c) => c.primaryKey().notNull().references('users.id'))
    .addColumn('email', 'integer', (c) => c.notNull())
    .addColumn('telegram_chat_id', 'text')
    .addColumn('min_severity', 'text', (c) => c.notNull())
    .addColumn('events_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('channel_id', 'text', (c) => c.references('notification_channels.id'))
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.references('cases.id'))
    .addColumn('unit_path', 'text')
    .addColumn('target_label', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('notification_deliveries_due_idx').on('notification_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('notification_deliveries_created_idx').on('notification_deliveries').column('created_at').execute();
}
