import type { ColumnType, Selectable } from 'kysely';

/** Where a system's accounts come from: a file export (with its saved column mapping), LDAP/AD, or push. */
export interface AccountSourcesTable {
  id: string;
  system_id: string;
  name: string;
  /** file | ldap | push */
  kind: string;
  /** Field → the header of the system's export, e.g. `{"username":"Tên đăng nhập"}`. */
  mapping_json: string;
  /** LDAP settings without the password (url, bindDn, baseDn, filter, privileged groups). */
  ldap_json: string | null;
  /** The bind password, encrypted with keys.encrypt; never returned by the API. */
  ldap_password_enc: string | null;
  /** Days without login before an account is dormant (TCVN 14423:2026 nhóm 6: 45). */
  dormant_days: number;
  /** Folded position → allowed roles (JSON), or null = not checked. */
  role_policy_json: string | null;
  privileged_roles_json: string;
  /**
   * Window of the concurrent-login rule (shared account): two successful logins from different devices/IPs
   * less than this many minutes apart, the first not logged out, make the account shared. Null: 30.
   */
  concurrent_login_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: string;
  updated_at: string;
}
export type AccountSourceRow = Selectable<AccountSourcesTable>;

/** One import: the accounts a system had at that moment. */
export interface AccountSnapshotsTable {
  id: string;
  source_id: string;
  system_id: string;
  /** file | ldap | push | demo */
  origin: string;
  file_name: string | null;
  taken_at: string;
  taken_by: string | null;
  account_count: number;
  /** Situation and finding counts (JSON). */
  summary_json: string;
}
export type AccountSnapshotRow = Selectable<AccountSnapshotsTable>;

/** An account as a snapshot saw it, with the reconciliation's situation and owner. */
export interface SystemAccountsTable {
  id: string;
  snapshot_id: string;
  system_id: string;
  username: string;
  display_name: string | null;
  email: string | null;
  citizen_id_hash: string | null;
  date_of_birth: string | null;
  unit_text: string | null;
  roles_json: string;
  privileged: number;
  enabled: number;
  locked: number;
  last_login_at: string | null;
  mfa: number | null;
  account_created_at: string | null;
  /** linked | unlinked | unmatched | disputed */
  situation: string;
  person_id: string | null;
  score: number;
  rules_json: string;
  candidates_json: string;
}
export type SystemAccountRow = Selectable<SystemAccountsTable>;

/** A manual link or unlink, by system and username so it survives every later import. */
export interface AccountLinksTable {
  id: string;
  system_id: string;
  username: string;
  person_id: string;
  /** link | unlink */
  kind: string;
  note: string | null;
  decided_by: string | null;
  decided_at: string;
}
export type AccountLinkRow = Selectable<AccountLinksTable>;

export interface AccountFindingsTable {
  id: string;
  snapshot_id: string;
  account_id: string;
  system_id: string;
  kind: string;
  severity: string;
  person_id: string | null;
  reason: string;
  clause: string;
  created_at: string;
  /** Evidence behind the finding as JSON (e.g. the overlapping logins of a shared account), or null. */
  evidence_json: ColumnType<string | null, string | null | undefined, string | null>;
}
export type AccountFindingRow = Selectable<AccountFindingsTable>;

export interface AccountTables extends AccessReviewTables {
  account_sources: AccountSourcesTable;
  account_snapshots: AccountSnapshotsTable;
  system_accounts: SystemAccountsTable;
  account_links: AccountLinksTable;
  account_findings: AccountFindingsTable;
}

/** A per-system push API key: only its HMAC (keys.hmac('api_key')) is stored; the key is shown once. */
export interface AccountApiKeysTable {
  id: string;
  source_id: string;
  system_id: string;
  /** The first characters of the key, to recognise it in lists. */
  prefix: string;
  key_hash: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** An access review campaign over systems (and, optionally, the people of some units). */
export interface ReviewCampaignsTable {
  id: string;
  name: string;
  description: string | null;
  /** The unit that runs the campaign (scope of who may see and manage it). */
  unit_id: string;
  system_ids_json: string;
  /** Units whose people's accounts are reviewed; [] = every account of the systems. */
  unit_ids_json: string;
  /** running | closed */
  status: string;
  current_stage: number;
  /** Days an operator has to carry out a revocation before it is escalated. */
  task_days: number;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  closed_at: string | null;
}
export type ReviewCampaignRow = Selectable<ReviewCampaignsTable>;

export interface ReviewStagesTable {
  id: string;
  campaign_id: string;
  ordinal: number;
  name: string;
  /** unit_manager | system_owner */
  reviewer_kind: string;
  /** a StageRule of engines/access-review */
  rule: string;
  duration_days: number;
  remind_before_hours: number;
  started_at: string | null;
  deadline: string | null;
  closed_at: string | null;
}
export type ReviewStageRow = Selectable<ReviewStagesTable>;

/** One account under review (midPoint's certification case). */
export interface ReviewItemsTable {
  id: string;
  campaign_id: string;
  system_id: string;
  account_id: string;
  username: string;
  roles_json: string;
  person_id: string | null;
  /** The person's unit, or the system's owner unit for an account without a person. */
  unit_id: string;
  stage: number;
  /** The outcome of the current stage once its rule decided. */
  stage_outcome: string | null;
  /** Final outcome: accept | revoke | reduce | not_decided (null while under review). */
  outcome: string | null;
  closed_at: string | null;
}
export type ReviewItemRow = Selectable<ReviewItemsTable>;

export interface ReviewAssignmentsTable {
  id: string;
  item_id: string;
  campaign_id: string;
  stage: number;
  reviewer_id: string;
  /** accept | revoke | reduce | not_decided, null = no response yet */
  decision: string | null;
  comment: string | null;
  decided_at: string | null;
}
export type ReviewAssignmentRow = Selectable<ReviewAssignmentsTable>;

/** A reminder, overdue notice or escalation produced by the scheduler tick (the in-app inbox; no e-mail). */
export interface ReviewNoticesTable {
  id: string;
  /** reminder | overdue | escalation | task_overdue */
  kind: string;
  campaign_id: string | null;
  stage: number | null;
  task_id: string | null;
  recipient_id: string | null;
  unit_id: string | null;
  message: string;
  /** Makes the tick idempotent: one notice per kind, stage/task and recipient. */
  dedupe_key: string;
  created_at: string;
}
export type ReviewNoticeRow = Selectable<ReviewNoticesTable>;

/** Carry out a revoke/reduce decision on the system; verified (closed) only by a later import. */
export interface RevocationTasksTable {
  id: string;
  campaign_id: string | null;
  item_id: string | null;
  system_id: string;
  username: string;
  person_id: string | null;
  /** revoke | reduce */
  kind: string;
  /** Roles the account had when the decision was taken. */
  roles_json: string;
  reason: string | null;
  /** The unit that must act (the system's operating unit, else its owner). */
  unit_id: string;
  /** open | verified */
  status: string;
  due_at: string;
  operator_note: string | null;
  escalated_at: string | null;
  verified_at: string | null;
  verified_snapshot_id: string | null;
  created_at: string;
}
export type RevocationTaskRow = Selectable<RevocationTasksTable>;

export interface AccessReviewTables {
  account_api_keys: AccountApiKeysTable;
  review_campaigns: ReviewCampaignsTable;
  review_stages: ReviewStagesTable;
  review_items: ReviewItemsTable;
  review_assignments: ReviewAssignmentsTable;
  review_notices: ReviewNoticesTable;
  revocation_tasks: RevocationTasksTable;
}
