import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AuthStateSchema,
  ChangePasswordRequestSchema,
  FactorEnrolledSchema,
  LocaleRequestSchema,
  LoginRequestSchema,
  MeSchema,
  PasskeyEnrolledSchema,
  PasskeyListSchema,
  PasskeyRenameSchema,
  PasskeySchema,
  RecoveryCodeRequestSchema,
  RecoveryCodesSchema,
  RegenerateRecoveryCodesRequestSchema,
  SessionListSchema,
  TotpCodeRequestSchema,
  TotpEnrolmentSchema,
  WebauthnAuthVerifySchema,
  WebauthnJsonSchema,
  WebauthnRegisterVerifySchema,
} from '../../../contracts/auth.js';
import { errorResponses, OkSchema } from '../../../contracts/common.js';
import type { AppDeps } from '../../core/context.js';
import { AppError } from '../../core/errors.js';
import { actorOf, requestMeta } from '../../core/http.js';
import { createAuthService, type RequestContext } from './auth.service.js';
import { createMfaService } from './mfa.service.js';
import { SESSION_COOKIE } from './session-guard.js';

/**
 * /api/v1/auth: login, password change, MFA enrolment and verification, sessions, passkeys, recovery codes.
 * `pending` routes accept a session in any stage (the service checks which stages may use them);
 * `user` routes need a session that has completed MFA.
 */
export async function registerAuth(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const auth = createAuthService(deps);
  const mfa = createMfaService(deps);
  const tags = ['auth'];

  /** `__Host-` cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain, no Max-Age (ASVS 5 3.3.1–3.3.4). */
  const setSessionCookie = (reply: FastifyReply, token: string | null) => {
    if (token) reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
  };
  const ctxOf = (req: FastifyRequest): RequestContext => {
    if (!req.session || !req.sessionUser) throw new AppError('internal.no_session', 500, 'route is not protected as a pending route');
    return { who: req.sessionUser, session: req.session };
  };

  app.post(
    '/auth/login',
    {
      config: { auth: 'public' },
      schema: { operationId: 'authLogin', tags, body: LoginRequestSchema, response: { 200: AuthStateSchema, ...errorResponses } },
    },
    async (req, reply) => {
      const { token, result } = await auth.login(requestMeta(req), req.body.username, req.body.password, reply);
      setSessionCookie(reply, token);
      return result;
    },
  );

  app.post(
    '/auth/password',
    {
      config: { auth: 'pending' },
      schema: { operationId: 'authChangePassword', tags, body: ChangePasswordRequestSchema, response: { 200: AuthStateSchema, ...errorResponses } },
    },
    async (req) => auth.changePassword(ctxOf(req), req.body.currentPassword, req.body.newPassword),
  );

  app.post(
    '/auth/totp/enrol',
    { config: { auth: 'pending' }, schema: { operationId: 'authTotpEnrol', tags, response: { 200: TotpEnrolmentSchema, ...errorResponses } } },
    async (req) => mfa.totpEnrol(ctxOf(req)),
  );

  app.post(
    '/auth/totp/confirm',
    {
      config: { auth: 'pending' },
      schema: { operationId: 'authTotpConfirm', tags, body: TotpCodeRequestSchema, response: { 200: FactorEnrolledSchema, ...errorResponses } },
    },
    async (req, reply) => {
      const { token, result } = await mfa.totpConfirm(ctxOf(req), req.body.code);
      setSessionCookie(reply, token);
      return result;
    },
  );

  app.post(
    '/auth/mfa/totp',
    {
      config: { auth: 'pending' },
      schema: { operationId: 'authMfaTotp', tags, body: TotpCodeRequestSchema, response: { 200: AuthStateSchema, ...errorResponses } },
    },
    async (req, reply) => {
      const { token, result } = await mfa.mfaTotp(ctxOf(req), req.body.code, reply);
      setSessionCookie(reply, token);
      return result;
    },
  );

  app.post(
    '/auth/mfa/recovery',
    {
      config: { auth: 'pending' },
      schema: { operationId: 'authMfaRecovery', tags, body: RecoveryCodeRequestSchema, response: { 200: AuthStateSchema, ...errorResponses } },
    },
    async (req, reply) => {
      const { token, result } = await mfa.mfaRecovery(ctxOf(req), req.body.code, reply);
      setSessionCookie(reply, token);
      return result;
    },
  );

  app.post(
    '/auth/mfa/webauthn/options',
    { config: { auth: 'pending' }, schema: { operationId: 'authMfaWebauthnOptions', tags, response: { 200: WebauthnJsonSchema, ...errorResponses } } },
    async (req) => (await mfa.webauthnAuthOptions(ctxOf(req))) as unknown as Record<string, unknown>,
  );

  app.post(
    '/auth/mfa/webauthn/verify',
    {
      config: { auth: 'pending' },
      schema: { operationId: 'authMfaWebauthnVerify', tags, body: WebauthnAuthVerifySchema, response: { 200: AuthStateSchema, ...errorResponses } },
    },
    async (req, reply) => {
      const { token, result } = await mfa.webauthnAuthVerify(ctxOf(req), req.body.response, reply);
      setSessionCookie(reply, token);
      return result;
    },
  );

  app.post(
    '/auth/webauthn/register/options',
    { config: { auth: 'pending' }, schema: { operationId: 'authWebauthnRegisterOptions', tags, response: { 200: WebauthnJsonSchema, ...errorResponses } } },
    async (req) => (await mfa.webauthnRegisterOptions(ctxOf(req))) as unknown as Record<string, unknown>,
  );

  app.post(
    '/auth/webauthn/register/verify',
    {
      config: { auth: 'pending' },
      schema: {
        operationId: 'authWebauthnRegisterVerify',
        tags,
        body: WebauthnRegisterVerifySchema,
        response: { 200: PasskeyEnrolledSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { token, result } = await mfa.webauthnRegisterVerify(ctxOf(req), req.body.response, req.body.name);
      setSessionCookie(reply, token);
      return result;
    },
  );

  app.get(
    '/auth/me',
    { config: { auth: 'pending' }, schema: { operationId: 'authMe', tags, response: { 200: MeSchema, ...errorResponses } } },
    async (req) => auth.me(ctxOf(req).session),
  );

  app.post(
    '/auth/logout',
    { config: { auth: 'pending' }, schema: { operationId: 'authLogout', tags, response: { 200: OkSchema, ...errorResponses } } },
    async (req, reply) => {
      await auth.logout(ctxOf(req));
      reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/sessions',
    { config: { auth: 'user' }, schema: { operationId: 'authListSessions', tags, response: { 200: SessionListSchema, ...errorResponses } } },
    async (req) => ({ items: await auth.listSessions(actorOf(req)) }),
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: { auth: 'user' },
      schema: { operationId: 'authEndSession', tags, params: z.object({ id: z.string().min(1).max(128) }), response: { 200: OkSchema, ...errorResponses } },
    },
    async (req) => {
      await auth.endOwnSession(actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/passkeys',
    { config: { auth: 'user' }, schema: { operationId: 'authListPasskeys', tags, response: { 200: PasskeyListSchema, ...errorResponses } } },
    async (req) => ({ items: await mfa.listPasskeys(actorOf(req)) }),
  );

  app.patch(
    '/auth/passkeys/:id',
    {
      config: { auth: 'user' },
      schema: { operationId: 'authRenamePasskey', tags, params: z.object({ id: z.string().min(1).max(64) }), body: PasskeyRenameSchema, response: { 200: PasskeySchema, ...errorResponses } },
    },
    async (req) => mfa.renamePasskey(actorOf(req), req.params.id, req.body.name),
  );

  app.delete(
    '/auth/passkeys/:id',
    {
      config: { auth: 'user' },
      schema: { operationId: 'authDeletePasskey', tags, params: z.object({ id: z.string().min(1).max(64) }), response: { 200: OkSchema, ...errorResponses } },
    },
    async (req) => {
      await mfa.deletePasskey(actorOf(req), req.params.id, ctxOf(req).session);
      return { ok: true as const };
    },
  );

  app.post(
    '/auth/recovery-codes',
    {
      config: { auth: 'user' },
      schema: { operationId: 'authRegenerateRecoveryCodes', tags, body: RegenerateRecoveryCodesRequestSchema, response: { 200: RecoveryCodesSchema, ...errorResponses } },
    },
    async (req) => ({ recoveryCodes: await mfa.regenerateRecoveryCodes(actorOf(req), req.body.password) }),
  );

  app.put(
    '/auth/locale',
    {
      config: { auth: 'pending' },
      schema: { operationId: 'authSetLocale', tags, body: LocaleRequestSchema, response: { 200: LocaleRequestSchema, ...errorResponses } },
    },
    async (req) => {
      await auth.setLocale(ctxOf(req).session, req.body.locale);
      return { locale: req.body.locale };
    },
  );
}
