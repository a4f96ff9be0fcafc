import type { Generated, Selectable } from 'kysely';

/** A log source: where events come from, which unit/system/asset they belong to, its hashed API key. */
export interface SocSourcesTable {
  id: string;
  name: string;
  /** syslog | http | file */
  kind: string;
  unit_id: string;
  system_id: string | null;
  asset_id: string | null;
  /** Host names / IP addresses whose syslog lines belong to this source (JSON array, lower-case). */
  hosts_json: string;
  /** SHA-256 (hex) of the API key for the HTTP bulk endpoint; the key itself is shown once. */
  api_key_hash: string | null;
  /** First characters of the key, to recognise it in lists. */
  api_key_prefix: string | null;
  /** Sender's local time offset for timestamps without zone (BSD syslog), minutes. */
  tz_offset_minutes: number;
  /**
   * 1: this source carries its system's access-log records (login / look-up) over syslog, which are also fed to
   * access-log ingestion (modules/access-log/syslog-records.ts). Requires `system_id`. Deny by default.
   */
  access_log: Generated<number>;
  enabled: number;
  created_at: string;
  updated_at: string;
}
export type SocSourceRow = Selectable<SocSourcesTable>;

/**
 * A stored, normalised event. The full flat event is `fields_json`, its copies of the message stored as references
 * to `message` (read it with events.repository.ts `eventFields`); common fields are columns for search.
 */
export interface SocEventsTable {
  seq: Generated<number>;
  id: string;
  /** UTC day of `ts` (YYYY-MM-DD): the partition on PostgreSQL. */
  day: string;
  ts: string;
  received_at: string;
  source_id: string | null;
  unit_id: string | null;
  system_id: string | null;
  asset_id: string | null;
  host: string | null;
  user_name: string | null;
  source_ip: string | null;
  action: string | null;
  outcome: string | null;
  product: string | null;
  service: string | null;
  code: string | null;
  message: string;
  fields_json: string;
  /** Retention: the event may be deleted after this day (by the system's security level). */
  expires_on: string;
}
export type SocEventRow = Selectable<SocEventsTable>;

/** An alert: one or more matches of a rule (or an alert raised by another module), grouped. */
export interface SocAlertsTable {
  id: string;
  /** sigma | correlation | <module> (vuln, malware, lookup, …) */
  origin: string;
  rule_id: string | null;
  /** Detection Rule License: the rule author is shown wherever a match is shown. */
  rule_author: string | null;
  title: string;
  /** informational | low | medium | high | critical */
  severity: string;
  /** Rule tags (MITRE ATT&CK `attack.t1110` …), JSON array. */
  tags_json: string;
  /** Grouping key: rule + group-by values / host; repeated matches within the window increment `count`. */
  group_key: string;
  /** new | acknowledged | false_positive | escalated */
  status: string;
  assignee_id: string | null;
  unit_id: string;
  system_id: string | null;
  asset_id: string | null;
  host: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
  /** Matched fields, correlation group, rule description, caller details (JSON). */
  details_json: string;
  created_at: string;
  updated_at: string;
}
export type SocAlertRow = Selectable<SocAlertsTable>;

export interface SocAlertEventsTable {
  alert_id: string;
  event_id: string;
  event_day: string;
  ts: string;
}

/** How far the pipeline has stored the spool (committed with the events it stored). */
export interface SocSpoolCheckpointsTable {
  name: string;
  segment: number;
  offset: number;
  updated_at: string;
}

/** Scale-out: per NATS stream and partition, the owner's fencing epoch, stored position and correlation windows. */
export interface SocPartitionsTable {
  stream: string;
  partition: number;
  epoch: number;
  owner: string | null;
  /** Last stream sequence whose events and alerts are stored. */
  committed_seq: number;
  /** Stream sequence included in `state_json` (≤ committed_seq; the messages between are replayed into the windows). */
  state_seq: number;
  state_json: string | null;
  updated_at: string;
}

export interface SocTables {
  soc_sources: SocSourcesTable;
  soc_events: SocEventsTable;
  soc_alerts: SocAlertsTable;
  soc_alert_events: SocAlertEventsTable;
  soc_spool_checkpoints: SocSpoolCheckpointsTable;
  soc_partitions: SocPartitionsTable;
}
