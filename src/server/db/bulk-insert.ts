import { CompiledQuery, type Insertable } from 'kysely';
import type { Database, Db, Tx } from './database.js';

type Row<T extends keyof Database> = Insertable<Database[T]>;

// Compiled multi-row INSERTs, per database handle (a transaction is its own handle), by table, columns and row
// count. Building and compiling a 200-row × 45-column insert through the query builder cost about as much CPU as
// SQLite spent storing the rows (profile of the vuln-import bench); the SQL text only depends on the shape.
const compiled = new WeakMap<object, Map<string, string>>();

/**
 * Insert many rows of one table in statements of `chunk` rows. Every row must have exactly `columns` (values may be
 * null); the SQL is compiled by Kysely once per shape and reused, so the dialect's quoting and placeholders are the
 * query builder's own. With `ignoreConflictOn`, rows whose key already exists are skipped (ON CONFLICT DO NOTHING).
 */
export async function insertMany<T extends keyof Database & string>(
  db: Db | Tx,
  table: T,
  columns: readonly (keyof Row<T> & string)[],
  rows: readonly Row<T>[],
  options: { chunk?: number; ignoreConflictOn?: keyof Row<T> & string } = {},
): Promise<void> {
  const chunk = Math.max(1, Math.min(options.chunk ?? 200, Math.floor(30_000 / columns.length))); // under SQLite's 32,766 parameters
  let byShape = compiled.get(db);
  if (!byShape) compiled.set(db, (byShape = new Map()));
  for (let i = 0; i < rows.length; i += chunk) {
    const n = Math.min(chunk, rows.length - i);
    const shape = `${table}|${columns.join(',')}|${n}|${options.ignoreConflictOn ?? ''}`;
    let sqlText = byShape.get(shape);
    if (sqlText === undefined) {
      const blank = Object.fromEntries(columns.map((c) => [c, null])) as Row<T>;
      // The table is generic here; the columns were checked against it in the signature.
      let q = (db as Db).insertInto(table as any).values(Array.from({ length: n }, () => blank) as any) as any;
      if (options.ignoreConflictOn) q = q.onConflict((oc: any) => oc.column(options.ignoreConflictOn).doNothing());
      const c = q.compile() as CompiledQuery;
      if (c.parameters.length !== n * columns.length) throw new Error(`insertMany(${table}): compiled ${c.parameters.length} parameters for ${n} × ${columns.length}`);
      sqlText = c.sql;
      byShape.set(shape, sqlText);
    }
    const params: unknown[] = new Array(n * columns.length);
    let k = 0;
    for (let r = i; r < i + n; r++) {
      const row = rows[r] as Record<string, unknown>;
      for (const col of columns) {
        const v = row[col];
        params[k++] = v === undefined ? null : v;
      }
    }
    await db.executeQuery(CompiledQuery.raw(sqlText, params));
  }
}
