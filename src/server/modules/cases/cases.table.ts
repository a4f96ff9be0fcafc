import type { Insertable, Selectable } from 'kysely';

/** Named counters (case numbers per year, report numbers per year), bumped inside the writing transaction. */
export interface CaseSequencesTable {
  name: string;
  value: number;
}

/** An incident case. `unit_path` is the owning unit's materialised path, copied for scoped list queries. */
export interface CasesTable {
  id: string;
  number: string;
  title: string;
  /** The title folded for search (core/text.ts foldText), written with every title (migration 202611280400). */
  title_folded: string;
  description: string;
  severity: string;
  severity_rank: number;
  tlp: string;
  pap: string;
  category: string;
  phase: string;
  close_reason: string | null;
  unit_id: string;
  unit_path: string;
  reportable: number;
  regime: string | null;
  immediate: number;
  occurred_at: string | null;
  detected_at: string;
  acknowledged_at: string | null;
  contained_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  /** The nearest unmet clock's due instant (maintained with the clocks), so "overdue" is one indexed test. */
  next_due_at: string | null;
  affected_json: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}
export type CaseRow = Selectable<CasesTable>;
export type NewCaseRow = Insertable<CasesTable>;

export interface CaseMembersTable {
  id: string;
  case_id: string;
  user_id: string;
  /** assignee | watcher */
  role: string;
  added_at: string;
}

/** An alert of any source attached to a case by reference, with a snapshot of what it said when escalated. */
export interface CaseAlertsTable {
  id: string;
  case_id: string;
  kind: string;
  ref_id: string;
  title: string;
  severity: string;
  rule: string | null;
  occurred_at: string | null;
  unit_id: string | null;
  linked_by: string | null;
  linked_at: string;
}
export type CaseAlertRow = Selectable<CaseAlertsTable>;

/** Events, actions and comments of a case in time order. */
export interface CaseTimelineTable {
  id: string;
  case_id: string;
  at: string;
  /** event | action | comment | clock | notification | report */
  kind: string;
  actor_user_id: string | null;
  actor_label: string | null;
  text: string;
  details_json: string | null;
}
export type TimelineRow = Selectable<CaseTimelineTable>;

/** One version of an SOP playbook (the YAML as saved, with the fields lists need). */
export interface PlaybooksTable {
  id: string;
  key: string;
  version: number;
  title: string;
  title_en: string;
  categories_json: string;
  alert_rules_json: string;
  yaml: string;
  created_by: string | null;
  created_at: string;
}
export type PlaybookRow = Selectable<PlaybooksTable>;

export interface CaseTasksTable {
  id: string;
  case_id: string;
  playbook_id: string | null;
  playbook_key: string | null;
  step_key: string | null;
  phase: string;
  title: string;
  who: string;
  evidence_json: string;
  decision: string | null;
  mandatory: number;
  status: string;
  owner_unit_id: string | null;
  assignee_user_id: string | null;
  due_at: string | null;
  done_at: string | null;
  done_by: string | null;
  note: string | null;
  sort_order: number;
  created_at: string;
  updated_at: string;
}
export type CaseTaskRow = Selectable<CaseTasksTable>;

/** An observable/IOC. `match_key` is the normalised value, or the keyed CCCD hash for citizen IDs. */
export interface CaseObservablesTable {
  id: string;
  case_id: string;
  type: string;
  value: string;
  match_key: string;
  ioc: number;
  note: string | null;
  created_by: string | null;
  created_at: string;
}
export type ObservableRow = Selectable<CaseObservablesTable>;

/** Attachment metadata; the bytes live under `<dataDir>/case-files/` named by their SHA-256. */
export interface CaseAttachmentsTable {
  id: string;
  case_id: string;
  name: string;
  size: number;
  sha256: string;
  mime: string;
  uploaded_by: string | null;
  uploaded_at: string;
}
export type AttachmentRow = Selectable<CaseAttachmentsTable>;

export interface CaseClocksTable {
  id: string;
  case_id: string;
  kind: string;
  regime: string | null;
  basis: string;
  started_at: string;
  due_at: string;
  met_at: string | null;
  warned_at: string | null;
  overdue_at: string | null;
}
export type ClockRow = Selectable<CaseClocksTable>;

export interface CaseReportsTable {
  id: string;
  case_id: string;
  kind: string;
  number: string;
  format: string;
  sha256: string;
  size: number;
  created_by: string | null;
  created_at: string;
}
export type ReportRow = Selectable<CaseReportsTable>;

export interface NotificationChannelsTable {
  id: string;
  kind: string;
  name: string;
  target: string;
  /** Webhook HMAC secret, AES-GCM under the instance key; never returned by the API nor logged. */
  secret_enc: string | null;
  unit_id: string;
  unit_path: string;
  min_severity: string;
  categories_json: string;
  events_json: string;
  enabled: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}
export type ChannelRow = Selectable<NotificationChannelsTable>;

export interface NotificationPrefsTable {
  user_id: string;
  email: number;
  telegram_chat_id: string | null;
  min_severity: string;
  events_json: string;
  updated_at: string;
}

/** Every notification to send, kept as the delivery log: pending → sent | failed, with attempts and back-off. */
export interface NotificationDeliveriesTable {
  id: string;
  channel_id: string | null;
  user_id: string | null;
  kind: string;
  event: string;
  case_id: string | null;
  unit_path: string | null;
  target_label: string;
  payload_json: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  response_status: number | null;
  created_at: string;
  sent_at: string | null;
}
export type DeliveryRow = Selectable<NotificationDeliveriesTable>;

export interface CaseTables {
  case_sequences: CaseSequencesTable;
  cases: CasesTable;
  case_members: CaseMembersTable;
  case_alerts: CaseAlertsTable;
  case_timeline: CaseTimelineTable;
  playbooks: PlaybooksTable;
  case_tasks: CaseTasksTable;
  case_observables: CaseObservablesTable;
  case_attachments: CaseAttachmentsTable;
  case_clocks: CaseClocksTable;
  case_reports: CaseReportsTable;
  notification_channels: NotificationChannelsTable;
  notification_prefs: NotificationPrefsTable;
  notification_deliveries: NotificationDeliveriesTable;
}
