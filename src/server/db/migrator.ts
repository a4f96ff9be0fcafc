import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { DialectName } from './database.js';
import * as m202511251900 from './migrations/202511251900_create_foundation.js';
import * as m202511252000 from './migrations/202511252000_create_inventory.js';
import * as m202511252100 from './migrations/202511252100_create_audit_log.js';
import * as m202511252110 from './migrations/202511252110_create_accounts.js';
import * as m202611260100 from './migrations/202611260100_create_access_reviews.js';
import * as m202611260200 from './migrations/202611260200_create_access_log.js';
import * as m202611260400 from './migrations/202611260400_create_rules.js';
import * as m202611260300 from './migrations/202611260300_create_soc.js';
import * as m202611260500 from './migrations/202611260500_create_vuln.js';
import * as m202611260600 from './migrations/202611260600_create_cases.js';
import * as m202611270100 from './migrations/202611270100_create_soc_partitions.js';
import * as m202611270200 from './migrations/202611270200_soc_events_fts_insert.js';
import * as m202611270300 from './migrations/202611270300_connect_modules.js';
import * as m202611270400 from './migrations/202611270400_add_malware_scan_hardening.js';
import * as m202611270410 from './migrations/202611270410_index_case_title_search.js';
import * as m202611280400 from './migrations/202611280400_add_case_title_folded.js';
import * as m202611280401 from './migrations/202611280401_soc_events_fts_folded_content.js';
import * as m202611290100 from './migrations/202611290100_sqlite_log_records_as_docs.js';

/** A frozen migration: receives the dialect explicitly instead of sniffing the driver. */
export interface KhienMigration {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
  down?(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

/** All migrations in order. A migration file, once released, is never edited: add a new one. */
const MIGRATIONS: Record<string, KhienMigration> = {
  '202511251900_create_foundation': m202511251900,
  '202511252000_create_inventory': m202511252000,
  '202511252100_create_audit_log': m202511252100,
  '202511252110_create_accounts': m202511252110,
  '202611260100_create_access_reviews': m202611260100,
  '202611260200_create_access_log': m202611260200,
  '202611260400_create_rules': m202611260400,
  '202611260300_create_soc': m202611260300,
  '202611260500_create_vuln': m202611260500,
  '202611260600_create_cases': m202611260600,
  '202611270100_create_soc_partitions': m202611270100,
  '202611270200_soc_events_fts_insert': m202611270200,
  '202611270300_connect_modules': m202611270300,
  '202611270400_add_malware_scan_hardening': m202611270400,
  '202611270410_index_case_title_search': m202611270410,
  '202611280400_add_case_title_folded': m202611280400,
  '202611280401_soc_events_fts_folded_content': m202611280401,
  '202611290100_sqlite_log_records_as_docs': m202611290100,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [
        name,
        {
          up: (db: Kysely<unknown>) => m.up(db, this.dialect),
          ...(m.down ? { down: (db: Kysely<unknown>) => m.down!(db, this.dialect) } : {}),
        },
      ]),
    );
  }
}

/** Run every pending migration; throws with the failing migration's name. Returns the names applied. */
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<string[]> {
  // Helpers develop in parallel with their own timestamp prefixes, so a migration can land after one with a later
  // name (202611270200 after 202611270300): each is independent, and a database that ran the later one first
  // must still accept the earlier one instead of refusing to start.
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Run the migrations up to and including `name` (tests of a later migration's backfill). */
export async function migrateTo(db: Kysely<any>, dialect: DialectName, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), allowUnorderedMigrations: true });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error(`migrating to ${name} failed: ${(error as Error).message}`, { cause: error });
}

/** Names of migrations not yet applied (for `serve`, which refuses to run on an outdated schema). */
export async function pendingMigrations(db: Kysely<any>, dialect: DialectName): Promise<string[]> {
  // unordered: see migrateToLatest
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), allowUnorderedMigrations: true });
  return (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}
