import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Vulnerability and malware-scan management (issue 8): imports of scanner reports, findings deduplicated per
 * asset with their history across imports, shared long texts (descriptions and solutions are stored once by
 * hash: a Nessus plugin repeats them on every host), the CISA KEV catalogue and EPSS scores, unmatched hosts,
 * malware scans and detections. Frozen: never edit, add a new migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('vuln_imports')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('scanner', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('target_asset_id', 'text', (c) => c.references('assets.id'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.references('users.id'))
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('scanned_at', 'text')
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('findings_total', 'integer', (c) => c.notNull())
    .addColumn('hosts_total', 'integer', (c) => c.notNull())
    .addColumn('unmatched_hosts', 'integer', (c) => c.notNull())
    .addColumn('created_count', 'integer', (c) => c.notNull())
    .addColumn('kept_count', 'integer', (c) => c.notNull())
    .addColumn('reopened_count', 'integer', (c) => c.notNull())
    .addColumn('mitigated_count', 'integer', (c) => c.notNull())
    .addColumn('duplicates_in_file', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vuln_imports_unit_idx').on('vuln_imports').columns(['unit_id', 'imported_at']).execute();

  await db.schema
    .createTable('vuln_texts')
    .addColumn('hash', 'text', (c) => c.primaryKey().notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vuln_findings')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('scanner', 'text', (c) => c.notNull())
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.references('assets.id'))
    .addColumn('host_key', 'text', (c) => c.notNull())
    .addColumn('host_label', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('port', 'integer')
    .addColumn('protocol', 'text')
    .addColumn('service', 'text')
    .addColumn('location', 'text')
    .addColumn('cves_json', 'text', (c) => c.notNull())
    .addColumn('cwes_json', 'text', (c) => c.notNull())
    .addColumn('cvss3_vector', 'text')
    .addColumn('cvss3_score', 'real')
    .addColumn('cvss4_vector', 'text')
    .addColumn('cvss4_score', 'real')
    .addColumn('description_hash', 'text')
    .addColumn('solution_hash', 'text')
    .addColumn('evidence', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('first_import_id', 'text', (c) => c.notNull().references('vuln_imports.id'))
    .addColumn('last_import_id', 'text', (c) => c.notNull().references('vuln_imports.id'))
    .addColumn('mitigated_at', 'text')
    .addColumn('sla_days', 'integer')
    .addColumn('sla_due', 'text')
    .addColumn('kev', 'integer', (c) => c.notNull())
    .addColumn('kev_due', 'text')
    .addColumn('kev_ransomware', 'integer', (c) => c.notNull())
    .addColumn('epss', 'real')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('decision_reason', 'text')
    .addColumn('decision_approver', 'text')
    .addColumn('decision_by', 'text', (c) => c.references('users.id'))
    .addColumn('decision_at', 'text')
    .addColumn('accept_expires', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vuln_findings_unit_idx').on('vuln_findings').columns(['unit_id', 'status', 'severity']).execute();
  await db.schema.createIndex('vuln_findings_asset_idx').on('vuln_findings').columns(['asset_id', 'status']).execute();
  await db.schema.createIndex('vuln_findings_scope_idx').on('vuln_findings').columns(['scanner', 'host_key', 'status']).execute();
  await db.schema.createIndex('vuln_findings_host_idx').on('vuln_findings').columns(['host_key', 'status']).execute();
  await db.schema.createIndex('vuln_findings_due_idx').on('vuln_findings').columns(['status', 'sla_due']).execute();

  await db.schema
    .createTable('vuln_finding_events')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('finding_id', 'text', (c) => c.notNull().references('vuln_findings.id'))
    .addColumn('import_id', 'text', (c) => c.references('vuln_imports.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('vuln_finding_events_finding_idx').on('vuln_finding_events').columns(['finding_id', 'at']).execute();

  await db.schema
    .createTable('vuln_unmatched_hosts')
    .addColumn('host_key', 'text', (c) => c.primaryKey().notNull())
    .addColumn('host_label', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('hostname', 'text')
    .addColumn('image', 'text')
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('last_import_id', 'text', (c) => c.notNull().references('vuln_imports.id'))
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('findings_open', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vuln_kev')
    .addColumn('cve_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('vendor_project', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('ransomware', 'integer', (c) => c.notNull())
    .addColumn('catalog_version', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vuln_epss')
    .addColumn('cve_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('epss', 'real', (c) => c.notNull())
    .addColumn('percentile', 'real', (c) => c.notNull())
    .addColumn('score_date', 'text')
    .execute();

  await db.schema
    .createTable('malware_scans')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('import_id', 'text', (c) => c.notNull().references('vuln_imports.id'))
    .addColumn('asset_id', 'text', (c) => c.references('assets.id'))
    .addColumn('host_key', 'text', (c) => c.notNull())
    .addColumn('host_label', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('tool', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('scanned_at', 'text', (c) => c.notNull())
    .addColumn('files_scanned', 'integer')
    .addColumn('infected', 'integer', (c) => c.notNull())
    .addColumn('scanner_installed', 'integer')
    .execute();
  await db.schema.createIndex('malware_scans_asset_idx').on('malware_scans').columns(['asset_id', 'scanned_at']).execute();

  await db.schema
    .createTable('malware_detections')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('scan_id', 'text', (c) => c.notNull().references('malware_scans.id'))
    .addColumn('asset_id', 'text', (c) => c.references('assets.id'))
    .addColumn('unit_id', 'text', (c) => c.notNull().references('org_units.id'))
    .addColumn('host_label', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('soc_alert_id', 'text')
    .execute();
  await db.schema.createIndex('malware_detections_unit_idx').on('malware_detections').columns(['unit_id', 'detected_at']).execute();
}
