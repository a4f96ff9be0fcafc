import type { Role } from '../../../contracts/roles.js';
import { newId } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import type { DemoData } from './demo-data.js';

/**
 * Platform users of the demo, one per role, each linked to an official of the unit it works in, so the
 * users and grants pages show how a province is organised. They have no password: an administrator issues
 * one (and the user then enrols MFA) before anyone can log in as them.
 */
const DEMO_USERS: { username: string; unitCode: string; role: Role; grantAt: string; position?: RegExp }[] = [
  { username: 'tieuban.atanm', unitCode: 'VP-UBND', role: 'subcommittee', grantAt: 'GL' },
  { username: 'pa05.kiemtra', unitCode: 'CA-PA05', role: 'police', grantAt: 'GL' },
  { username: 'cds.soc', unitCode: 'SO-KHCN-TT-CDS', role: 'soc_analyst', grantAt: 'GL' },
  { username: 'khcn.lanhdao', unitCode: 'SO-KHCN', role: 'unit_manager', grantAt: 'SO-KHCN', position: /Giám đốc/ },
  { username: 'pvhcc.chuquan', unitCode: 'TT-PVHCC', role: 'system_owner', grantAt: 'TT-PVHCC', position: /Giám đốc/ },
  { username: 'cds.vanhanh', unitCode: 'SO-KHCN-TT-CDS', role: 'operator', grantAt: 'SO-KHCN-TT-CDS' },
  { username: 'thanhtra.kiemtoan', unitCode: 'THANH-TRA', role: 'auditor', grantAt: 'GL' },
  { username: 'quynhon.lanhdao', unitCode: 'PHUONG-01', role: 'unit_manager', grantAt: 'PHUONG-01', position: /Chủ tịch/ },
  { username: 'quynhon.canbo', unitCode: 'PHUONG-01', role: 'official', grantAt: 'PHUONG-01' },
];

export async function insertDemoUsers(
  tx: Tx,
  data: DemoData,
  unitIds: Map<string, string>,
  personIds: Map<string, string>,
  now: string,
): Promise<number> {
  const unitByCode = new Map(data.units.map((u) => [u.code, u.key]));
  const taken = new Set<string>();
  for (const spec of DEMO_USERS) {
    const unitKey = unitByCode.get(spec.unitCode);
    const grantKey = unitByCode.get(spec.grantAt);
    if (!unitKey || !grantKey) throw new Error(`demo user ${spec.username}: unknown unit ${spec.unitCode}/${spec.grantAt}`);
    const candidates = data.people
      .filter((p) => p.unitKey === unitKey && p.status === 'active' && !taken.has(p.key))
      .sort((a, b) => a.key.localeCompare(b.key));
    const person = candidates.find((p) => spec.position?.test(p.position)) ?? candidates[0];
    if (person) taken.add(person.key);
    const id = newId();
    await tx
      .insertInto('users')
      .values({
        id,
        username: spec.username,
        display_name: person?.fullName ?? spec.username,
        person_id: person ? personIds.get(person.key)! : null,
        unit_id: unitIds.get(unitKey)!,
        email: person?.email ?? null,
        password_hash: null,
        password_changed_at: null,
        must_change_password: 1,
        status: 'active',
        failed_logins: 0,
        locked_until: null,
        lockouts: 0,
        last_login_at: null,
        locale: 'vi',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await tx
      .insertInto('role_grants')
      .values({ id: newId(), user_id: id, role: spec.role, unit_id: unitIds.get(grantKey)!, granted_by: null, granted_at: now, expires_at: null, note: 'Dữ liệu mẫu' })
      .execute();
  }
  return DEMO_USERS.length;
}
