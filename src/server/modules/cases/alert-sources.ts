import type { AlertKind, CaseSeverity } from '../../../contracts/cases.js';
import type { Db, Tx } from '../../db/database.js';
import { pathInScope } from '../org/scope.js';
import { setAlertStatus } from '../soc/index.js';

/**
 * Alerts attach to cases by reference: a case stores (kind, id) plus a snapshot of the title, severity, rule
 * and time as they were when escalated, so a case stays readable whatever the source later does with its alert.
 * Each alert-producing module registers one `AlertSource` for its kind (soc, lookup, vuln, availability); the
 * case module never reads another module's tables except through this interface.
 */
export interface AlertSnapshot {
  kind: AlertKind;
  id: string;
  title: string;
  severity: CaseSeverity;
  /** The rule that raised it (Sigma rule id, look-up analytic, check …); playbooks may attach by it. */
  rule: string | null;
  occurredAt: string | null;
  /** The org unit the alert concerns (scoping: a reader must see this unit). */
  unitId: string | null;
  unitPath: string | null;
}

export interface AlertSource {
  kind: AlertKind;
  /** The alert as it is now, or undefined when no such alert exists. */
  find(db: Db | Tx, id: string): Promise<AlertSnapshot | undefined>;
  /** Recent alerts that could be escalated, within the given unit-path prefixes (empty: none), newest first. */
  recent?(db: Db | Tx, scope: string[], limit: number): Promise<AlertSnapshot[]>;
  /** Told after escalation (in the same transaction), so the source can mark its alert as escalated. */
  escalated?(tx: Tx, id: string, caseId: string): Promise<void>;
}

const sources = new Map<AlertKind, AlertSource>();

/** Register (or replace) the source of one alert kind. Modules call this when they register their routes. */
export function registerAlertSource(source: AlertSource): void {
  sources.set(source.kind, source);
}

/** Remove a source (tests that register their own). */
export function unregisterAlertSource(kind: AlertKind): void {
  sources.delete(kind);
}

export function alertSource(kind: AlertKind): AlertSource | undefined {
  return sources.get(kind);
}

export function alertSources(): AlertSource[] {
  return [...sources.values()];
}

/**
 * Availability events: outages recorded in the merger module (an unplanned stop of a system is an availability
 * alert; a planned one, inside a maintenance window, is low). The unit is the system's owner (chủ quản).
 */
export const availabilitySource: AlertSource = {
  kind: 'availability',
  async find(db, id) {
    const r = await outageQuery(db).where('o.id', '=', id).executeTakeFirst();
    return r ? toSnapshot(r) : undefined;
  },
  async recent(db, scope, limit) {
    const rows = await outageQuery(db).where(pathInScope('u.path', scope)).orderBy('o.started_at', 'desc').limit(limit).execute();
    return rows.map(toSnapshot);
  },
};

function outageQuery(db: Db | Tx) {
  return db
    .selectFrom('outages as o')
    .innerJoin('information_systems as s', 's.id', 'o.system_id')
    .innerJoin('org_units as u', 'u.id', 's.owner_unit_id')
    .select(['o.id', 'o.started_at', 'o.ended_at', 'o.planned', 'o.cause', 's.name as system_name', 's.code as system_code', 's.new_level', 'u.id as unit_id', 'u.path as unit_path']);
}

type OutageJoin = { id: string; started_at: string; ended_at: string | null; planned: number; cause: string | null; system_name: string; system_code: string; new_level: number | null; unit_id: string; unit_path: string };

function toSnapshot(r: OutageJoin): AlertSnapshot {
  const level = r.new_level ?? 0;
  const severity: CaseSeverity = r.planned ? 'low' : level >= 3 ? 'high' : 'medium';
  return {
    kind: 'availability',
    id: r.id,
    title: `${r.planned ? 'Ngừng theo kế hoạch' : 'Ngừng hoạt động ngoài kế hoạch'}: ${r.system_name} (${r.system_code})${r.cause ? ` — ${r.cause}` : ''}`,
    severity,
    rule: r.planned ? 'availability-planned' : 'availability-down',
    occurredAt: r.started_at,
    unitId: r.unit_id,
    unitPath: r.unit_path,
  };
}

registerAlertSource(availabilitySource);

/**
 * SOC alerts (modules/soc, table soc_alerts): grouped Sigma/correlation matches with their unit. Escalating one
 * marks it `escalated` in the case's transaction, as the SOC triage flow does (DFIR-IRIS "Escalated: converted
 * to a new case", research/soc.md §3.3). SOC "informational" maps to low.
 */
export const socSource: AlertSource = {
  kind: 'soc',
  async find(db, id) {
    const r = await socQuery(db).where('a.id', '=', id).executeTakeFirst();
    return r ? socSnapshot(r) : undefined;
  },
  async recent(db, scope, limit) {
    // Look-up alerts and malware detections are offered once, by their own sources (access-log, vuln), not again
    // through their SOC copies; those can still be escalated from the SOC queue.
    const rows = await socQuery(db).where(pathInScope('u.path', scope)).where('a.status', 'in', ['new', 'acknowledged']).where('a.origin', 'not in', ['lookup', 'malware'])
      .orderBy('a.last_seen', 'desc').limit(limit).execute();
    return rows.map(socSnapshot);
  },
  async escalated(tx, id) {
    // Through the SOC module, so a module that keeps its own record of the alert (look-up analytics) follows.
    await setAlertStatus(tx, id, 'escalated');
  },
};

function socQuery(db: Db | Tx) {
  return db
    .selectFrom('soc_alerts as a')
    .innerJoin('org_units as u', 'u.id', 'a.unit_id')
    .select(['a.id', 'a.title', 'a.severity', 'a.rule_id', 'a.origin', 'a.first_seen', 'a.count', 'u.id as unit_id', 'u.path as unit_path']);
}

function socSnapshot(r: { id: string; title: string; severity: string; rule_id: string | null; origin: string; first_seen: string; count: number; unit_id: string; unit_path: string }): AlertSnapshot {
  const severity: CaseSeverity = r.severity === 'critical' || r.severity === 'high' || r.severity === 'medium' ? r.severity : 'low';
  return {
    kind: 'soc', id: r.id, title: r.count > 1 ? `${r.title} (×${r.count})` : r.title, severity, rule: r.rule_id ?? r.origin,
    occurredAt: r.first_seen, unitId: r.unit_id, unitPath: r.unit_path,
  };
}

registerAlertSource(socSource);
