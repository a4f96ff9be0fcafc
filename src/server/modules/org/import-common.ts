import type { ImportProblem } from '../../../contracts/common.js';
import { UnprocessableError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { isIsoDate } from '../../db/columns.js';
import { readTable, TabularError } from '../../engines/tabular/tabular.js';
import type { Upload } from './upload.js';

/** One data row of an upload: its row number as a spreadsheet shows it (header = 1) and cells by field. */
export interface ImportRow {
  row: number;
  cells: Record<string, string>;
}

/** The header label a user sees for a field (for messages), e.g. `ho_ten`. */
export type ColumnLabels = Record<string, string>;

/** The one error an import answers when anything is wrong: 422 `import.invalid`, nothing written. */
export function importInvalid(file: string, errors: ImportProblem[]): UnprocessableError {
  const first = errors[0];
  return new UnprocessableError(
    'import.invalid',
    `Tệp ${file} có ${errors.length} lỗi, chưa ghi dữ liệu nào.${first ? ` Lỗi đầu tiên: ${first.message}` : ''}`,
    { file, errors: errors.slice(0, 1000) },
  );
}

/** A header cell in canonical form: folded, spaces and dashes as `_` ("Họ tên" → `ho_ten`). */
export function headerKey(label: string): string {
  return foldText(label).replace(/[\s-]+/g, '_');
}

/**
 * Parse an upload into rows keyed by canonical field names. `aliases` maps accepted header keys (Vietnamese
 * and English) to fields; unknown columns are ignored; `required` fields must have a column.
 */
export async function readImportRows(
  upload: Upload,
  aliases: Record<string, string>,
  required: string[],
): Promise<{ rows: ImportRow[]; labels: ColumnLabels }> {
  let rows: string[][];
  try {
    rows = (await readTable(upload.fileName, upload.data)).rows;
  } catch (err) {
    if (err instanceof TabularError) {
      throw importInvalid(upload.fileName, [{ file: upload.fileName, row: 1, column: null, message: `Tệp ${upload.fileName}: ${err.message}` }]);
    }
    throw err;
  }
  const header = rows[0] ?? [];
  const fieldAt: (string | null)[] = header.map((h) => aliases[headerKey(h)] ?? null);
  const labels: ColumnLabels = {};
  header.forEach((h, i) => {
    const f = fieldAt[i];
    if (f && !labels[f]) labels[f] = h;
  });
  const missing = required.filter((f) => !fieldAt.includes(f));
  if (missing.length > 0) {
    throw importInvalid(
      upload.fileName,
      missing.map((f) => ({ file: upload.fileName, row: 1, column: f, message: `Tệp ${upload.fileName}, dòng 1: thiếu cột ${f}.` })),
    );
  }
  const out: ImportRow[] = [];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i] ?? [];
    if (r.every((c) => c === '')) continue;
    const cells: Record<string, string> = {};
    fieldAt.forEach((f, c) => {
      if (f && cells[f] === undefined) cells[f] = r[c] ?? '';
    });
    out.push({ row: i + 1, cells });
  }
  return { rows: out, labels };
}

/** Collects problems with the file, row and column, in Vietnamese. */
export class ProblemList {
  readonly items: ImportProblem[] = [];
  constructor(
    readonly file: string,
    private readonly labels: ColumnLabels,
  ) {}
  add(row: number, field: string | null, message: string): void {
    const column = field ? (this.labels[field] ?? field) : null;
    this.items.push({ file: this.file, row, column, message: `Tệp ${this.file}, dòng ${row}${column ? `, cột ${column}` : ''}: ${message}` });
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw importInvalid(this.file, this.items);
  }
}

/** A date cell: empty → null; `YYYY-MM-DD` or `DD/MM/YYYY` (also with `-` or `.`) → ISO; otherwise undefined (invalid). */
export function parseDateCell(value: string): string | null | undefined {
  const v = value.trim();
  if (v === '') return null;
  if (isIsoDate(v)) return v;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (m) {
    const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
    if (isIsoDate(iso)) return iso;
  }
  return undefined;
}
