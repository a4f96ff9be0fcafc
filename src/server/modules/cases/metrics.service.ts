import type { z } from 'zod';
import type { ClockKind, DashboardSchema } from '../../../contracts/cases.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import { nowIso } from '../../db/columns.js';
import { aggregateMetrics } from '../../engines/case-clock/index.js';
import { pathInScope } from '../org/scope.js';
import { requirePermissionAnywhere } from './cases.policy.js';
import { unitRefs } from './cases.repository.js';
import type { Deps } from './cases.service.js';

/**
 * The incident dashboard: open cases by phase and severity, expired unmet clocks, and the MTTA/MTTR trend over
 * the last twelve months with the per-unit, per-month table of mean time to detect/acknowledge/contain/resolve.
 */
export async function caseDashboard(deps: Deps, actor: Actor): Promise<z.infer<typeof DashboardSchema>> {
  requirePermissionAnywhere(actor, 'case.read');
  const scope = scopeOf(actor, 'case.read');
  const now = nowIso(deps.clock);
  const since = new Date(deps.clock() - 365 * 86_400_000).toISOString();
  const db = deps.db;
  const open = await db.selectFrom('cases').select(['phase', 'severity']).where(pathInScope('unit_path', scope)).where('phase', '!=', 'closed').execute();
  const overdue = await db
    .selectFrom('case_clocks as k').innerJoin('cases as c', 'c.id', 'k.case_id')
    .select(['c.id', 'c.number', 'c.title', 'k.kind', 'k.due_at'])
    .where(pathInScope('c.unit_path', scope)).where('k.met_at', 'is', null).where('k.due_at', '<', now).where('c.phase', '!=', 'closed')
    .orderBy('k.due_at').limit(50).execute();
  const recent = await db
    .selectFrom('cases')
    .select(['unit_id', 'created_at', 'occurred_at', 'detected_at', 'acknowledged_at', 'contained_at', 'resolved_at'])
    .where(pathInScope('unit_path', scope)).where('detected_at', '>=', since).limit(50_000).execute();
  const times = recent.map((r) => ({ unitId: r.unit_id, createdAt: r.created_at, occurredAt: r.occurred_at, detectedAt: r.detected_at, acknowledgedAt: r.acknowledged_at, containedAt: r.contained_at, resolvedAt: r.resolved_at }));
  const perUnit = aggregateMetrics(times);
  const perMonth = aggregateMetrics(times.map((t) => ({ ...t, unitId: '*' })));
  const units = await unitRefs(db, perUnit.map((m) => m.unitId));
  const tally = (xs: string[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});
  return {
    open: open.length,
    byPhase: tally(open.map((o) => o.phase)),
    bySeverity: tally(open.map((o) => o.severity)),
    overdueClocks: overdue.map((o) => ({ caseId: o.id, number: o.number, title: o.title, kind: o.kind as ClockKind, dueAt: o.due_at })),
    trend: perMonth.map((m) => ({ month: m.month, cases: m.cases, mtta: m.mtta, mttr: m.mttr })).reverse(),
    metrics: perUnit.map((m) => ({ unit: units.get(m.unitId) ?? { id: m.unitId, code: null, name: '?' }, month: m.month, cases: m.cases, mttd: m.mttd, mtta: m.mtta, mttc: m.mttc, mttr: m.mttr })),
  };
}
