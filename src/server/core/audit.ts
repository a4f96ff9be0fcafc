import type { Db, Tx } from '../db/database.js';
import { newId, nowIso, toJson } from '../db/columns.js';
import { insertLogRecords } from '../modules/audit/log-docs.js';
import type { Actor, RequestMeta, SessionUser } from './actor.js';

export interface AuditEntry {
  action: string;
  outcome?: 'success' | 'failure' | 'denied';
  targetType?: string | null;
  targetId?: string | null;
  unitId?: string | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  /** For entries without a logged-in actor (e.g. a failed login for a username). */
  actorLabel?: string | null;
  actorUserId?: string | null;
}

/**
 * Append an audit entry. Call it with the same transaction as the change it records, so the change and its
 * audit entry commit or roll back together. `who` is the actor, or the user of a pending session (both give
 * actor_user_id and actor_label), or only the request's facts when nobody is logged in.
 */
export async function recordAudit(
  tx: Tx | Db,
  who: Actor | SessionUser | RequestMeta | null,
  entry: AuditEntry,
  now: string = nowIso(),
): Promise<void> {
  const actor = who && 'userId' in who ? who : null;
  // Through the log-record writer: on SQLite the entry is stored as its canonical encoding (modules/audit/log-docs.ts).
  await insertLogRecords(tx, 'audit_events', [{
    id: newId(),
    occurred_at: now,
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    actor_user_id: entry.actorUserId ?? actor?.userId ?? null,
    actor_label: entry.actorLabel ?? actor?.username ?? null,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    unit_id: entry.unitId ?? null,
    ip: who?.ip ?? null,
    user_agent: who?.userAgent?.slice(0, 500) ?? null,
    request_id: who?.requestId ?? null,
    reason: entry.reason ?? null,
    before_json: toJson(entry.before),
    after_json: toJson(entry.after),
    details_json: toJson(entry.details),
  }]);
}
