import type { DatasetKind, DatasetSpec } from '../../../contracts/reconcile.js';
import { AppError } from '../../core/errors.js';
import type { NormaliseOptions } from './normalise.js';
import { normaliseValue } from './normalise.js';
import type { KeyKind } from './order.js';

/** The side of a comparison, used in messages and error details. */
export type Side = 'source' | 'target';

/**
 * A reconciliation failure the user can act on: a missing table or column, a duplicated or NULL key, an
 * unreachable database. `details` names the side, the dataset and the column; never a connection string.
 */
export class ReconcileError extends AppError {
  constructor(code: string, status: number, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(code, status, message, { details, cause });
    this.name = 'ReconcileError';
  }
}

/** One declared column resolved against the dataset: its physical name, database type and key order kind. */
export interface ResolvedColumn {
  /** Declared (source) name: what reports show. */
  declared: string;
  /** The name in this dataset (after `columnMap`, and case-folded when only that matches). */
  physical: string;
  /** Lower-case database type (`bigint`, `character varying`, …); `text` for files. */
  dbType: string;
  /** Natural order kind of the column in its own database. */
  kind: KeyKind;
}

/** A row after normalisation: canonical key tuple and canonical compared values. */
export interface CanonRow {
  key: string[];
  values: (string | null)[];
}

/** A half-open integer key range `[lo, hi)` used by range hashing. */
export interface IntRange {
  lo: bigint;
  hi: bigint;
}

/** Aggregate of one key bucket: row count and an order-independent sum of per-row hashes. */
export interface BucketHash {
  n: number;
  h: string;
}

/** In-database range hashing, offered by database datasets whose single key column is an integer. */
export interface RangeHasher {
  /** `engine` must be equal on both sides for their hashes to be comparable. */
  engine: string;
  keyBounds(): Promise<{ min: bigint | null; max: bigint | null }>;
  /** Hash of each bucket `floor((key - lo) / width)` of keys in `[lo, hi)`; absent buckets have no rows. */
  bucketHashes(range: IntRange, width: bigint): Promise<Map<bigint, BucketHash>>;
  /** Fails when the key column holds NULLs or duplicates (which range hashes could not reveal). */
  assertKeyUsable(): Promise<void>;
}

/**
 * A half-open range of raw key tuples `[lo, hi)` in byte/numeric key order, used by range hashing of text
 * and composite keys; `null` is open (below the first / above the last key). Values are the database's own
 * text of each key column (not normalised), so both sides compare them with the same byte-order rules.
 */
export interface KeyRange {
  kind: 'keys';
  lo: string[] | null;
  hi: string[] | null;
}

/** Range hashing over key tuples (single text key, or composite keys of integer/text columns). */
export interface KeyRangeHasher {
  engine: string;
  /** Per key column: `int` (compared numerically) or `text` (compared by bytes); must match on both sides. */
  keyClasses: ('int' | 'text')[];
  /** Up to `parts - 1` keys of this (source) dataset inside `range` splitting its rows into ~equal parts. */
  splitPoints(range: KeyRange, parts: number): Promise<string[][]>;
  /** Count and hash of each sub-range cut by `points` (sorted, inside `range`): `points.length + 1` entries. */
  rangeHashes(range: KeyRange, points: string[][]): Promise<BucketHash[]>;
  assertKeyUsable(): Promise<void>;
}

/** A dataset opened for reading. Implementations: postgres, mysql, sqlite, file (csv/xlsx). */
export interface OpenedDataset {
  side: Side;
  kind: DatasetKind;
  label: string;
  keyCols: ResolvedColumn[];
  valueCols: ResolvedColumn[];
  /** Rows ordered by key under `kinds` (canonical key order), in batches; `range` only with `rangeHasher`. */
  stream(kinds: KeyKind[], range?: IntRange | KeyRange): AsyncIterable<CanonRow[]>;
  rangeHasher?: RangeHasher;
  keyRangeHasher?: KeyRangeHasher;
  close(): Promise<void>;
}

/** What an adapter needs besides the spec. */
export interface OpenContext {
  side: Side;
  normalise: NormaliseOptions;
  signal?: AbortSignal;
  /** Rows per fetch from a database cursor. */
  batchSize: number;
  /** Rows held in memory before a sorted run is spilled to disk (files only). */
  sortRunRows: number;
  tempDir?: string;
}

/** A label that identifies the dataset without leaking its connection string. */
export function datasetLabel(spec: DatasetSpec): string {
  if (spec.label) return spec.label;
  if (spec.kind === 'postgres' || spec.kind === 'mysql') {
    let host = '';
    try {
      const u = new URL(spec.url ?? '');
      host = `${u.hostname}${u.pathname}`;
    } catch {
      host = '?';
    }
    return `${spec.kind}:${host}#${spec.table ?? '?'}`;
  }
  if (spec.kind === 'sqlite') return `sqlite:${spec.path ?? '?'}#${spec.table ?? '?'}`;
  return `${spec.kind}:${spec.path ?? '?'}${spec.sheet ? `#${spec.sheet}` : ''}`;
}

/** The target name of each declared column (identity for the source). */
export function physicalName(spec: DatasetSpec, declared: string): string {
  return spec.columnMap?.[declared] ?? declared;
}

/**
 * Resolve declared key and compared columns against the names the dataset has: an exact match first,
 * then a unique case-insensitive one (PostgreSQL folds unquoted names to lower case, exports often do not).
 */
export function resolveColumns(
  spec: DatasetSpec,
  ctx: OpenContext,
  label: string,
  available: { name: string; dbType: string; kind: KeyKind }[],
): { keyCols: ResolvedColumn[]; valueCols: ResolvedColumn[] } {
  const one = (declared: string): ResolvedColumn => {
    const wanted = physicalName(spec, declared);
    let found = available.find((c) => c.name === wanted);
    if (!found) {
      const ci = available.filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
      if (ci.length === 1) found = ci[0];
    }
    if (!found) {
      throw new ReconcileError('reconcile.column_not_found', 422, `Cột "${wanted}" không có trong ${ctx.side === 'source' ? 'nguồn' : 'đích'} ${label}.`, {
        side: ctx.side,
        dataset: label,
        column: wanted,
        available: available.map((c) => c.name).slice(0, 100),
      });
    }
    return { declared, physical: found.name, dbType: found.dbType, kind: found.kind };
  };
  return { keyCols: spec.key.map(one), valueCols: spec.columns.map(one) };
}

/** Normalise a raw row `[keys…, values…]`; a NULL or empty key is an error naming the column. */
export function canonRow(raw: readonly unknown[], keyCols: ResolvedColumn[], nValues: number, ctx: OpenContext, label: string): CanonRow {
  const key: string[] = new Array<string>(keyCols.length);
  for (let i = 0; i < keyCols.length; i++) {
    const k = normaliseValue(raw[i], ctx.normalise);
    if (k === null || k === '') {
      throw new ReconcileError('reconcile.null_key', 422, `Khóa "${keyCols[i]!.physical}" rỗng (NULL) ở ${ctx.side === 'source' ? 'nguồn' : 'đích'} ${label}.`, {
        side: ctx.side,
        dataset: label,
        column: keyCols[i]!.physical,
      });
    }
    key[i] = k;
  }
  const values = new Array<string | null>(nValues);
  for (let j = 0; j < nValues; j++) values[j] = normaliseValue(raw[keyCols.length + j], ctx.normalise);
  return { key, values };
}

/** Wrap a driver failure to connect or read as a ReconcileError naming the dataset (message only, no URL). */
export function connectionError(ctx: OpenContext, label: string, err: unknown): ReconcileError {
  const msg = err instanceof Error ? err.message : String(err);
  return new ReconcileError('reconcile.connection_failed', 502, `Không kết nối được ${ctx.side === 'source' ? 'nguồn' : 'đích'} ${label}: ${msg}`, { side: ctx.side, dataset: label }, err);
}

export function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ReconcileError('reconcile.aborted', 499, 'Đối soát đã bị hủy.');
}

/** The error for a key that appears twice in one dataset. */
export function duplicateKeyError(side: string, label: string, columns: string[], key: string[]): ReconcileError {
  return new ReconcileError('reconcile.duplicate_key', 422, `Khóa (${columns.join(', ')}) = (${key.join(', ')}) bị trùng ở ${side === 'source' ? 'nguồn' : 'đích'} ${label}.`, {
    side,
    dataset: label,
    columns,
    key,
  });
}
