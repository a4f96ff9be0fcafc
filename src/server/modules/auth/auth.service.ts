import { randomBytes } from 'node:crypto';
import type { AuthState, Me, MfaMethod, SessionInfo, SessionStage } from '../../../contracts/auth.js';
import type { Role } from '../../../contracts/roles.js';
import { type Actor, permissionsOf, type RequestMeta, type SessionUser } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError, NotFoundError, TooManyRequestsError, UnauthenticatedError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { UserRow } from '../org/org.table.js';
import type { SessionRow } from './auth.table.js';
import {
  AccountLockedError,
  IpRateLimiter,
  lockRemainingSeconds,
  PhantomLockouts,
  recordAccountFailure,
  resetAccountFailures,
} from './login-throttle.js';
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import { recoveryCodesLeft } from './recovery.js';
import { sessionExpiry, sessionIdFromToken } from './session-guard.js';
import { endAllSessions } from './session.repository.js';
import { hasConfirmedTotp } from './totp.js';

/** A session that has not completed MFA lives at most 10 minutes (password change, enrolment, second factor). */
export const PENDING_SESSION_MS = 10 * 60_000;

/** A one-time password handed out by an administrator is short-lived (ASVS 5 6.4.1): 72 hours. */
export const INITIAL_PASSWORD_TTL_MS = 72 * 3_600_000;

/** A request in a session (pending or active): the session row and its user, who every audit entry names. */
export interface RequestContext {
  who: SessionUser;
  session: SessionRow;
}

/** Outcome of a step that may issue a new session token (cookie) — on login and when the session becomes active. */
export interface Issued<T = AuthState> {
  token: string | null;
  result: T;
}

const invalidCredentials = () => new UnauthenticatedError('auth.invalid_credentials', 'Tên đăng nhập hoặc mật khẩu không đúng.');

export async function loadUser(tx: Tx | Db, userId: string): Promise<UserRow> {
  return tx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Second factors the user can use now. */
export async function methodsOf(tx: Tx | Db, userId: string): Promise<MfaMethod[]> {
  const methods: MfaMethod[] = [];
  if (await hasConfirmedTotp(tx, userId)) methods.push('totp');
  const keys = await tx.selectFrom('webauthn_credentials').select('id').where('user_id', '=', userId).executeTakeFirst();
  if (keys) methods.push('webauthn');
  if ((await recoveryCodesLeft(tx, userId)) > 0) methods.push('recovery');
  return methods;
}

/** Where a freshly authenticated (password only) session goes next. */
async function stageAfterPassword(tx: Tx | Db, user: UserRow): Promise<SessionStage> {
  if (user.must_change_password === 1) return 'password_change';
  const methods = await methodsOf(tx, user.id);
  return methods.includes('totp') || methods.includes('webauthn') ? 'mfa' : 'mfa_enrolment';
}

export async function authState(tx: Tx | Db, session: Pick<SessionRow, 'user_id' | 'stage' | 'csrf_token'>): Promise<AuthState> {
  return { stage: session.stage as SessionStage, methods: await methodsOf(tx, session.user_id), csrfToken: session.csrf_token };
}

/** A new server-side session: 32 random bytes in the cookie, their SHA-256 as the row id. */
async function openSession(
  tx: Tx | Db,
  userId: string,
  stage: SessionStage,
  meta: RequestMeta,
  now: number,
  expiresAt: number,
  mfaMethod: MfaMethod | null = null,
): Promise<{ token: string; row: SessionRow }> {
  const token = randomBytes(32).toString('base64url');
  const row: SessionRow = {
    id: sessionIdFromToken(token),
    user_id: userId,
    stage,
    csrf_token: randomBytes(24).toString('base64url'),
    mfa_method: mfaMethod,
    challenge: null,
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 500) ?? null,
    created_at: nowIso(() => now),
    last_seen_at: nowIso(() => now),
    expires_at: new Date(expiresAt).toISOString(),
    ended_at: null,
    end_reason: null,
  };
  await tx.insertInto('sessions').values(row).execute();
  return { token, row };
}

export function assertStage(session: SessionRow, allowed: SessionStage[]): void {
  if (!allowed.includes(session.stage as SessionStage)) {
    throw new ForbiddenError('auth.stage_invalid', 'Thao tác này không phù hợp với bước đăng nhập hiện tại.', { stage: session.stage, allowed });
  }
}

export function assertNotLocked(user: UserRow, now: number, reply?: { header(k: string, v: string): unknown }): void {
  const left = lockRemainingSeconds(user.locked_until, now);
  if (left > 0) {
    reply?.header('retry-after', String(left));
    throw new AccountLockedError(left);
  }
}

/**
 * Move a session past a completed step. Reaching `active` rotates the session: a new token, cookie and CSRF
 * token replace the pre-authentication ones (ASVS 5 7.2.4), and the absolute lifetime counts from the login.
 */
export async function advanceSession(
  deps: AppDeps,
  tx: Tx,
  session: SessionRow,
  meta: RequestMeta,
  next: SessionStage,
  mfaMethod: MfaMethod | null = null,
): Promise<Issued> {
  const now = deps.clock();
  if (next !== 'active') {
    await tx
      .updateTable('sessions')
      .set({ stage: next, expires_at: new Date(now + PENDING_SESSION_MS).toISOString(), last_seen_at: nowIso(deps.clock) })
      .where('id', '=', session.id)
      .execute();
    return { token: null, result: await authState(tx, { ...session, stage: next }) };
  }
  const absolute = Date.parse(session.created_at) + deps.config.sessionAbsoluteHours * 3_600_000;
  const { token, row } = await openSession(tx, session.user_id, 'active', meta, now, absolute, mfaMethod);
  await tx.updateTable('sessions').set({ ended_at: nowIso(deps.clock), end_reason: 'rotated' }).where('id', '=', session.id).execute();
  await resetAccountFailures(tx, session.user_id);
  await tx.updateTable('users').set({ last_login_at: nowIso(deps.clock) }).where('id', '=', session.user_id).execute();
  return { token, result: await authState(tx, row) };
}

/** The names of the user's unit and its ancestors: context words a password must not contain. */
async function unitNamesOf(tx: Tx | Db, unitId: string): Promise<string[]> {
  const unit = await tx.selectFrom('org_units').select(['path']).where('id', '=', unitId).executeTakeFirst();
  const ids = unit ? unit.path.split('/').filter(Boolean) : [];
  if (ids.length === 0) return [];
  const rows = await tx.selectFrom('org_units').select(['name', 'short_name', 'code']).where('id', 'in', ids).execute();
  return rows.flatMap((r) => [r.name, r.short_name ?? '', r.code]);
}

export function createAuthService(deps: AppDeps) {
  const ipLimiter = new IpRateLimiter(deps.config.loginMaxPerMinutePerIp);
  const phantoms = new PhantomLockouts();

  /**
   * Password step. Unknown usernames, wrong passwords and disabled accounts all answer 401
   * `auth.invalid_credentials` after the same argon2 work (ASVS 5 6.3.8); a locked account — real or not —
   * answers 423. Every attempt is audited as `auth.login`.
   */
  async function login(meta: RequestMeta, username: string, password: string, reply?: { header(k: string, v: string): unknown }): Promise<Issued> {
    const now = deps.clock();
    const at = nowIso(deps.clock);
    const label = username.slice(0, 100);
    const fail = (reason: string, userId: string | null = null, details?: unknown) =>
      recordAudit(deps.db, meta, { action: 'auth.login', outcome: 'failure', reason, actorLabel: label, actorUserId: userId, targetType: userId ? 'user' : null, targetId: userId, details }, at);

    const retry = ipLimiter.hit(meta.ip ?? 'unknown', now);
    if (retry > 0) {
      await fail('rate_limited');
      throw new TooManyRequestsError('auth.rate_limited', 'Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau.', retry);
    }
    // Usernames are stored lowercase (UserCreateSchema); accept what people type ("NguyenVanA ").
    const user = await deps.db.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
    if (!user) {
      const left = phantoms.remainingSeconds(username, now);
      if (left > 0) {
        await fail('locked');
        reply?.header('retry-after', String(left));
        throw new AccountLockedError(left);
      }
      await verifyPassword(await dummyPasswordHash(), password);
      phantoms.fail(username, now);
      await fail('unknown_user');
      throw invalidCredentials();
    }
    if (lockRemainingSeconds(user.locked_until, now) > 0) {
      await fail('locked', user.id);
      assertNotLocked(user, now, reply);
    }
    const ok = await verifyPassword(user.password_hash ?? (await dummyPasswordHash()), password);
    if (user.status !== 'active') {
      await fail('user_disabled', user.id);
      throw invalidCredentials();
    }
    if (!ok || !user.password_hash) {
      await deps.db.transaction().execute(async (tx) => {
        const locked = await recordAccountFailure(tx, user.id, now);
        await recordAudit(tx, meta, { action: 'auth.login', outcome: 'failure', reason: 'bad_password', actorLabel: label, actorUserId: user.id, targetType: 'user', targetId: user.id, details: { locked } }, at);
      });
      throw invalidCredentials();
    }
    const issued = Date.parse(user.password_changed_at ?? user.created_at);
    if (user.must_change_password === 1 && now - issued > INITIAL_PASSWORD_TTL_MS) {
      await fail('initial_password_expired', user.id);
      throw new UnauthenticatedError('auth.initial_password_expired', 'Mật khẩu khởi tạo đã hết hạn (sau 72 giờ). Vui lòng liên hệ quản trị viên để được cấp lại.');
    }
    const rehash = needsRehash(user.password_hash) ? await hashPassword(password) : null;
    return deps.db.transaction().execute(async (tx) => {
      if (rehash) await tx.updateTable('users').set({ password_hash: rehash, updated_at: at }).where('id', '=', user.id).execute();
      const stage = await stageAfterPassword(tx, user);
      const { token, row } = await openSession(tx, user.id, stage, meta, now, now + PENDING_SESSION_MS);
      await recordAudit(tx, meta, { action: 'auth.login', actorLabel: user.username, actorUserId: user.id, targetType: 'user', targetId: user.id, details: { stage } }, at);
      return { token, result: await authState(tx, row) };
    });
  }

  /**
   * Change one's password (forced at first login, or by choice when active). The current password is
   * re-verified; the new one must pass the policy; every other session of the user ends (ASVS 5 7.4.3).
   */
  async function changePassword(ctx: RequestContext, currentPassword: string, newPassword: string): Promise<AuthState> {
    assertStage(ctx.session, ['password_change', 'active']);
    const now = deps.clock();
    const at = nowIso(deps.clock);
    const user = await loadUser(deps.db, ctx.session.user_id);
    assertNotLocked(user, now);
    const who = { ...ctx.who };
    const audit = { actorLabel: user.username, actorUserId: user.id, targetType: 'user', targetId: user.id };
    if (!user.password_hash || !(await verifyPassword(user.password_hash, currentPassword))) {
      await deps.db.transaction().execute(async (tx) => {
        await recordAccountFailure(tx, user.id, now);
        await recordAudit(tx, who, { action: 'auth.password_change', outcome: 'failure', reason: 'bad_password', ...audit }, at);
      });
      throw new ValidationError('auth.current_password_invalid', 'Mật khẩu hiện tại không đúng.');
    }
    const problems = checkPasswordPolicy(newPassword, {
      username: user.username,
      displayName: user.display_name,
      email: user.email,
      unitNames: await unitNamesOf(deps.db, user.unit_id),
    });
    if (newPassword === currentPassword) problems.push('Mật khẩu mới phải khác mật khẩu hiện tại.');
    if (problems.length > 0) {
      await recordAudit(deps.db, who, { action: 'auth.password_change', outcome: 'failure', reason: 'policy', ...audit }, at);
      throw new UnprocessableError('auth.password_policy', problems.join(' '), { problems });
    }
    const hash = await hashPassword(newPassword);
    return deps.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ password_hash: hash, password_changed_at: at, must_change_password: 0, failed_logins: 0, updated_at: at })
        .where('id', '=', user.id)
        .execute();
      const ended = await endAllSessions(tx, user.id, 'password_changed', at, ctx.session.id);
      await recordAudit(tx, who, { action: 'auth.password_change', ...audit, details: { otherSessionsEnded: ended } }, at);
      if (ctx.session.stage === 'password_change') {
        const next = await stageAfterPassword(tx, { ...user, must_change_password: 0 });
        return (await advanceSession(deps, tx, ctx.session, ctx.who, next)).result;
      }
      return authState(tx, ctx.session);
    });
  }

  async function me(session: SessionRow): Promise<Me> {
    const user = await loadUser(deps.db, session.user_id);
    const unit = await deps.db.selectFrom('org_units').select('name').where('id', '=', user.unit_id).executeTakeFirstOrThrow();
    const at = nowIso(deps.clock);
    const grants = await deps.db
      .selectFrom('role_grants as g')
      .innerJoin('org_units as u', 'u.id', 'g.unit_id')
      .select(['g.id', 'g.role', 'g.unit_id', 'u.name', 'g.expires_at'])
      .where('g.user_id', '=', user.id)
      .execute();
    const live = grants.filter((g) => !g.expires_at || g.expires_at > at);
    const webauthn = await deps.db
      .selectFrom('webauthn_credentials')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    const active = session.stage === 'active';
    return {
      user: { id: user.id, username: user.username, displayName: user.display_name, personId: user.person_id, unitId: user.unit_id, unitName: unit.name, locale: user.locale === 'en' ? 'en' : 'vi' },
      stage: session.stage as SessionStage,
      csrfToken: session.csrf_token,
      // Grants and permissions are only disclosed to a fully authenticated session.
      grants: active ? live.map((g) => ({ id: g.id, role: g.role as Role, unitId: g.unit_id, unitName: g.name })) : [],
      permissions: active ? permissionsOf({ grants: live.map((g) => ({ role: g.role as Role })) }) : [],
      factors: { totp: await hasConfirmedTotp(deps.db, user.id), webauthn: Number(webauthn.n), recoveryCodesLeft: await recoveryCodesLeft(deps.db, user.id) },
    };
  }

  async function logout(ctx: RequestContext): Promise<void> {
    const at = nowIso(deps.clock);
    await deps.db.transaction().execute(async (tx) => {
      await tx.updateTable('sessions').set({ ended_at: at, end_reason: 'logout' }).where('id', '=', ctx.session.id).where('ended_at', 'is', null).execute();
      await recordAudit(tx, ctx.who, { action: 'auth.logout', targetType: 'session', targetId: ctx.session.id.slice(0, 16) }, at);
    });
  }

  async function listSessions(actor: Actor): Promise<SessionInfo[]> {
    const now = deps.clock();
    const rows = await deps.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .where('ended_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    return rows
      .filter((s) => sessionExpiry(s, now, deps.config.sessionIdleMinutes) === null)
      .map((s) => ({
        id: s.id,
        current: s.id === actor.sessionId,
        ip: s.ip,
        userAgent: s.user_agent,
        createdAt: s.created_at,
        lastSeenAt: s.last_seen_at,
        expiresAt: s.expires_at,
        mfaMethod: (s.mfa_method as MfaMethod | null) ?? null,
      }));
  }

  /** End one of one's own sessions (e.g. a forgotten browser). Another user's session id is "not found". */
  async function endOwnSession(actor: Actor, sessionId: string): Promise<void> {
    const at = nowIso(deps.clock);
    const found = await deps.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('sessions')
        .set({ ended_at: at, end_reason: 'user' })
        .where('id', '=', sessionId)
        .where('user_id', '=', actor.userId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await recordAudit(tx, actor, { action: 'auth.session_end', targetType: 'session', targetId: sessionId.slice(0, 16), reason: 'user' }, at);
      return true;
    });
    if (!found) throw new NotFoundError('session.not_found', 'Không tìm thấy phiên đăng nhập.');
  }

  async function setLocale(session: SessionRow, locale: 'vi' | 'en'): Promise<void> {
    await deps.db.updateTable('users').set({ locale, updated_at: nowIso(deps.clock) }).where('id', '=', session.user_id).execute();
  }

  return { login, changePassword, me, logout, listSessions, endOwnSession, setLocale };
}

export type AuthService = ReturnType<typeof createAuthService>;
