import type { Insertable, Selectable } from 'kysely';

/** One system's part of the merger plan (phương án hợp nhất): one plan per system. */
export interface MergerPlansTable {
  id: string;
  system_id: string;
  /** keep | consolidate | retire | reuse_assets */
  disposition: string;
  target_system_id: string | null;
  /** before | during | after */
  phase: string;
  target_start: string | null;
  target_end: string | null;
  lead_unit_id: string | null;
  responsible_unit_ids_json: string;
  decision: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}
export type MergerPlanRow = Selectable<MergerPlansTable>;
export type NewMergerPlanRow = Insertable<MergerPlansTable>;

export interface MergerTasksTable {
  id: string;
  plan_id: string;
  /** Denormalised from the plan for scoping and lists. */
  system_id: string;
  title: string;
  /** backup_taken | data_migrated | accounts_migrated | security_assessed | old_system_switched_off | other */
  checkpoint: string;
  /** todo | in_progress | done | blocked | cancelled */
  status: string;
  owner_unit_id: string | null;
  assignee: string | null;
  due_date: string | null;
  done_at: string | null;
  evidence_note: string | null;
  created_at: string;
  updated_at: string;
}
export type MergerTaskRow = Selectable<MergerTasksTable>;
export type NewMergerTaskRow = Insertable<MergerTasksTable>;

/** Planned stops (cut-overs). */
export interface MaintenanceWindowsTable {
  id: string;
  system_id: string;
  task_id: string | null;
  title: string;
  starts_at: string;
  ends_at: string;
  created_by: string | null;
  created_at: string;
}
export type MaintenanceWindowRow = Selectable<MaintenanceWindowsTable>;

/** Recorded stops; planned = 1 when the stop lies inside one of the system's maintenance windows. */
export interface OutagesTable {
  id: string;
  system_id: string;
  started_at: string;
  ended_at: string | null;
  planned: number;
  window_id: string | null;
  cause: string | null;
  created_by: string | null;
  created_at: string;
}
export type OutageRow = Selectable<OutagesTable>;

/** Reconciliation results attached to a merger task as evidence (report JSON + counts). */
export interface MergerReconciliationsTable {
  id: string;
  task_id: string;
  system_id: string;
  source_description: string;
  target_description: string;
  report_json: string;
  missing_count: number;
  extra_count: number;
  changed_count: number;
  equal_count: number;
  attached_by: string | null;
  attached_at: string;
}
export type ReconciliationRow = Selectable<MergerReconciliationsTable>;

export interface MergerTables {
  merger_plans: MergerPlansTable;
  merger_tasks: MergerTasksTable;
  maintenance_windows: MaintenanceWindowsTable;
  outages: OutagesTable;
  merger_reconciliations: MergerReconciliationsTable;
}
