import type { z } from 'zod';
import type { RoleGrantCreateSchema, User, UserCreateSchema, UserCredentialResetSchema, UserUpdateSchema } from '../../../contracts/org.js';
import type { MfaMethod } from '../../../contracts/auth.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import { generateInitialPassword, hashPassword } from '../auth/password.js';
import { endAllSessions } from '../auth/session.repository.js';
import { getUnitRow, type OrgDeps } from './org-unit.service.js';
import { prefixesFor, requireGrantChange, requireOnUnit } from './org.policy.js';
import { getPersonRow } from './person.service.js';
import {
  deleteGrantRow, findGrant, findUser, grantsOf, insertGrantRow, insertUserRow, listUsers, openSessions, toUser, updateUserRow,
  type UserWithUnit, usersWithMfa,
} from './user.repository.js';

async function present(deps: OrgDeps, row: UserWithUnit): Promise<User> {
  const [grants, mfa] = await Promise.all([grantsOf(deps.db, [row.id]), usersWithMfa(deps.db, [row.id])]);
  return toUser(row, grants, mfa.has(row.id));
}

/** A user by id; 404 unknown, 403 (audited) when the account's unit is outside the actor's scope. */
async function getUserRow(deps: OrgDeps, actor: Actor, id: string, permission: 'user.read' | 'user.write'): Promise<UserWithUnit> {
  const row = await findUser(deps.db, id);
  if (!row) throw new NotFoundError('user.not_found', 'Không tìm thấy tài khoản.');
  requireOnUnit(actor, permission, { id: row.unit_id, path: row.unit_path }, { type: 'user', id });
  return row;
}

/** Users of units in the actor's user.read scope. */
export async function searchUsers(deps: OrgDeps, actor: Actor, query: { q?: string; page: number; pageSize: number }) {
  const text = query.q?.trim().toLowerCase().replace(/[%_\\]/g, '') || undefined;
  const { rows, total } = await listUsers(deps.db, prefixesFor(actor, 'user.read'), query.page, query.pageSize, text);
  const ids = rows.map((r) => r.id);
  const [grants, mfa] = await Promise.all([grantsOf(deps.db, ids), usersWithMfa(deps.db, ids)]);
  return {
    items: rows.map((r) => toUser(r, grants.filter((g) => g.user_id === r.id), mfa.has(r.id))),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function getUser(deps: OrgDeps, actor: Actor, id: string): Promise<User> {
  return present(deps, await getUserRow(deps, actor, id, 'user.read'));
}

/**
 * Create a platform account. The answer carries a one-time initial password (shown once, never stored in
 * clear) that must be changed at first login (must_change_password). Linking to a person is optional.
 */
export async function createUser(deps: OrgDeps, actor: Actor, input: z.infer<typeof UserCreateSchema>): Promise<{ user: User; initialPassword: string }> {
  const unit = await getUnitRow(deps, input.unitId);
  requireOnUnit(actor, 'user.write', unit);
  if (input.personId) await getPersonRow(deps, actor, input.personId, 'person.read');
  const initialPassword = generateInitialPassword();
  const passwordHash = await hashPassword(initialPassword);
  const now = nowIso(deps.clock);
  const id = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    await insertUserRow(tx, {
      id, username: input.username, display_name: input.displayName, person_id: input.personId ?? null, unit_id: unit.id,
      email: input.email?.toLowerCase() ?? null, password_hash: passwordHash, password_changed_at: now, must_change_password: 1,
      status: 'active', failed_logins: 0, locked_until: null, lockouts: 0, last_login_at: null, locale: 'vi', created_at: now, updated_at: now,
    });
    await recordAudit(tx, actor, {
      action: 'user.create', targetType: 'user', targetId: id, unitId: unit.id,
      after: { username: input.username, displayName: input.displayName, email: input.email ?? null, personId: input.personId ?? null, unitId: unit.id },
    }, now);
  });
  const row = await findUser(deps.db, id);
  return { user: await present(deps, row!), initialPassword };
}

/**
 * Change a user's name, e-mail or status. Disabling ends every session of the account in the same
 * transaction (ASVS 5 7.4.2), so its very next request is refused. Nobody disables their own account.
 */
export async function updateUser(deps: OrgDeps, actor: Actor, id: string, input: z.infer<typeof UserUpdateSchema>): Promise<User> {
  const before = await getUserRow(deps, actor, id, 'user.write');
  if (input.status === 'disabled' && id === actor.userId) throw new ConflictError('user.self_disable', 'Không thể tự vô hiệu hoá tài khoản của mình.');
  const now = nowIso(deps.clock);
  const patch = {
    ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
    ...(input.email !== undefined ? { email: input.email?.toLowerCase() ?? null } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    updated_at: now,
  };
  const disabling = input.status === 'disabled' && before.status !== 'disabled';
  await deps.db.transaction().execute(async (tx) => {
    await updateUserRow(tx, id, patch);
    const ended = disabling ? await endAllSessions(tx, id, 'disabled', now) : 0;
    await recordAudit(tx, actor, {
      action: disabling ? 'user.disable' : input.status === 'active' && before.status !== 'active' ? 'user.enable' : 'user.update',
      targetType: 'user', targetId: id, unitId: before.unit_id,
      before: { displayName: before.display_name, email: before.email, status: before.status },
      after: { displayName: patch.display_name ?? before.display_name, email: patch.email !== undefined ? patch.email : before.email, status: patch.status ?? before.status },
      ...(disabling ? { details: { sessionsEnded: ended } } : {}),
    }, now);
  });
  return present(deps, (await findUser(deps.db, id))!);
}

/** Who may see or end a user's sessions: the user themself, or a holder of session.revoke_any over their unit. */
function requireSessionAccess(actor: Actor, user: UserWithUnit): void {
  if (user.id === actor.userId) return;
  requireOnUnit(actor, 'session.revoke_any', { id: user.unit_id, path: user.unit_path }, { type: 'user', id: user.id });
}

export async function listUserSessions(deps: OrgDeps, actor: Actor, id: string) {
  const user = await findUser(deps.db, id);
  if (!user) throw new NotFoundError('user.not_found', 'Không tìm thấy tài khoản.');
  requireSessionAccess(actor, user);
  const now = deps.clock();
  const idleCutoff = new Date(now - deps.config.sessionIdleMinutes * 60_000).toISOString();
  const rows = (await openSessions(deps.db, id, nowIso(deps.clock))).filter((s) => s.last_seen_at > idleCutoff);
  // Same shape as the user's own session list (contracts/auth SessionInfo). The id is the stored SHA-256 of
  // the cookie token, which cannot be turned back into a usable cookie.
  return rows.map((s) => ({
    id: s.id, current: s.id === actor.sessionId, ip: s.ip, userAgent: s.user_agent,
    createdAt: s.created_at, lastSeenAt: s.last_seen_at, expiresAt: s.expires_at,
    mfaMethod: (s.mfa_method as MfaMethod | null) ?? null,
  }));
}

/**
 * End a user's sessions (ASVS 5 7.4.5). An administrator ends all of them; a user ending their own keeps the
 * session making the request.
 */
export async function revokeUserSessions(deps: OrgDeps, actor: Actor, id: string): Promise<{ ended: number }> {
  const user = await findUser(deps.db, id);
  if (!user) throw new NotFoundError('user.not_found', 'Không tìm thấy tài khoản.');
  requireSessionAccess(actor, user);
  const now = nowIso(deps.clock);
  const self = id === actor.userId;
  return deps.db.transaction().execute(async (tx) => {
    const ended = await endAllSessions(tx, id, self ? 'user' : 'admin', now, self ? actor.sessionId : undefined);
    await recordAudit(tx, actor, { action: 'session.revoke', targetType: 'user', targetId: id, unitId: user.unit_id, details: { ended, self } }, now);
    return { ended };
  });
}

/** Grant a role at a unit (rules in org.policy requireGrantChange). */
export async function addGrant(deps: OrgDeps, actor: Actor, userId: string, input: z.infer<typeof RoleGrantCreateSchema>): Promise<User> {
  const user = await getUserRow(deps, actor, userId, 'user.read');
  const unit = await getUnitRow(deps, input.unitId);
  requireGrantChange(actor, userId, input.role, unit);
  const now = nowIso(deps.clock);
  const id = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    await insertGrantRow(tx, { id, user_id: userId, role: input.role, unit_id: unit.id, granted_by: actor.userId, granted_at: now, expires_at: null, note: input.note ?? null });
    await recordAudit(tx, actor, { action: 'role_grant.create', targetType: 'user', targetId: userId, unitId: unit.id, after: { grantId: id, role: input.role, unitId: unit.id } }, now);
  });
  return present(deps, user);
}

/** Remove a grant (same rules as granting it). */
export async function removeGrant(deps: OrgDeps, actor: Actor, userId: string, grantId: string): Promise<User> {
  const user = await getUserRow(deps, actor, userId, 'user.read');
  const grant = await findGrant(deps.db, grantId);
  if (!grant || grant.user_id !== userId) throw new NotFoundError('role_grant.not_found', 'Không tìm thấy quyền đã cấp.');
  requireGrantChange(actor, userId, grant.role, { id: grant.unit_id, path: grant.unit_path });
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await deleteGrantRow(tx, grantId);
    await recordAudit(tx, actor, { action: 'role_grant.delete', targetType: 'user', targetId: userId, unitId: grant.unit_id, before: { grantId, role: grant.role, unitId: grant.unit_id } }, now);
  });
  return present(deps, user);
}


/**
 * Issue a new one-time password (must be changed at next login) and optionally remove every second factor
 * (TOTP, passkeys, recovery codes) so the user enrols again. All the user's sessions end; audited with the
 * reason. Nobody resets their own credentials this way (they use their account page).
 */
export async function resetUserCredentials(
  deps: OrgDeps,
  actor: Actor,
  id: string,
  input: z.infer<typeof UserCredentialResetSchema>,
): Promise<{ user: User; initialPassword: string }> {
  const user = await getUserRow(deps, actor, id, 'user.write');
  if (id === actor.userId) {
    throw new ForbiddenError('user.self_reset', 'Không tự cấp lại mật khẩu cho chính mình; hãy dùng trang Tài khoản của tôi.', { target: { type: 'user', id } });
  }
  const initialPassword = generateInitialPassword();
  const hash = await hashPassword(initialPassword);
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: hash, password_changed_at: now, must_change_password: 1, failed_logins: 0, locked_until: null, updated_at: now })
      .where('id', '=', id)
      .execute();
    if (input.resetMfa) {
      await tx.deleteFrom('totp_factors').where('user_id', '=', id).execute();
      await tx.deleteFrom('webauthn_credentials').where('user_id', '=', id).execute();
      await tx.deleteFrom('recovery_codes').where('user_id', '=', id).execute();
    }
    const ended = await endAllSessions(tx, id, 'admin', now);
    await recordAudit(tx, actor, {
      action: 'user.credentials_reset',
      targetType: 'user',
      targetId: id,
      unitId: user.unit_id,
      reason: input.reason,
      details: { resetMfa: input.resetMfa, sessionsEnded: ended },
    }, now);
  });
  return { user: await present(deps, { ...user, must_change_password: 1, locked_until: null }), initialPassword };
}
