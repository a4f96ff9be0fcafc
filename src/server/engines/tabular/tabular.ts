import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { assertZipWithinLimits, looksLikeZip, ZipGuardError } from './zip-guard.js';

/**
 * Pure reading and writing of tables (CSV and XLSX) as rows of strings. No HTTP, no database: the modules
 * around it map columns, validate rows and report problems with the file name, row and column.
 */

/** A table as a spreadsheet shows it: `rows[0]` is the header (row 1). Cells are trimmed strings. */
export interface Table {
  rows: string[][];
}

export const MAX_ROWS = 100_000;

export class TabularError extends Error {
  constructor(
    readonly reason: 'unsupported' | 'too_many_rows' | 'zip_bomb' | 'corrupt' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'TabularError';
  }
}

export type TableFormat = 'csv' | 'xlsx';

/** Decide the format from the content (a ZIP is XLSX) and the file name. */
export function detectFormat(fileName: string, buf: Uint8Array): TableFormat {
  if (looksLikeZip(buf)) return 'xlsx';
  if (/\.xlsx?$/i.test(fileName)) throw new TabularError('unsupported', 'tệp Excel không hợp lệ (chỉ nhận .xlsx)');
  return 'csv';
}

/** Read a CSV (UTF-8, optional BOM, `,` or `;` separated) into rows of trimmed strings. */
export function readCsv(buf: Uint8Array): Table {
  let records: string[][];
  try {
    records = parseCsv(Buffer.from(buf), {
      bom: true,
      delimiter: [',', ';'],
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      to: MAX_ROWS + 2,
    }) as string[][];
  } catch (err) {
    throw new TabularError('corrupt', `tệp CSV không đọc được: ${(err as Error).message}`);
  }
  if (records.length > MAX_ROWS + 1) throw new TabularError('too_many_rows', `tệp có hơn ${MAX_ROWS} dòng`);
  return { rows: records };
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('error' in value) return '';
    return '';
  }
  return String(value);
}

/** Read the first worksheet of an XLSX, after checking the archive cannot expand beyond the limits. */
export async function readXlsx(buf: Uint8Array): Promise<Table> {
  try {
    assertZipWithinLimits(buf);
  } catch (err) {
    if (err instanceof ZipGuardError) {
      throw new TabularError(err.reason === 'corrupt' || err.reason === 'not_zip' ? 'corrupt' : 'zip_bomb', `tệp Excel bị từ chối: ${err.message}`);
    }
    throw err;
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(buf) as unknown as ArrayBuffer);
  } catch (err) {
    throw new TabularError('corrupt', `tệp Excel không đọc được: ${(err as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new TabularError('empty', 'tệp Excel không có trang tính nào');
  if (ws.rowCount > MAX_ROWS + 1) throw new TabularError('too_many_rows', `tệp có hơn ${MAX_ROWS} dòng`);
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    const values = row.values as ExcelJS.CellValue[];
    for (let c = 1; c < values.length; c++) cells.push(cellText(values[c] ?? null).trim());
    rows[rowNumber - 1] = cells;
  });
  // Keep row numbers equal to the sheet's: fill gaps, then drop trailing empty rows.
  for (let i = 0; i < rows.length; i++) rows[i] ??= [];
  while (rows.length > 0 && rows[rows.length - 1]!.every((c) => c === '')) rows.pop();
  return { rows };
}

/** Read a CSV or XLSX upload. */
export async function readTable(fileName: string, buf: Uint8Array): Promise<Table> {
  const format = detectFormat(fileName, buf);
  const table = format === 'xlsx' ? await readXlsx(buf) : readCsv(buf);
  table.rows = table.rows.map((r) => r.map(unsafeCell));
  if (table.rows.length === 0) throw new TabularError('empty', 'tệp không có dữ liệu');
  return table;
}

/**
 * Neutralise spreadsheet formula injection (CWE-1236): a cell starting with = + - @ tab or CR is prefixed
 * with an apostrophe so Excel/LibreOffice show it as text instead of evaluating it.
 */
export function safeCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** The inverse of safeCell for reading back our own exports: drop the apostrophe it added. */
export function unsafeCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

function csvField(s: string): string {
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Write a CSV for Excel: UTF-8 with BOM, CRLF line ends, every cell formula-safe. */
export function writeCsv(header: string[], rows: (string | number | null)[][]): Buffer {
  const lines = [header, ...rows].map((r) => r.map((c) => csvField(safeCell(c))).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/** Write an XLSX with one sheet; every cell is written as (formula-safe) text. */
export async function writeXlsx(sheetName: string, header: string[], rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(header);
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((c) => safeCell(c)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
