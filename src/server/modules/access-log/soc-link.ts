import type { AlertSnapshot, AlertSource } from '../cases/alert-sources.js';
import { registerAlertSource } from '../cases/alert-sources.js';
import type { CaseSeverity } from '../../../contracts/cases.js';
import { nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { pathInScope } from '../org/scope.js';
import { onAlertStatus, raiseAlert, refreshRaisedAlert, setAlertStatus, type AlertStatus, type Severity } from '../soc/index.js';
import type { LookupAlertRow } from './access-log.table.js';

/**
 * Look-up alerts and the rest of Khiên (issue 5 item 5: "each raises an alert to the SOC"; issue 7: "cases are
 * created from … look-up analytics").
 *
 * One record, one queue entry: `lookup_alerts` stays the record of the analytic (rule, reason, evidence, score,
 * contributing records); each look-up alert gets one SOC alert (origin `lookup`) that points back to it
 * (`details.lookupAlertId`, and `lookup_alerts.soc_alert_id` the other way). The SOC alert's title, severity,
 * counts and details are refreshed from the look-up alert whenever the analytics re-run; its status is kept equal
 * to the look-up alert's in the same transaction, whichever side is triaged (the look-up page, the SOC queue, or
 * an escalation to a case). The SOC alert's unit is the system's security unit, else its owner (the SOC
 * pipeline's placement rule), so it is scoped like the system's own log events.
 */

/** Vietnamese names of the analytics, used in SOC alert titles (the web shows i18n labels elsewhere). */
export const LOOKUP_KIND_TITLES: Record<string, string> = {
  leaver_lookup: 'Tra cứu bởi người đã nghỉ/chuyển/đơn vị đã hợp nhất',
  shared_account: 'Dùng chung tài khoản',
  volume_spike: 'Tra cứu tăng đột biến',
  off_hours: 'Tra cứu ngoài giờ',
  breadth_no_case: 'Tra cứu nhiều công dân không có mã hồ sơ',
  no_mfa: 'Tra cứu bằng tài khoản không có xác thực hai yếu tố',
  unlinked_account: 'Tài khoản không gắn với cán bộ',
};

/** The rule names the playbook `population-db-abuse` attaches by (data/playbooks, `alertRules`). */
const LOOKUP_PLAYBOOK_RULES: Record<string, string> = {
  volume_spike: 'lookup-volume-anomaly', breadth_no_case: 'lookup-without-dossier', off_hours: 'lookup-out-of-hours',
};

type SystemFacts = { code: string; name: string; unitId: string };

function socTitle(a: Pick<LookupAlertRow, 'kind' | 'account'>, sys: SystemFacts): string {
  return `Giám sát tra cứu dân cư — ${LOOKUP_KIND_TITLES[a.kind] ?? a.kind}: ${a.account} (${sys.code})`;
}

function socDetails(a: LookupAlertRow): Record<string, unknown> {
  return {
    lookupAlertId: a.id, kind: a.kind, account: a.account, personId: a.person_id, score: a.score, recordCount: a.record_count,
    description: a.reason, reasonKey: a.reason_key, reasonParams: JSON.parse(a.reason_params_json) as unknown,
  };
}

/**
 * Raise (first time) or refresh the SOC alert of each look-up alert, in the caller's transaction. A new SOC
 * alert starts with the look-up alert's status (an alert already triaged on the look-up page stays triaged).
 */
export async function mirrorLookupAlerts(tx: Tx, ids: string[]): Promise<number> {
  let raised = 0;
  const systems = new Map<string, SystemFacts>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await tx.selectFrom('lookup_alerts').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const a of rows) {
      let sys = systems.get(a.system_id);
      if (!sys) {
        const s = await tx.selectFrom('information_systems').select(['code', 'name', 'owner_unit_id', 'security_unit_id']).where('id', '=', a.system_id).executeTakeFirstOrThrow();
        sys = { code: s.code, name: s.name, unitId: s.security_unit_id ?? s.owner_unit_id };
        systems.set(a.system_id, sys);
      }
      const facts = { title: socTitle(a, sys), severity: a.severity as Severity, count: a.record_count, firstSeen: a.first_seen, lastSeen: a.last_seen, details: socDetails(a) };
      if (a.soc_alert_id) {
        await refreshRaisedAlert(tx, a.soc_alert_id, facts);
        continue;
      }
      const r = await raiseAlert(tx, {
        source: 'lookup', title: facts.title, severity: facts.severity, unitId: sys.unitId, systemId: a.system_id, at: a.last_seen,
        groupKey: `lookup|${a.dedupe_key}`, details: facts.details, tags: [`khien.lookup.${a.kind}`],
      });
      await refreshRaisedAlert(tx, r.id, facts);
      if (a.status !== 'new') await setAlertStatus(tx, r.id, a.status as AlertStatus, { notify: false });
      await tx.updateTable('lookup_alerts').set({ soc_alert_id: r.id }).where('id', '=', a.id).execute();
      raised++;
    }
  }
  return raised;
}

/** A triage of the SOC alert (or an escalation of it to a case) is the look-up alert's triage too. */
onAlertStatus('lookup', async (tx, socAlertId, status, by, at) => {
  await tx.updateTable('lookup_alerts').set({ status, status_changed_by: by, status_changed_at: at }).where('soc_alert_id', '=', socAlertId).execute();
});

/** The look-up side of a triage: the linked SOC alert follows (called in the triage's transaction). */
export async function followLookupStatus(tx: Tx, socAlertId: string | null, status: string): Promise<void> {
  if (socAlertId) await setAlertStatus(tx, socAlertId, status as AlertStatus, { notify: false });
}

/**
 * Look-up alerts as a case source (issue 7): a case can be opened from one; escalating marks it (and its SOC
 * alert) `escalated` in the case's transaction. The unit is the system's owner (the chủ quản answers for its
 * officials' look-ups), for scoping the case; the rule is the analytic, so the playbook "abuse of population-
 * database look-ups" attaches by rule.
 */
export const lookupCaseSource: AlertSource = {
  kind: 'lookup',
  async find(db, id) {
    const r = await lookupQuery(db).where('a.id', '=', id).executeTakeFirst();
    return r ? lookupSnapshot(r) : undefined;
  },
  async recent(db, scope, limit) {
    if (scope.length === 0) return [];
    const rows = await lookupQuery(db).where(pathInScope('u.path', scope)).where('a.status', 'in', ['new', 'acknowledged'])
      .orderBy('a.score', 'desc').orderBy('a.last_seen', 'desc').limit(limit).execute();
    return rows.map(lookupSnapshot);
  },
  async escalated(tx, id) {
    const at = nowIso();
    const row = await tx.selectFrom('lookup_alerts').select(['soc_alert_id']).where('id', '=', id).executeTakeFirst();
    await tx.updateTable('lookup_alerts').set({ status: 'escalated', status_changed_at: at, updated_at: at }).where('id', '=', id).execute();
    await followLookupStatus(tx, row?.soc_alert_id ?? null, 'escalated');
  },
};

function lookupQuery(db: Db | Tx) {
  return db
    .selectFrom('lookup_alerts as a')
    .innerJoin('information_systems as s', 's.id', 'a.system_id')
    .innerJoin('org_units as u', 'u.id', 's.owner_unit_id')
    .select(['a.id', 'a.kind', 'a.account', 'a.severity', 'a.first_seen', 'a.record_count', 's.code as system_code', 'u.id as unit_id', 'u.path as unit_path']);
}

function lookupSnapshot(r: { id: string; kind: string; account: string; severity: string; first_seen: string; record_count: number; system_code: string; unit_id: string; unit_path: string }): AlertSnapshot {
  const severity: CaseSeverity = r.severity === 'high' || r.severity === 'medium' ? r.severity : 'low';
  return {
    kind: 'lookup', id: r.id, title: `${LOOKUP_KIND_TITLES[r.kind] ?? r.kind}: ${r.account} (${r.system_code})${r.record_count > 1 ? ` ×${r.record_count}` : ''}`,
    severity, rule: LOOKUP_PLAYBOOK_RULES[r.kind] ?? `lookup-${r.kind.replace(/_/g, '-')}`, occurredAt: r.first_seen, unitId: r.unit_id, unitPath: r.unit_path,
  };
}

registerAlertSource(lookupCaseSource);
