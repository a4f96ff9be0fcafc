import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { Actor, RequestMeta, SessionUser } from './actor.js';
import { recordAudit } from './audit.js';
import type { AppDeps } from './context.js';
import { AppError, ForbiddenError, TooManyRequestsError } from './errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/database.js';

/**
 * How a route is protected. Every route must declare one (deny by default; a test walks all routes):
 * - `public`: no session needed (health, login);
 * - `pending`: any session, also one still changing its password or enrolling/completing MFA;
 * - `user`: a fully authenticated session (password + second factor). Permissions are checked in services.
 * - `system_key`: a machine credential (`Authorization: Bearer …`), never a session: the guard requires the
 *   header and no CSRF token (a browser never sends it by itself); the handler must verify the key against
 *   the object it acts on (accounts push: modules/accounts/api-key.ts).
 */
export type RouteAuth = 'public' | 'pending' | 'user' | 'system_key';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** Set by the auth hook for `user` routes. */
    actor: Actor | null;
    /** The session row's facts, set for `pending` and `user` routes. */
    session: import('../modules/auth/auth.table.js').SessionRow | null;
    /** The session's user, set as soon as a live session is found (also for pending sessions and refusals). */
    sessionUser: SessionUser | null;
  }
}

/** Facts about the request for audit entries. */
export function requestMeta(req: FastifyRequest): RequestMeta {
  return { ip: req.ip ?? null, userAgent: (req.headers['user-agent'] as string | undefined) ?? null, requestId: req.id };
}

/** The actor of a `user` route; the auth hook guarantees it is set. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('internal.no_actor', 500, 'route is not protected as a user route');
  return req.actor;
}

interface ErrorMapping {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

function mapError(err: unknown): ErrorMapping {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  if (hasZodFastifySchemaValidationErrors(err)) {
    return {
      status: 400,
      code: 'request.invalid',
      message: 'Dữ liệu gửi lên không hợp lệ.',
      details: err.validation.map((v) => ({
        field: [v.instancePath.replace(/^\//, '').replace(/\//g, '.'), v.params?.issue?.path?.join('.')].filter(Boolean).join('') || null,
        message: v.message,
      })),
    };
  }
  if (isUniqueViolation(err)) return { status: 409, code: 'conflict.duplicate', message: 'Bản ghi đã tồn tại.' };
  if (isForeignKeyViolation(err)) return { status: 409, code: 'conflict.reference', message: 'Bản ghi đang được tham chiếu hoặc tham chiếu không tồn tại.' };
  const fe = err as FastifyError;
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: fe.code ? `request.${fe.code.toLowerCase()}` : 'request.invalid', message: fe.message };
  }
  return { status: 500, code: 'internal', message: 'Lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên kèm mã yêu cầu.' };
}

/** The one error handler: AppError and friends → `{ error: { code, message, details?, requestId } }`. */
export function installErrorHandler(app: FastifyInstance, deps: AppDeps): void {
  app.setErrorHandler(async (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (isResponseSerializationError(err)) req.log.error({ err }, 'response did not match its schema');
    const m = mapError(err);
    if (m.status >= 500) req.log.error({ err }, 'unhandled error');
    else req.log.info({ code: m.code, status: m.status }, 'request refused');
    if (err instanceof ForbiddenError) {
      // A denial is audited in its own transaction: the denied work itself was rolled back.
      await recordAudit(deps.db, req.actor ?? req.sessionUser ?? requestMeta(req), {
        action: 'authz.denied',
        outcome: 'denied',
        reason: err.code,
        // The unit the refused action concerned, so that unit's auditors see the denial (null: root auditors only).
        unitId: err.unitId,
        details: { method: req.method, url: req.routeOptions.url ?? req.url, ...(err.details as object) },
      }).catch((e: unknown) => req.log.error({ err: e }, 'could not audit a denial'));
    }
    if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
    return reply.status(m.status).send({
      error: { code: m.code, message: m.message, ...(m.details !== undefined ? { details: m.details } : {}), requestId: req.id },
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'route.not_found', message: 'Không tìm thấy đường dẫn.', requestId: req.id } }),
  );
}
