import type { ChangedSample, DatasetSpec, ReconcileReport } from '../../../contracts/reconcile.js';
import type { BucketHash, CanonRow, IntRange, KeyRange, OpenContext, OpenedDataset, Side } from './dataset.js';
import { abortIfNeeded, duplicateKeyError, ReconcileError } from './dataset.js';
import type { NormaliseOptions } from './normalise.js';
import { DEFAULT_NORMALISE, rowHash } from './normalise.js';
import type { KeyKind } from './order.js';
import { keyComparator } from './order.js';
import { openFile } from './source-file.js';
import { openMysql } from './source-mysql.js';
import { openPostgres } from './source-postgres.js';
import { openSqlite } from './source-sqlite.js';

/** Progress as the comparison runs; `phase` is `ranges` while range hashes are compared, else `rows`. */
export interface ReconcileProgress {
  phase: 'ranges' | 'rows';
  rowsRead: { source: number; target: number };
  counts: ReconcileReport['counts'];
  ranges: ReconcileReport['ranges'];
}

export interface ReconcileOptions {
  /** First N keys of each kind kept as samples (default 20). */
  sampleSize?: number;
  normalise?: Partial<NormaliseOptions>;
  /** Compare key-range hashes in the databases first when both sides allow it (default true). */
  rangeHash?: boolean;
  /** Buckets of the first range-hash level (default 4096) and of each drill-down level (default 64). */
  topBuckets?: number;
  fanout?: number;
  /** A differing range with at most this many rows on either side is compared row by row (default 2000). */
  leafRows?: number;
  /** Above this fraction of differing first-level ranges, range hashing gives up and rows are streamed (default 0.5). */
  maxDifferingRanges?: number;
  /** Rows per database fetch / per batch (default 5000). */
  batchSize?: number;
  /** CSV rows held in memory before a sorted run is spilled (default 100,000). */
  sortRunRows?: number;
  tempDir?: string;
  onProgress?: (p: ReconcileProgress) => void;
  signal?: AbortSignal;
}

type Opener = (spec: DatasetSpec, ctx: OpenContext) => Promise<OpenedDataset>;
const OPENERS: Record<DatasetSpec['kind'], Opener> = { postgres: openPostgres, mysql: openMysql, sqlite: openSqlite, csv: openFile, xlsx: openFile };

/** Walks one side's ordered batches; each batch is checked for key order and uniqueness as it arrives. */
class RowCursor {
  private batch: CanonRow[] = [];
  private i = 0;
  private last: string[] | undefined;
  private done = false;
  private readonly it: AsyncIterator<CanonRow[]>;
  constructor(
    private readonly ds: OpenedDataset,
    source: AsyncIterable<CanonRow[]>,
    private readonly cmp: (a: readonly string[], b: readonly string[]) => number,
    private readonly onRead: (side: Side, n: number) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** True when the current batch is used up and another may follow: call `load()` before `head()`. */
  get empty(): boolean {
    return this.i >= this.batch.length && !this.done;
  }

  async load(): Promise<void> {
    while (this.empty) {
      abortIfNeeded(this.signal);
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return;
      }
      for (const row of r.value) {
        if (this.last) this.checkOrder(this.last, row.key);
        this.last = row.key;
      }
      this.batch = r.value;
      this.i = 0;
      this.onRead(this.ds.side, r.value.length);
    }
  }

  private checkOrder(before: string[], after: string[]): void {
    const c = this.cmp(before, after);
    if (c < 0) return;
    const columns = this.ds.keyCols.map((k) => k.physical);
    if (c === 0) throw duplicateKeyError(this.ds.side, this.ds.label, columns, after);
    throw new ReconcileError(
      'reconcile.key_order',
      422,
      `${this.ds.label} không trả về các dòng theo thứ tự khóa (${before.join(', ')} trước ${after.join(', ')}); khóa có khoảng trắng thừa hoặc kiểu dữ liệu khác giữa hai bên?`,
      { side: this.ds.side, dataset: this.ds.label, columns, before, after },
    );
  }

  /** The current row (after `load()`), or undefined at the end. */
  head(): CanonRow | undefined {
    return this.batch[this.i];
  }

  next(): void {
    this.i++;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Counts and deterministic samples, filled in key order. */
class Tally {
  counts = { equal: 0, missing: 0, extra: 0, changed: 0 };
  samples: ReconcileReport['samples'] = { missing: [], extra: [], changed: [] };
  rowsRead = { source: 0, target: 0 };
  ranges = { compared: 0, skipped: 0, rowsSkipped: 0 };
  constructor(
    private readonly keyNames: string[],
    private readonly columnNames: string[],
    private readonly sampleSize: number,
  ) {}

  private keyOf(row: CanonRow): Record<string, string> {
    const k: Record<string, string> = {};
    this.keyNames.forEach((name, i) => (k[name] = row.key[i]!));
    return k;
  }

  missing(row: CanonRow): void {
    this.counts.missing++;
    if (this.samples.missing.length < this.sampleSize) this.samples.missing.push(this.keyOf(row));
  }

  extra(row: CanonRow): void {
    this.counts.extra++;
    if (this.samples.extra.length < this.sampleSize) this.samples.extra.push(this.keyOf(row));
  }

  pair(s: CanonRow, t: CanonRow): void {
    if (rowHash(s.values) === rowHash(t.values)) {
      this.counts.equal++;
      return;
    }
    this.counts.changed++;
    if (this.samples.changed.length >= this.sampleSize) return;
    const columns: ChangedSample['columns'] = [];
    this.columnNames.forEach((column, j) => {
      if (s.values[j] !== t.values[j]) columns.push({ column, source: s.values[j] ?? null, target: t.values[j] ?? null });
    });
    this.samples.changed.push({ key: this.keyOf(s), columns });
  }
}

/** Merge-join two key-ordered streams into the tally. Awaits only at batch boundaries. */
async function mergeJoin(src: RowCursor, tgt: RowCursor, cmp: (a: readonly string[], b: readonly string[]) => number, tally: Tally): Promise<void> {
  try {
    for (;;) {
      if (src.empty || tgt.empty) await Promise.all([src.load(), tgt.load()]);
      const s = src.head();
      const t = tgt.head();
      if (!s && !t) return;
      const c = !s ? 1 : !t ? -1 : cmp(s.key, t.key);
      if (c < 0) {
        tally.missing(s!);
        src.next();
      } else if (c > 0) {
        tally.extra(t!);
        tgt.next();
      } else {
        tally.pair(s!, t!);
        src.next();
        tgt.next();
      }
    }
  } finally {
    await Promise.all([src.close(), tgt.close()]);
  }
}

/** Key order kind per key column: numeric when either database keeps it numeric, else code-point text. */
function keyKinds(a: OpenedDataset, b: OpenedDataset): KeyKind[] {
  const db = (d: OpenedDataset) => d.kind === 'postgres' || d.kind === 'mysql' || d.kind === 'sqlite';
  return a.keyCols.map((c, i) => ((db(a) && c.kind === 'number') || (db(b) && b.keyCols[i]!.kind === 'number') ? 'number' : 'text'));
}

/**
 * Compare a source dataset with its target after a migration: rows matched on the declared key, compared by
 * a SHA-256 of their normalised declared columns, reported as equal / missing / extra / changed with the first
 * keys of each. Memory stays bounded: both sides are read in key order (database cursors or an external
 * sort of files) and merge-joined. When both sides are tables of the same database engine with integer
 * and/or text key columns, aggregate hashes of key ranges are compared in the databases first (equal-width
 * ranges for a single integer key, ranges cut at source keys otherwise) and only differing ranges are
 * drilled into (recursive split, then rows), as pt-table-checksum and data-diff do.
 */
export async function reconcile(source: DatasetSpec, target: DatasetSpec, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const started = Date.now();
  const t0 = performance.now();
  const normalise: NormaliseOptions = { ...DEFAULT_NORMALISE, ...options.normalise };
  const base = { normalise, signal: options.signal, batchSize: options.batchSize ?? 5000, sortRunRows: options.sortRunRows ?? 100_000, tempDir: options.tempDir };
  if (target.key.length !== source.key.length) {
    throw new ReconcileError('reconcile.invalid_spec', 400, 'Nguồn và đích phải khai báo cùng số cột khóa.', { source: source.key, target: target.key });
  }
  // The target is declared with the source's column names; columnMap renames them.
  const tgtSpec: DatasetSpec = { ...target, key: source.key, columns: source.columns };
  abortIfNeeded(options.signal);
  const src = await OPENERS[source.kind](source, { ...base, side: 'source' });
  let tgt: OpenedDataset;
  try {
    tgt = await OPENERS[target.kind](tgtSpec, { ...base, side: 'target' });
  } catch (err) {
    await src.close();
    throw err;
  }
  const tally = new Tally(source.key, source.columns, options.sampleSize ?? 20);
  let mode: ReconcileReport['mode'] = 'rows';
  try {
    const kinds = keyKinds(src, tgt);
    const cmp = keyComparator(kinds);
    let lastReport = 0;
    const progress = (phase: ReconcileProgress['phase'], force = false) => {
      if (!options.onProgress) return;
      const read = tally.rowsRead.source + tally.rowsRead.target;
      if (!force && read - lastReport < 50_000) return;
      lastReport = read;
      options.onProgress({ phase, rowsRead: { ...tally.rowsRead }, counts: { ...tally.counts }, ranges: { ...tally.ranges } });
    };
    const onRead = (side: Side, n: number) => {
      tally.rowsRead[side] += n;
      progress(mode === 'range-hash' ? 'ranges' : 'rows');
    };
    const compareRows = (range?: IntRange | KeyRange) =>
      mergeJoin(new RowCursor(src, src.stream(kinds, range), cmp, onRead, options.signal), new RowCursor(tgt, tgt.stream(kinds, range), cmp, onRead, options.signal), cmp, tally);

    const sh = src.rangeHasher;
    const th = tgt.rangeHasher;
    const sk = src.keyRangeHasher;
    const tk = tgt.keyRangeHasher;
    if (options.rangeHash !== false && sk && tk && sk.engine === tk.engine && sk.keyClasses.join() === tk.keyClasses.join()) {
      // Text or composite key: ranges are cut at keys sampled from the source in key order (byte order for
      // text), so each range holds about the same number of source rows; the first range is open below and
      // the last open above, so target keys outside the source's span still land in a range.
      mode = 'range-hash';
      await Promise.all([sk.assertKeyUsable(), tk.assertKeyUsable()]);
      const leafRows = options.leafRows ?? 2000;
      const fanout = Math.max(2, options.fanout ?? 64);
      const same = (a: BucketHash, b: BucketHash) => a.n === b.n && a.h === b.h;
      const visit = async (range: KeyRange, parts: number, top: boolean): Promise<boolean> => {
        abortIfNeeded(options.signal);
        const points = await sk.splitPoints(range, parts);
        const [hs, ht] = await Promise.all([sk.rangeHashes(range, points), tk.rangeHashes(range, points)]);
        const ids = hs.map((_, i) => i).filter((i) => hs[i]!.n > 0 || ht[i]!.n > 0);
        if (top && ids.length >= 16) {
          const differing = ids.filter((i) => !same(hs[i]!, ht[i]!)).length;
          if (differing > ids.length * (options.maxDifferingRanges ?? 0.5)) {
            tally.ranges.compared += ids.length;
            return false;
          }
        }
        for (const i of ids) {
          tally.ranges.compared++;
          const a = hs[i]!;
          const b = ht[i]!;
          if (same(a, b)) {
            tally.ranges.skipped++;
            tally.ranges.rowsSkipped += a.n;
            tally.counts.equal += a.n;
            continue;
          }
          const sub: KeyRange = { kind: 'keys', lo: i === 0 ? range.lo : points[i - 1]!, hi: i === points.length ? range.hi : points[i]! };
          // Sub-ranges are cut at source keys: a range with few source rows (or none, while the target has
          // rows there) cannot be split further usefully, so its rows are compared.
          if (a.n <= leafRows || points.length === 0) await compareRows(sub);
          else await visit(sub, fanout, false);
        }
        progress('ranges', true);
        return true;
      };
      if (!(await visit({ kind: 'keys', lo: null, hi: null }, Math.max(1, options.topBuckets ?? 4096), true))) {
        mode = 'rows';
        await compareRows();
      }
    } else if (options.rangeHash !== false && sh && th && sh.engine === th.engine) {
      mode = 'range-hash';
      await Promise.all([sh.assertKeyUsable(), th.assertKeyUsable()]);
      const [sb, tb] = await Promise.all([sh.keyBounds(), th.keyBounds()]);
      const mins = [sb.min, tb.min].filter((v): v is bigint => v !== null);
      const maxs = [sb.max, tb.max].filter((v): v is bigint => v !== null);
      if (mins.length > 0) {
        const lo = mins.reduce((a, b) => (a < b ? a : b));
        const hi = maxs.reduce((a, b) => (a > b ? a : b)) + 1n;
        const leafRows = options.leafRows ?? 2000;
        const fanout = BigInt(Math.max(2, options.fanout ?? 64));
        // Depth-first in key order, so samples stay the first keys in key order.
        const visit = async (range: IntRange, buckets: bigint, top: boolean): Promise<boolean> => {
          abortIfNeeded(options.signal);
          const width = (range.hi - range.lo + buckets - 1n) / buckets;
          const [hs, ht] = await Promise.all([sh.bucketHashes(range, width), th.bucketHashes(range, width)]);
          const ids = [...new Set([...hs.keys(), ...ht.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          if (top && ids.length >= 16) {
            // Most ranges differ (e.g. a column type changed, so every row's text differs): drilling down would
            // hash everything again before reading it all; read the rows once instead.
            const differing = ids.filter((id) => hs.get(id)?.n !== ht.get(id)?.n || hs.get(id)?.h !== ht.get(id)?.h).length;
            if (differing > ids.length * (options.maxDifferingRanges ?? 0.5)) {
              tally.ranges.compared += ids.length;
              return false;
            }
          }
          for (const id of ids) {
            tally.ranges.compared++;
            const a = hs.get(id);
            const b = ht.get(id);
            if (a && b && a.n === b.n && a.h === b.h) {
              tally.ranges.skipped++;
              tally.ranges.rowsSkipped += a.n;
              tally.counts.equal += a.n;
              continue;
            }
            const sub = { lo: range.lo + id * width, hi: range.lo + (id + 1n) * width < range.hi ? range.lo + (id + 1n) * width : range.hi };
            if (Math.max(a?.n ?? 0, b?.n ?? 0) <= leafRows || sub.hi - sub.lo <= BigInt(leafRows)) await compareRows(sub);
            else await visit(sub, fanout, false);
          }
          progress('ranges', true);
          return true;
        };
        if (!(await visit({ lo, hi }, BigInt(Math.max(1, options.topBuckets ?? 4096)), true))) {
          mode = 'rows';
          await compareRows();
        }
      }
    } else {
      await compareRows();
    }
    progress('rows', true);
  } finally {
    await Promise.all([src.close(), tgt.close()]);
  }
  const { counts } = tally;
  return {
    outcome: counts.missing + counts.extra + counts.changed === 0 ? 'equal' : 'different',
    mode,
    source: { label: src.label, kind: src.kind, rowsRead: tally.rowsRead.source },
    target: { label: tgt.label, kind: tgt.kind, rowsRead: tally.rowsRead.target },
    counts,
    samples: tally.samples,
    ranges: tally.ranges,
    keyColumns: source.key,
    comparedColumns: source.columns,
    normalisation: { rowHash: 'sha256', ...normalise },
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
  };
}
