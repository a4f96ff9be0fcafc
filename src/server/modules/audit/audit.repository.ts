import { sql } from 'kysely';
import type { AuditEvent } from '../../../contracts/audit.js';
import { escapeLike } from '../../core/text.js';
import type { Db } from '../../db/database.js';
import { fromJson } from '../../db/columns.js';
import type { AuditEventRow } from './audit.table.js';

export interface AuditFilter {
  /** Unit subtrees (path prefixes) whose entries are visible. */
  prefixes: string[];
  /** Whether entries without a unit (failed logins, denials) are visible: audit.read at a root unit. */
  includeUnitless: boolean;
  actionPrefix?: string;
  outcome?: string;
  actorLabel?: string;
  targetId?: string;
  unitPath?: string;
  fromInclusive?: string;
  toExclusive?: string;
}

export function toAuditEvent(r: AuditEventRow): AuditEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    occurredAt: r.occurred_at,
    action: r.action,
    outcome: r.outcome as AuditEvent['outcome'],
    actorUserId: r.actor_user_id,
    actorLabel: r.actor_label,
    targetType: r.target_type,
    targetId: r.target_id,
    unitId: r.unit_id,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    reason: r.reason,
    before: fromJson(r.before_json),
    after: fromJson(r.after_json),
    details: fromJson(r.details_json),
  };
}

function filtered(db: Db, f: AuditFilter) {
  let q = db.selectFrom('audit_events as e').leftJoin('org_units as u', 'u.id', 'e.unit_id');
  // Scope: the entry's unit lies in a visible subtree, or it has no unit and the actor audits from the root.
  const scoped = f.prefixes.map((p) => sql<boolean>`u.path like ${`${p}%`}`);
  if (f.includeUnitless) scoped.push(sql<boolean>`e.unit_id is null`);
  q = q.where(scoped.length ? sql<boolean>`(${sql.join(scoped, sql` or `)})` : sql<boolean>`1 = 0`);
  if (f.actionPrefix) q = q.where(sql<boolean>`e.action like ${`${escapeLike(f.actionPrefix)}%`} escape '\\'`);
  if (f.outcome) q = q.where('e.outcome', '=', f.outcome);
  if (f.actorLabel) q = q.where('e.actor_label', '=', f.actorLabel);
  if (f.targetId) q = q.where('e.target_id', '=', f.targetId);
  if (f.unitPath) q = q.where('u.path', 'like', `${f.unitPath}%`);
  if (f.fromInclusive) q = q.where('e.occurred_at', '>=', f.fromInclusive);
  if (f.toExclusive) q = q.where('e.occurred_at', '<', f.toExclusive);
  return q;
}

/** A page of audit entries, newest first (by `seq`, the append order). */
export async function listAuditEvents(db: Db, f: AuditFilter, page: number, pageSize: number): Promise<{ rows: AuditEventRow[]; total: number }> {
  const rows = await filtered(db, f).selectAll('e').orderBy('e.seq', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
  const c = await filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(c.n) };
}
