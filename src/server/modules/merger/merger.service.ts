import type { z } from 'zod';
import {
  CHECKPOINT_LABELS, type Checkpoint, type MergerPlan, type MergerPlanInput, type MergerPlanQuerySchema, type MergerTask,
  type MergerTaskCreateSchema, type MergerTaskUpdateSchema, type ReconciliationAttachSchema, type SystemMergerSchema,
} from '../../../contracts/merger.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { findUnit } from '../org/org-unit.repository.js';
import { todayVn } from '../org/scope.js';
import { requireOnSystem, scopeOf } from '../inventory/inventory.policy.js';
import { getSystemRow } from '../inventory/system.service.js';
import {
  findPlan, findPlanOfSystem, findTask, insertPlan, insertTask, listPlansInScope, outagesOfSystem, presentPlans, reconciliationsOf,
  tasksOfSystem, toOutage, toReconciliation, toTask, toWindow, unitRefs, updatePlan, updateTask, windowsOfSystem,
} from './merger.repository.js';
import { canWriteMerger, requireReadMerger, requireTaskProgress, requireWriteMerger } from './merger.policy.js';
import type { MergerTaskRow } from './merger.table.js';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** The five standard checkpoints of migrating a system, in order. */
export const STANDARD_CHECKPOINTS: Checkpoint[] = ['backup_taken', 'data_migrated', 'accounts_migrated', 'security_assessed', 'old_system_switched_off'];

/** The task title for a checkpoint: "Đã sao lưu dữ liệu" → "Sao lưu dữ liệu". */
export function checkpointTask(cp: Checkpoint): string {
  const t = CHECKPOINT_LABELS[cp].replace(/^Đã /, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

async function requireUnit(db: Db | Tx, id: string, field: string) {
  const u = await findUnit(db, id);
  if (!u) throw new ValidationError('merger.unit_not_found', `Không tìm thấy đơn vị (${field}).`, { field });
  return u;
}

/** Plans in the actor's scope, with filters on the computed state and overdue tasks. */
export async function searchPlans(deps: Deps, actor: Actor, query: z.infer<typeof MergerPlanQuerySchema>) {
  const unitPath = query.unitId ? (await requireUnit(deps.db, query.unitId, 'unitId')).path : undefined;
  const rows = await listPlansInScope(deps.db, scopeOf(actor, 'merger.read'), { unitPath, disposition: query.disposition, phase: query.phase, origin: query.origin });
  let plans = await presentPlans(deps.db, rows, todayVn(deps.clock));
  if (query.state) plans = plans.filter((p) => p.state === query.state);
  if (query.overdue) plans = plans.filter((p) => (p.tasksOverdue > 0) === (query.overdue === 'true'));
  const start = (query.page - 1) * query.pageSize;
  return { items: plans.slice(start, start + query.pageSize), total: plans.length, page: query.page, pageSize: query.pageSize };
}

/** Everything about a system's merger: plan, tasks, maintenance windows, outages, reconciliation results. */
export async function systemMerger(deps: Deps, actor: Actor, systemId: string): Promise<z.infer<typeof SystemMergerSchema>> {
  const system = await getSystemRow(deps.db, systemId);
  requireReadMerger(actor, system);
  const today = todayVn(deps.clock);
  const plan = await findPlanOfSystem(deps.db, systemId);
  const tasks = await tasksOfSystem(deps.db, systemId);
  const recs = await reconciliationsOf(deps.db, { systemId });
  const units = await unitRefs(deps.db, tasks.flatMap((t) => (t.owner_unit_id ? [t.owner_unit_id] : [])));
  return {
    plan: plan ? (await presentPlans(deps.db, [plan], today))[0]! : null,
    tasks: tasks.map((t) => toTask(t, units, today, recs.filter((r) => r.task_id === t.id).length)),
    windows: (await windowsOfSystem(deps.db, systemId)).map(toWindow),
    outages: (await outagesOfSystem(deps.db, systemId)).map(toOutage),
    reconciliations: recs.map(toReconciliation),
  };
}

/**
 * Create or replace a system's part of the merger plan. Consolidation names the system it folds into (readable
 * by the actor, not itself); units must exist. With `withStandardTasks` a new plan gets the five checkpoints.
 */
export async function upsertPlan(deps: Deps, actor: Actor, systemId: string, input: MergerPlanInput): Promise<MergerPlan> {
  const system = await getSystemRow(deps.db, systemId);
  requireWriteMerger(actor, system);
  if (input.disposition === 'consolidate' && !input.targetSystemId) {
    throw new ValidationError('merger.target_required', 'Hợp nhất vào hệ thống khác cần chọn hệ thống đích.', { field: 'targetSystemId' });
  }
  if (input.targetSystemId) {
    if (input.targetSystemId === systemId) throw new ConflictError('merger.target_self', 'Hệ thống không thể hợp nhất vào chính nó.');
    requireOnSystem(actor, 'system.read', await getSystemRow(deps.db, input.targetSystemId));
  }
  if (input.targetStart && input.targetEnd && input.targetEnd < input.targetStart) {
    throw new ValidationError('merger.bad_dates', 'Ngày kết thúc phải sau ngày bắt đầu.', { field: 'targetEnd' });
  }
  for (const id of [...(input.leadUnitId ? [input.leadUnitId] : []), ...input.responsibleUnitIds]) await requireUnit(deps.db, id, 'responsibleUnitIds');
  const now = nowIso(deps.clock);
  const existing = await findPlanOfSystem(deps.db, systemId);
  const fields = {
    disposition: input.disposition,
    target_system_id: input.disposition === 'consolidate' ? (input.targetSystemId ?? null) : null,
    phase: input.phase,
    target_start: input.targetStart ?? null,
    target_end: input.targetEnd ?? null,
    lead_unit_id: input.leadUnitId ?? null,
    responsible_unit_ids_json: JSON.stringify([...new Set(input.responsibleUnitIds)]),
    decision: input.decision ?? null,
    notes: input.notes ?? null,
    updated_at: now,
  };
  const id = existing?.id ?? newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    if (existing) await updatePlan(tx, id, fields);
    else {
      await insertPlan(tx, { id, system_id: systemId, ...fields, created_at: now });
      if (input.withStandardTasks) {
        for (const cp of STANDARD_CHECKPOINTS) {
          await insertTask(tx, {
            id: newId(deps.clock()), plan_id: id, system_id: systemId, title: checkpointTask(cp), checkpoint: cp, status: 'todo',
            owner_unit_id: input.leadUnitId ?? system.operating_unit_id ?? system.owner_unit_id, assignee: null, due_date: input.targetEnd ?? null,
            done_at: null, evidence_note: null, created_at: now, updated_at: now,
          });
        }
      }
    }
    await recordAudit(tx, actor, {
      action: existing ? 'merger_plan.update' : 'merger_plan.create', targetType: 'merger_plan', targetId: id, unitId: system.owner_unit_id,
      before: existing ?? undefined, after: { systemId, ...input },
    }, now);
  });
  return (await presentPlans(deps.db, [(await findPlan(deps.db, id))!], todayVn(deps.clock)))[0]!;
}

async function presentTask(deps: Deps, t: MergerTaskRow): Promise<MergerTask> {
  const units = await unitRefs(deps.db, t.owner_unit_id ? [t.owner_unit_id] : []);
  const recs = await reconciliationsOf(deps.db, { taskId: t.id });
  return toTask(t, units, todayVn(deps.clock), recs.length);
}

/** Add a task to a plan (merger.write over the system). */
export async function createTask(deps: Deps, actor: Actor, planId: string, input: z.infer<typeof MergerTaskCreateSchema>): Promise<MergerTask> {
  const plan = await findPlan(deps.db, planId);
  if (!plan) throw new NotFoundError('merger_plan.not_found', 'Không tìm thấy phương án hợp nhất.');
  const system = await getSystemRow(deps.db, plan.system_id);
  requireWriteMerger(actor, system);
  if (input.ownerUnitId) await requireUnit(deps.db, input.ownerUnitId, 'ownerUnitId');
  const now = nowIso(deps.clock);
  const row: MergerTaskRow = {
    id: newId(deps.clock()), plan_id: planId, system_id: plan.system_id, title: input.title, checkpoint: input.checkpoint, status: input.status,
    owner_unit_id: input.ownerUnitId ?? null, assignee: input.assignee ?? null, due_date: input.dueDate ?? null,
    done_at: input.status === 'done' ? now : null, evidence_note: input.evidenceNote ?? null, created_at: now, updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await insertTask(tx, row);
    await recordAudit(tx, actor, { action: 'merger_task.create', targetType: 'merger_task', targetId: row.id, unitId: system.owner_unit_id, after: input }, now);
  });
  return presentTask(deps, row);
}

/** The task and its system, after checking the actor may record progress on it. */
export async function taskContext(deps: Deps, actor: Actor, id: string) {
  const task = await findTask(deps.db, id);
  if (!task) throw new NotFoundError('merger_task.not_found', 'Không tìm thấy công việc.');
  const system = await getSystemRow(deps.db, task.system_id);
  const taskUnit = task.owner_unit_id ? await findUnit(deps.db, task.owner_unit_id) : undefined;
  requireTaskProgress(actor, system, taskUnit?.path ?? null, id);
  return { task, system };
}

/**
 * Update a task. Progress fields (status, assignee, evidence note) need merger.task_update; the plan's own
 * fields (title, checkpoint, owner unit, due date) need merger.write. Marking done stamps done_at.
 */
export async function changeTask(deps: Deps, actor: Actor, id: string, input: z.infer<typeof MergerTaskUpdateSchema>): Promise<MergerTask> {
  const { task, system } = await taskContext(deps, actor, id);
  const planFields = (['title', 'checkpoint', 'ownerUnitId', 'dueDate'] as const).filter((k) => input[k] !== undefined);
  if (planFields.length && !canWriteMerger(actor, system)) {
    throw new ForbiddenError('auth.forbidden', 'Chỉ đơn vị chủ quản/vận hành được sửa nội dung, hạn và đơn vị của công việc.', { permission: 'merger.write', fields: planFields, target: { type: 'merger_task', id } }, { unitId: system.owner_unit_id });
  }
  if (input.ownerUnitId) await requireUnit(deps.db, input.ownerUnitId, 'ownerUnitId');
  const now = nowIso(deps.clock);
  const patch: Partial<MergerTaskRow> = { updated_at: now };
  if (input.title !== undefined) patch.title = input.title;
  if (input.checkpoint !== undefined) patch.checkpoint = input.checkpoint;
  if (input.ownerUnitId !== undefined) patch.owner_unit_id = input.ownerUnitId ?? null;
  if (input.dueDate !== undefined) patch.due_date = input.dueDate ?? null;
  if (input.assignee !== undefined) patch.assignee = input.assignee ?? null;
  if (input.evidenceNote !== undefined) patch.evidence_note = input.evidenceNote ?? null;
  if (input.status !== undefined) {
    patch.status = input.status;
    patch.done_at = input.status === 'done' ? (task.status === 'done' ? task.done_at : now) : null;
  }
  await deps.db.transaction().execute(async (tx) => {
    await updateTask(tx, id, patch);
    await recordAudit(tx, actor, { action: 'merger_task.update', targetType: 'merger_task', targetId: id, unitId: system.owner_unit_id, before: task, after: patch }, now);
  });
  return presentTask(deps, { ...task, ...patch });
}

/**
 * Attach a reconciliation result to a task as evidence. The report is kept as given (the reconcile engine's
 * document); counts are stored as columns so lists need not parse reports.
 */
export async function attachReconciliation(deps: Deps, actor: Actor, taskId: string, input: z.infer<typeof ReconciliationAttachSchema>) {
  const { task, system } = await taskContext(deps, actor, taskId);
  const now = nowIso(deps.clock);
  const { counts } = input.report;
  const row = {
    id: newId(deps.clock()), task_id: taskId, system_id: task.system_id,
    source_description: input.sourceDescription ?? input.report.source.label, target_description: input.targetDescription ?? input.report.target.label,
    report_json: JSON.stringify(input.report), missing_count: counts.missing, extra_count: counts.extra, changed_count: counts.changed,
    equal_count: counts.equal, attached_by: actor.userId, attached_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('merger_reconciliations').values(row).execute();
    await recordAudit(tx, actor, { action: 'merger_reconciliation.attach', targetType: 'merger_task', targetId: taskId, unitId: system.owner_unit_id, details: { id: row.id, counts, source: row.source_description, target: row.target_description } }, now);
  });
  return toReconciliation(row);
}

export async function listTaskReconciliations(deps: Deps, actor: Actor, taskId: string) {
  const task = await findTask(deps.db, taskId);
  if (!task) throw new NotFoundError('merger_task.not_found', 'Không tìm thấy công việc.');
  requireReadMerger(actor, await getSystemRow(deps.db, task.system_id));
  return { items: (await reconciliationsOf(deps.db, { taskId })).map(toReconciliation) };
}
