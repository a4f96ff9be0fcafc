import ExcelJS from 'exceljs';
import { safeCell, TabularError, unsafeCell } from '../../engines/tabular/tabular.js';
import { assertZipWithinLimits, ZipGuardError } from '../../engines/tabular/zip-guard.js';

/**
 * Multi-sheet XLSX reading and writing for the inventory workbook (the tabular engine reads one sheet).
 * Same protections: the archive is checked against zip bombs before it is opened, cells are written
 * formula-safe and read back without the protective apostrophe.
 */

export const MAX_SHEET_ROWS = 20_000;

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    return '';
  }
  return String(value);
}

/** Read every sheet of an XLSX into rows of trimmed strings (row numbers as the sheet shows them). */
export async function readWorkbook(buf: Uint8Array): Promise<Map<string, string[][]>> {
  try {
    assertZipWithinLimits(buf);
  } catch (err) {
    if (err instanceof ZipGuardError) throw new TabularError(err.reason === 'corrupt' || err.reason === 'not_zip' ? 'corrupt' : 'zip_bomb', `tệp Excel bị từ chối: ${err.message}`);
    throw err;
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(buf) as unknown as ArrayBuffer);
  } catch (err) {
    throw new TabularError('corrupt', `tệp Excel không đọc được: ${(err as Error).message}`);
  }
  const out = new Map<string, string[][]>();
  for (const ws of wb.worksheets) {
    if (ws.rowCount > MAX_SHEET_ROWS + 1) throw new TabularError('too_many_rows', `trang ${ws.name} có hơn ${MAX_SHEET_ROWS} dòng`);
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let c = 1; c < values.length; c++) cells.push(unsafeCell(cellText(values[c] ?? null).trim()));
      rows[n - 1] = cells;
    });
    for (let i = 0; i < rows.length; i++) rows[i] ??= [];
    while (rows.length > 0 && rows[rows.length - 1]!.every((c) => c === '')) rows.pop();
    out.set(ws.name, rows);
  }
  return out;
}

/** Write sheets (header + rows, every cell formula-safe text), header bold and frozen, columns sized. */
export async function writeWorkbook(sheets: { name: string; header: string[]; rows: (string | number | null)[][] }[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(s.header);
    ws.getRow(1).font = { bold: true };
    for (const r of s.rows) ws.addRow(r.map((c) => safeCell(c)));
    s.header.forEach((h, i) => {
      ws.getColumn(i + 1).width = Math.min(60, Math.max(12, h.length + 4));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
