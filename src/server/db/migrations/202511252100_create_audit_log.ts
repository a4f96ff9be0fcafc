import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * The tamper-evident audit log (RFC 6962 Merkle tree over audit entries): one row per leaf keyed by its
 * index, the signed checkpoints, the sequencer's compact range, pruning records and witness state.
 * A leaf points at its source record (`source` + `source_seq`) so other record kinds (ingested access logs)
 * can become leaves of the same tree. Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('audit_log_leaves')
    .addColumn('leaf_index', 'bigint', (c) => c.primaryKey().notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_seq', 'bigint', (c) => c.notNull())
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addColumn('sequenced_at', 'text', (c) => c.notNull())
    .addColumn('pruned_at', 'text')
    .execute();
  await db.schema.createIndex('audit_log_leaves_source_idx').on('audit_log_leaves').columns(['source', 'source_seq']).unique().execute();
  await db.schema.createIndex('audit_log_leaves_entry_idx').on('audit_log_leaves').column('entry_id').execute();

  await db.schema
    .createTable('audit_log_checkpoints')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey().notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log_state')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('compact_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log_witness_state')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('peer', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_witness_state_peer_idx').on('audit_log_witness_state').columns(['role', 'peer', 'origin']).unique().execute();
}
