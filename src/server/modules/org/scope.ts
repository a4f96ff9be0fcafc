import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * `(column LIKE prefix1% OR column LIKE prefix2% …)` for the actor's scope prefixes; no prefix means no row
 * (deny by default). Paths hold only UUIDs and slashes, so they contain no LIKE wildcards.
 */
export function pathInScope(column: string, prefixes: string[]): RawBuilder<SqlBool> {
  if (prefixes.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`(${sql.join(
    prefixes.map((p) => sql`${sql.ref(column)} like ${`${p}%`}`),
    sql` or `,
  )})`;
}

/** The day before an ISO date (`2025-07-01` → `2025-06-30`). */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Today's date (UTC+7, Vietnam) from the injectable clock. */
export function todayVn(clock: () => number): string {
  return new Date(clock() + 7 * 3600_000).toISOString().slice(0, 10);
}
