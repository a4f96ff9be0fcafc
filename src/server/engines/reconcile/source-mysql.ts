import mysql from 'mysql2';
import type { DatasetSpec } from '../../../contracts/reconcile.js';
import type { BucketHash, CanonRow, IntRange, KeyRange, KeyRangeHasher, OpenContext, OpenedDataset, RangeHasher, ResolvedColumn } from './dataset.js';
import { abortIfNeeded, canonRow, connectionError, datasetLabel, duplicateKeyError, ReconcileError, resolveColumns } from './dataset.js';
import type { KeyKind } from './order.js';

const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'float', 'double', 'real']);
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);
/** Key types range-hashed as key tuples: compared by UTF-8 bytes or numerically on both sides. */
const TUPLE_TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);

/** Quote a MySQL/MariaDB identifier. */
export function myIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

function orderExpr(c: ResolvedColumn, kind: KeyKind): string {
  const id = myIdent(c.physical);
  if (kind === 'number' && !NUMERIC_TYPES.has(c.dbType)) return `CAST(${id} AS DECIMAL(65,30))`;
  // Byte order of UTF-8 = code-point order, whatever the column's collation (and without PAD SPACE).
  if (kind === 'text' && TEXT_TYPES.has(c.dbType)) return `CAST(CONVERT(${id} USING utf8mb4) AS BINARY)`;
  return id;
}

/**
 * Open a MySQL/MariaDB table. Rows are streamed from one ordered query (mysql2 row streaming with
 * back-pressure), so memory holds a batch whatever the table size. Dates and big numbers arrive as the
 * server's text, in a UTC session.
 */
export async function openMysql(spec: DatasetSpec, ctx: OpenContext): Promise<OpenedDataset> {
  const label = datasetLabel(spec);
  if (!spec.url || !spec.table) throw new ReconcileError('reconcile.invalid_spec', 400, `Thiếu url hoặc table cho ${label}.`, { side: ctx.side, dataset: label });
  const conn = mysql.createConnection({ uri: spec.url, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, connectTimeout: 10_000 });
  conn.on('error', () => undefined);
  const q = conn.promise();
  try {
    await q.connect();
    await q.query("SET time_zone = '+00:00'");
  } catch (err) {
    conn.destroy();
    throw connectionError(ctx, label, err);
  }
  try {
    const dot = spec.table.indexOf('.');
    const schema = dot < 0 ? null : spec.table.slice(0, dot);
    const name = dot < 0 ? spec.table : spec.table.slice(dot + 1);
    const tsql = schema ? `${myIdent(schema)}.${myIdent(name)}` : myIdent(name);
    const [cols] = (await q.query(
      'SELECT COLUMN_NAME AS n, DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [schema, name],
    )) as unknown as [{ n: string; t: string }[]];
    if (cols.length === 0) {
      throw new ReconcileError('reconcile.table_not_found', 422, `Không có bảng "${spec.table}" trong ${label}.`, { side: ctx.side, dataset: label, table: spec.table });
    }
    const { keyCols, valueCols } = resolveColumns(
      spec,
      ctx,
      label,
      cols.map((r) => ({ name: r.n, dbType: r.t.toLowerCase(), kind: NUMERIC_TYPES.has(r.t.toLowerCase()) ? 'number' : 'text' })),
    );
    const select = [...keyCols, ...valueCols].map((c) => myIdent(c.physical)).join(', ');
    const n = valueCols.length;
    const single = keyCols.length === 1 && INTEGER_TYPES.has(keyCols[0]!.dbType) ? keyCols[0]! : undefined;
    const kid = single ? myIdent(single.physical) : '';

    // Key tuples for range hashing of text/composite keys: text by UTF-8 bytes, integers as integers.
    const tupleKey = !single && keyCols.every((c) => INTEGER_TYPES.has(c.dbType) || TUPLE_TEXT_TYPES.has(c.dbType));
    const isInt = (c: ResolvedColumn) => INTEGER_TYPES.has(c.dbType);
    const keyExpr = (c: ResolvedColumn) => (isInt(c) ? myIdent(c.physical) : `CAST(CONVERT(${myIdent(c.physical)} USING utf8mb4) AS BINARY)`);
    /** A key value as a SQL literal: integers inlined as validated digits (a string would compare as a double). */
    const keyLit = (c: ResolvedColumn, v: string) => {
      if (!isInt(c)) return `CAST(CONVERT(${conn.escape(v)} USING utf8mb4) AS BINARY)`;
      if (!/^-?\d+$/.test(v)) throw new ReconcileError('reconcile.read_failed', 422, `Khóa "${c.physical}" không phải số nguyên ở ${label}.`, { side: ctx.side, dataset: label });
      return v;
    };
    const keyTuple = `(${keyCols.map(keyExpr).join(', ')})`;
    const tupleLit = (b: string[]) => `(${keyCols.map((c, i) => keyLit(c, b[i]!)).join(', ')})`;
    const rangeCond = (range: KeyRange): string => {
      const parts: string[] = [];
      if (range.lo) parts.push(`${keyTuple} >= ${tupleLit(range.lo)}`);
      if (range.hi) parts.push(`${keyTuple} < ${tupleLit(range.hi)}`);
      return parts.length ? parts.join(' AND ') : '1';
    };

    async function* stream(kinds: KeyKind[], range?: IntRange | KeyRange): AsyncGenerator<CanonRow[]> {
      const order = keyCols.map((c, i) => orderExpr(c, kinds[i]!)).join(', ');
      // Range bounds are BigInts computed here and inlined as digits: a bound passed as a parameter string
      // would be compared as a double and lose precision above 2^53.
      const where = !range ? '' : 'kind' in range ? ` WHERE ${rangeCond(range)}` : ` WHERE ${kid} >= ${range.lo} AND ${kid} < ${range.hi}`;
      const rows = conn.query({ sql: `SELECT ${select} FROM ${tsql}${where} ORDER BY ${order}`, rowsAsArray: true }).stream({ highWaterMark: ctx.batchSize });
      let batch: CanonRow[] = [];
      try {
        for await (const raw of rows as AsyncIterable<unknown[]>) {
          batch.push(canonRow(raw, keyCols, n, ctx, label));
          if (batch.length >= ctx.batchSize) {
            abortIfNeeded(ctx.signal);
            yield batch;
            batch = [];
          }
        }
      } catch (err) {
        if (err instanceof ReconcileError) throw err;
        throw connectionError(ctx, label, err);
      }
      if (batch.length > 0) yield batch;
    }

    let rangeHasher: RangeHasher | undefined;
    if (single) {
      // QUOTE() spells NULL as NULL and every value as an escaped literal, so the row text is unambiguous.
      const rowText = `CONCAT_WS(',', ${[...keyCols, ...valueCols].map((c) => `QUOTE(${myIdent(c.physical)})`).join(', ')})`;
      rangeHasher = {
        engine: 'mysql',
        async keyBounds() {
          const [r] = (await q.query({ sql: `SELECT CAST(MIN(${kid}) AS CHAR), CAST(MAX(${kid}) AS CHAR) FROM ${tsql}`, rowsAsArray: true })) as unknown as [(string | null)[][]];
          const [min, max] = r[0] ?? [null, null];
          return { min: min == null ? null : BigInt(min), max: max == null ? null : BigInt(max) };
        },
        async bucketHashes(range, width) {
          const [r] = (await q.query({
            sql: `SELECT CAST((${kid} - ${range.lo}) DIV ${width} AS CHAR) AS b, COUNT(*),
                    CAST(SUM(CAST(CONV(SUBSTR(m, 1, 16), 16, 10) AS UNSIGNED)) AS CHAR), CAST(SUM(CAST(CONV(SUBSTR(m, 17, 16), 16, 10) AS UNSIGNED)) AS CHAR)
                    FROM (SELECT ${kid}, MD5(${rowText}) AS m FROM ${tsql} WHERE ${kid} >= ${range.lo} AND ${kid} < ${range.hi}) s GROUP BY b`,
            rowsAsArray: true,
          })) as unknown as [(string | number)[][]];
          const out = new Map<bigint, BucketHash>();
          for (const [b, c, s1, s2] of r) out.set(BigInt(String(b)), { n: Number(c), h: `${s1}:${s2}` });
          return out;
        },
        async assertKeyUsable() {
          const [nul] = (await q.query(`SELECT 1 FROM ${tsql} WHERE ${kid} IS NULL LIMIT 1`)) as unknown as [unknown[]];
          if (nul.length > 0) {
            throw new ReconcileError('reconcile.null_key', 422, `Khóa "${single.physical}" rỗng (NULL) ở ${label}.`, { side: ctx.side, dataset: label, column: single.physical });
          }
          const [uniq] = (await q.query(
            `SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0
              GROUP BY INDEX_NAME HAVING COUNT(*) = 1 AND MAX(COLUMN_NAME) = ?`,
            [schema, name, single.physical],
          )) as unknown as [unknown[]];
          if (uniq.length > 0) return;
          const [dup] = (await q.query({ sql: `SELECT CAST(${kid} AS CHAR) FROM ${tsql} GROUP BY ${kid} HAVING COUNT(*) > 1 ORDER BY ${kid} LIMIT 1`, rowsAsArray: true })) as unknown as [string[][]];
          if (dup.length > 0) throw duplicateKeyError(ctx.side, label, [single.physical], [String(dup[0]![0])]);
        },
      };
    }

    let keyRangeHasher: KeyRangeHasher | undefined;
    if (tupleKey) {
      const rowText = `CONCAT_WS(',', ${[...keyCols, ...valueCols].map((c) => `QUOTE(${myIdent(c.physical)})`).join(', ')})`;
      const keyOut = (c: ResolvedColumn) => (isInt(c) ? `CAST(${myIdent(c.physical)} AS CHAR)` : `CONVERT(${myIdent(c.physical)} USING utf8mb4)`);
      keyRangeHasher = {
        engine: 'mysql',
        keyClasses: keyCols.map((c) => (isInt(c) ? 'int' : 'text')),
        async splitPoints(range, parts) {
          const p = Math.max(1, Math.floor(parts));
          const [r] = (await q.query({
            sql: `SELECT ${keyCols.map((_, i) => `k${i}`).join(', ')} FROM (
                    SELECT ${keyCols.map((c, i) => `${keyOut(c)} AS k${i}`).join(', ')}, ROW_NUMBER() OVER (ORDER BY ${keyCols.map(keyExpr).join(', ')}) AS rn, COUNT(*) OVER () AS c
                      FROM ${tsql} WHERE ${rangeCond(range)}) s
                   WHERE rn > 1 AND MOD(rn - 1, CEIL(c / ${p})) = 0 ORDER BY rn`,
            rowsAsArray: true,
          })) as unknown as [unknown[][]];
          return r.map((row) => row.map((v) => String(v)));
        },
        async rangeHashes(range, points) {
          // Rows and boundaries sorted together in one pass: a row's bucket is the number of boundaries at or
          // before its key (boundaries sort before an equal key: half-open ranges [b_i, b_i+1)).
          const ks = keyCols.map((_, i) => `k${i}`).join(', ');
          const bounds = points.map((b) => ` UNION ALL SELECT ${keyCols.map((c, i) => keyLit(c, b[i]!)).join(', ')}, 0, NULL`).join('');
          const [r] = (await q.query({
            sql: `SELECT CAST(bi AS CHAR), COUNT(*),
                    CAST(SUM(CAST(CONV(SUBSTR(m, 1, 16), 16, 10) AS UNSIGNED)) AS CHAR), CAST(SUM(CAST(CONV(SUBSTR(m, 17, 16), 16, 10) AS UNSIGNED)) AS CHAR)
                    FROM (SELECT r, m, SUM(1 - r) OVER (ORDER BY ${ks}, r ROWS UNBOUNDED PRECEDING) AS bi FROM (
                      SELECT ${keyCols.map((c, i) => `${keyExpr(c)} AS k${i}`).join(', ')}, 1 AS r, MD5(${rowText}) AS m FROM ${tsql} WHERE ${rangeCond(range)}${bounds}
                    ) u) s WHERE r = 1 GROUP BY bi`,
            rowsAsArray: true,
          })) as unknown as [(string | number)[][]];
          const out: BucketHash[] = Array.from({ length: points.length + 1 }, () => ({ n: 0, h: '0:0' }));
          for (const [b, c, s1, s2] of r) out[Number(b)] = { n: Number(c), h: `${s1}:${s2}` };
          return out;
        },
        async assertKeyUsable() {
          const names = keyCols.map((c) => c.physical);
          const ids = keyCols.map((c) => myIdent(c.physical));
          const [nul] = (await q.query({ sql: `SELECT ${ids.map((k) => `${k} IS NULL`).join(', ')} FROM ${tsql} WHERE ${ids.map((k) => `${k} IS NULL`).join(' OR ')} LIMIT 1`, rowsAsArray: true })) as unknown as [unknown[][]];
          if (nul.length > 0) {
            const column = names[nul[0]!.findIndex((v) => Number(v) === 1)] ?? names[0]!;
            throw new ReconcileError('reconcile.null_key', 422, `Khóa "${column}" rỗng (NULL) ở ${label}.`, { side: ctx.side, dataset: label, column });
          }
          const [uniq] = (await q.query(
            `SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0
              GROUP BY INDEX_NAME HAVING COUNT(*) = ? AND SUM(COLUMN_NAME IN (?)) = ?`,
            [schema, name, names.length, names, names.length],
          )) as unknown as [unknown[]];
          if (uniq.length > 0) return;
          const [dup] = (await q.query({ sql: `SELECT ${keyCols.map(keyOut).join(', ')} FROM ${tsql} GROUP BY ${ids.join(', ')} HAVING COUNT(*) > 1 LIMIT 1`, rowsAsArray: true })) as unknown as [unknown[][]];
          if (dup.length > 0) throw duplicateKeyError(ctx.side, label, names, dup[0]!.map(String));
        },
      };
    }

    return {
      side: ctx.side,
      kind: 'mysql',
      keyRangeHasher,
      label,
      keyCols,
      valueCols,
      stream,
      rangeHasher,
      // destroy, not end: end() would first wait for an abandoned stream to drain the whole table.
      close: async () => conn.destroy(),
    };
  } catch (err) {
    conn.destroy();
    if (err instanceof ReconcileError) throw err;
    throw connectionError(ctx, label, err);
  }
}
