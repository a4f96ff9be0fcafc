import type { Selectable } from 'kysely';

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
}
export type AccountFindingRow = Selectable<AccountFindingsTable>;

export interface AccountTables {
  account_sources: AccountSourcesTable;
  account_snapshots: AccountSnapshotsTable;
  system_accounts: SystemAccountsTable;
  account_links: AccountLinksTable;
  account_findings: AccountFindingsTable;
}
