import type { Tx } from '../../db/database.js';
import { newId } from '../../db/columns.js';
import type { ImportedAccount } from '../accounts/account-file.js';
import { storeSnapshotTx } from '../accounts/accounts.service.js';
import type { AccountSourceRow } from '../accounts/accounts.table.js';
import { asciiFold, DemoRandom } from './demo-random.js';

export const DEMO_ACCOUNTS_SEED = 20251125;
const SYSTEMS = 30;
const DAY = 86_400_000;

/** `Nguyễn Văn An` → `annv` (given name + initials), the most common convention in Vietnamese agencies. */
function username(fullName: string): string {
  const parts = asciiFold(fullName).toLowerCase().replace(/[^a-z ]/g, '').split(' ').filter(Boolean);
  if (parts.length < 2) return parts.join('');
  return `${parts[parts.length - 1]}${parts.slice(0, -1).map((p) => p[0]).join('')}`;
}

/**
 * Deterministic demo accounts: 30 systems of the demo inventory, ~520 accounts each (15,000+), one file
 * snapshot per system, reconciled. Injected on purpose: orphans, retired/dismissed officials still enabled,
 * accounts labelled with a unit that was merged away, dormant accounts, generic shared accounts
 * (admin, vanthu, ketoan) and privileged accounts without MFA. Runs inside the demo loader's transaction.
 */
export async function loadDemoAccounts(tx: Tx, now: string): Promise<{ systems: number; accounts: number }> {
  const rng = new DemoRandom(DEMO_ACCOUNTS_SEED);
  const nowMs = Date.parse(now);
  const systems = await tx.selectFrom('information_systems').select(['id', 'code', 'owner_unit_id', 'operating_unit_id']).orderBy('code').limit(SYSTEMS).execute();
  const people = await tx.selectFrom('people').select(['id', 'full_name', 'email', 'status']).orderBy('email').orderBy('id').execute();
  const merged = await tx.selectFrom('org_units').select(['name']).where('merged_into_id', 'is not', null).orderBy('code').execute();
  const current = await tx.selectFrom('org_units').select(['name']).where('merged_into_id', 'is', null).where('valid_to', 'is', null).orderBy('code').execute();
  const leavers = people.filter((p) => p.status === 'retired' || p.status === 'dismissed' || p.status === 'deceased');
  const active = people.filter((p) => p.status === 'active');
  let total = 0;
  for (const sys of systems) {
    const accounts: ImportedAccount[] = [];
    const used = new Set<string>();
    const add = (a: Partial<ImportedAccount> & { username: string }) => {
      let name = a.username;
      for (let i = 2; used.has(name); i++) name = `${a.username}${i}`;
      used.add(name);
      accounts.push({
        displayName: null, email: null, citizenIdHash: null, dateOfBirth: null, unitText: rng.pick(current).name, roles: ['Người dùng'], privileged: false,
        enabled: true, locked: false, lastLoginAt: new Date(nowMs - rng.int(0, 30) * DAY).toISOString(), mfa: rng.chance(0.55), createdAt: '2024-03-01T00:00:00.000Z',
        ...a, username: name,
      });
    };
    const sample = (list: typeof people, n: number) => Array.from({ length: Math.min(n, list.length) }, () => rng.pick(list));
    for (const p of sample(active, 480)) {
      const admin = rng.chance(0.03);
      add({
        username: username(p.full_name), displayName: p.full_name, email: rng.chance(0.8) ? p.email : null,
        roles: admin ? ['Quản trị hệ thống'] : ['Người dùng'], privileged: admin, mfa: admin ? rng.chance(0.5) : rng.chance(0.55),
        // Dormant: about 6 % have not logged in for 46–200 days.
        lastLoginAt: new Date(nowMs - (rng.chance(0.06) ? rng.int(46, 200) : rng.int(0, 30)) * DAY).toISOString(),
      });
    }
    for (const p of sample(leavers, 8)) add({ username: username(p.full_name), displayName: p.full_name, email: p.email });
    for (let i = 0; i < 8; i++) add({ username: `tk.${rng.int(1000, 9999)}`, displayName: `Cộng tác viên ${i + 1}`, unitText: null });
    for (const p of sample(active, 10)) if (merged.length) add({ username: username(p.full_name), displayName: p.full_name, email: p.email, unitText: rng.pick(merged).name });
    for (const generic of ['admin', 'vanthu', 'ketoan']) add({ username: generic, displayName: generic, privileged: generic === 'admin', roles: generic === 'admin' ? ['Quản trị hệ thống'] : ['Người dùng'], mfa: false });
    const src: AccountSourceRow = {
      id: newId(), system_id: sys.id, name: `Xuất tài khoản ${sys.code}`, kind: 'file',
      mapping_json: JSON.stringify({ username: 'Tên đăng nhập', display_name: 'Họ tên', email: 'Thư điện tử', unit: 'Đơn vị', roles: 'Nhóm quyền', privileged: 'Quản trị', enabled: 'Trạng thái', last_login: 'Lần đăng nhập cuối', mfa: 'MFA' }),
      ldap_json: null, ldap_password_enc: null, dormant_days: 45, role_policy_json: null, concurrent_login_minutes: null, privileged_roles_json: JSON.stringify(['Quản trị hệ thống']), created_at: now, updated_at: now,
    };
    await tx.insertInto('account_sources').values(src).execute();
    await storeSnapshotTx(tx, { clock: () => nowMs }, null, src, sys, accounts, 'demo', `${sys.code.toLowerCase()}-tai-khoan.csv`);
    total += accounts.length;
  }
  return { systems: systems.length, accounts: total };
}
