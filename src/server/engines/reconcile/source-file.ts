import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { DatasetSpec } from '../../../contracts/reconcile.js';
import { unsafeCell } from '../tabular/tabular.js';
import { assertZipWithinLimits, ZipGuardError } from '../tabular/zip-guard.js';
import type { CanonRow, OpenContext, OpenedDataset, ResolvedColumn } from './dataset.js';
import { abortIfNeeded, canonRow, connectionError, datasetLabel, ReconcileError, resolveColumns } from './dataset.js';
import type { KeyKind } from './order.js';
import { keyComparator } from './order.js';

/**
 * CSV and XLSX exports. Files are not sorted, so rows are normalised and sorted here with bounded memory:
 * at most `sortRunRows` rows are held, each full batch is sorted and spilled to a temporary file (one JSON
 * line per row), and the sorted runs are merged k-way while the comparison reads them. A file that fits in
 * one run never touches the disk.
 *
 * CSV is parsed as a stream with the tabular engine's dialect (UTF-8, optional BOM, `,` or `;` — here one
 * per file, taken from the header line — trimmed cells, formula-protection apostrophes removed): the
 * tabular reader loads the whole file and stops at 100,000 rows, which a reconciliation cannot. XLSX is
 * checked by the tabular engine's ZIP guard (≤150 MiB uncompressed) and then loaded whole by exceljs, so
 * its bound is that guard, not `sortRunRows`; cells keep their type (an Excel date keeps its time of day, which the tabular reader drops).
 */
export async function openFile(spec: DatasetSpec, ctx: OpenContext): Promise<OpenedDataset> {
  const label = datasetLabel(spec);
  if (!spec.path) throw new ReconcileError('reconcile.invalid_spec', 400, `Thiếu path cho ${label}.`, { side: ctx.side, dataset: label });
  const path = spec.path;
  const records: AsyncIterator<unknown[]> = spec.kind === 'xlsx' ? (await xlsxRows(path, spec.sheet, ctx, label))[Symbol.asyncIterator]() : csvRows(path, ctx, label);
  const header = await records.next().catch((err: unknown) => {
    throw connectionError(ctx, label, err);
  });
  if (header.done) throw new ReconcileError('reconcile.empty_file', 422, `Tệp ${label} không có dòng tiêu đề.`, { side: ctx.side, dataset: label });
  const names = header.value.map((h) => String(h ?? '').trim());
  const available = names.map((name) => ({ name, dbType: 'text', kind: 'text' as KeyKind }));
  const { keyCols, valueCols } = resolveColumns(spec, ctx, label, available);
  const indexes = [...keyCols, ...valueCols].map((c: ResolvedColumn) => names.indexOf(c.physical));
  let tempDir: string | undefined;

  async function* stream(kinds: KeyKind[]): AsyncGenerator<CanonRow[]> {
    const cmp = keyComparator(kinds);
    const byKey = (a: CanonRow, b: CanonRow) => cmp(a.key, b.key);
    const runs: string[] = [];
    let buf: CanonRow[] = [];
    for (;;) {
      const r = await records.next();
      if (r.done) break;
      buf.push(canonRow(indexes.map((i) => r.value[i] ?? ''), keyCols, valueCols.length, ctx, label));
      if (buf.length >= ctx.sortRunRows) {
        abortIfNeeded(ctx.signal);
        tempDir ??= await mkdtemp(join(ctx.tempDir ?? tmpdir(), 'khien-reconcile-'));
        runs.push(await spill(buf.sort(byKey), join(tempDir, `run-${runs.length}.jsonl`)));
        buf = [];
      }
    }
    buf.sort(byKey);
    if (runs.length === 0) {
      for (let i = 0; i < buf.length; i += ctx.batchSize) yield buf.slice(i, i + ctx.batchSize);
      return;
    }
    if (buf.length > 0) runs.push(await spill(buf, join(tempDir!, `run-${runs.length}.jsonl`)));
    buf = [];
    yield* mergeRuns(runs, byKey, ctx);
  }

  return {
    side: ctx.side,
    kind: spec.kind,
    label,
    keyCols,
    valueCols,
    stream,
    close: async () => {
      await records.return?.();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}

/**
 * The file's one separator, from its header line: `;` when the header has more `;` than `,`. The tabular
 * reader accepts both in one file, which would split a Vietnamese decimal comma (`12,5`) in a `;` export.
 */
async function sniffDelimiter(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(65536), 0, 65536, 0);
    const line = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    return (line.match(/;/g)?.length ?? 0) > (line.match(/,/g)?.length ?? 0) ? ';' : ',';
  } finally {
    await fh.close();
  }
}

async function* csvRows(path: string, ctx: OpenContext, label: string): AsyncGenerator<unknown[]> {
  const delimiter = await sniffDelimiter(path).catch((err: unknown) => {
    throw connectionError(ctx, label, err);
  });
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }));
  try {
    for await (const rec of parser as AsyncIterable<string[]>) yield rec.map(unsafeCell);
  } catch (err) {
    throw new ReconcileError('reconcile.read_failed', 422, `Không đọc được tệp CSV ${label}: ${(err as Error).message}`, { side: ctx.side, dataset: label }, err);
  } finally {
    parser.destroy();
  }
}

/** An XLSX cell as a plain value; Excel dates (zone-less) become zone-less text so `assumeTimezone` applies. */
function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 23).replace('T', ' ');
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v && typeof v.text === 'string') return v.text;
    return null;
  }
  return typeof v === 'string' ? unsafeCell(v) : v;
}

async function xlsxRows(path: string, sheet: string | undefined, ctx: OpenContext, label: string): Promise<AsyncIterable<unknown[]>> {
  const bytes = await readFile(path).catch((err: unknown) => {
    throw connectionError(ctx, label, err);
  });
  const wb = new ExcelJS.Workbook();
  try {
    assertZipWithinLimits(bytes);
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    const why = err instanceof ZipGuardError ? `bị từ chối (${err.message})` : `không đọc được (${(err as Error).message})`;
    throw new ReconcileError('reconcile.read_failed', 422, `Tệp Excel ${label} ${why}.`, { side: ctx.side, dataset: label }, err);
  }
  const ws = sheet ? wb.getWorksheet(sheet) : wb.worksheets[0];
  if (!ws) throw new ReconcileError('reconcile.table_not_found', 422, `Không có trang tính "${sheet ?? ''}" trong ${label}.`, { side: ctx.side, dataset: label, table: sheet });
  return (async function* () {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      const values = row.values as ExcelJS.CellValue[];
      rows.push(values.slice(1).map((c) => cellValue(c ?? null)));
    });
    yield* rows;
  })();
}

/** Write a sorted run as JSON lines; returns its path. */
async function spill(rows: CanonRow[], file: string): Promise<string> {
  const fh = await open(file, 'w');
  try {
    for (let i = 0; i < rows.length; i += 5000) {
      await fh.write(rows.slice(i, i + 5000).map((r) => `${JSON.stringify([r.key, r.values])}\n`).join(''));
    }
  } finally {
    await fh.close();
  }
  return file;
}

/** k-way merge of sorted runs (k is small: file rows / sortRunRows), a linear scan picks each minimum. */
async function* mergeRuns(files: string[], byKey: (a: CanonRow, b: CanonRow) => number, ctx: OpenContext): AsyncGenerator<CanonRow[]> {
  const readers = files.map((f) => createInterface({ input: createReadStream(f), crlfDelay: Infinity })[Symbol.asyncIterator]());
  const heads: (CanonRow | undefined)[] = [];
  const pull = async (i: number) => {
    const r = await readers[i]!.next();
    if (r.done) return undefined;
    const [key, values] = JSON.parse(r.value) as [string[], (string | null)[]];
    return { key, values };
  };
  try {
    for (let i = 0; i < readers.length; i++) heads.push(await pull(i));
    let batch: CanonRow[] = [];
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) if (heads[i] && (best < 0 || byKey(heads[i]!, heads[best]!) < 0)) best = i;
      if (best < 0) break;
      batch.push(heads[best]!);
      heads[best] = await pull(best);
      if (batch.length >= ctx.batchSize) {
        abortIfNeeded(ctx.signal);
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    for (const r of readers) await r.return?.();
  }
}
