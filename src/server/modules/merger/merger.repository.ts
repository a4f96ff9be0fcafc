import type {
  Checkpoint, Disposition, MergerPlan, MergerTask, Reconciliation, TaskStatus,
} from '../../../contracts/merger.js';
import type { ReconcileReport } from '../../../contracts/reconcile.js';
import { fromBool, fromJson, toBool } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { type SystemWithUnits, systemInScope } from '../inventory/inventory.repository.js';
import { mergerStateOf } from '../inventory/summary.service.js';
import type {
  MaintenanceWindowRow, MergerPlanRow, MergerTaskRow, NewMergerPlanRow, NewMergerTaskRow, OutageRow, ReconciliationRow,
} from './merger.table.js';

type UnitRef = { id: string; code: string; name: string };

/** Unit refs by id (for plans' lead/responsible units and tasks' owner units). */
export async function unitRefs(db: Db | Tx, ids: string[]): Promise<Map<string, UnitRef>> {
  const uniq = [...new Set(ids)];
  if (uniq.length === 0) return new Map();
  const rows = await db.selectFrom('org_units').select(['id', 'code', 'name']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function systemRefs(db: Db | Tx, ids: string[]): Promise<Map<string, UnitRef>> {
  const uniq = [...new Set(ids)];
  if (uniq.length === 0) return new Map();
  const rows = await db.selectFrom('information_systems').select(['id', 'code', 'name']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export function isOverdue(t: Pick<MergerTaskRow, 'due_date' | 'status'>, today: string): boolean {
  return !!t.due_date && t.due_date < today && t.status !== 'done' && t.status !== 'cancelled';
}

export function toTask(t: MergerTaskRow, units: Map<string, UnitRef>, today: string, reconciliations: number): MergerTask {
  return {
    id: t.id,
    planId: t.plan_id,
    systemId: t.system_id,
    title: t.title,
    checkpoint: t.checkpoint as Checkpoint,
    status: t.status as TaskStatus,
    ownerUnit: t.owner_unit_id ? (units.get(t.owner_unit_id) ?? null) : null,
    assignee: t.assignee,
    dueDate: t.due_date,
    doneAt: t.done_at,
    overdue: isOverdue(t, today),
    evidenceNote: t.evidence_note,
    reconciliations,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

/** Map a plan with its tasks (for the computed state and counts). */
export async function presentPlans(db: Db | Tx, plans: MergerPlanRow[], today: string): Promise<MergerPlan[]> {
  if (plans.length === 0) return [];
  const tasks: MergerTaskRow[] = [];
  for (let i = 0; i < plans.length; i += 500) {
    tasks.push(...(await db.selectFrom('merger_tasks').selectAll().where('plan_id', 'in', plans.slice(i, i + 500).map((p) => p.id)).execute()));
  }
  const byPlan = new Map<string, MergerTaskRow[]>();
  for (const t of tasks) byPlan.set(t.plan_id, [...(byPlan.get(t.plan_id) ?? []), t]);
  const responsible = plans.map((p) => fromJson<string[]>(p.responsible_unit_ids_json) ?? []);
  const units = await unitRefs(db, [...plans.flatMap((p) => (p.lead_unit_id ? [p.lead_unit_id] : [])), ...responsible.flat()]);
  const systems = await systemRefs(db, plans.flatMap((p) => [p.system_id, ...(p.target_system_id ? [p.target_system_id] : [])]));
  return plans.map((p, i) => {
    const ts = byPlan.get(p.id) ?? [];
    return {
      id: p.id,
      system: systems.get(p.system_id)!,
      disposition: p.disposition as Disposition,
      targetSystem: p.target_system_id ? (systems.get(p.target_system_id) ?? null) : null,
      phase: p.phase as MergerPlan['phase'],
      targetStart: p.target_start,
      targetEnd: p.target_end,
      leadUnit: p.lead_unit_id ? (units.get(p.lead_unit_id) ?? null) : null,
      responsibleUnits: responsible[i]!.flatMap((id) => (units.has(id) ? [units.get(id)!] : [])),
      decision: p.decision,
      notes: p.notes,
      state: mergerStateOf(ts.map((t) => t.status)),
      tasksTotal: ts.filter((t) => t.status !== 'cancelled').length,
      tasksDone: ts.filter((t) => t.status === 'done').length,
      tasksOverdue: ts.filter((t) => isOverdue(t, today)).length,
      createdAt: p.created_at,
      updatedAt: p.updated_at,
    };
  });
}

/** Plans of the systems in scope (merger.read over any of the system's units), optionally under a unit. */
export async function listPlansInScope(db: Db, prefixes: string[], filter: { unitPath?: string; disposition?: string; phase?: string; origin?: string }): Promise<MergerPlanRow[]> {
  let q = db
    .selectFrom('merger_plans as p')
    .innerJoin('information_systems as s', 's.id', 'p.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .selectAll('p')
    .where(systemInScope(prefixes));
  if (filter.unitPath) q = q.where(systemInScope([filter.unitPath]));
  if (filter.disposition) q = q.where('p.disposition', '=', filter.disposition);
  if (filter.phase) q = q.where('p.phase', '=', filter.phase);
  if (filter.origin) q = q.where('s.origin', '=', filter.origin);
  return q.orderBy('s.code').execute();
}

export function findPlan(db: Db | Tx, id: string): Promise<MergerPlanRow | undefined> {
  return db.selectFrom('merger_plans').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findPlanOfSystem(db: Db | Tx, systemId: string): Promise<MergerPlanRow | undefined> {
  return db.selectFrom('merger_plans').selectAll().where('system_id', '=', systemId).executeTakeFirst();
}
export async function insertPlan(tx: Tx, row: NewMergerPlanRow): Promise<void> {
  await tx.insertInto('merger_plans').values(row).execute();
}
export async function updatePlan(tx: Tx, id: string, patch: Partial<NewMergerPlanRow>): Promise<void> {
  await tx.updateTable('merger_plans').set(patch).where('id', '=', id).execute();
}

export function findTask(db: Db | Tx, id: string): Promise<MergerTaskRow | undefined> {
  return db.selectFrom('merger_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}
export function tasksOfSystem(db: Db | Tx, systemId: string): Promise<MergerTaskRow[]> {
  return db.selectFrom('merger_tasks').selectAll().where('system_id', '=', systemId).orderBy('due_date').orderBy('created_at').execute();
}
export async function insertTask(tx: Tx, row: NewMergerTaskRow): Promise<void> {
  await tx.insertInto('merger_tasks').values(row).execute();
}
export async function updateTask(tx: Tx, id: string, patch: Partial<NewMergerTaskRow>): Promise<void> {
  await tx.updateTable('merger_tasks').set(patch).where('id', '=', id).execute();
}

export function toWindow(w: MaintenanceWindowRow) {
  return { id: w.id, systemId: w.system_id, taskId: w.task_id, title: w.title, startsAt: w.starts_at, endsAt: w.ends_at, createdAt: w.created_at };
}
export function windowsOfSystem(db: Db | Tx, systemId: string): Promise<MaintenanceWindowRow[]> {
  return db.selectFrom('maintenance_windows').selectAll().where('system_id', '=', systemId).orderBy('starts_at').execute();
}

/** The systems in scope joined with their three units, for province-wide lists of windows and outages. */
function inScopeSystems(db: Db, prefixes: string[]) {
  return db
    .selectFrom('information_systems as s')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .where(systemInScope(prefixes));
}

/** Maintenance windows of every system in scope, newest first, one page, with the system's code and name. */
export async function windowsInScope(db: Db, prefixes: string[], page: { offset: number; limit: number }) {
  const base = inScopeSystems(db, prefixes).innerJoin('maintenance_windows as w', 'w.system_id', 's.id');
  const total = Number((await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base
    .selectAll('w')
    .select(['s.code as system_code', 's.name as system_name'])
    .orderBy('w.starts_at', 'desc')
    .orderBy('w.id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return { total, items: rows.map((r) => ({ ...toWindow(r), system: { id: r.system_id, code: r.system_code, name: r.system_name } })) };
}

/** Outages of every system in scope (optionally only planned/unplanned), newest first, one page. */
export async function outagesInScope(db: Db, prefixes: string[], filter: { planned?: boolean; offset: number; limit: number }) {
  let base = inScopeSystems(db, prefixes).innerJoin('outages as o', 'o.system_id', 's.id');
  if (filter.planned !== undefined) base = base.where('o.planned', '=', fromBool(filter.planned));
  const total = Number((await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base
    .selectAll('o')
    .select(['s.code as system_code', 's.name as system_name'])
    .orderBy('o.started_at', 'desc')
    .orderBy('o.id', 'desc')
    .offset(filter.offset)
    .limit(filter.limit)
    .execute();
  return { total, items: rows.map((r) => ({ ...toOutage(r), system: { id: r.system_id, code: r.system_code, name: r.system_name } })) };
}

export function toOutage(o: OutageRow) {
  return { id: o.id, systemId: o.system_id, startedAt: o.started_at, endedAt: o.ended_at, planned: toBool(o.planned), windowId: o.window_id, cause: o.cause, createdAt: o.created_at };
}
export function outagesOfSystem(db: Db | Tx, systemId: string): Promise<OutageRow[]> {
  return db.selectFrom('outages').selectAll().where('system_id', '=', systemId).orderBy('started_at', 'desc').execute();
}

export function toReconciliation(r: ReconciliationRow): Reconciliation {
  const counts = { missing: r.missing_count, extra: r.extra_count, changed: r.changed_count, equal: r.equal_count };
  return {
    id: r.id,
    taskId: r.task_id,
    systemId: r.system_id,
    sourceDescription: r.source_description,
    targetDescription: r.target_description,
    counts,
    outcome: counts.missing + counts.extra + counts.changed === 0 ? 'equal' : 'different',
    report: fromJson<ReconcileReport>(r.report_json)!,
    attachedBy: r.attached_by,
    attachedAt: r.attached_at,
  };
}
export function reconciliationsOf(db: Db | Tx, by: { taskId?: string; systemId?: string }): Promise<ReconciliationRow[]> {
  let q = db.selectFrom('merger_reconciliations').selectAll();
  if (by.taskId) q = q.where('task_id', '=', by.taskId);
  if (by.systemId) q = q.where('system_id', '=', by.systemId);
  return q.orderBy('attached_at', 'desc').execute();
}

export type { SystemWithUnits };
