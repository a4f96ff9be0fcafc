import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/support/context.js';
import { sql } from 'kysely';
import { LOG_DOC_TABLES } from '../modules/audit/log-docs.js';

/**
 * Migrating from empty must give the checked-in schema, on both databases: the same tables, columns and
 * nullability everywhere, and the same column types per dialect as recorded. After adding a migration,
 * regenerate with KHIEN_UPDATE_SCHEMA_SNAPSHOT=1 on both databases and review the diff.
 */
const SNAPSHOT = new URL('./schema.snapshot.json', import.meta.url);

interface Snapshot {
  tables: Record<string, Record<string, { nullable: boolean; type: { sqlite?: string; postgres?: string } }>>;
}

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('schema', () => {
  it('matches the checked-in snapshot after migrating from empty', async () => {
    // Dialect-specific search structures are not part of the portable schema: SQLite's FTS5 indexes of SOC events
    // and case titles (virtual tables + shadow tables) and PostgreSQL's daily partitions of soc_events (created at
    // run time).
    const dialectSpecific = /^(soc_events_(fts(_\w+)?|p\d{8})|cases_title_fts(_\w+)?)$/;
    const tables = (await ctx.db.introspection.getTables()).filter((t) => !t.name.startsWith('kysely_') && !dialectSpecific.test(t.name));
    const actual: Snapshot['tables'] = {};
    for (const t of tables.sort((a, b) => a.name.localeCompare(b.name))) {
      actual[t.name] = {};
      for (const c of [...t.columns].sort((a, b) => a.name.localeCompare(b.name))) {
        actual[t.name]![c.name] = { nullable: c.isNullable, type: { [ctx.dialect]: c.dataType.toLowerCase() } };
      }
    }
    if (ctx.dialect === 'sqlite') {
      // The two log tables are stored as their records' encodings (`doc`, SQLite only) with the portable columns
      // generated from it (modules/audit/log-docs.ts). Kysely's introspection (pragma table_info) leaves generated
      // columns out; table_xinfo lists them (hidden 2 = virtual generated).
      for (const t of LOG_DOC_TABLES) {
        const cols = (await sql<{ name: string; type: string; notnull: number; pk: number; hidden: number }>`select * from pragma_table_xinfo(${t})`.execute(ctx.db)).rows;
        actual[t] = {};
        for (const c of cols.filter((x) => x.name !== 'doc' && x.hidden !== 1).sort((a, b) => a.name.localeCompare(b.name))) {
          actual[t]![c.name] = { nullable: c.notnull === 0 && c.pk === 0, type: { sqlite: c.type.toLowerCase() } };
        }
      }
    }
    const snapshot: Snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8'));
    if (process.env.KHIEN_UPDATE_SCHEMA_SNAPSHOT === '1') {
      for (const [table, cols] of Object.entries(actual)) {
        snapshot.tables[table] ??= {};
        for (const [name, col] of Object.entries(cols)) {
          const prev = snapshot.tables[table]![name];
          snapshot.tables[table]![name] = { nullable: col.nullable, type: { ...prev?.type, ...col.type } };
        }
      }
      writeFileSync(SNAPSHOT, `${JSON.stringify(snapshot, null, 2)}\n`);
    }
    const neutral = (s: Snapshot['tables']) =>
      Object.fromEntries(Object.entries(s).map(([t, cols]) => [t, Object.fromEntries(Object.entries(cols).map(([c, v]) => [c, v.nullable]))]));
    expect(neutral(actual)).toEqual(neutral(snapshot.tables));
    const typed = (s: Snapshot['tables']) =>
      Object.fromEntries(
        Object.entries(s).map(([t, cols]) => [t, Object.fromEntries(Object.entries(cols).map(([c, v]) => [c, v.type[ctx.dialect] ?? null]))]),
      );
    expect(typed(actual)).toEqual(typed(snapshot.tables));
  });
});
