import { leafHash } from '../../engines/merkle/index.js';
import type { AuditEventRow } from './audit.table.js';

/**
 * The canonical bytes of an audit entry, i.e. the `data` of its RFC 6962 leaf. Version 1:
 * UTF-8 JSON of one object whose keys are sorted by code point, no whitespace, values exactly as stored
 * (strings, the integer `seq`, or null), plus `t` (record kind) and `v` (encoding version):
 *
 *   {"action":…,"actor_label":…,"actor_user_id":…,"after_json":…,"before_json":…,"details_json":…,"id":…,
 *    "ip":…,"occurred_at":…,"outcome":…,"reason":…,"request_id":…,"seq":…,"t":"audit_event",
 *    "target_id":…,"target_type":…,"unit_id":…,"user_agent":…,"v":1}
 *
 * `seq` is inside the leaf, so moving an entry to another position changes its hash. Any other record kind
 * (ingested access logs) gets its own `t` and field list, so two kinds can never encode to the same bytes.
 */
export const AUDIT_EVENT_LEAF = 'audit_event';

export function canonicalAuditEvent(row: AuditEventRow): string {
  // Keys written in sorted order by hand: JSON.stringify keeps insertion order for string keys.
  return JSON.stringify({
    action: row.action,
    actor_label: row.actor_label,
    actor_user_id: row.actor_user_id,
    after_json: row.after_json,
    before_json: row.before_json,
    details_json: row.details_json,
    id: row.id,
    ip: row.ip,
    occurred_at: row.occurred_at,
    outcome: row.outcome,
    reason: row.reason,
    request_id: row.request_id,
    seq: Number(row.seq),
    t: AUDIT_EVENT_LEAF,
    target_id: row.target_id,
    target_type: row.target_type,
    unit_id: row.unit_id,
    user_agent: row.user_agent,
    v: 1,
  });
}

export function auditEventLeafHash(row: AuditEventRow): Buffer {
  return leafHash(Buffer.from(canonicalAuditEvent(row), 'utf8'));
}
