import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor, RequestMeta } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { UnauthenticatedError, UnprocessableError } from '../../core/errors.js';
import { requestMeta } from '../../core/http.js';
import { newId, nowIso } from '../../db/columns.js';
import type { AccountDeps } from './accounts.service.js';
import { sourceFor } from './accounts.service.js';
import type { AccountSourceRow } from './accounts.table.js';

/**
 * Per-system push API keys. A system pushes its account list with `Authorization: Bearer khk_…` instead of a
 * user session. The key is 32 random bytes (base64url) shown once at creation; only its HMAC under a key
 * derived from the instance master key is stored (keys.hmac('api_key')), so a copy of the database does not
 * let anyone push, nor check guesses offline. Creating a key rotates: earlier keys of the source are revoked
 * in the same transaction. Only the system's owner or operating unit (account.write) may create one.
 */
export const API_KEY_PREFIX = 'khk_';

export async function createApiKey(deps: AccountDeps, actor: Actor, sourceId: string): Promise<{ id: string; prefix: string; key: string; createdAt: string }> {
  const { src, sys } = await sourceFor(deps, actor, sourceId, 'account.write');
  if (src.kind !== 'push') throw new UnprocessableError('account_source.not_push', 'Chỉ nguồn kiểu "hệ thống gửi (API)" mới có khóa API.');
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, 12);
  const now = nowIso(deps.clock);
  const id = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    const revoked = await tx.updateTable('account_api_keys').set({ revoked_at: now }).where('source_id', '=', src.id).where('revoked_at', 'is', null).returning('id').execute();
    await tx.insertInto('account_api_keys').values({
      id, source_id: src.id, system_id: src.system_id, prefix, key_hash: deps.keys.hmac('api_key', key), created_by: actor.userId, created_at: now, revoked_at: null, last_used_at: null,
    }).execute();
    await recordAudit(tx, actor, {
      action: revoked.length ? 'account_source.api_key_rotate' : 'account_source.api_key_create', targetType: 'account_source', targetId: src.id,
      unitId: sys.owner_unit_id, details: { keyId: id, prefix, revokedKeyIds: revoked.map((r) => r.id) },
    }, now);
  });
  return { id, prefix, key, createdAt: now };
}

/**
 * Authenticate a push: the bearer key must be an active key of exactly this source. Anything else is a 401
 * (no session fallback: a browser session cannot push), audited as `account.push_refused`.
 */
export async function authenticatePush(deps: AccountDeps, req: FastifyRequest, sourceId: string): Promise<{ src: AccountSourceRow; sys: { owner_unit_id: string; operating_unit_id: string | null }; who: RequestMeta; label: string }> {
  const header = req.headers.authorization;
  const key = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const meta = requestMeta(req);
  const refuse = async (reason: string) => {
    await recordAudit(deps.db, meta, { action: 'account.push_refused', outcome: 'denied', reason, targetType: 'account_source', targetId: sourceId, actorLabel: key ? `api-key:${key.slice(0, 12)}` : null }, nowIso(deps.clock));
    return new UnauthenticatedError('auth.api_key_invalid', 'Khóa API không hợp lệ, đã bị thu hồi hoặc không thuộc nguồn tài khoản này.');
  };
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) throw await refuse('missing_or_malformed');
  const row = await deps.db.selectFrom('account_api_keys').selectAll().where('key_hash', '=', deps.keys.hmac('api_key', key)).executeTakeFirst();
  if (!row || row.revoked_at || row.source_id !== sourceId) throw await refuse(!row ? 'unknown_key' : row.revoked_at ? 'revoked_key' : 'other_source');
  const src = (await deps.db.selectFrom('account_sources').selectAll().where('id', '=', sourceId).executeTakeFirstOrThrow());
  const sys = await deps.db.selectFrom('information_systems').select(['owner_unit_id', 'operating_unit_id']).where('id', '=', src.system_id).executeTakeFirstOrThrow();
  await deps.db.updateTable('account_api_keys').set({ last_used_at: nowIso(deps.clock) }).where('id', '=', row.id).execute();
  return { src, sys, who: meta, label: `api-key:${row.prefix}` };
}
