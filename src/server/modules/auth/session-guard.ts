import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../../contracts/roles.js';
import type { Actor, RequestMeta, SessionUser } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError, UnauthenticatedError } from '../../core/errors.js';
import type { RouteAuth } from '../../core/http.js';
import { nowIso } from '../../db/columns.js';
import { predecessorPaths } from '../org/lineage.js';
import type { SessionRow } from './auth.table.js';

/** `__Host-` prefix: Secure, Path=/, no Domain — the cookie cannot be set by a sibling host (ASVS 5 3.3.3). */
export const SESSION_COOKIE = '__Host-khien_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The stored session id is the SHA-256 of the cookie token: a database read does not yield usable tokens. */
export function sessionIdFromToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a session is no longer valid at `now`, or null if it is. */
export function sessionExpiry(session: SessionRow, now: number, idleMinutes: number): 'idle' | 'expired' | null {
  if (Date.parse(session.expires_at) <= now) return 'expired';
  if (Date.parse(session.last_seen_at) + idleMinutes * 60_000 <= now) return 'idle';
  return null;
}

/**
 * Resolve and check the request's session for a route's auth level; sets `req.session` and `req.actor`.
 * CSRF: every state-changing request must carry `x-csrf-token` — equal to the session's token when there is a
 * session, and present (a non-safelisted header, so cross-site forms and simple requests cannot send it) on
 * public routes (ASVS 5 3.5.1/3.5.2).
 */
export async function authenticate(deps: AppDeps, req: FastifyRequest, auth: RouteAuth): Promise<void> {
  req.session = null;
  req.actor = null;
  req.sessionUser = null;
  const unsafe = !SAFE_METHODS.has(req.method);
  const csrf = req.headers[CSRF_HEADER];
  if (auth === 'system_key') {
    // A machine credential only; the route's handler verifies the key itself (see core/http.ts RouteAuth).
    const authz = req.headers.authorization;
    if (typeof authz !== 'string' || !authz.startsWith('Bearer ')) throw new UnauthenticatedError('auth.api_key_missing', 'Cần khóa API (Authorization: Bearer …).');
    return;
  }
  if (auth === 'public') {
    // Machine clients with per-system API keys use `system_key` routes; a public route always needs the CSRF header.
    if (unsafe && typeof csrf !== 'string') {
      throw new ForbiddenError('auth.csrf_missing', 'Thiếu mã chống giả mạo yêu cầu (CSRF).');
    }
    return;
  }
  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) throw new UnauthenticatedError();
  const id = sessionIdFromToken(token);
  const session = await deps.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!session || session.ended_at) throw new UnauthenticatedError('auth.session_ended', 'Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.');
  const meta: RequestMeta = { ip: req.ip ?? null, userAgent: (req.headers['user-agent'] as string | undefined) ?? null, requestId: req.id };
  const user = await deps.db
    .selectFrom('users')
    .select(['id', 'username', 'status', 'unit_id'])
    .where('id', '=', session.user_id)
    .executeTakeFirst();
  // Everything audited from here on (session end, CSRF or MFA refusals, pending-session steps) names the user.
  const sessionUser: SessionUser | null = user ? { ...meta, userId: user.id, username: user.username, sessionId: id } : null;
  const now = deps.clock();
  const expired = sessionExpiry(session, now, deps.config.sessionIdleMinutes);
  if (expired) {
    const at = nowIso(deps.clock);
    await deps.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('sessions')
        .set({ ended_at: at, end_reason: expired })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      // Session ends are audited (idle / absolute timeout, 800-63B rev 4 §2.2.3 AAL2 reauthentication).
      if (Number(res.numUpdatedRows) === 1) {
        await recordAudit(
          tx,
          sessionUser ?? meta,
          { action: 'auth.session_end', reason: expired, actorUserId: session.user_id, targetType: 'session', targetId: id.slice(0, 16) },
          at,
        );
      }
    });
    throw new UnauthenticatedError('auth.session_expired', 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.');
  }
  if (!user || user.status !== 'active') throw new UnauthenticatedError('auth.user_disabled', 'Tài khoản đã bị vô hiệu hoá.');
  req.sessionUser = sessionUser;
  if (unsafe && (typeof csrf !== 'string' || !sameToken(csrf, session.csrf_token))) {
    throw new ForbiddenError('auth.csrf_invalid', 'Mã chống giả mạo yêu cầu (CSRF) không hợp lệ.');
  }
  if (auth === 'user' && session.stage !== 'active') {
    throw new ForbiddenError('auth.mfa_required', 'Cần hoàn tất xác thực đa yếu tố trước khi tiếp tục.', { stage: session.stage });
  }
  // Touch at most once a minute: the idle clock needs minute precision, not a write per request.
  if (now - Date.parse(session.last_seen_at) > 60_000) {
    await deps.db.updateTable('sessions').set({ last_seen_at: nowIso(deps.clock) }).where('id', '=', id).execute();
  }
  req.session = session;
  if (session.stage !== 'active') return;
  const nowText = nowIso(deps.clock);
  const grants = await deps.db
    .selectFrom('role_grants as g')
    .innerJoin('org_units as u', 'u.id', 'g.unit_id')
    .select(['g.id', 'g.role', 'g.unit_id', 'u.path', 'u.name', 'g.expires_at'])
    .where('g.user_id', '=', user.id)
    .execute();
  const live = grants.filter((g) => !g.expires_at || g.expires_at > nowText);
  const inherited = new Map<string, string[]>();
  for (const path of new Set(live.map((g) => g.path))) inherited.set(path, await predecessorPaths(deps.db, [path]));
  const actor: Actor = {
    userId: user.id,
    username: user.username,
    sessionId: id,
    unitId: user.unit_id,
    grants: live.map((g) => ({
      id: g.id,
      role: g.role as Role,
      unitId: g.unit_id,
      unitPath: g.path,
      unitName: g.name,
      coveredPaths: [g.path, ...inherited.get(g.path)!],
    })),
    ...meta,
  };
  req.actor = actor;
}
