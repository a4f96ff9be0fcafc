import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Connecting the modules built in parallel (issues 4, 5, 7): a look-up alert keeps the id of the SOC alert that
 * mirrors it in the SOC queue; a SOC log source may be declared to carry its system's access-log records over
 * syslog; an account source sets the window of its concurrent-login (shared account) rule; an account finding
 * may carry its evidence (times, IPs, devices). Nullable or constant-default columns only, so existing rows stay
 * valid on both databases. Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('lookup_alerts').addColumn('soc_alert_id', 'text').execute();
  await db.schema.createIndex('lookup_alerts_soc_alert_idx').on('lookup_alerts').column('soc_alert_id').execute();
  await db.schema.alterTable('soc_sources').addColumn('access_log', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('account_sources').addColumn('concurrent_login_minutes', 'integer').execute();
  await db.schema.alterTable('account_findings').addColumn('evidence_json', 'text').execute();
}
