import type { CaseSeverity } from '../../../contracts/cases.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { type AlertSnapshot, type AlertSource, registerAlertSource } from '../cases/alert-sources.js';
import { pathInScope } from '../org/scope.js';

/**
 * Vulnerability alerts as a case source (issue 7 item 1: cases from "vulnerability … events"; issue 8 item 4:
 * detections "become SOC alerts (and cases once incidents exist)"). Two things count as a vulnerability alert:
 * - an open finding whose CVE is in CISA's Known Exploited Vulnerabilities catalogue (`kev = 1`): exploitation
 *   is known, so it may warrant an incident (rule `vuln-kev`, `vuln-kev-ransomware` when KEV notes ransomware use);
 * - a malware detection (ClamAV `FOUND`, Wazuh malware groups; rule `av-detection`, which attaches the
 *   malware-on-a-workstation playbook by category).
 * Ids are the finding's or the detection's (both UUIDv7, never equal). Escalating a finding writes an `escalated`
 * event to its history with the case id (the finding itself stays open: a case does not fix it); a detection's
 * SOC alert, if any, is escalated through the SOC source when the analyst escalates that alert instead.
 */
export const vulnCaseSource: AlertSource = {
  kind: 'vuln',
  async find(db, id) {
    const f = await findingQuery(db).where('f.id', '=', id).executeTakeFirst();
    if (f) return findingSnapshot(f);
    const m = await detectionQuery(db).where('d.id', '=', id).executeTakeFirst();
    return m ? detectionSnapshot(m) : undefined;
  },
  async recent(db, scope, limit) {
    if (scope.length === 0) return [];
    const findings = await findingQuery(db).where(pathInScope('u.path', scope)).where('f.kev', '=', 1).where('f.status', '=', 'open')
      .orderBy('f.priority', 'desc').orderBy('f.last_seen_at', 'desc').limit(limit).execute();
    const detections = await detectionQuery(db).where(pathInScope('u.path', scope)).orderBy('d.detected_at', 'desc').limit(limit).execute();
    return [...detections.map(detectionSnapshot), ...findings.map(findingSnapshot)].slice(0, limit);
  },
  async escalated(tx, id, caseId) {
    const f = await tx.selectFrom('vuln_findings').select('id').where('id', '=', id).executeTakeFirst();
    if (f) await tx.insertInto('vuln_finding_events').values({ id: newId(), finding_id: id, import_id: null, at: nowIso(), action: 'escalated', actor_user_id: null, note: caseId }).execute();
  },
};

function findingQuery(db: Db | Tx) {
  return db
    .selectFrom('vuln_findings as f')
    .innerJoin('org_units as u', 'u.id', 'f.unit_id')
    .select(['f.id', 'f.title', 'f.severity', 'f.host_label', 'f.cves_json', 'f.kev_ransomware', 'f.first_seen_at', 'u.id as unit_id', 'u.path as unit_path']);
}

function detectionQuery(db: Db | Tx) {
  return db
    .selectFrom('malware_detections as d')
    .innerJoin('org_units as u', 'u.id', 'd.unit_id')
    .select(['d.id', 'd.signature', 'd.host_label', 'd.path', 'd.detected_at', 'u.id as unit_id', 'u.path as unit_path']);
}

function findingSnapshot(r: { id: string; title: string; severity: string; host_label: string; cves_json: string; kev_ransomware: number; first_seen_at: string; unit_id: string; unit_path: string }): AlertSnapshot {
  const severity: CaseSeverity = r.severity === 'critical' || r.severity === 'high' || r.severity === 'medium' ? r.severity : 'low';
  const cves = (JSON.parse(r.cves_json) as string[]).slice(0, 2).join(', ');
  return {
    kind: 'vuln', id: r.id, title: `Lỗ hổng đang bị khai thác (KEV)${cves ? ` ${cves}` : ''}: ${r.title} — ${r.host_label}`, severity,
    rule: r.kev_ransomware ? 'vuln-kev-ransomware' : 'vuln-kev', occurredAt: r.first_seen_at, unitId: r.unit_id, unitPath: r.unit_path,
  };
}

function detectionSnapshot(r: { id: string; signature: string; host_label: string; path: string; detected_at: string; unit_id: string; unit_path: string }): AlertSnapshot {
  return {
    kind: 'vuln', id: r.id, title: `Phát hiện mã độc ${r.signature} trên ${r.host_label} (${r.path})`, severity: 'high',
    rule: 'av-detection', occurredAt: r.detected_at, unitId: r.unit_id, unitPath: r.unit_path,
  };
}

registerAlertSource(vulnCaseSource);
