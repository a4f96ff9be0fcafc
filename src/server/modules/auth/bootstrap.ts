import { recordAudit } from '../../core/audit.js';
import { AppError, ConflictError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db } from '../../db/database.js';
import { generateInitialPassword, hashPassword } from './password.js';

/**
 * The first administrator of an instance (CLI `khien user create-admin`, and `npm start` on an empty database).
 * The password is random and one-time: the account must change it at first login, then enrol MFA.
 */
export interface BootstrapDeps {
  db: Db;
  clock: () => number;
}

export async function createAdminUser(
  deps: BootstrapDeps,
  input: { username: string; displayName: string; unitId: string },
): Promise<{ userId: string; password: string }> {
  const username = input.username.trim().toLowerCase(); // usernames are lowercase everywhere (UserCreateSchema)
  const password = generateInitialPassword();
  const passwordHash = await hashPassword(password);
  const now = nowIso(deps.clock);
  const userId = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    const taken = await tx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (taken) throw new ConflictError('user.username_taken', `Tên đăng nhập "${username}" đã được dùng.`);
    await tx
      .insertInto('users')
      .values({
        id: userId,
        username,
        display_name: input.displayName,
        person_id: null,
        unit_id: input.unitId,
        email: null,
        password_hash: passwordHash,
        password_changed_at: now,
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
      .values({ id: newId(deps.clock()), user_id: userId, role: 'admin', unit_id: input.unitId, granted_by: null, granted_at: now, expires_at: null, note: 'bootstrap' })
      .execute();
    await recordAudit(
      tx,
      null,
      {
        action: 'user.create_admin',
        actorLabel: 'system',
        targetType: 'user',
        targetId: userId,
        unitId: input.unitId,
        after: { username, displayName: input.displayName, role: 'admin', unitId: input.unitId },
      },
      now,
    );
  });
  return { userId, password };
}

/**
 * For a bootstrap admin that has never logged in (still on its one-time password): issue a fresh one-time
 * password. Refused once the account has logged in — from then on passwords are reset by an administrator.
 */
export async function resetBootstrapPassword(deps: BootstrapDeps, userId: string): Promise<{ password: string }> {
  const password = generateInitialPassword();
  const passwordHash = await hashPassword(password);
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: now, must_change_password: 1, failed_logins: 0, locked_until: null, updated_at: now })
      .where('id', '=', userId)
      .where('last_login_at', 'is', null)
      .where('must_change_password', '=', 1)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      throw new AppError('user.not_bootstrap', 409, 'Tài khoản này đã đăng nhập; không thể cấp lại mật khẩu khởi tạo.');
    }
    await recordAudit(tx, null, { action: 'user.reset_bootstrap_password', actorLabel: 'system', targetType: 'user', targetId: userId }, now);
  });
  return { password };
}
