import type { Insertable, Selectable } from 'kysely';

/** One import of a scanner report (file upload, `khien scan`, demo). Counts are the reimport outcome. */
export interface VulnImportsTable {
  id: string;
  scanner: string;
  format: string;
  file_name: string;
  /** The unit the import was made for: owner of findings on hosts not in the inventory. */
  unit_id: string;
  /** For reports that name no host (ClamAV logs, SARIF): the asset they were run on. */
  target_asset_id: string | null;
  /** upload | cli | demo */
  origin: string;
  imported_by: string | null;
  imported_at: string;
  scanned_at: string | null;
  bytes: number;
  findings_total: number;
  hosts_total: number;
  unmatched_hosts: number;
  created_count: number;
  kept_count: number;
  reopened_count: number;
  mitigated_count: number;
  duplicates_in_file: number;
}
export type VulnImportRow = Selectable<VulnImportsTable>;

/** Long texts (descriptions, solutions) stored once by SHA-256. */
export interface VulnTextsTable {
  hash: string;
  body: string;
}

/** A finding deduplicated per asset (or unmatched host) by a per-scanner key. */
export interface VulnFindingsTable {
  id: string;
  dedupe_key: string;
  scanner: string;
  plugin_id: string;
  title: string;
  severity: string;
  asset_id: string | null;
  /** ip:… | host:… | image:… — how the report named the host (kept to match it later). */
  host_key: string;
  host_label: string;
  /** The asset's owner unit, else the importing unit. */
  unit_id: string;
  port: number | null;
  protocol: string | null;
  service: string | null;
  location: string | null;
  cves_json: string;
  cwes_json: string;
  cvss3_vector: string | null;
  cvss3_score: number | null;
  cvss4_vector: string | null;
  cvss4_score: number | null;
  description_hash: string | null;
  solution_hash: string | null;
  evidence: string | null;
  /** open | mitigated | risk_accepted | false_positive */
  status: string;
  first_seen_at: string;
  last_seen_at: string;
  first_import_id: string;
  last_import_id: string;
  mitigated_at: string | null;
  sla_days: number | null;
  /** YYYY-MM-DD; null for informational findings (no SLA). */
  sla_due: string | null;
  kev: number;
  kev_due: string | null;
  kev_ransomware: number;
  epss: number | null;
  priority: number;
  decision_reason: string | null;
  decision_approver: string | null;
  decision_by: string | null;
  decision_at: string | null;
  /** YYYY-MM-DD: a risk acceptance reopens the finding after this day. */
  accept_expires: string | null;
  updated_at: string;
}
export type VulnFindingRow = Selectable<VulnFindingsTable>;
export type NewVulnFindingRow = Insertable<VulnFindingsTable>;

/** History of a finding: created / seen / reopened / mitigated by imports; decisions by people. */
export interface VulnFindingEventsTable {
  id: string;
  finding_id: string;
  import_id: string | null;
  at: string;
  /** created | seen | reopened | mitigated | risk_accepted | false_positive | reopened_manual | acceptance_expired */
  action: string;
  actor_user_id: string | null;
  note: string | null;
}

/** Hosts a report named that match no asset: for the operator to assign or create. */
export interface VulnUnmatchedHostsTable {
  host_key: string;
  host_label: string;
  ip: string | null;
  hostname: string | null;
  image: string | null;
  unit_id: string;
  last_import_id: string;
  first_seen_at: string;
  last_seen_at: string;
  findings_open: number;
}

/** CISA Known Exploited Vulnerabilities catalogue (cisagov/kev-data schema; research/vuln-grc.md §6.1). */
export interface VulnKevTable {
  cve_id: string;
  vendor_project: string;
  product: string;
  name: string;
  date_added: string;
  due_date: string;
  ransomware: number;
  catalog_version: string;
}

/** FIRST EPSS scores (research §6.2). */
export interface VulnEpssTable {
  cve_id: string;
  epss: number;
  percentile: number;
  score_date: string | null;
}

/** One malware scan of a host: a ClamAV run, a Wazuh detection, or a Lynis report saying which scanner is installed. */
export interface MalwareScansTable {
  id: string;
  import_id: string;
  asset_id: string | null;
  host_key: string;
  host_label: string;
  unit_id: string;
  tool: string;
  /** clamav | wazuh | lynis */
  source: string;
  scanned_at: string;
  files_scanned: number | null;
  infected: number;
  /** Lynis: 1 scanner installed, 0 none; null for real scans. */
  scanner_installed: number | null;
  /** Lynis hardening index 0–100; null for real scans. */
  hardening_index: number | null;
}

/** A malware detection, kept until the SOC module takes it as an alert (soc_alert_id). */
export interface MalwareDetectionsTable {
  id: string;
  scan_id: string;
  asset_id: string | null;
  unit_id: string;
  host_label: string;
  path: string;
  signature: string;
  detected_at: string;
  soc_alert_id: string | null;
}

export interface VulnTables {
  vuln_imports: VulnImportsTable;
  vuln_texts: VulnTextsTable;
  vuln_findings: VulnFindingsTable;
  vuln_finding_events: VulnFindingEventsTable;
  vuln_unmatched_hosts: VulnUnmatchedHostsTable;
  vuln_kev: VulnKevTable;
  vuln_epss: VulnEpssTable;
  malware_scans: MalwareScansTable;
  malware_detections: MalwareDetectionsTable;
}
