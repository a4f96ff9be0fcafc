import { sql } from 'kysely';
import type { AccountField, SystemAccount } from '../../../contracts/accounts.js';
import { ACCOUNT_FIELDS } from '../../../contracts/accounts.js';
import { type Actor, hasPermission, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ForbiddenError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { nowIso } from '../../db/columns.js';
import type { Db } from '../../db/database.js';
import { readTable, TabularError, writeXlsx } from '../../engines/tabular/tabular.js';
import { systemInScope } from '../inventory/inventory.repository.js';
import { findUnit } from '../org/org-unit.repository.js';
import { requireOnUnit } from '../org/org.policy.js';
import { findPerson } from '../org/person.repository.js';
import type { Upload } from '../org/upload.js';
import { systemFor } from './accounts.policy.js';
import { toAccount, toSource } from './accounts.repository.js';
import type { AccountDeps } from './accounts.service.js';
import { sourceFor } from './accounts.service.js';
import { refreshConcurrentLoginFindings } from './concurrent-logins.js';

/** The latest snapshot of every system (UUIDv7 ids grow with time). */
const latestSnapshots = (db: Db) => db.selectFrom('account_snapshots as l').select((e) => e.fn.max('l.id').as('id')).groupBy('l.system_id');

function likeText(q: string): string {
  return `%${foldText(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Accounts of the latest snapshots, per system (`systemId`), per unit (`unitId`: accounts of the officials of the
 * unit's subtree, across every system the actor may read) or per official (`personId`: every account linked to
 * them on any system — "everything this official can log in to"; needs person.read over the official's unit and
 * account.read somewhere, since the accounts describe the official, not the system). Filters: situation,
 * finding kind, text in the username or display name.
 */
export async function listAccountsView(
  deps: AccountDeps, actor: Actor,
  q: { systemId?: string | undefined; unitId?: string | undefined; personId?: string | undefined; situation?: string | undefined; findingKind?: string | undefined; q?: string | undefined; page: number; pageSize: number },
): Promise<{ items: SystemAccount[]; total: number }> {
  let base = deps.db.selectFrom('system_accounts as a')
    .innerJoin('information_systems as s', 's.id', 'a.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .leftJoin('people as p', 'p.id', 'a.person_id')
    .leftJoin('org_units as pu', 'pu.id', 'p.unit_id')
    .where('a.snapshot_id', 'in', latestSnapshots(deps.db));
  if (q.personId) {
    const person = await findPerson(deps.db, q.personId);
    if (!person) throw new NotFoundError('person.not_found', 'Không tìm thấy cán bộ.');
    requireOnUnit(actor, 'person.read', { id: person.unit_id, path: person.unit_path }, { type: 'person', id: person.id });
    if (!hasPermission(actor, 'account.read')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền xem tài khoản hệ thống.', { permission: 'account.read' }, { unitId: person.unit_id });
    base = base.where('a.person_id', '=', person.id);
  } else {
    base = base.where(systemInScope(scopeOf(actor, 'account.read')));
    if (q.systemId) {
      await systemFor(deps.db, actor, q.systemId, 'account.read');
      base = base.where('a.system_id', '=', q.systemId);
    }
    if (q.unitId) {
      const unit = await findUnit(deps.db, q.unitId);
      if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
      requireOnUnit(actor, 'account.read', unit);
      base = base.where('pu.path', 'like', `${unit.path}%`);
    }
    if (!q.systemId && !q.unitId) throw new UnprocessableError('accounts.scope_required', 'Chọn một hệ thống, một đơn vị hoặc một cán bộ.');
  }
  if (q.situation) base = base.where('a.situation', '=', q.situation);
  if (q.findingKind) {
    const kind = q.findingKind;
    base = base.where((eb) => eb.exists(eb.selectFrom('account_findings as f').select('f.id').whereRef('f.account_id', '=', 'a.id').where('f.kind', '=', kind)));
  }
  if (q.q?.trim()) {
    const pattern = likeText(q.q);
    base = base.where((eb) => eb.or([
      eb(sql`lower(a.username)`, 'like', sql`${pattern} escape '\\'`),
      eb(sql`lower(coalesce(p.name_folded, ''))`, 'like', sql`${pattern} escape '\\'`),
    ]));
  }
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('a').select(['p.full_name as person_name', 's.code as system_code', 's.name as system_name'])
    .orderBy('s.code').orderBy('a.username').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  const ids = rows.map((r) => r.id);
  const findings = ids.length ? await deps.db.selectFrom('account_findings').select(['account_id', 'kind']).where('account_id', 'in', ids).execute() : [];
  const by = new Map<string, string[]>();
  for (const f of findings) by.set(f.account_id, [...new Set([...(by.get(f.account_id) ?? []), f.kind])]);
  return {
    total: Number(n),
    items: rows.map((r) => ({
      ...toAccount(r), personName: r.person_name, systemCode: r.system_code, systemName: r.system_name,
      findings: (by.get(r.id) ?? []) as SystemAccount['findings'] & string[],
    })),
  };
}

const SEVERITY_VI: Record<string, string> = { high: 'Cao', medium: 'Trung bình', low: 'Thấp' };
const KIND_VI: Record<string, string> = {
  orphan: 'Tài khoản không có chủ', leaver: 'Cán bộ đã nghỉ', transferred: 'Cán bộ đã chuyển công tác', merged_unit: 'Đơn vị đã sáp nhập',
  dormant: 'Lâu không đăng nhập', privileged_no_mfa: 'Quản trị không có MFA', shared: 'Tài khoản dùng chung', multiple_accounts: 'Một người nhiều tài khoản',
  role_mismatch: 'Quyền không phù hợp vị trí',
};
export const FINDINGS_EXPORT_HEADER = [
  'Mức độ', 'Mã hệ thống', 'Tên hệ thống', 'Đơn vị chủ quản', 'Đơn vị vận hành (phải xử lý)', 'Tên đăng nhập', 'Họ tên trên tài khoản', 'Cán bộ', 'Đơn vị của cán bộ',
  'Loại phát hiện', 'Lý do', 'Căn cứ', 'Ngày phát hiện',
];

/**
 * The findings the list shows (same scope and filters), as one XLSX for the units that must act: Vietnamese
 * headers and labels, every cell formula-safe (writeXlsx → safeCell: account names come from other systems'
 * exports and may start with `=`), at most 100,000 rows (the import limit, so the file re-opens anywhere).
 */
export async function exportFindings(
  deps: AccountDeps, actor: Actor, q: { systemId?: string | undefined; unitId?: string | undefined; kind?: string | undefined; severity?: string | undefined },
): Promise<{ body: Buffer; fileName: string }> {
  if (q.systemId) await systemFor(deps.db, actor, q.systemId, 'account.read');
  let base = deps.db.selectFrom('account_findings as f')
    .innerJoin('system_accounts as a', 'a.id', 'f.account_id')
    .innerJoin('information_systems as s', 's.id', 'f.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .leftJoin('people as p', 'p.id', 'f.person_id')
    .leftJoin('org_units as pu', 'pu.id', 'p.unit_id')
    .where(systemInScope(scopeOf(actor, 'account.read')))
    .where('f.snapshot_id', 'in', latestSnapshots(deps.db));
  if (q.systemId) base = base.where('f.system_id', '=', q.systemId);
  if (q.unitId) {
    const unit = await findUnit(deps.db, q.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    requireOnUnit(actor, 'account.read', unit);
    base = base.where((eb) => eb.or([eb('ou.path', 'like', `${unit.path}%`), eb('opu.path', 'like', `${unit.path}%`)]));
  }
  if (q.kind) base = base.where('f.kind', '=', q.kind);
  if (q.severity) base = base.where('f.severity', '=', q.severity);
  const rows = await base.select([
    'f.severity', 's.code', 's.name', 'ou.name as owner_name', 'opu.name as operating_name', 'a.username', 'a.display_name', 'p.full_name', 'pu.name as person_unit',
    'f.kind', 'f.reason', 'f.clause', 'f.created_at',
  ]).orderBy('s.code').orderBy('f.severity').orderBy('a.username').limit(100_000).execute();
  const data = rows.map((r) => [
    SEVERITY_VI[r.severity] ?? r.severity, r.code, r.name, r.owner_name, r.operating_name ?? r.owner_name, r.username, r.display_name, r.full_name, r.person_unit,
    KIND_VI[r.kind] ?? r.kind, r.reason, r.clause, r.created_at.slice(0, 10).split('-').reverse().join('/'),
  ]);
  const stamp = new Date(deps.clock()).toISOString().slice(0, 10);
  return { body: await writeXlsx('Phát hiện tài khoản', FINDINGS_EXPORT_HEADER, data), fileName: `phat-hien-tai-khoan-${stamp}.xlsx` };
}

/** Usual header spellings of each field in Vietnamese and English exports (folded), for the suggested mapping. */
const GUESS: Record<AccountField, string[]> = {
  username: ['ten dang nhap', 'tai khoan', 'username', 'user', 'login', 'samaccountname', 'uid', 'account'],
  display_name: ['ho ten', 'ho va ten', 'ten day du', 'display name', 'displayname', 'full name', 'name', 'cn'],
  email: ['thu dien tu', 'email', 'e-mail', 'mail'],
  citizen_id: ['cccd', 'so cccd', 'can cuoc', 'citizen id', 'so dinh danh'],
  date_of_birth: ['ngay sinh', 'date of birth', 'dob', 'birthday'],
  unit: ['don vi', 'co quan', 'phong ban', 'unit', 'department', 'ou'],
  roles: ['nhom quyen', 'vai tro', 'quyen', 'roles', 'role', 'groups', 'memberof'],
  privileged: ['quan tri', 'admin', 'privileged', 'la quan tri'],
  enabled: ['trang thai', 'status', 'enabled', 'active', 'kich hoat'],
  last_login: ['lan dang nhap cuoi', 'dang nhap cuoi', 'last login', 'lastlogon', 'last logon', 'lastlogontimestamp'],
  mfa: ['mfa', '2fa', 'xac thuc 2 lop', 'xac thuc hai yeu to', 'otp'],
  created: ['ngay tao', 'created', 'whencreated', 'created at'],
};

/** Read an upload's headers and first rows and guess the mapping (the column-mapping step of the import). */
export async function previewAccountFile(actor: Actor, upload: Upload) {
  if (!hasPermission(actor, 'account.import')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền nhập tài khoản.', { permission: 'account.import' });
  let rows: string[][];
  try {
    rows = (await readTable(upload.fileName, upload.data)).rows;
  } catch (err) {
    if (err instanceof TabularError) throw new UnprocessableError('import.invalid', `Tệp ${upload.fileName}: ${err.message}`, { errors: [{ file: upload.fileName, row: 1, column: null, message: `Tệp ${upload.fileName}: ${err.message}` }] });
    throw err;
  }
  const headers = (rows[0] ?? []).map((h) => h.trim());
  const folded = headers.map((h) => foldText(h));
  const suggested: Partial<Record<AccountField, string>> = {};
  const used = new Set<number>();
  for (const f of ACCOUNT_FIELDS) {
    for (const g of GUESS[f]) {
      const i = folded.findIndex((h, j) => !used.has(j) && h === g);
      if (i >= 0) { suggested[f] = headers[i]!; used.add(i); break; }
    }
  }
  return { fileName: upload.fileName, headers, sample: rows.slice(1, 6), rowCount: Math.max(0, rows.length - 1), suggested };
}

/** Change a source's name, saved column mapping, dormancy threshold or privileged roles (account.write, audited). */
export async function updateSource(deps: AccountDeps, actor: Actor, id: string, input: { name?: string | undefined; mapping?: Record<string, string> | undefined; dormantDays?: number | undefined; concurrentLoginMinutes?: number | null | undefined; privilegedRoles?: string[] | undefined }) {
  const { src, sys } = await sourceFor(deps, actor, id, 'account.write');
  const now = nowIso(deps.clock);
  const patch = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.mapping !== undefined ? { mapping_json: JSON.stringify(input.mapping) } : {}),
    ...(input.dormantDays !== undefined ? { dormant_days: input.dormantDays } : {}),
    ...(input.concurrentLoginMinutes !== undefined ? { concurrent_login_minutes: input.concurrentLoginMinutes } : {}),
    ...(input.privilegedRoles !== undefined ? { privileged_roles_json: JSON.stringify(input.privilegedRoles) } : {}),
    updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('account_sources').set(patch).where('id', '=', src.id).execute();
    // A new concurrent-login window re-judges the logins at once.
    if (input.concurrentLoginMinutes !== undefined) await refreshConcurrentLoginFindings(tx, src.system_id, now, deps.clock);
    await recordAudit(tx, actor, { action: 'account_source.update', targetType: 'account_source', targetId: src.id, unitId: sys.owner_unit_id, before: toSource(src), after: input }, now);
  });
  return toSource({ ...src, ...patch });
}
