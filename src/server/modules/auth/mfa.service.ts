import type { FactorEnrolled, MfaMethod, Passkey } from '../../../contracts/auth.js';
import type { Actor, SessionUser } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../core/errors.js';
import { nowIso } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import { advanceSession, assertNotLocked, assertStage, authState, type Issued, loadUser, type RequestContext } from './auth.service.js';
import { recordAccountFailure } from './login-throttle.js';
import { verifyPassword } from './password.js';
import { consumeRecoveryCode, recoveryCodesLeft, replaceRecoveryCodes } from './recovery.js';
import { checkTotp, confirmTotpFactor, hasConfirmedTotp, startTotpEnrolment, type TotpEnrolment } from './totp.js';
import {
  authenticationOptions,
  challengeFor,
  type ChallengePurpose,
  challengeValue,
  listCredentials,
  registrationOptions,
  toPasskey,
  verifyAndStoreRegistration,
  verifyAssertion,
} from './webauthn.js';

type Reply = { header(k: string, v: string): unknown };

/**
 * Adding or removing a second factor in an active session needs a recent login: the session must have
 * completed MFA within this window (the active row is created at that moment). Otherwise a stolen or
 * forgotten session could plant a persistent factor (ASVS 5 7.5.1 re-authentication; 800-63B rev 4 §4.1).
 */
export const RECENT_AUTH_MS = 15 * 60_000;

/**
 * Second factors: enrolment (TOTP, passkeys), the MFA step of login (TOTP, passkey, recovery code), and the
 * management of one's own factors. Every attempt is audited (`auth.mfa`, `auth.factor_enrol`, …) without
 * codes or secrets; failed second-factor attempts count towards the account lockout like bad passwords.
 */
export function createMfaService(deps: AppDeps) {
  const audit = (tx: Tx | AppDeps['db'], who: SessionUser, userId: string, entry: Parameters<typeof recordAudit>[2]) =>
    recordAudit(tx, who, { targetType: 'user', targetId: userId, ...entry }, nowIso(deps.clock));

  function assertRecentAuth(session: { stage: string; created_at: string }): void {
    if (session.stage === 'active' && deps.clock() - Date.parse(session.created_at) > RECENT_AUTH_MS) {
      throw new ForbiddenError('auth.reauth_required', 'Vui lòng đăng xuất và đăng nhập lại trước khi thay đổi yếu tố xác thực.');
    }
  }

  /** First factor enrolled in stage mfa_enrolment: recovery codes, and the session becomes active. */
  async function finishEnrolment(tx: Tx, ctx: RequestContext, method: MfaMethod): Promise<Issued<FactorEnrolled>> {
    const needCodes = (await recoveryCodesLeft(tx, ctx.session.user_id)) === 0;
    const recoveryCodes = needCodes ? await replaceRecoveryCodes(tx, deps.keys, ctx.session.user_id, deps.clock()) : null;
    if (recoveryCodes) await audit(tx, ctx.who, ctx.session.user_id, { action: 'auth.recovery_codes_issue', details: { count: recoveryCodes.length } });
    if (ctx.session.stage === 'mfa_enrolment') {
      const { token, result } = await advanceSession(deps, tx, ctx.session, ctx.who, 'active', method);
      return { token, result: { ...result, recoveryCodes } };
    }
    return { token: null, result: { ...(await authState(tx, ctx.session)), recoveryCodes } };
  }

  async function totpEnrol(ctx: RequestContext): Promise<TotpEnrolment> {
    assertStage(ctx.session, ['mfa_enrolment', 'active']);
    assertRecentAuth(ctx.session);
    const user = await loadUser(deps.db, ctx.session.user_id);
    return startTotpEnrolment(deps.db, deps.keys, user.id, user.username, deps.clock());
  }

  async function totpConfirm(ctx: RequestContext, code: string): Promise<Issued<FactorEnrolled>> {
    assertStage(ctx.session, ['mfa_enrolment', 'active']);
    assertRecentAuth(ctx.session);
    const userId = ctx.session.user_id;
    const outcome = await deps.db.transaction().execute(async (tx) => {
      const check = await checkTotp(tx, deps.keys, userId, code, deps.clock(), 'pending');
      if (check.result !== 'ok') {
        await audit(tx, ctx.who, userId, { action: 'auth.factor_enrol', outcome: 'failure', reason: check.result === 'none' ? 'totp_not_started' : `totp_${check.result}`, details: { method: 'totp' } });
        return check.result;
      }
      await confirmTotpFactor(tx, userId, check.factorId!, deps.clock());
      await audit(tx, ctx.who, userId, { action: 'auth.factor_enrol', details: { method: 'totp' } });
      return finishEnrolment(tx, ctx, 'totp');
    });
    if (outcome === 'none') throw new ConflictError('auth.totp_not_started', 'Chưa bắt đầu đăng ký ứng dụng xác thực.');
    if (typeof outcome === 'string') throw new ValidationError('auth.totp_invalid', 'Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và thử lại.');
    return outcome;
  }

  /** Shared shape of the MFA step: lock check, verification in a transaction, failure counted and audited. */
  async function secondFactor(
    ctx: RequestContext,
    method: MfaMethod,
    verify: (tx: Tx) => Promise<{ ok: true; details?: unknown } | { ok: false; reason: string }>,
    reply?: Reply,
  ): Promise<Issued> {
    assertStage(ctx.session, ['mfa']);
    const now = deps.clock();
    const userId = ctx.session.user_id;
    const user = await loadUser(deps.db, userId);
    if (user.locked_until && Date.parse(user.locked_until) > now) {
      await audit(deps.db, ctx.who, userId, { action: 'auth.mfa', outcome: 'failure', reason: 'locked', details: { method } });
      assertNotLocked(user, now, reply);
    }
    const outcome = await deps.db.transaction().execute(async (tx) => {
      const v = await verify(tx);
      if (!v.ok) {
        const locked = await recordAccountFailure(tx, userId, now);
        await audit(tx, ctx.who, userId, { action: 'auth.mfa', outcome: 'failure', reason: v.reason, details: { method, locked } });
        return v.reason;
      }
      await audit(tx, ctx.who, userId, { action: 'auth.mfa', details: { method, ...(v.details as object | undefined) } });
      return advanceSession(deps, tx, ctx.session, ctx.who, 'active', method);
    });
    if (outcome === 'totp_replayed') throw new UnauthenticatedError('auth.totp_replayed', 'Mã này đã được dùng. Hãy đợi mã mới trên ứng dụng xác thực.');
    if (typeof outcome === 'string') throw new UnauthenticatedError('auth.mfa_invalid', 'Mã xác thực không đúng.');
    return outcome;
  }

  const mfaTotp = (ctx: RequestContext, code: string, reply?: Reply) =>
    secondFactor(
      ctx,
      'totp',
      async (tx) => {
        const { result } = await checkTotp(tx, deps.keys, ctx.session.user_id, code, deps.clock());
        return result === 'ok' ? { ok: true } : { ok: false, reason: result === 'replayed' ? 'totp_replayed' : 'totp_invalid' };
      },
      reply,
    );

  const mfaRecovery = (ctx: RequestContext, code: string, reply?: Reply) =>
    secondFactor(
      ctx,
      'recovery',
      async (tx) => {
        const ok = await consumeRecoveryCode(tx, deps.keys, ctx.session.user_id, code, deps.clock());
        return ok ? { ok: true, details: { left: await recoveryCodesLeft(tx, ctx.session.user_id) } } : { ok: false, reason: 'recovery_invalid' };
      },
      reply,
    );

  /** Take the session's pending challenge for `purpose` and clear it, so it can be verified at most once. */
  async function takeChallenge(ctx: RequestContext, purpose: ChallengePurpose): Promise<string> {
    const row = await deps.db.selectFrom('sessions').select('challenge').where('id', '=', ctx.session.id).executeTakeFirst();
    const challenge = challengeFor(row?.challenge ?? null, purpose);
    const res = challenge
      ? await deps.db.updateTable('sessions').set({ challenge: null }).where('id', '=', ctx.session.id).where('challenge', '=', row!.challenge).executeTakeFirst()
      : null;
    if (!challenge || Number(res?.numUpdatedRows ?? 0) !== 1) {
      throw new ValidationError('auth.challenge_missing', 'Yêu cầu xác thực khoá truy cập đã hết hạn. Vui lòng thử lại.');
    }
    return challenge;
  }

  async function storeChallenge(ctx: RequestContext, purpose: ChallengePurpose, challenge: string): Promise<void> {
    await deps.db.updateTable('sessions').set({ challenge: challengeValue(purpose, challenge) }).where('id', '=', ctx.session.id).execute();
  }

  async function webauthnAuthOptions(ctx: RequestContext) {
    assertStage(ctx.session, ['mfa']);
    const creds = await listCredentials(deps.db, ctx.session.user_id);
    if (creds.length === 0) throw new ConflictError('auth.no_passkey', 'Tài khoản chưa có khoá truy cập (passkey).');
    const options = await authenticationOptions(deps.config, creds);
    await storeChallenge(ctx, 'auth', options.challenge);
    return options;
  }

  async function webauthnAuthVerify(ctx: RequestContext, response: unknown, reply?: Reply): Promise<Issued> {
    assertStage(ctx.session, ['mfa']);
    const challenge = await takeChallenge(ctx, 'auth');
    return secondFactor(
      ctx,
      'webauthn',
      async (tx) => {
        const cred = await verifyAssertion(tx, deps.config, ctx.session.user_id, challenge, response, deps.clock());
        return cred ? { ok: true, details: { passkeyId: cred.id } } : { ok: false, reason: 'webauthn_invalid' };
      },
      reply,
    );
  }

  async function webauthnRegisterOptions(ctx: RequestContext) {
    assertStage(ctx.session, ['mfa_enrolment', 'active']);
    assertRecentAuth(ctx.session);
    const user = await loadUser(deps.db, ctx.session.user_id);
    const options = await registrationOptions(deps.config, { id: user.id, username: user.username, displayName: user.display_name }, await listCredentials(deps.db, user.id));
    await storeChallenge(ctx, 'reg', options.challenge);
    return options;
  }

  async function webauthnRegisterVerify(ctx: RequestContext, response: unknown, name: string): Promise<Issued<FactorEnrolled & { passkey: Passkey }>> {
    assertStage(ctx.session, ['mfa_enrolment', 'active']);
    const challenge = await takeChallenge(ctx, 'reg');
    const userId = ctx.session.user_id;
    const outcome = await deps.db.transaction().execute(async (tx) => {
      let row = null;
      try {
        row = await verifyAndStoreRegistration(tx, deps.config, userId, challenge, response, name, deps.clock());
      } catch {
        row = null;
      }
      if (!row) {
        await audit(tx, ctx.who, userId, { action: 'auth.factor_enrol', outcome: 'failure', reason: 'webauthn_invalid', details: { method: 'webauthn' } });
        return null;
      }
      await audit(tx, ctx.who, userId, { action: 'auth.factor_enrol', details: { method: 'webauthn', passkeyId: row.id, name } });
      const done = await finishEnrolment(tx, ctx, 'webauthn');
      return { token: done.token, result: { ...done.result, passkey: toPasskey(row) } };
    });
    if (!outcome) throw new ValidationError('auth.webauthn_invalid', 'Không xác minh được khoá truy cập.');
    return outcome;
  }

  async function listPasskeys(actor: Actor): Promise<Passkey[]> {
    return (await listCredentials(deps.db, actor.userId)).map(toPasskey);
  }

  async function renamePasskey(actor: Actor, id: string, name: string): Promise<Passkey> {
    return deps.db.transaction().execute(async (tx) => {
      const res = await tx.updateTable('webauthn_credentials').set({ name }).where('id', '=', id).where('user_id', '=', actor.userId).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new NotFoundError('passkey.not_found', 'Không tìm thấy khoá truy cập.');
      await audit(tx, actor, actor.userId, { action: 'auth.passkey_rename', details: { passkeyId: id, name } });
      const row = await tx.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return toPasskey(row);
    });
  }

  /** Remove a passkey — refused when it is the user's last second factor (MFA is mandatory in Khiên). */
  async function deletePasskey(actor: Actor, id: string, session: { stage: string; created_at: string }): Promise<void> {
    assertRecentAuth(session);
    await deps.db.transaction().execute(async (tx) => {
      const creds = await listCredentials(tx, actor.userId);
      if (!creds.some((c) => c.id === id)) throw new NotFoundError('passkey.not_found', 'Không tìm thấy khoá truy cập.');
      if (creds.length === 1 && !(await hasConfirmedTotp(tx, actor.userId))) {
        throw new ConflictError('auth.last_factor', 'Không thể xoá yếu tố xác thực cuối cùng. Hãy đăng ký ứng dụng xác thực hoặc khoá khác trước.');
      }
      await tx.deleteFrom('webauthn_credentials').where('id', '=', id).execute();
      await audit(tx, actor, actor.userId, { action: 'auth.factor_remove', details: { method: 'webauthn', passkeyId: id } });
    });
  }

  /**
   * New recovery codes (the old ones stop working). Requires the current password: a re-authentication that
   * works for TOTP and passkey users alike (ASVS 5 7.5.1: re-authentication before changing MFA configuration).
   */
  async function regenerateRecoveryCodes(actor: Actor, password: string): Promise<string[]> {
    const now = deps.clock();
    const user = await loadUser(deps.db, actor.userId);
    assertNotLocked(user, now);
    if (!user.password_hash || !(await verifyPassword(user.password_hash, password))) {
      await deps.db.transaction().execute(async (tx) => {
        await recordAccountFailure(tx, user.id, now);
        await audit(tx, actor, user.id, { action: 'auth.recovery_codes_regenerate', outcome: 'failure', reason: 'bad_password' });
      });
      throw new ValidationError('auth.current_password_invalid', 'Mật khẩu hiện tại không đúng.');
    }
    return deps.db.transaction().execute(async (tx) => {
      const codes = await replaceRecoveryCodes(tx, deps.keys, user.id, now);
      await audit(tx, actor, user.id, { action: 'auth.recovery_codes_regenerate', details: { count: codes.length } });
      return codes;
    });
  }

  return {
    totpEnrol,
    totpConfirm,
    mfaTotp,
    mfaRecovery,
    webauthnAuthOptions,
    webauthnAuthVerify,
    webauthnRegisterOptions,
    webauthnRegisterVerify,
    listPasskeys,
    renamePasskey,
    deletePasskey,
    regenerateRecoveryCodes,
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
