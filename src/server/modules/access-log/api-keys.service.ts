import { randomBytes } from 'node:crypto';
import type { ApiKey } from '../../../contracts/access-log.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { NotFoundError, UnauthenticatedError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import { systemFor } from '../accounts/accounts.policy.js';
import type { SystemApiKeyRow } from './access-log.table.js';

/**
 * Per-system API keys (`system_api_keys`), built for access-log ingestion because no per-system key existed on
 * main yet (the account module's push still needs a signed-in user); the table has a `purpose` so that module
 * can reuse it. A key is `khk_` + 32 random bytes (base64url); only HMAC-SHA-256 under the instance's
 * `api_key` subkey is stored, so a leaked table cannot be replayed and the key is shown once. Managing keys
 * needs access_log.write over the system's owner or operating unit; every change is audited.
 */
export type KeyDeps = Pick<AppDeps, 'db' | 'keys' | 'clock'>;
export const ACCESS_LOG_PURPOSE = 'access_log';

export function toApiKey(r: SystemApiKeyRow): ApiKey {
  return { id: r.id, systemId: r.system_id, name: r.name, purpose: r.purpose, hint: r.key_hint, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

export async function listApiKeys(deps: KeyDeps, actor: Actor, systemId: string): Promise<ApiKey[]> {
  await systemFor(deps.db, actor, systemId, 'access_log.write');
  const rows = await deps.db.selectFrom('system_api_keys').selectAll().where('system_id', '=', systemId).orderBy('created_at', 'desc').execute();
  return rows.map(toApiKey);
}

/** Create a key; the clear key is returned once and never again. */
export async function createApiKey(deps: KeyDeps, actor: Actor, systemId: string, name: string): Promise<{ key: ApiKey; secret: string }> {
  const sys = await systemFor(deps.db, actor, systemId, 'access_log.write');
  const secret = `khk_${randomBytes(32).toString('base64url')}`;
  const now = nowIso(deps.clock);
  const row: SystemApiKeyRow = {
    id: newId(), system_id: systemId, name, purpose: ACCESS_LOG_PURPOSE, key_hash: deps.keys.hmac('api_key', secret), key_hint: secret.slice(-4),
    created_by: actor.userId, created_at: now, last_used_at: null, revoked_at: null, revoked_by: null,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('system_api_keys').values(row).execute();
    await recordAudit(tx, actor, { action: 'api_key.create', targetType: 'system_api_key', targetId: row.id, unitId: sys.owner_unit_id, after: { systemId, name, purpose: row.purpose, hint: row.key_hint } }, now);
  });
  return { key: toApiKey(row), secret };
}

export async function revokeApiKey(deps: KeyDeps, actor: Actor, id: string): Promise<ApiKey> {
  const row = await deps.db.selectFrom('system_api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('api_key.not_found', 'Không tìm thấy khoá API.');
  const sys = await systemFor(deps.db, actor, row.system_id, 'access_log.write');
  if (row.revoked_at) return toApiKey(row);
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('system_api_keys').set({ revoked_at: now, revoked_by: actor.userId }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'api_key.revoke', targetType: 'system_api_key', targetId: id, unitId: sys.owner_unit_id, before: { name: row.name, hint: row.key_hint } }, now);
  });
  return toApiKey({ ...row, revoked_at: now, revoked_by: actor.userId });
}

/**
 * The live key of a `Authorization: Bearer khk_…` header, or a 401. Looked up by its keyed hash (an index
 * probe; the HMAC makes timing of the comparison irrelevant to guessing the key).
 */
export async function authenticateApiKey(deps: Pick<AppDeps, 'db' | 'keys'>, header: string | undefined, purpose: string): Promise<SystemApiKeyRow> {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token || !token.startsWith('khk_') || token.length > 200) throw new UnauthenticatedError('api_key.missing', 'Cần khoá API của hệ thống (Authorization: Bearer khk_…).');
  const row = await deps.db.selectFrom('system_api_keys').selectAll().where('key_hash', '=', deps.keys.hmac('api_key', token)).executeTakeFirst();
  if (!row || row.revoked_at || row.purpose !== purpose) throw new UnauthenticatedError('api_key.invalid', 'Khoá API không hợp lệ hoặc đã bị thu hồi.');
  return row;
}
