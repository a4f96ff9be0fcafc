import type { Selectable } from 'kysely';

/**
 * Tables of the tamper-evident audit log. A leaf is identified by its index in the tree; it records where
 * its entry lives (`source` = `audit_event` today, `access_log` later) so verification can re-hash it.
 */
export interface AuditLogLeavesTable {
  leaf_index: number;
  /** Kind of record: `audit_event` (audit_events.seq) — and, in a later module, `access_log`. */
  source: string;
  source_seq: number;
  /** The record's id, to tell a reordered entry from a modified one. */
  entry_id: string;
  /** Hex RFC 6962 leaf hash SHA-256(0x00 ‖ canonical entry). Kept when the payload is pruned. */
  leaf_hash: string;
  sequenced_at: string;
  /** Set when retention removed the entry's payload; the leaf hash stays so the tree still verifies. */
  pruned_at: string | null;
}

export interface AuditLogCheckpointsTable {
  tree_size: number;
  root_hash: string;
  /** The C2SP signed note (checkpoint body + Ed25519 signature line). */
  note: string;
  created_at: string;
}

/** The sequencer's position: tree size and compact range, so appends resume in O(log n). */
export interface AuditLogStateTable {
  id: string;
  tree_size: number;
  compact_json: string;
  updated_at: string;
}

/**
 * Witness state. role `witnessed`: the last checkpoint this instance accepted from a peer log (per origin);
 * role `pushed`: the last checkpoint a peer witness accepted from this log.
 */
export interface AuditLogWitnessStateTable {
  id: string;
  role: string;
  peer: string;
  origin: string;
  tree_size: number;
  root_hash: string;
  note: string;
  updated_at: string;
}

export type AuditLogLeafRow = Selectable<AuditLogLeavesTable>;
export type AuditLogCheckpointRow = Selectable<AuditLogCheckpointsTable>;

export interface AuditLogTables {
  audit_log_leaves: AuditLogLeavesTable;
  audit_log_checkpoints: AuditLogCheckpointsTable;
  audit_log_state: AuditLogStateTable;
  audit_log_witness_state: AuditLogWitnessStateTable;
}
