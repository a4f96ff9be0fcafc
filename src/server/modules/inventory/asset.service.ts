import type { z } from 'zod';
import type { Asset, AssetCreate, AssetQuerySchema, AssetUpdate } from '../../../contracts/inventory.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { findUnit } from '../org/org-unit.repository.js';
import {
  type AssetWithUnits, deleteAssetRow, findAsset, findAssetsByIds, findSystem, findSystemsByIds, insertAssetRow, linksOfAssets, listAssets,
  setAssetLinks, type SystemWithUnits, toAsset, updateAssetRow,
} from './inventory.repository.js';
import { can, canOnSystem, requireOnSystem, requireOnUnitPath, scopeOf } from './inventory.policy.js';
import type { NewAssetRow } from './inventory.table.js';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** Assets as API objects, each with only the linked systems the actor may read. */
export async function presentAssets(db: Db | Tx, actor: Actor, ids: string[], links: Map<string, SystemWithUnits[]>): Promise<Asset[]> {
  const rows = await findAssetsByIds(db, ids);
  return ids.flatMap((id) => {
    const r = rows.get(id);
    if (!r) return [];
    const systems = (links.get(id) ?? []).filter((s) => canOnSystem(actor, 'system.read', s)).map((s) => ({ id: s.id, code: s.code, name: s.name }));
    return [toAsset(r, systems)];
  }).sort((a, b) => a.code.localeCompare(b.code));
}

/** Readable: asset.read over the owner unit, or system.read over a system the asset serves (it is a component). */
async function requireReadAsset(db: Db | Tx, actor: Actor, a: AssetWithUnits): Promise<void> {
  if (can(actor, 'asset.read', a.owner_path)) return;
  const linked = (await linksOfAssets(db, [a.id])).get(a.id) ?? [];
  if (linked.some((s) => canOnSystem(actor, 'system.read', s))) return;
  requireOnUnitPath(actor, 'asset.read', { id: a.owner_unit_id, path: a.owner_path }, { type: 'asset', id: a.id });
}

export async function getAssetRow(db: Db | Tx, id: string): Promise<AssetWithUnits> {
  const row = await findAsset(db, id);
  if (!row) throw new NotFoundError('asset.not_found', 'Không tìm thấy tài sản.');
  return row;
}

async function present(db: Db | Tx, actor: Actor, id: string): Promise<Asset> {
  return (await presentAssets(db, actor, [id], await linksOfAssets(db, [id])))[0]!;
}

export async function searchAssets(deps: Deps, actor: Actor, query: z.infer<typeof AssetQuerySchema>) {
  let prefixes = scopeOf(actor, 'asset.read');
  let unitPath: string | undefined;
  if (query.unitId) {
    const unit = await findUnit(deps.db, query.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    unitPath = unit.path;
  }
  if (query.systemId) {
    // The components of a readable system are listed whoever owns them.
    const system = await findSystem(deps.db, query.systemId);
    if (!system) throw new NotFoundError('system.not_found', 'Không tìm thấy hệ thống thông tin.');
    requireOnSystem(actor, 'system.read', system);
    prefixes = ['/'];
  }
  const { rows, total } = await listAssets(
    deps.db,
    { prefixes, unitPath, systemId: query.systemId, kind: query.kind, reuseDisposition: query.reuseDisposition, text: query.q?.trim() ? foldText(query.q) : undefined },
    query.page,
    query.pageSize,
  );
  const items = await presentAssets(deps.db, actor, rows.map((r) => r.id), await linksOfAssets(deps.db, rows.map((r) => r.id)));
  return { items, total, page: query.page, pageSize: query.pageSize };
}

export async function getAsset(deps: Deps, actor: Actor, id: string): Promise<Asset> {
  const row = await getAssetRow(deps.db, id);
  await requireReadAsset(deps.db, actor, row);
  return present(deps.db, actor, id);
}

/** Row fields from API input (only keys present). */
export function assetFields(input: AssetUpdate): Partial<NewAssetRow> {
  const out: Partial<NewAssetRow> = {};
  if (input.code !== undefined) out.code = input.code;
  if (input.kind !== undefined) out.kind = input.kind;
  if (input.name !== undefined) {
    out.name = input.name;
    out.name_folded = foldText(input.name);
  }
  if (input.hostname !== undefined) out.hostname = input.hostname?.toLowerCase() ?? null;
  if (input.ips !== undefined) out.ips_json = JSON.stringify(input.ips);
  if (input.osName !== undefined) out.os_name = input.osName ?? null;
  if (input.osVersion !== undefined) out.os_version = input.osVersion ?? null;
  if (input.software !== undefined) out.software_json = JSON.stringify(input.software);
  if (input.location !== undefined) out.location = input.location ?? null;
  if (input.ownerUnitId !== undefined) out.owner_unit_id = input.ownerUnitId;
  if (input.status !== undefined) out.status = input.status;
  if (input.reuseDisposition !== undefined) out.reuse_disposition = input.reuseDisposition ?? null;
  if (input.reuseTargetUnitId !== undefined) out.reuse_target_unit_id = input.reuseTargetUnitId ?? null;
  if (input.reuseDecision !== undefined) out.reuse_decision = input.reuseDecision ?? null;
  if (input.notes !== undefined) out.notes = input.notes ?? null;
  return out;
}

/**
 * Check an asset as it will be after a write: asset.write over its owner unit; a transfer names an existing
 * target unit; every linked system exists and is readable by the actor.
 */
export async function authoriseAssetWrite(db: Db | Tx, actor: Actor, id: string, after: Pick<NewAssetRow, 'owner_unit_id' | 'reuse_disposition' | 'reuse_target_unit_id'>, systemIds: string[] | undefined): Promise<void> {
  const owner = await findUnit(db, after.owner_unit_id);
  if (!owner) throw new ValidationError('asset.unit_not_found', 'Không tìm thấy đơn vị sở hữu tài sản.', { field: 'ownerUnitId' });
  requireOnUnitPath(actor, 'asset.write', owner, { type: 'asset', id });
  if (after.reuse_disposition === 'transfer' && !after.reuse_target_unit_id) {
    throw new ValidationError('asset.transfer_target_required', 'Điều chuyển tài sản cần chọn đơn vị tiếp nhận.', { field: 'reuseTargetUnitId' });
  }
  if (after.reuse_target_unit_id && !(await findUnit(db, after.reuse_target_unit_id))) {
    throw new ValidationError('asset.unit_not_found', 'Không tìm thấy đơn vị tiếp nhận.', { field: 'reuseTargetUnitId' });
  }
  if (systemIds?.length) {
    const found = await findSystemsByIds(db, [...new Set(systemIds)]);
    if (found.length !== new Set(systemIds).size) throw new ValidationError('asset.system_not_found', 'Có hệ thống thông tin không tồn tại trong danh sách liên kết.', { field: 'systemIds' });
    for (const s of found) requireOnSystem(actor, 'system.read', s);
  }
}

export async function createAsset(deps: Deps, actor: Actor, input: AssetCreate): Promise<Asset> {
  const id = newId(deps.clock());
  const now = nowIso(deps.clock);
  const row = { id, ...assetFields(input), created_at: now, updated_at: now } as NewAssetRow;
  await authoriseAssetWrite(deps.db, actor, id, row, input.systemIds);
  await deps.db.transaction().execute(async (tx) => {
    await insertAssetRow(tx, row);
    await setAssetLinks(tx, id, input.systemIds, now);
    await recordAudit(tx, actor, { action: 'asset.create', targetType: 'asset', targetId: id, unitId: row.owner_unit_id, after: { ...input } }, now);
  });
  return present(deps.db, actor, id);
}

export async function updateAsset(deps: Deps, actor: Actor, id: string, input: AssetUpdate): Promise<Asset> {
  const before = await getAssetRow(deps.db, id);
  requireOnUnitPath(actor, 'asset.write', { id: before.owner_unit_id, path: before.owner_path }, { type: 'asset', id });
  const fields = assetFields(input);
  const merged = { ...before, ...fields };
  await authoriseAssetWrite(deps.db, actor, id, merged, input.systemIds);
  const now = nowIso(deps.clock);
  const beforeView = await present(deps.db, actor, id);
  await deps.db.transaction().execute(async (tx) => {
    await updateAssetRow(tx, id, { ...fields, updated_at: now });
    if (input.systemIds !== undefined) await setAssetLinks(tx, id, input.systemIds, now);
    await recordAudit(tx, actor, { action: 'asset.update', targetType: 'asset', targetId: id, unitId: merged.owner_unit_id, before: beforeView, after: { ...input } }, now);
  });
  return present(deps.db, actor, id);
}

/** Delete an asset explicitly (its links go with it). */
export async function deleteAsset(deps: Deps, actor: Actor, id: string): Promise<void> {
  const before = await getAssetRow(deps.db, id);
  requireOnUnitPath(actor, 'asset.write', { id: before.owner_unit_id, path: before.owner_path }, { type: 'asset', id });
  const now = nowIso(deps.clock);
  const view = await present(deps.db, actor, id);
  await deps.db.transaction().execute(async (tx) => {
    await deleteAssetRow(tx, id);
    await recordAudit(tx, actor, { action: 'asset.delete', targetType: 'asset', targetId: id, unitId: before.owner_unit_id, before: view }, now);
  });
}
