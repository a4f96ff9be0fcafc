import type { z } from 'zod';
import type { MaintenanceWindowCreateSchema, OutageCreateSchema, OutageUpdateSchema } from '../../../contracts/merger.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { fromBool, newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { canOnSystem } from '../inventory/inventory.policy.js';
import { getSystemRow } from '../inventory/system.service.js';
import { outagesInScope, outagesOfSystem, toOutage, toWindow, windowsInScope, windowsOfSystem } from './merger.repository.js';
import { scopeOf } from '../inventory/inventory.policy.js';
import { canWriteMerger, requireReadMerger, requireWriteMerger } from './merger.policy.js';
import type { MaintenanceWindowRow } from './merger.table.js';
import { ForbiddenError } from '../../core/errors.js';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** An ISO instant with offset → the stored UTC form (`…Z` with milliseconds), so text order is time order. */
export function utc(instant: string): string {
  return new Date(instant).toISOString();
}

/**
 * Whether a stop is planned: it lies inside one of the system's maintenance windows — start at or after the
 * window's start and end at or before its end. A stop still in progress (no end) is judged by its start and
 * judged again when its end is recorded; one that overruns its window is UNPLANNED.
 */
export function windowCovering(windows: Pick<MaintenanceWindowRow, 'id' | 'starts_at' | 'ends_at'>[], startedAt: string, endedAt: string | null): string | null {
  const w = windows.find((x) => x.starts_at <= startedAt && (endedAt ?? startedAt) <= x.ends_at);
  return w?.id ?? null;
}

/** Plan a cut-over window (merger.write over the system). */
export async function createWindow(deps: Deps, actor: Actor, input: z.infer<typeof MaintenanceWindowCreateSchema>) {
  const system = await getSystemRow(deps.db, input.systemId);
  requireWriteMerger(actor, system);
  const starts = utc(input.startsAt);
  const ends = utc(input.endsAt);
  if (ends <= starts) throw new ValidationError('maintenance_window.bad_range', 'Thời điểm kết thúc phải sau thời điểm bắt đầu.', { field: 'endsAt' });
  if (input.taskId) {
    const task = await deps.db.selectFrom('merger_tasks').select('system_id').where('id', '=', input.taskId).executeTakeFirst();
    if (!task || task.system_id !== input.systemId) throw new ValidationError('maintenance_window.bad_task', 'Công việc không thuộc hệ thống này.', { field: 'taskId' });
  }
  const now = nowIso(deps.clock);
  const row = { id: newId(deps.clock()), system_id: input.systemId, task_id: input.taskId ?? null, title: input.title, starts_at: starts, ends_at: ends, created_by: actor.userId, created_at: now };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('maintenance_windows').values(row).execute();
    await recordAudit(tx, actor, { action: 'maintenance_window.create', targetType: 'information_system', targetId: input.systemId, unitId: system.owner_unit_id, after: toWindow(row) }, now);
  });
  return toWindow(row);
}

type ListQuery = { systemId?: string; page: number; pageSize: number };

/**
 * One system's maintenance windows (all of them), or without a system those of every system the actor may read
 * the merger of (merger.read over any of its units), newest first, one page.
 */
export async function listWindows(deps: Deps, actor: Actor, query: ListQuery) {
  if (!query.systemId) {
    return windowsInScope(deps.db, scopeOf(actor, 'merger.read'), { offset: (query.page - 1) * query.pageSize, limit: query.pageSize });
  }
  requireReadMerger(actor, await getSystemRow(deps.db, query.systemId));
  const items = (await windowsOfSystem(deps.db, query.systemId)).map(toWindow);
  return { items, total: items.length };
}

/** Recording stops is operational work: merger.write, or merger.task_update over one of the system's units. */
function requireRecordOutage(actor: Actor, system: Parameters<typeof canWriteMerger>[1]): void {
  if (canWriteMerger(actor, system) || canOnSystem(actor, 'merger.task_update', system)) return;
  throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền ghi nhận sự cố ngừng của hệ thống này.', { permission: 'merger.task_update', target: { type: 'information_system', id: system.id } }, { unitId: system.owner_unit_id ?? null });
}

async function classify(db: Db | Tx, systemId: string, startedAt: string, endedAt: string | null) {
  const windowId = windowCovering(await windowsOfSystem(db, systemId), startedAt, endedAt);
  return { planned: fromBool(windowId !== null), window_id: windowId };
}

/** Record a stop; it is flagged UNPLANNED (planned=false) unless it lies inside a maintenance window. */
export async function recordOutage(deps: Deps, actor: Actor, input: z.infer<typeof OutageCreateSchema>) {
  const system = await getSystemRow(deps.db, input.systemId);
  requireRecordOutage(actor, system);
  const started = utc(input.startedAt);
  const ended = input.endedAt ? utc(input.endedAt) : null;
  if (ended && ended < started) throw new ValidationError('outage.bad_range', 'Thời điểm khôi phục phải sau thời điểm ngừng.', { field: 'endedAt' });
  const now = nowIso(deps.clock);
  const row = { id: newId(deps.clock()), system_id: input.systemId, started_at: started, ended_at: ended, ...(await classify(deps.db, input.systemId, started, ended)), cause: input.cause ?? null, created_by: actor.userId, created_at: now };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('outages').values(row).execute();
    await recordAudit(tx, actor, { action: row.planned ? 'outage.record' : 'outage.record_unplanned', targetType: 'information_system', targetId: input.systemId, unitId: system.owner_unit_id, after: toOutage(row) }, now);
  });
  return toOutage(row);
}

/** Record the end (or correct the cause) of a stop; planned-ness is judged again. */
export async function changeOutage(deps: Deps, actor: Actor, id: string, input: z.infer<typeof OutageUpdateSchema>) {
  const before = await deps.db.selectFrom('outages').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw new NotFoundError('outage.not_found', 'Không tìm thấy sự cố ngừng.');
  const system = await getSystemRow(deps.db, before.system_id);
  requireRecordOutage(actor, system);
  const ended = input.endedAt === undefined ? before.ended_at : input.endedAt === null ? null : utc(input.endedAt);
  if (ended && ended < before.started_at) throw new ValidationError('outage.bad_range', 'Thời điểm khôi phục phải sau thời điểm ngừng.', { field: 'endedAt' });
  const now = nowIso(deps.clock);
  const patch = { ended_at: ended, ...(input.cause !== undefined ? { cause: input.cause ?? null } : {}), ...(await classify(deps.db, before.system_id, before.started_at, ended)) };
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('outages').set(patch).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'outage.update', targetType: 'information_system', targetId: before.system_id, unitId: system.owner_unit_id, before: toOutage(before), after: toOutage({ ...before, ...patch }) }, now);
  });
  return toOutage({ ...before, ...patch });
}

/**
 * One system's outages, or without a system those of every system in the actor's merger scope — e.g. the
 * province-wide list of UNPLANNED stops (planned=false) — newest first, one page.
 */
export async function listOutages(deps: Deps, actor: Actor, query: ListQuery & { planned?: boolean }) {
  if (!query.systemId) {
    return outagesInScope(deps.db, scopeOf(actor, 'merger.read'), { planned: query.planned, offset: (query.page - 1) * query.pageSize, limit: query.pageSize });
  }
  requireReadMerger(actor, await getSystemRow(deps.db, query.systemId));
  const rows = (await outagesOfSystem(deps.db, query.systemId)).map(toOutage);
  const items = query.planned === undefined ? rows : rows.filter((o) => o.planned === query.planned);
  return { items, total: items.length };
}
