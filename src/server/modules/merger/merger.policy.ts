import { type Actor, can } from '../../core/actor.js';
import { ForbiddenError } from '../../core/errors.js';
import { canOnSystem, requireOnSystem, type SystemUnits } from '../inventory/inventory.policy.js';

/**
 * Authorisation of the merger plan, through the system each plan belongs to (see inventory.policy.ts):
 * - read: merger.read over any of the system's three units;
 * - plan, tasks, windows: merger.write over the owner or operating unit;
 * - task progress (status, assignee, evidence), outages and reconciliation results: merger.task_update over
 *   any of the system's units or over the task's owner unit — operators do the cut-over work.
 */

export function requireReadMerger(actor: Actor, s: SystemUnits): void {
  requireOnSystem(actor, 'merger.read', s);
}

export function requireWriteMerger(actor: Actor, s: SystemUnits): void {
  requireOnSystem(actor, 'merger.write', s, 'owner_or_operator');
}

export function canWriteMerger(actor: Actor, s: SystemUnits): boolean {
  return canOnSystem(actor, 'merger.write', s, 'owner_or_operator');
}

/** Progress on a task: merger.write (owner side), or merger.task_update over the system or the task's unit. */
export function requireTaskProgress(actor: Actor, s: SystemUnits, taskUnitPath: string | null, taskId: string): void {
  if (canWriteMerger(actor, s) || canOnSystem(actor, 'merger.task_update', s)) return;
  if (taskUnitPath && can(actor, 'merger.task_update', taskUnitPath)) return;
  throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền cập nhật công việc này.', { permission: 'merger.task_update', target: { type: 'merger_task', id: taskId } }, { unitId: s.owner_unit_id ?? null });
}
