import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * A per-system API key (purpose `access_log`): the system sends its access-log records with
 * `Authorization: Bearer <key>`. Only the keyed hash of the key is stored (keys.hmac('api_key', …)); the key
 * itself is shown once, at creation. Built for access-log ingestion; the account module's push API can reuse it.
 */
export interface SystemApiKeysTable {
  id: string;
  system_id: string;
  name: string;
  purpose: string;
  key_hash: string;
  /** The key's last 4 characters, to tell keys apart in lists. */
  key_hint: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}
export type SystemApiKeyRow = Selectable<SystemApiKeysTable>;

/** The receipt of one ingestion (an API request, a file, later a syslog flush). */
export interface AccessLogBatchesTable {
  id: string;
  system_id: string;
  /** api | file | syslog */
  source: string;
  file_name: string | null;
  api_key_id: string | null;
  user_id: string | null;
  received_at: string;
  record_count: number;
  duplicate_count: number;
}
export type AccessLogBatchRow = Selectable<AccessLogBatchesTable>;

/**
 * An ingested login / access / look-up record. Append-only: each becomes a leaf of the Merkle audit log
 * (source `access_log`, in `seq` order). `subject_hash` is the keyed hash of the citizen ID looked up (the
 * clear value is never stored); `person_id` and `account_situation` are the reconciliation's attribution of
 * the system account at ingest time, sealed into the leaf with the record.
 */
export interface AccessLogRecordsTable {
  seq: Generated<number>;
  id: string;
  batch_id: string;
  system_id: string;
  /** The sending system's own record id (idempotent re-sends), or null. */
  external_id: string | null;
  /** The system account (username in that system). */
  account: string;
  /** login | logout | login_failed | access | lookup | export */
  action: string;
  /** success | failure */
  outcome: string;
  occurred_at: string;
  received_at: string;
  /** api | file | syslog */
  source: string;
  subject_hash: string | null;
  subject_masked: string | null;
  case_ref: string | null;
  ip: string | null;
  device: string | null;
  session_id: string | null;
  person_id: string | null;
  /** linked | unlinked | unmatched | disputed | unknown (account not in the system's latest account snapshot) */
  account_situation: string;
  /** The account's MFA flag in that snapshot (1/0), or null when unknown. */
  account_mfa: number | null;
}
export type AccessLogRecordRow = Selectable<AccessLogRecordsTable>;

/** An alert raised by the look-up analytics, triaged by auditors. */
export interface LookupAlertsTable {
  id: string;
  /** kind|system|account|bucket: re-running the analytics updates the alert instead of duplicating it. */
  dedupe_key: string;
  kind: string;
  severity: string;
  /** 0–10, like Sentinel's InvestigationPriority (research/identity-audit.md §5). */
  score: number;
  system_id: string;
  account: string;
  person_id: string | null;
  first_seen: string;
  last_seen: string;
  record_count: number;
  /** The reason in Vietnamese, as shown. */
  reason: string;
  /** i18n key of the reason (`accessLog.reasons.<kind>`) and its parameters, for other languages. */
  reason_key: string;
  reason_params_json: string;
  /** Baseline, observed value and the contributing records (ids and seqs). */
  evidence_json: string;
  /** new | acknowledged | false_positive | escalated */
  status: string;
  assignee_user_id: string | null;
  status_note: string | null;
  status_changed_by: string | null;
  status_changed_at: string | null;
  created_at: string;
  updated_at: string;
  /** The SOC alert that mirrors this look-up alert in the SOC queue (modules/soc), once raised. */
  soc_alert_id: ColumnType<string | null, string | null | undefined, string | null>;
}
export type LookupAlertRow = Selectable<LookupAlertsTable>;

export interface AccessLogTables {
  system_api_keys: SystemApiKeysTable;
  access_log_batches: AccessLogBatchesTable;
  access_log_records: AccessLogRecordsTable;
  lookup_alerts: LookupAlertsTable;
}
