import type { z } from 'zod';
import { AccessLogInputSchema, type AccessLogInput } from '../../../contracts/access-log.js';
import type { ImportProblem } from '../../../contracts/common.js';
import { foldText } from '../../core/text.js';
import { readTable, TabularError } from '../../engines/tabular/tabular.js';

/** At most this many records in one request or file: a larger export is sent in several parts. */
export const MAX_RECORDS = 100_000;

/** Problems are reported per row and field; `file` names the upload (or `request` for the API). */
function issues(file: string, row: number, err: z.ZodError): ImportProblem[] {
  return err.issues.map((i) => ({ file, row, column: i.path.length ? String(i.path[0]) : null, message: i.message }));
}

/**
 * NDJSON / JSON lines: one JSON object per line (blank lines ignored). Every line is validated; the caller
 * writes nothing unless the problem list is empty.
 */
export function parseJsonLines(file: string, text: string): { records: AccessLogInput[]; problems: ImportProblem[] } {
  const records: AccessLogInput[] = [];
  const problems: ImportProblem[] = [];
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (records.length + problems.length >= MAX_RECORDS) {
      problems.push({ file, row: i + 1, column: null, message: `Quá ${MAX_RECORDS} bản ghi trong một lần gửi; hãy chia nhỏ.` });
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ file, row: i + 1, column: null, message: 'Dòng không phải JSON hợp lệ.' });
      continue;
    }
    const r = AccessLogInputSchema.safeParse(value);
    if (r.success) records.push(r.data);
    else problems.push(...issues(file, i + 1, r.error));
  }
  return { records, problems };
}

/** CSV header (folded, without spaces/underscores) → record field. Vietnamese and English headers. */
const HEADERS: Record<string, keyof AccessLogInput> = {};
const alias = (field: keyof AccessLogInput, ...names: string[]) => {
  for (const n of [field, ...names]) HEADERS[foldText(n).replace(/[\s_\-.]/g, '')] = field;
};
alias('account', 'tài khoản', 'tên đăng nhập', 'username', 'user');
alias('action', 'thao tác', 'hành động');
alias('occurredAt', 'occurred_at', 'thời điểm', 'thời gian', 'time', 'timestamp');
alias('outcome', 'kết quả');
alias('subjectCitizenId', 'cccd', 'số cccd', 'cccd tra cứu', 'số định danh', 'citizen_id', 'subject');
alias('caseRef', 'case_ref', 'mã hồ sơ', 'số hồ sơ', 'hồ sơ');
alias('ip', 'địa chỉ ip');
alias('device', 'thiết bị', 'máy trạm');
alias('sessionId', 'session_id', 'phiên', 'mã phiên');
alias('recordId', 'record_id', 'mã bản ghi');

/** Vietnamese labels of actions and outcomes, as administrative systems export them. */
const ACTION_LABELS: Record<string, string> = {
  'tra cuu': 'lookup', 'dang nhap': 'login', 'dang xuat': 'logout', 'dang nhap that bai': 'login_failed', 'truy cap': 'access', 'xuat du lieu': 'export',
};
const OUTCOME_LABELS: Record<string, string> = { 'thanh cong': 'success', 'that bai': 'failure' };

/**
 * CSV or XLSX with a header row (row 1). Columns are recognised by name (Vietnamese or English); unknown
 * columns are ignored; a missing required column is one problem on row 1.
 */
export async function parseTableFile(file: string, data: Buffer): Promise<{ records: AccessLogInput[]; problems: ImportProblem[] }> {
  let rows: string[][];
  try {
    rows = (await readTable(file, data)).rows;
  } catch (err) {
    if (err instanceof TabularError) return { records: [], problems: [{ file, row: 1, column: null, message: err.message }] };
    throw err;
  }
  if (rows.length === 0) return { records: [], problems: [{ file, row: 1, column: null, message: 'Tệp trống.' }] };
  const fields = rows[0]!.map((h) => HEADERS[foldText(h).replace(/[\s_\-.]/g, '')]);
  const problems: ImportProblem[] = [];
  for (const required of ['account', 'action', 'occurredAt'] as const) {
    if (!fields.includes(required)) problems.push({ file, row: 1, column: required, message: `Thiếu cột ${required}.` });
  }
  if (problems.length) return { records: [], problems };
  const records: AccessLogInput[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r]!;
    if (cells.every((c) => !c)) continue;
    const obj: Record<string, string> = {};
    fields.forEach((f, i) => {
      const v = cells[i]?.trim();
      if (f && v) obj[f] = v;
    });
    if (obj.action) obj.action = ACTION_LABELS[foldText(obj.action)] ?? obj.action;
    if (obj.outcome) obj.outcome = OUTCOME_LABELS[foldText(obj.outcome)] ?? obj.outcome;
    const parsed = AccessLogInputSchema.safeParse(obj);
    if (parsed.success) records.push(parsed.data);
    else problems.push(...issues(file, r + 1, parsed.error));
  }
  return { records, problems };
}

/** A file upload: JSON lines by extension (.jsonl, .ndjson, .json), otherwise a table (CSV/XLSX). */
export async function parseUpload(file: string, data: Buffer): Promise<{ records: AccessLogInput[]; problems: ImportProblem[] }> {
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return parseJsonLines(file, data.toString('utf8'));
  return parseTableFile(file, data);
}
