import type { Generated, Selectable } from 'kysely';

/**
 * The platform's audit trail. Append-only: rows are never updated or deleted by the application.
 * `seq` gives the total order in which entries will become leaves of the Merkle log (a later module);
 * the entry's canonical form is derived from these columns only.
 */
export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  occurred_at: string;
  /** Stable action code, e.g. `auth.login`, `org_unit.create`, `authz.denied`. */
  action: string;
  /** success | failure | denied */
  outcome: string;
  actor_user_id: string | null;
  /** Username or a description of the actor at the time (kept even if the user is renamed). */
  actor_label: string | null;
  target_type: string | null;
  target_id: string | null;
  /** The org unit the change belongs to, for scoping who may read the entry. */
  unit_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** Reason for a failure or denial (e.g. `bad_password`, `totp_replayed`). */
  reason: string | null;
  before_json: string | null;
  after_json: string | null;
  details_json: string | null;
}
export type AuditEventRow = Selectable<AuditEventsTable>;

export interface AuditTables {
  audit_events: AuditEventsTable;
}
