import type { z } from 'zod';
import type { OrgUnit, OrgUnitCreateSchema, OrgUnitMergeSchema, OrgUnitUpdateSchema } from '../../../contracts/org.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { isIsoDate, newId, nowIso } from '../../db/columns.js';
import { findUnit, insertUnitRow, listCeasedOn, listUnits, toOrgUnit, updateUnitRow } from './org-unit.repository.js';
import { prefixesFor, requireCreateRoot, requireOnUnit } from './org.policy.js';
import type { OrgUnitRow } from './org.table.js';
import { dayBefore, todayVn } from './scope.js';
import { ceasedBefore, MERGE_DESCENDANT, MERGE_SELF, MERGE_TARGET_CEASED, type MergeProblem, mergedOnProblem } from './merge-rules.js';

export type OrgDeps = Pick<AppDeps, 'db' | 'clock' | 'keys' | 'config'>;

/** A unit by id or `org_unit.not_found`. */
export async function getUnitRow(deps: OrgDeps, id: string): Promise<OrgUnitRow> {
  const row = await findUnit(deps.db, id);
  if (!row) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
  return row;
}

/** The units the actor may read, as a flat list ordered by path (the UI builds the tree). */
export async function listVisibleUnits(deps: OrgDeps, actor: Actor, includeFormer: boolean): Promise<OrgUnit[]> {
  const today = todayVn(deps.clock);
  const rows = await listUnits(deps.db, prefixesFor(actor, 'org_unit.read'), { includeFormer, today });
  return rows.map((r) => toOrgUnit(r, today));
}

/** One unit; 404 when unknown, 403 (audited) when outside the actor's scope. */
export async function getUnit(deps: OrgDeps, actor: Actor, id: string): Promise<OrgUnit> {
  const row = await getUnitRow(deps, id);
  requireOnUnit(actor, 'org_unit.read', row);
  return toOrgUnit(row, todayVn(deps.clock));
}

/** Create a unit under a parent the actor may write to; path and depth follow from the parent. */
export async function createUnit(deps: OrgDeps, actor: Actor, input: z.infer<typeof OrgUnitCreateSchema>): Promise<OrgUnit> {
  const parent = input.parentId ? await getUnitRow(deps, input.parentId) : null;
  if (parent) requireOnUnit(actor, 'org_unit.write', parent);
  else requireCreateRoot(actor);
  const id = newId(deps.clock());
  const now = nowIso(deps.clock);
  const row: OrgUnitRow = {
    id,
    code: input.code,
    name: input.name,
    short_name: input.shortName ?? null,
    type: input.type,
    parent_id: parent?.id ?? null,
    path: `${parent?.path ?? '/'}${id}/`,
    depth: parent ? parent.depth + 1 : 0,
    valid_from: input.validFrom ?? null,
    valid_to: null,
    merged_into_id: null,
    merged_on: null,
    merger_decision: null,
    name_folded: foldText(input.name),
    created_at: now,
    updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await insertUnitRow(tx, row);
    await recordAudit(tx, actor, { action: 'org_unit.create', targetType: 'org_unit', targetId: id, unitId: id, after: toOrgUnit(row, '') }, now);
  });
  return toOrgUnit(row, todayVn(deps.clock));
}

/** Rename or re-type a unit (the parent cannot change: paths of a subtree are fixed). */
export async function updateUnit(deps: OrgDeps, actor: Actor, id: string, input: z.infer<typeof OrgUnitUpdateSchema>): Promise<OrgUnit> {
  const before = await getUnitRow(deps, id);
  requireOnUnit(actor, 'org_unit.write', before);
  const now = nowIso(deps.clock);
  const patch = {
    ...(input.code !== undefined ? { code: input.code } : {}),
    ...(input.name !== undefined ? { name: input.name, name_folded: foldText(input.name) } : {}),
    ...(input.shortName !== undefined ? { short_name: input.shortName ?? null } : {}),
    ...(input.type !== undefined ? { type: input.type } : {}),
    ...(input.validFrom !== undefined ? { valid_from: input.validFrom ?? null } : {}),
    updated_at: now,
  };
  const after: OrgUnitRow = { ...before, ...patch };
  await deps.db.transaction().execute(async (tx) => {
    await updateUnitRow(tx, id, patch);
    await recordAudit(tx, actor, { action: 'org_unit.update', targetType: 'org_unit', targetId: id, unitId: id, before: toOrgUnit(before, ''), after: toOrgUnit(after, '') }, now);
  });
  return toOrgUnit(after, todayVn(deps.clock));
}

/**
 * Record that `id` ceased to exist on `mergedOn` by merging into `intoId`: its last valid day is the day before.
 * Refused (rules in merge-rules.ts, shared with the import): merging into itself, into its own subtree (a cycle
 * of parents), into a unit that itself ceased or was merged, merging a unit twice, or a mergedOn on or before
 * the unit's validFrom (400, field `mergedOn`: its validity would end before it began).
 */
export async function mergeUnit(deps: OrgDeps, actor: Actor, id: string, input: z.infer<typeof OrgUnitMergeSchema>): Promise<OrgUnit> {
  if (!isIsoDate(input.mergedOn)) throw new ValidationError('org_unit.bad_date', 'Ngày sáp nhập không hợp lệ.');
  const source = await getUnitRow(deps, id);
  requireOnUnit(actor, 'org_unit.write', source);
  const conflict = (p: MergeProblem) => new ConflictError(p.code, p.message);
  if (input.intoId === id) throw conflict(MERGE_SELF);
  const target = await getUnitRow(deps, input.intoId);
  requireOnUnit(actor, 'org_unit.write', target);
  if (target.path.startsWith(source.path)) throw conflict(MERGE_DESCENDANT);
  if (source.merged_into_id || ceasedBefore(source.valid_to, input.mergedOn)) {
    throw new ConflictError('org_unit.already_ceased', 'Đơn vị này đã ngừng tồn tại hoặc đã được sáp nhập.');
  }
  if (target.merged_into_id || ceasedBefore(target.valid_to, input.mergedOn)) throw conflict(MERGE_TARGET_CEASED);
  const early = mergedOnProblem(source.valid_from, input.mergedOn);
  if (early) throw new ValidationError(early.code, early.message, [{ field: early.field, message: early.message }]);
  const now = nowIso(deps.clock);
  const patch = { valid_to: dayBefore(input.mergedOn), merged_into_id: target.id, merged_on: input.mergedOn, merger_decision: input.decision, updated_at: now };
  const after: OrgUnitRow = { ...source, ...patch };
  await deps.db.transaction().execute(async (tx) => {
    await updateUnitRow(tx, id, patch);
    await recordAudit(tx, actor, {
      action: 'org_unit.merge',
      targetType: 'org_unit',
      targetId: id,
      unitId: id,
      before: toOrgUnit(source, ''),
      after: toOrgUnit(after, ''),
      details: { intoId: target.id, intoCode: target.code },
    }, now);
  });
  return toOrgUnit(after, todayVn(deps.clock));
}

/**
 * Follow merged_into links from a unit to its current successor. Cycle-safe: a unit seen twice stops the walk
 * (the data is then inconsistent and the last unit before the repeat is returned). The successor's identity
 * is shown even if it lies outside the actor's scope: lineage is public organisational fact, not personal data.
 */
export async function successorOf(deps: OrgDeps, actor: Actor, id: string): Promise<{ chain: OrgUnit[]; successor: OrgUnit }> {
  const start = await getUnitRow(deps, id);
  requireOnUnit(actor, 'org_unit.read', start);
  const today = todayVn(deps.clock);
  const seen = new Set<string>([start.id]);
  const chain: OrgUnitRow[] = [start];
  let cur = start;
  while (cur.merged_into_id && !seen.has(cur.merged_into_id) && chain.length < 100) {
    const next = await findUnit(deps.db, cur.merged_into_id);
    if (!next) break;
    seen.add(next.id);
    chain.push(next);
    cur = next;
  }
  return { chain: chain.map((r) => toOrgUnit(r, today)), successor: toOrgUnit(cur, today) };
}

/** Units in scope that ceased to exist on `date` (last valid day the day before, or merged that day). */
export async function ceasedOn(deps: OrgDeps, actor: Actor, date: string): Promise<OrgUnit[]> {
  if (!isIsoDate(date)) throw new ValidationError('org_unit.bad_date', 'Ngày không hợp lệ (YYYY-MM-DD).');
  const today = todayVn(deps.clock);
  const rows = await listCeasedOn(deps.db, prefixesFor(actor, 'org_unit.read'), date, dayBefore(date));
  return rows.map((r) => toOrgUnit(r, today));
}
