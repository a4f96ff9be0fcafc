import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * SOC scale-out (issue 6 item 7): one row per correlation partition of a NATS stream. The owning detect worker
 * commits, in the same transaction as the events and alerts it stored, the last stream sequence it processed;
 * every few seconds also the partition's correlation windows (`state_json`) and the sequence they include.
 * `epoch` is the fencing token: a worker taking a partition over increments it, and every commit of the
 * previous owner (a worker that was paused, not dead) then matches no row and is rolled back.
 * Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('soc_partitions')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('committed_seq', 'bigint', (c) => c.notNull())
    .addColumn('state_seq', 'bigint', (c) => c.notNull())
    .addColumn('state_json', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('soc_partitions_pk', ['stream', 'partition'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('soc_partitions').execute();
}
