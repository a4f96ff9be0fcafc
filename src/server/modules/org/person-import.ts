import type { ImportResult } from '../../../contracts/common.js';
import { PERSON_STATUSES, type PersonStatus } from '../../../contracts/org.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ForbiddenError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { newId, nowIso } from '../../db/columns.js';
import { hashCitizenId, isCitizenId, maskCitizenId } from './citizen-id.js';
import { parseDateCell, ProblemList, readImportRows } from './import-common.js';
import { findUnitsByCodes } from './org-unit.repository.js';
import type { OrgDeps } from './org-unit.service.js';
import { can } from './org.policy.js';
import type { OrgUnitRow, PersonRow } from './org.table.js';
import { findPeopleByCitizenHashes, findPeopleByEmails, findPeopleByIds, insertHistoryRow, insertPersonRow, type PersonWithUnit, updatePersonRow } from './person.repository.js';
import { todayVn } from './scope.js';
import type { Upload } from './upload.js';

/** Accepted header names (folded): Vietnamese and English. */
const ALIASES: Record<string, string> = {
  ma_can_bo: 'id', id: 'id', person_id: 'id',
  ho_ten: 'full_name', ho_va_ten: 'full_name', full_name: 'full_name', name: 'full_name',
  cccd: 'citizen_id', so_cccd: 'citizen_id', can_cuoc: 'citizen_id', citizen_id: 'citizen_id',
  ngay_sinh: 'date_of_birth', date_of_birth: 'date_of_birth', dob: 'date_of_birth',
  gioi_tinh: 'gender', gender: 'gender',
  email: 'email', thu_dien_tu: 'email',
  dien_thoai: 'phone', so_dien_thoai: 'phone', phone: 'phone',
  ma_don_vi: 'unit_code', unit_code: 'unit_code',
  chuc_vu: 'position', position: 'position',
  trang_thai: 'status', status: 'status',
  ngay_hieu_luc: 'status_since', status_since: 'status_since',
};

/** Status labels as people write them (folded) → status codes. */
const STATUS_LABELS: Record<string, PersonStatus> = {
  'dang cong tac': 'active', 'con cong tac': 'active', 'cong tac': 'active',
  'nghi huu': 'retired', 'da nghi huu': 'retired',
  'chuyen cong tac': 'transferred', 'da chuyen cong tac': 'transferred', 'dieu chuyen': 'transferred',
  'nghi phep': 'on_leave', 'tam nghi': 'on_leave', 'nghi tam thoi': 'on_leave', 'nghi che do': 'on_leave',
  'thoi viec': 'dismissed', 'cho thoi viec': 'dismissed', 'buoc thoi viec': 'dismissed', 'nghi viec': 'dismissed',
  'tu tran': 'deceased', 'qua doi': 'deceased', 'da mat': 'deceased',
  ...Object.fromEntries(PERSON_STATUSES.map((s) => [s.replace('_', ' '), s])),
  ...Object.fromEntries(PERSON_STATUSES.map((s) => [s, s])),
};
const GENDERS: Record<string, 'male' | 'female'> = { nam: 'male', male: 'male', m: 'male', nu: 'female', female: 'female', f: 'female' };
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface PersonLine {
  row: number;
  /** The roster id from an earlier export: matches first, so an edited export re-imports as updates. */
  id: string | null;
  fullName: string;
  citizenId: string | null;
  dateOfBirth: string | null;
  gender: 'male' | 'female' | null;
  email: string | null;
  phone: string | null;
  unitCode: string;
  position: string | null;
  status: PersonStatus;
  statusSince: string | null;
}

function validate(rows: { row: number; cells: Record<string, string> }[], problems: ProblemList): PersonLine[] {
  const lines: PersonLine[] = [];
  const seenCid = new Map<string, number>();
  const seenEmail = new Map<string, number>();
  for (const { row, cells } of rows) {
    const c = (k: string) => (cells[k] ?? '').trim();
    const fullName = c('full_name').replace(/\s+/g, ' ');
    if (fullName.length < 2 || fullName.length > 200) problems.add(row, 'full_name', 'họ tên phải có từ 2 đến 200 ký tự.');
    const cid = c('citizen_id').replace(/[\s.]/g, '') || null;
    if (cid && !isCitizenId(cid)) problems.add(row, 'citizen_id', `số CCCD phải gồm đúng 12 chữ số${/^\d{11}$/.test(cid) ? ' (có thể Excel đã bỏ số 0 ở đầu: hãy định dạng cột là Văn bản)' : ''}.`);
    else if (cid && seenCid.has(cid)) problems.add(row, 'citizen_id', `số CCCD trùng với dòng ${seenCid.get(cid)}.`);
    else if (cid) seenCid.set(cid, row);
    const dob = parseDateCell(c('date_of_birth'));
    if (dob === undefined) problems.add(row, 'date_of_birth', `ngày sinh "${c('date_of_birth')}" không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).`);
    const g = c('gender') ? GENDERS[foldText(c('gender'))] : null;
    if (g === undefined) problems.add(row, 'gender', `giới tính "${c('gender')}" không hợp lệ (Nam/Nữ).`);
    const email = c('email').toLowerCase() || null;
    if (email && !EMAIL_RE.test(email)) problems.add(row, 'email', `thư điện tử "${c('email')}" không hợp lệ.`);
    else if (email && !cid && seenEmail.has(email)) problems.add(row, 'email', `thư điện tử trùng với dòng ${seenEmail.get(email)}.`);
    else if (email) seenEmail.set(email, row);
    const phone = c('phone').replace(/[\s.()-]/g, '') || null;
    if (phone && !/^\+?\d{9,12}$/.test(phone)) problems.add(row, 'phone', `số điện thoại "${c('phone')}" không hợp lệ.`);
    const unitCode = c('unit_code');
    if (!unitCode) problems.add(row, 'unit_code', 'thiếu mã đơn vị.');
    const statusText = c('status');
    const status = statusText ? STATUS_LABELS[foldText(statusText)] : 'active';
    if (!status) problems.add(row, 'status', `trạng thái "${statusText}" không hợp lệ (ví dụ: đang công tác, nghỉ hưu, chuyển công tác).`);
    const since = parseDateCell(c('status_since'));
    if (since === undefined) problems.add(row, 'status_since', `ngày hiệu lực "${c('status_since')}" không hợp lệ.`);
    const position = c('position') || null;
    if (position && position.length > 200) problems.add(row, 'position', 'chức vụ dài quá 200 ký tự.');
    const id = c('id') || null;
    if (id && !/^[0-9a-f-]{36}$/i.test(id)) problems.add(row, 'id', `mã cán bộ "${id}" không hợp lệ.`);
    lines.push({
      row, id, fullName, citizenId: cid, dateOfBirth: dob ?? null, gender: g ?? null, email, phone, unitCode, position,
      status: status ?? 'active', statusSince: since ?? null,
    });
  }
  return lines;
}

/** The deepest unit that contains all the given paths (for the audit entry's unit), or null. */
function commonUnit(paths: string[]): string | null {
  if (paths.length === 0) return null;
  const parts = paths.map((p) => p.split('/').filter(Boolean));
  const first = parts[0]!;
  let i = 0;
  while (i < first.length && parts.every((p) => p[i] === first[i])) i++;
  return i > 0 ? first[i - 1]! : null;
}

/**
 * Import the roster from CSV/XLSX. Every row is validated first; any problem answers 422 `import.invalid`
 * listing file, row and column, and nothing is written. Otherwise people are upserted (matched by CCCD hash,
 * else by e-mail) in one transaction, with one `person.import` audit entry. The actor must hold person.write
 * over every unit named in the file and over the current unit of every person it updates.
 */
export async function importPeople(deps: OrgDeps, actor: Actor, upload: Upload): Promise<ImportResult> {
  const { rows, labels } = await readImportRows(upload, ALIASES, ['full_name', 'unit_code']);
  const problems = new ProblemList(upload.fileName, labels);
  const lines = validate(rows, problems);
  const units = await findUnitsByCodes(deps.db, [...new Set(lines.map((l) => l.unitCode).filter(Boolean))]);
  for (const l of lines) if (l.unitCode && !units.has(l.unitCode)) problems.add(l.row, 'unit_code', `không có đơn vị mã ${l.unitCode}.`);
  problems.throwIfAny();

  const denied = [...units.values()].filter((u) => !can(actor, 'person.write', u.path)).map((u) => u.code);
  if (denied.length > 0) {
    throw new ForbiddenError('person.import_forbidden', `Bạn không có quyền ghi dữ liệu cán bộ của đơn vị: ${denied.join(', ')}.`, { unitCodes: denied, file: upload.fileName });
  }

  const hashes = new Map(lines.filter((l) => l.citizenId).map((l) => [l.row, hashCitizenId(deps.keys, l.citizenId!)]));
  const byHash = new Map<string, PersonWithUnit>();
  const byEmail = new Map<string, PersonWithUnit>();
  const hashList = [...hashes.values()];
  const emailList = lines.filter((l) => l.email).map((l) => l.email!);
  for (let i = 0; i < hashList.length; i += 500) for (const p of await findPeopleByCitizenHashes(deps.db, hashList.slice(i, i + 500))) byHash.set(p.citizen_id_hash!, p);
  for (let i = 0; i < emailList.length; i += 500) for (const p of await findPeopleByEmails(deps.db, emailList.slice(i, i + 500))) if (p.email) byEmail.set(p.email, p);

  const idList = lines.filter((l) => l.id).map((l) => l.id!.toLowerCase());
  const byId = new Map<string, PersonWithUnit>();
  for (let i = 0; i < idList.length; i += 500) for (const p of await findPeopleByIds(deps.db, idList.slice(i, i + 500))) byId.set(p.id, p);

  const matches = new Map<number, PersonWithUnit>();
  const claimed = new Map<string, number>();
  for (const l of lines) {
    const h = hashes.get(l.row);
    const byRowId = l.id ? byId.get(l.id.toLowerCase()) : undefined;
    if (l.id && !byRowId) problems.add(l.row, 'id', `không có cán bộ mã ${l.id}.`);
    if (byRowId && h && byRowId.citizen_id_hash && byRowId.citizen_id_hash !== h) problems.add(l.row, 'citizen_id', 'số CCCD khác với cán bộ mang mã này.');
    let m = byRowId ?? (h ? byHash.get(h) : undefined);
    if (!m && l.email) {
      const e = byEmail.get(l.email);
      if (e && e.citizen_id_hash && h && e.citizen_id_hash !== h) problems.add(l.row, 'email', 'thư điện tử đã thuộc về một cán bộ có số CCCD khác.');
      else m = e;
    }
    if (!m) continue;
    if (claimed.has(m.id)) problems.add(l.row, l.citizenId ? 'citizen_id' : 'email', `trùng cán bộ với dòng ${claimed.get(m.id)}.`);
    claimed.set(m.id, l.row);
    matches.set(l.row, m);
  }
  problems.throwIfAny();
  const deniedPeople = [...matches.values()].filter((p) => !can(actor, 'person.write', p.unit_path));
  if (deniedPeople.length > 0) {
    throw new ForbiddenError('person.import_forbidden', 'Tệp cập nhật cán bộ thuộc đơn vị bạn không có quyền ghi.', { file: upload.fileName, people: deniedPeople.map((p) => p.id).slice(0, 50) });
  }

  const now = nowIso(deps.clock);
  const today = todayVn(deps.clock);
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  await deps.db.transaction().execute(async (tx) => {
    for (const l of lines) {
      const unit = units.get(l.unitCode) as OrgUnitRow;
      const m = matches.get(l.row);
      const fields = {
        full_name: l.fullName, name_folded: foldText(l.fullName),
        citizen_id_hash: hashes.get(l.row) ?? m?.citizen_id_hash ?? null,
        citizen_id_masked: l.citizenId ? maskCitizenId(l.citizenId) : (m?.citizen_id_masked ?? null),
        date_of_birth: l.dateOfBirth ?? m?.date_of_birth ?? null,
        gender: l.gender ?? m?.gender ?? null,
        email: l.email ?? m?.email ?? null,
        phone: l.phone ?? m?.phone ?? null,
        unit_id: unit.id,
        position: l.position ?? m?.position ?? null,
        status: l.status,
        status_since: l.statusSince ?? (m && m.status === l.status && m.unit_id === unit.id ? m.status_since : today),
      };
      const history = {
        id: newId(deps.clock()), status: l.status, unit_id: unit.id, position: fields.position,
        effective_from: fields.status_since ?? today, decision: null, note: `Nhập từ tệp ${upload.fileName}`, recorded_at: now, recorded_by: actor.userId,
      };
      if (!m) {
        const id = newId(deps.clock());
        const row: PersonRow = { id, ...fields, created_at: now, updated_at: now };
        await insertPersonRow(tx, row);
        await insertHistoryRow(tx, { ...history, person_id: id });
        created++;
        continue;
      }
      const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) => fields[k] !== m[k]);
      if (changed.length === 0) {
        unchanged++;
        continue;
      }
      await updatePersonRow(tx, m.id, { ...fields, updated_at: now });
      if (m.status !== l.status || m.unit_id !== unit.id || m.position !== fields.position) await insertHistoryRow(tx, { ...history, person_id: m.id });
      updated++;
    }
    await recordAudit(tx, actor, {
      action: 'person.import',
      targetType: 'person',
      unitId: commonUnit([...units.values()].map((u) => u.path)),
      details: { file: upload.fileName, rows: lines.length, created, updated, unchanged },
    }, now);
  });
  return { file: upload.fileName, created, updated, unchanged };
}
