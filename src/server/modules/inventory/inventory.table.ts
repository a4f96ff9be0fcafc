import type { Insertable, Selectable, Updateable } from 'kysely';

/** Information systems (hệ thống thông tin): the catalogue, with the level under NĐ 85/2016 and NĐ 331/2026. */
export interface InformationSystemsTable {
  id: string;
  code: string;
  name: string;
  name_folded: string;
  purpose: string | null;
  /** internal | citizen_service | infrastructure | industrial_control | other (NĐ 85 Đ6.2) */
  type: string;
  /** planned | in_operation | being_merged | retired */
  status: string;
  owner_unit_id: string;
  operating_unit_id: string | null;
  security_unit_id: string | null;
  parent_system_id: string | null;
  /** bd | gl | new */
  origin: string;
  internal_users: number | null;
  external_users: number | null;
  /** InformationClasses as JSON. */
  information_json: string;
  online_service_level: number | null;
  administrative_procedure: number;
  conditional_business: number;
  infrastructure_scope: string;
  ics_work_grade: string;
  national_egov_24x7: number;
  national_security_impact: string;
  /** Connections as JSON (LGSP, NDXP, national population DB, others). */
  connections_json: string;
  hosting: string | null;
  hosting_detail: string | null;
  rto_minutes: number | null;
  rpo_minutes: number | null;
  approval_documents_json: string;
  legacy_level: number | null;
  legacy_dossier_no: string | null;
  legacy_decision_no: string | null;
  legacy_decision_date: string | null;
  new_level: number | null;
  new_dossier_no: string | null;
  new_decision_no: string | null;
  new_decision_date: string | null;
  /** The advisor's NĐ 331 proposal when the facts were last saved (level + JSON with reasons). */
  proposed_level: number | null;
  proposal_json: string | null;
  created_at: string;
  updated_at: string;
}
export type SystemRow = Selectable<InformationSystemsTable>;
export type NewSystemRow = Insertable<InformationSystemsTable>;
export type SystemRowUpdate = Updateable<InformationSystemsTable>;

/** Every confirmation or override of a proposed level: both the proposal and the decision are kept. */
export interface SystemLevelDecisionsTable {
  id: string;
  system_id: string;
  regime: string;
  proposed_level: number;
  proposal_json: string;
  decided_level: number;
  /** confirm | override */
  kind: string;
  justification: string | null;
  decided_by: string | null;
  decided_at: string;
}
export type LevelDecisionRow = Selectable<SystemLevelDecisionsTable>;

/** Components and assets: servers, workstations, network/security devices, databases, applications. */
export interface AssetsTable {
  id: string;
  code: string;
  kind: string;
  name: string;
  name_folded: string;
  hostname: string | null;
  ips_json: string;
  os_name: string | null;
  os_version: string | null;
  software_json: string;
  location: string | null;
  owner_unit_id: string;
  /** in_use | spare | retired */
  status: string;
  /** reuse | transfer | dispose, after the merger */
  reuse_disposition: string | null;
  reuse_target_unit_id: string | null;
  reuse_decision: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}
export type AssetRow = Selectable<AssetsTable>;
export type NewAssetRow = Insertable<AssetsTable>;

/** Which assets serve which systems (many-to-many). */
export interface SystemAssetsTable {
  system_id: string;
  asset_id: string;
  created_at: string;
}

export interface InventoryTables {
  information_systems: InformationSystemsTable;
  system_level_decisions: SystemLevelDecisionsTable;
  assets: AssetsTable;
  system_assets: SystemAssetsTable;
}
