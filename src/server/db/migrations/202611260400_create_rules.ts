import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Detection rules (Sigma YAML) with their enabled flag, false-positive filters and hit counts (issue 6,
 * item 4). One row per Sigma rule id; the YAML text is kept whole so the engine rebuilds from the database.
 * Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('sigma_rules')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('yaml', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('tags_json', 'text', (c) => c.notNull())
    .addColumn('falsepositives_json', 'text', (c) => c.notNull())
    .addColumn('logsource_product', 'text')
    .addColumn('logsource_category', 'text')
    .addColumn('logsource_service', 'text')
    .addColumn('supported', 'integer', (c) => c.notNull())
    .addColumn('unsupported', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('filters_json', 'text', (c) => c.notNull())
    .addColumn('hit_count', 'integer', (c) => c.notNull())
    .addColumn('last_hit_at', 'text')
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sigma_rules_logsource_idx').on('sigma_rules').columns(['logsource_product', 'logsource_category', 'logsource_service']).execute();
  await db.schema.createIndex('sigma_rules_level_idx').on('sigma_rules').columns(['level', 'status']).execute();
  await db.schema.createIndex('sigma_rules_enabled_idx').on('sigma_rules').columns(['enabled', 'supported']).execute();
}
