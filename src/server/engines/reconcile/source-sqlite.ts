import Database from 'better-sqlite3';
import type { DatasetSpec } from '../../../contracts/reconcile.js';
import type { CanonRow, OpenContext, OpenedDataset, ResolvedColumn } from './dataset.js';
import { abortIfNeeded, canonRow, connectionError, datasetLabel, ReconcileError, resolveColumns } from './dataset.js';
import type { KeyKind } from './order.js';

/** SQLite type affinity rules (https://sqlite.org/datatype3.html §3.1): numeric affinities sort numerically. */
function affinityKind(declared: string): KeyKind {
  return /INT|REAL|FLOA|DOUB|NUM|DEC/i.test(declared) ? 'number' : 'text';
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function orderExpr(c: ResolvedColumn, kind: KeyKind): string {
  const id = ident(c.physical);
  if (kind === 'number' && c.kind !== 'number') return `CAST(${id} AS NUMERIC)`;
  return kind === 'text' ? `${id} COLLATE BINARY` : id;
}

/**
 * Open a table of a SQLite file, read-only. Rows are iterated from one ordered statement (better-sqlite3
 * steps the cursor row by row), integers as BigInt so 64-bit keys keep every digit.
 */
export async function openSqlite(spec: DatasetSpec, ctx: OpenContext): Promise<OpenedDataset> {
  const label = datasetLabel(spec);
  if (!spec.path || !spec.table) throw new ReconcileError('reconcile.invalid_spec', 400, `Thiếu path hoặc table cho ${label}.`, { side: ctx.side, dataset: label });
  let db: Database.Database;
  try {
    db = new Database(spec.path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw connectionError(ctx, label, err);
  }
  try {
    const info = db.prepare(`PRAGMA table_info(${ident(spec.table)})`).all() as { name: string; type: string }[];
    if (info.length === 0) {
      throw new ReconcileError('reconcile.table_not_found', 422, `Không có bảng "${spec.table}" trong ${label}.`, { side: ctx.side, dataset: label, table: spec.table });
    }
    const { keyCols, valueCols } = resolveColumns(
      spec,
      ctx,
      label,
      info.map((c) => ({ name: c.name, dbType: c.type.toLowerCase(), kind: affinityKind(c.type) })),
    );
    const select = [...keyCols, ...valueCols].map((c) => ident(c.physical)).join(', ');
    const n = valueCols.length;
    async function* stream(kinds: KeyKind[]): AsyncGenerator<CanonRow[]> {
      const order = keyCols.map((c, i) => orderExpr(c, kinds[i]!)).join(', ');
      const it = db.prepare(`SELECT ${select} FROM ${ident(spec.table!)} ORDER BY ${order}`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>;
      let batch: CanonRow[] = [];
      try {
        for (const raw of it) {
          batch.push(canonRow(raw, keyCols, n, ctx, label));
          if (batch.length >= ctx.batchSize) {
            abortIfNeeded(ctx.signal);
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      } finally {
        it.return?.();
      }
    }
    return { side: ctx.side, kind: 'sqlite', label, keyCols, valueCols, stream, close: async () => void db.close() };
  } catch (err) {
    db.close();
    if (err instanceof ReconcileError) throw err;
    throw connectionError(ctx, label, err);
  }
}
