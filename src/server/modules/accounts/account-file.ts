import type { AccountMapping } from '../../../contracts/accounts.js';
import type { Keys } from '../../core/keys.js';
import { foldText } from '../../core/text.js';
import { readTable, TabularError } from '../../engines/tabular/tabular.js';
import { hashCitizenId, isCitizenId } from '../org/citizen-id.js';
import { headerKey, importInvalid, parseDateCell, ProblemList } from '../org/import-common.js';
import type { Upload } from '../org/upload.js';

/** An account as an import yields it, before reconciliation. */
export interface ImportedAccount {
  username: string;
  displayName: string | null;
  email: string | null;
  citizenIdHash: string | null;
  dateOfBirth: string | null;
  unitText: string | null;
  roles: string[];
  privileged: boolean;
  enabled: boolean;
  locked: boolean;
  lastLoginAt: string | null;
  mfa: boolean | null;
  createdAt: string | null;
}

const TRUE = new Set(['1', 'x', 'true', 'yes', 'y', 'co', 'bat', 'da bat', 'enabled', 'active', 'hoat dong', 'dang hoat dong', 'mo']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'khong', 'tat', 'chua bat', 'disabled', 'inactive', 'khoa', 'da khoa', 'vo hieu hoa', 'ngung']);

/** A yes/no cell: empty → null; unknown → undefined (invalid). */
export function parseFlag(value: string): boolean | null | undefined {
  const v = foldText(value);
  if (v === '') return null;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** A login instant: ISO instant, or a date (`YYYY-MM-DD`, `DD/MM/YYYY`, optionally with `HH:mm`). */
export function parseInstant(value: string): string | null | undefined {
  const v = value.trim();
  if (v === '') return null;
  if (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  const [d, t] = v.split(/\s+/);
  const day = parseDateCell(d ?? '');
  if (!day) return undefined;
  if (t && !/^\d{1,2}:\d{2}(:\d{2})?$/.test(t)) return undefined;
  // Dates in Vietnamese exports are local time (UTC+7).
  return new Date(`${day}T${t ? t.padStart(5, '0').slice(0, 5) : '00:00'}:00+07:00`).toISOString();
}

/**
 * Read a CSV/XLSX export of a system's accounts with the column mapping saved for its source. Every row is
 * validated; any problem answers 422 `import.invalid` naming the file, row and column, nothing written.
 */
export async function readAccountFile(keys: Keys, upload: Upload, mapping: AccountMapping): Promise<ImportedAccount[]> {
  let rows: string[][];
  try {
    rows = (await readTable(upload.fileName, upload.data)).rows;
  } catch (err) {
    if (err instanceof TabularError) throw importInvalid(upload.fileName, [{ file: upload.fileName, row: 1, column: null, message: `Tệp ${upload.fileName}: ${err.message}` }]);
    throw err;
  }
  const header = (rows[0] ?? []).map(headerKey);
  const col: Partial<Record<keyof AccountMapping, number>> = {};
  const labels: Record<string, string> = {};
  const missing: string[] = [];
  for (const [field, label] of Object.entries(mapping) as [keyof AccountMapping, string][]) {
    const i = header.indexOf(headerKey(label));
    labels[field] = label;
    if (i < 0) missing.push(label);
    else col[field] = i;
  }
  if (missing.length > 0) {
    throw importInvalid(upload.fileName, missing.map((m) => ({ file: upload.fileName, row: 1, column: m, message: `Tệp ${upload.fileName}, dòng 1: không có cột "${m}" theo cấu hình ánh xạ cột của nguồn.` })));
  }
  const problems = new ProblemList(upload.fileName, labels);
  const seen = new Map<string, number>();
  const out: ImportedAccount[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r] ?? [];
    if (cells.every((c) => c === '')) continue;
    const row = r + 1;
    const c = (f: keyof AccountMapping) => (col[f] === undefined ? '' : (cells[col[f]!] ?? '').trim());
    const username = c('username');
    if (!username || username.length > 300) problems.add(row, 'username', 'thiếu tên đăng nhập (hoặc dài quá 300 ký tự).');
    else if (seen.has(username.toLowerCase())) problems.add(row, 'username', `tên đăng nhập "${username}" trùng với dòng ${seen.get(username.toLowerCase())}.`);
    else seen.set(username.toLowerCase(), row);
    const cid = c('citizen_id').replace(/[\s.]/g, '');
    if (cid && !isCitizenId(cid)) problems.add(row, 'citizen_id', 'số CCCD phải gồm đúng 12 chữ số.');
    const dob = parseDateCell(c('date_of_birth'));
    if (dob === undefined) problems.add(row, 'date_of_birth', `ngày sinh "${c('date_of_birth')}" không hợp lệ.`);
    const flag = (f: 'privileged' | 'enabled' | 'mfa') => {
      const v = parseFlag(c(f));
      if (v === undefined) problems.add(row, f, `giá trị "${c(f)}" không hợp lệ (có/không, 1/0).`);
      return v ?? null;
    };
    const privileged = flag('privileged');
    const enabled = flag('enabled');
    const mfa = flag('mfa');
    const last = parseInstant(c('last_login'));
    if (last === undefined) problems.add(row, 'last_login', `thời điểm đăng nhập "${c('last_login')}" không hợp lệ.`);
    const created = parseInstant(c('created'));
    if (created === undefined) problems.add(row, 'created', `ngày tạo "${c('created')}" không hợp lệ.`);
    const email = c('email').toLowerCase() || null;
    if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) problems.add(row, 'email', `thư điện tử "${c('email')}" không hợp lệ.`);
    out.push({
      username, displayName: c('display_name') || null, email, citizenIdHash: cid && isCitizenId(cid) ? hashCitizenId(keys, cid) : null,
      dateOfBirth: dob ?? null, unitText: c('unit') || null,
      roles: c('roles').split(/[;,|\n]/).map((x) => x.trim()).filter(Boolean),
      privileged: privileged ?? false, enabled: enabled ?? true, locked: false, lastLoginAt: last ?? null, mfa, createdAt: created ?? null,
    });
  }
  problems.throwIfAny();
  return out;
}
