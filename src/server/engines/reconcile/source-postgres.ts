import pg from 'pg';
import type { DatasetSpec } from '../../../contracts/reconcile.js';
import type { BucketHash, CanonRow, IntRange, KeyRange, KeyRangeHasher, OpenContext, OpenedDataset, RangeHasher, ResolvedColumn } from './dataset.js';
import { abortIfNeeded, canonRow, connectionError, datasetLabel, duplicateKeyError, ReconcileError, resolveColumns } from './dataset.js';
import type { KeyKind } from './order.js';

const NUMERIC_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);
const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'name', 'citext']);
/** Key types range-hashed as key tuples: compared by bytes (`COLLATE "C"`) or numerically on both sides. */
const TUPLE_TEXT_TYPES = new Set(['text', 'character varying']);

/** Quote a PostgreSQL identifier. */
export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` or `table` → quoted, qualified name and its parts. */
function splitTable(table: string): { schema: string | null; name: string; sql: string } {
  const dot = table.indexOf('.');
  if (dot < 0) return { schema: null, name: table, sql: pgIdent(table) };
  const schema = table.slice(0, dot);
  const name = table.slice(dot + 1);
  return { schema, name, sql: `${pgIdent(schema)}.${pgIdent(name)}` };
}

/** Every value arrives as the server's text: the engine normalises text itself, identically on every side. */
const rawTypes = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

/** ORDER BY expression that sorts like `keyComparator`: text by code point, numbers numerically. */
function orderExpr(c: ResolvedColumn, kind: KeyKind): string {
  const id = pgIdent(c.physical);
  if (kind === 'number' && !NUMERIC_TYPES.has(c.dbType)) return `(${id})::numeric`;
  if (kind === 'text' && TEXT_TYPES.has(c.dbType)) return `${id} COLLATE "C"`;
  return id;
}

/**
 * Open a PostgreSQL table. Rows are read through a server-side cursor (DECLARE … FETCH inside a
 * REPEATABLE READ, READ ONLY transaction), so memory holds one fetch whatever the table size and the read
 * is one consistent snapshot. Session settings (UTC, ISO dates) make the server's text form stable.
 */
export async function openPostgres(spec: DatasetSpec, ctx: OpenContext): Promise<OpenedDataset> {
  const label = datasetLabel(spec);
  if (!spec.url || !spec.table) throw new ReconcileError('reconcile.invalid_spec', 400, `Thiếu url hoặc table cho ${label}.`, { side: ctx.side, dataset: label });
  const client = new pg.Client({ connectionString: spec.url, types: rawTypes, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined); // a dropped connection surfaces on the next query instead
  try {
    await client.connect();
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1");
  } catch (err) {
    await client.end().catch(() => undefined);
    throw connectionError(ctx, label, err);
  }
  try {
    const t = splitTable(spec.table);
    const cols = await client.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`,
      [t.schema, t.name],
    );
    if (cols.rows.length === 0) {
      throw new ReconcileError('reconcile.table_not_found', 422, `Không có bảng "${spec.table}" trong ${label}.`, { side: ctx.side, dataset: label, table: spec.table });
    }
    const { keyCols, valueCols } = resolveColumns(
      spec,
      ctx,
      label,
      cols.rows.map((r) => ({ name: r.column_name, dbType: r.data_type, kind: NUMERIC_TYPES.has(r.data_type) ? 'number' : 'text' })),
    );
    const select = [...keyCols, ...valueCols].map((c) => pgIdent(c.physical)).join(', ');
    const n = valueCols.length;
    const single = keyCols.length === 1 && INTEGER_TYPES.has(keyCols[0]!.dbType) ? keyCols[0]! : undefined;
    const kid = single ? pgIdent(single.physical) : '';

    // Key tuples for range hashing of text/composite keys: text by bytes, integers as bigint.
    const tupleKey = !single && keyCols.every((c) => INTEGER_TYPES.has(c.dbType) || TUPLE_TEXT_TYPES.has(c.dbType));
    const keyExpr = (c: ResolvedColumn, name = pgIdent(c.physical)) => (INTEGER_TYPES.has(c.dbType) ? `${name}::bigint` : `${name}::text COLLATE "C"`);
    const keyTuple = `(${keyCols.map((c) => keyExpr(c)).join(', ')})`;
    /** WHERE condition of a key-tuple range, parameters numbered from `first`. */
    const rangeCond = (range: KeyRange, first: number): { sql: string; values: string[] } => {
      const parts: string[] = [];
      const values: string[] = [];
      const bound = (b: string[], op: string) => {
        const ps = keyCols.map((c, i) => keyExpr(c, `$${first + values.length + i}`));
        parts.push(`${keyTuple} ${op} (${ps.join(', ')})`);
        values.push(...b);
      };
      if (range.lo) bound(range.lo, '>=');
      if (range.hi) bound(range.hi, '<');
      return { sql: parts.length ? parts.join(' AND ') : 'true', values };
    };

    async function* stream(kinds: KeyKind[], range?: IntRange | KeyRange): AsyncGenerator<CanonRow[]> {
      const order = keyCols.map((c, i) => orderExpr(c, kinds[i]!)).join(', ');
      if (range && 'kind' in range) {
        // A leaf range of key-tuple range hashing: at most a few thousand source rows, one plain query.
        const w = rangeCond(range, 1);
        const r = await client.query({ text: `SELECT ${select} FROM ${t.sql} WHERE ${w.sql} ORDER BY ${order}`, values: w.values, rowMode: 'array' });
        yield r.rows.map((raw: unknown[]) => canonRow(raw, keyCols, n, ctx, label));
        return;
      }
      if (range) {
        // A leaf range of range hashing: at most a few thousand rows, one plain query.
        const r = await client.query({ text: `SELECT ${select} FROM ${t.sql} WHERE ${kid} >= $1::bigint AND ${kid} < $2::bigint ORDER BY ${order}`, values: [String(range.lo), String(range.hi)], rowMode: 'array' });
        yield r.rows.map((raw: unknown[]) => canonRow(raw, keyCols, n, ctx, label));
        return;
      }
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let done = false;
      try {
        await client.query(`DECLARE khien_reconcile NO SCROLL CURSOR FOR SELECT ${select} FROM ${t.sql} ORDER BY ${order}`);
        // One fetch ahead: the server produces the next batch while this one is normalised and compared.
        const fetch = () => client.query({ text: `FETCH ${ctx.batchSize} FROM khien_reconcile`, rowMode: 'array' });
        let pending = fetch();
        for (;;) {
          abortIfNeeded(ctx.signal);
          const r = await pending;
          if (r.rows.length === 0) break;
          pending = fetch();
          pending.catch(() => undefined); // awaited on the next turn; a failure then is reported there
          yield r.rows.map((raw: unknown[]) => canonRow(raw, keyCols, n, ctx, label));
        }
        done = true;
      } finally {
        await client.query(done ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
      }
    }

    let rangeHasher: RangeHasher | undefined;
    if (single) {
      // Row text: the record's own text form (NULL and '' differ, columns cannot run into each other).
      const rowText = `ROW(${select})::text`;
      rangeHasher = {
        engine: 'postgres',
        async keyBounds() {
          const r = await client.query({ text: `SELECT min(${kid})::text, max(${kid})::text FROM ${t.sql}`, rowMode: 'array' });
          const [min, max] = (r.rows[0] ?? [null, null]) as (string | null)[];
          return { min: min == null ? null : BigInt(min), max: max == null ? null : BigInt(max) };
        },
        async bucketHashes(range, width) {
          // Order-independent aggregate per bucket: row count and the sum of a 64-bit hash of each row's text
          // (hashtextextended, the server's own hash for hash partitioning: stable across releases, ~5× cheaper
          // than md5 here). A sum needs no sort and one pass; equal sums on both sides mean equal rows up to a
          // 2^-64 accident per range. It is a filter, not a proof against crafted rows: `rangeHash: false`
          // compares every row by SHA-256. Two servers of different byte order hash differently, which only
          // makes every range "differ" and falls back to rows.
          await client.query("BEGIN; SET LOCAL enable_sort = off; SET LOCAL work_mem = '64MB'");
          try {
            const r = await client.query({
              text: `SELECT (${kid}::bigint - $1::bigint) / $3::bigint AS b, count(*)::text, sum(hashtextextended(${rowText}, 0))::text
                       FROM ${t.sql} WHERE ${kid} >= $1::bigint AND ${kid} < $2::bigint GROUP BY 1`,
              values: [String(range.lo), String(range.hi), String(width)],
              rowMode: 'array',
            });
            const out = new Map<bigint, BucketHash>();
            for (const [b, c, h] of r.rows as string[][]) out.set(BigInt(b!), { n: Number(c), h: h! });
            return out;
          } finally {
            await client.query('COMMIT');
          }
        },
        async assertKeyUsable() {
          const nul = await client.query(`SELECT 1 FROM ${t.sql} WHERE ${kid} IS NULL LIMIT 1`);
          if (nul.rows.length > 0) {
            throw new ReconcileError('reconcile.null_key', 422, `Khóa "${single.physical}" rỗng (NULL) ở ${label}.`, { side: ctx.side, dataset: label, column: single.physical });
          }
          const uniq = await client.query(
            `SELECT 1 FROM pg_index ix JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[0]
              WHERE ix.indrelid = $1::regclass AND ix.indisunique AND ix.indnkeyatts = 1 AND ix.indpred IS NULL AND a.attname = $2 LIMIT 1`,
            [t.sql, single.physical],
          );
          if (uniq.rows.length > 0) return;
          const dup = await client.query({ text: `SELECT ${kid}::text FROM ${t.sql} GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1`, rowMode: 'array' });
          if (dup.rows.length > 0) throw duplicateKeyError(ctx.side, label, [single.physical], [String((dup.rows[0] as unknown[])[0])]);
        },
      };
    }

    let keyRangeHasher: KeyRangeHasher | undefined;
    if (tupleKey) {
      const rowText = `ROW(${select})::text`;
      const ks = keyCols.map((_, i) => `k${i}`);
      keyRangeHasher = {
        engine: 'postgres',
        keyClasses: keyCols.map((c) => (INTEGER_TYPES.has(c.dbType) ? 'int' : 'text')),
        async splitPoints(range, parts) {
          // Every ceil(count / parts)-th key in key order (one sort of the range).
          const w = rangeCond(range, 2);
          const r = await client.query({
            text: `SELECT ${ks.map((k) => `${k}::text`).join(', ')} FROM (
                     SELECT ${keyCols.map((c, i) => `${pgIdent(c.physical)} AS k${i}`).join(', ')}, row_number() OVER (ORDER BY ${keyCols.map((c) => keyExpr(c)).join(', ')}) AS rn, count(*) OVER () AS c
                       FROM ${t.sql} WHERE ${w.sql}) s
                    WHERE rn > 1 AND (rn - 1) % ((c + $1::bigint - 1) / $1::bigint) = 0 ORDER BY rn`,
            values: [String(Math.max(1, parts)), ...w.values],
            rowMode: 'array',
          });
          return r.rows as string[][];
        },
        async rangeHashes(range, points) {
          // Rows and boundaries sorted together in one pass: a row's bucket is the number of boundaries at or
          // before its key (boundaries sort before an equal key, so ranges are half-open [b_i, b_i+1)).
          const w = rangeCond(range, keyCols.length + 1);
          const arrays = keyCols.map((_, i) => points.map((p) => p[i]!));
          const order = keyCols.map((c, i) => keyExpr(c, `k${i}`)).join(', ');
          const r = await client.query({
            text: `SELECT bi::text, count(*)::text, sum(h)::text FROM (
                     SELECT r, h, sum(1 - r) OVER (ORDER BY ${order}, r ROWS UNBOUNDED PRECEDING) AS bi FROM (
                       SELECT ${keyCols.map((c, i) => `${keyExpr(c)} AS k${i}`).join(', ')}, 1 AS r, hashtextextended(${rowText}, 0) AS h FROM ${t.sql} WHERE ${w.sql}
                       UNION ALL
                       SELECT ${keyCols.map((c, i) => keyExpr(c, `b.c${i}`)).join(', ')}, 0, NULL FROM unnest(${keyCols.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS b(${ks.map((_, i) => `c${i}`).join(', ')})
                     ) u
                   ) s WHERE r = 1 GROUP BY bi`,
            values: [...arrays, ...w.values],
            rowMode: 'array',
          });
          const out: BucketHash[] = Array.from({ length: points.length + 1 }, () => ({ n: 0, h: '0' }));
          for (const [b, c, h] of r.rows as string[][]) out[Number(b)] = { n: Number(c), h: h! };
          return out;
        },
        async assertKeyUsable() {
          const names = keyCols.map((c) => c.physical);
          const nul = await client.query({ text: `SELECT ${keyCols.map((c) => `${pgIdent(c.physical)} IS NULL`).join(', ')} FROM ${t.sql} WHERE ${keyCols.map((c) => `${pgIdent(c.physical)} IS NULL`).join(' OR ')} LIMIT 1`, rowMode: 'array' });
          if (nul.rows.length > 0) {
            const column = names[(nul.rows[0] as boolean[]).findIndex((v) => String(v) === 't' || v === true)] ?? names[0]!;
            throw new ReconcileError('reconcile.null_key', 422, `Khóa "${column}" rỗng (NULL) ở ${label}.`, { side: ctx.side, dataset: label, column });
          }
          const uniq = await client.query(
            `SELECT 1 FROM pg_index ix
              WHERE ix.indrelid = $1::regclass AND ix.indisunique AND ix.indpred IS NULL AND ix.indnkeyatts = $2
                AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a
                      WHERE a.attrelid = ix.indrelid AND a.attnum = ANY ((ix.indkey::int2[])[0:ix.indnkeyatts - 1]))
                    = (SELECT array_agg(x ORDER BY x) FROM unnest($3::text[]) x) LIMIT 1`,
            [t.sql, names.length, names],
          );
          if (uniq.rows.length > 0) return;
          const cols = keyCols.map((c) => pgIdent(c.physical));
          const dup = await client.query({ text: `SELECT ${cols.map((c) => `${c}::text`).join(', ')} FROM ${t.sql} GROUP BY ${cols.join(', ')} HAVING count(*) > 1 LIMIT 1`, rowMode: 'array' });
          if (dup.rows.length > 0) throw duplicateKeyError(ctx.side, label, names, (dup.rows[0] as unknown[]).map(String));
        },
      };
    }

    return { side: ctx.side, kind: 'postgres', label, keyCols, valueCols, stream, rangeHasher, keyRangeHasher, close: () => client.end().catch(() => undefined) };
  } catch (err) {
    await client.end().catch(() => undefined);
    if (err instanceof ReconcileError) throw err;
    throw connectionError(ctx, label, err);
  }
}
