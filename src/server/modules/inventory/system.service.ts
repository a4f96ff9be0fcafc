import type { z } from 'zod';
import type {
  InformationClasses, InformationSystem, LevelDecisionInputSchema, LevelPreviewInputSchema, SystemCreate, SystemDetail, SystemQuerySchema, SystemUpdate,
} from '../../../contracts/inventory.js';
import { type Actor, hasPermission } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import { fromBool, fromJson, newId, nowIso, toBool, toJson } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { checkDecision, type Level, type LevelFacts, type Proposal, proposeLevel } from '../../engines/level-advisor/level-advisor.js';
import { findUnit } from '../org/org-unit.repository.js';
import { todayVn } from '../org/scope.js';
import { presentAssets } from './asset.service.js';
import {
  deleteSystemRow, findSystem, insertDecisionRow, insertSystemRow, linksOfAssets, listDecisions, listParts, listSystems,
  type SystemWithUnits, systemReferences, toDecision, toSystem, updateSystemRow,
} from './inventory.repository.js';
import { canOnSystem, requireOnSystem, scopeOf } from './inventory.policy.js';
import type { NewSystemRow, SystemRow } from './inventory.table.js';

export type InventoryDeps = Pick<AppDeps, 'db' | 'clock'>;

/** The level a part contributes to a composite: decided NĐ 331 level, else the proposal, else the NĐ 85 level. */
export function effectiveLevel(r: Pick<SystemRow, 'new_level' | 'proposed_level' | 'legacy_level'>): number | null {
  return r.new_level ?? r.proposed_level ?? r.legacy_level ?? null;
}

/** The advisor's input from a stored row and its parts. */
export function factsOf(r: SystemRow, parts: SystemRow[]): LevelFacts {
  return {
    type: r.type as LevelFacts['type'],
    information: fromJson<InformationClasses>(r.information_json)!,
    onlineServiceLevel: r.online_service_level,
    administrativeProcedure: toBool(r.administrative_procedure),
    conditionalBusiness: toBool(r.conditional_business),
    infrastructureScope: r.infrastructure_scope as LevelFacts['infrastructureScope'],
    icsWorkGrade: r.ics_work_grade as LevelFacts['icsWorkGrade'],
    nationalEgov24x7: toBool(r.national_egov_24x7),
    nationalSecurityImpact: r.national_security_impact as LevelFacts['nationalSecurityImpact'],
    externalUsers: r.external_users,
    parts: parts.flatMap((p) => {
      const level = effectiveLevel(p);
      return level ? [{ code: p.code, name: p.name, level: level as Level }] : [];
    }),
  };
}

/** Live proposals under both regimes. */
export async function proposalsOf(db: Db | Tx, r: SystemRow): Promise<{ nd331: Proposal; nd85: Proposal }> {
  const parts = await listParts(db, r.id);
  const facts = factsOf(r, parts);
  return { nd331: proposeLevel(facts, 'nd331'), nd85: proposeLevel(facts, 'nd85') };
}

/** Recompute and store a system's NĐ 331 proposal; then its parent's (a composite follows its parts). */
export async function refreshProposal(tx: Tx, systemId: string, depth = 0): Promise<void> {
  const row = await tx.selectFrom('information_systems').selectAll().where('id', '=', systemId).executeTakeFirst();
  if (!row) return;
  const { nd331 } = await proposalsOf(tx, row);
  await updateSystemRow(tx, systemId, { proposed_level: nd331.level, proposal_json: toJson(nd331) });
  if (row.parent_system_id && depth < 10) await refreshProposal(tx, row.parent_system_id, depth + 1);
}

/** A system by id or 404. */
export async function getSystemRow(db: Db | Tx, id: string): Promise<SystemWithUnits> {
  const row = await findSystem(db, id);
  if (!row) throw new NotFoundError('system.not_found', 'Không tìm thấy hệ thống thông tin.');
  return row;
}

async function unitOrFail(db: Db | Tx, id: string, field: string): Promise<{ id: string; path: string }> {
  const u = await findUnit(db, id);
  if (!u) throw new ValidationError('system.unit_not_found', `Không tìm thấy đơn vị (${field}).`, { field, unitId: id });
  return u;
}

/** Row fields from API input (only the keys present in `input`). */
export function rowFields(input: SystemUpdate): Partial<NewSystemRow> {
  const out: Partial<NewSystemRow> = {};
  const set = <K extends keyof NewSystemRow>(k: K, v: NewSystemRow[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('code', input.code);
  if (input.name !== undefined) {
    out.name = input.name;
    out.name_folded = foldText(input.name);
  }
  set('purpose', input.purpose === undefined ? undefined : (input.purpose ?? null));
  set('type', input.type);
  set('status', input.status);
  set('owner_unit_id', input.ownerUnitId);
  set('operating_unit_id', input.operatingUnitId === undefined ? undefined : (input.operatingUnitId ?? null));
  set('security_unit_id', input.securityUnitId === undefined ? undefined : (input.securityUnitId ?? null));
  set('parent_system_id', input.parentSystemId === undefined ? undefined : (input.parentSystemId ?? null));
  set('origin', input.origin);
  set('internal_users', input.internalUsers === undefined ? undefined : (input.internalUsers ?? null));
  set('external_users', input.externalUsers === undefined ? undefined : (input.externalUsers ?? null));
  if (input.information !== undefined) out.information_json = JSON.stringify(input.information);
  set('online_service_level', input.onlineServiceLevel === undefined ? undefined : (input.onlineServiceLevel ?? null));
  if (input.administrativeProcedure !== undefined) out.administrative_procedure = fromBool(input.administrativeProcedure);
  if (input.conditionalBusiness !== undefined) out.conditional_business = fromBool(input.conditionalBusiness);
  set('infrastructure_scope', input.infrastructureScope);
  set('ics_work_grade', input.icsWorkGrade);
  if (input.nationalEgov24x7 !== undefined) out.national_egov_24x7 = fromBool(input.nationalEgov24x7);
  set('national_security_impact', input.nationalSecurityImpact);
  if (input.connections !== undefined) out.connections_json = JSON.stringify(input.connections);
  set('hosting', input.hosting === undefined ? undefined : (input.hosting ?? null));
  set('hosting_detail', input.hostingDetail === undefined ? undefined : (input.hostingDetail ?? null));
  set('rto_minutes', input.rtoMinutes === undefined ? undefined : (input.rtoMinutes ?? null));
  set('rpo_minutes', input.rpoMinutes === undefined ? undefined : (input.rpoMinutes ?? null));
  if (input.approvalDocuments !== undefined) out.approval_documents_json = JSON.stringify(input.approvalDocuments);
  const levelKeys = [
    ['legacyLevel', 'legacy_level'], ['legacyDossierNo', 'legacy_dossier_no'], ['legacyDecisionNo', 'legacy_decision_no'], ['legacyDecisionDate', 'legacy_decision_date'],
    ['newLevel', 'new_level'], ['newDossierNo', 'new_dossier_no'], ['newDecisionNo', 'new_decision_no'], ['newDecisionDate', 'new_decision_date'],
  ] as const;
  for (const [k, col] of levelKeys) if (input[k] !== undefined) (out as Record<string, unknown>)[col] = input[k] ?? null;
  return out;
}

const LEVEL_COLUMNS = ['legacy_level', 'legacy_dossier_no', 'legacy_decision_no', 'legacy_decision_date', 'new_level', 'new_dossier_no', 'new_decision_no', 'new_decision_date'] as const;

/** Whether a write changes the recorded levels (which needs system.confirm_level over the owner). */
export function changesLevels(before: Partial<SystemRow> | null, fields: Partial<NewSystemRow>): boolean {
  return LEVEL_COLUMNS.some((c) => fields[c] !== undefined && (fields[c] ?? null) !== (before?.[c] ?? null));
}

/**
 * Check the units and parent of a system as it will be after a write, and the actor's rights over it:
 * system.write over its owner or operating unit, and system.confirm_level over the owner when levels change.
 */
export async function authoriseWrite(db: Db | Tx, actor: Actor, id: string, after: Pick<SystemRow, 'owner_unit_id' | 'operating_unit_id' | 'security_unit_id' | 'parent_system_id'>, levelsChanged: boolean): Promise<void> {
  const owner = await unitOrFail(db, after.owner_unit_id, 'ownerUnitId');
  const operating = after.operating_unit_id ? await unitOrFail(db, after.operating_unit_id, 'operatingUnitId') : null;
  const security = after.security_unit_id ? await unitOrFail(db, after.security_unit_id, 'securityUnitId') : null;
  const units = { id, owner_unit_id: owner.id, owner_path: owner.path, operating_path: operating?.path ?? null, security_path: security?.path ?? null };
  requireOnSystem(actor, 'system.write', units, 'owner_or_operator');
  if (levelsChanged) requireOnSystem(actor, 'system.confirm_level', units, 'owner');
  if (after.parent_system_id) {
    if (after.parent_system_id === id) throw new ConflictError('system.parent_self', 'Hệ thống không thể là thành phần của chính nó.');
    const parent = await getSystemRow(db, after.parent_system_id);
    requireOnSystem(actor, 'system.read', parent);
    let cur: string | null = parent.parent_system_id;
    for (let i = 0; cur && i < 20; i++) {
      if (cur === id) throw new ConflictError('system.parent_cycle', 'Quan hệ hệ thống thành phần tạo thành vòng lặp.');
      cur = (await db.selectFrom('information_systems').select('parent_system_id').where('id', '=', cur).executeTakeFirst())?.parent_system_id ?? null;
    }
  }
}

/** Proposals under both regimes for unsaved facts (any holder of system.read may ask: it reads no data). */
export function previewLevel(actor: Actor, input: z.infer<typeof LevelPreviewInputSchema>) {
  if (!hasPermission(actor, 'system.read')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền xem danh mục hệ thống thông tin.', { permission: 'system.read' });
  const facts: LevelFacts = {
    ...input,
    onlineServiceLevel: input.onlineServiceLevel ?? null,
    externalUsers: input.externalUsers ?? null,
    parts: input.partLevels.map((level, i) => ({ code: `#${i + 1}`, name: 'Hệ thống thành phần', level: level as Level })),
  };
  return { proposal: proposeLevel(facts, 'nd331'), legacyProposal: proposeLevel(facts, 'nd85') };
}

/** Search the catalogue within the actor's scope (system.read over any of a system's three units). */
export async function searchSystems(deps: InventoryDeps, actor: Actor, query: z.infer<typeof SystemQuerySchema>) {
  const prefixes = scopeOf(actor, 'system.read');
  let unitPath: string | undefined;
  if (query.unitId) {
    const unit = await findUnit(deps.db, query.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    unitPath = unit.path;
  }
  const { rows, total } = await listSystems(
    deps.db,
    {
      prefixes, unitPath, text: query.q?.trim() ? foldText(query.q) : undefined, level: query.level, regime: query.regime,
      status: query.status, disposition: query.disposition, transition: query.transition, origin: query.origin,
    },
    query.page,
    query.pageSize,
  );
  const today = todayVn(deps.clock);
  return { items: rows.map((r) => toSystem(r, today)), total, page: query.page, pageSize: query.pageSize };
}

/** A system's page: facts, live proposals under both regimes, decision history, parts and assets. */
export async function getSystemDetail(deps: InventoryDeps, actor: Actor, id: string): Promise<SystemDetail> {
  const row = await getSystemRow(deps.db, id);
  requireOnSystem(actor, 'system.read', row);
  const parts = await listParts(deps.db, id);
  const facts = factsOf(row, parts);
  const decisions = await listDecisions(deps.db, id);
  const assetIds = (await deps.db.selectFrom('system_assets').select('asset_id').where('system_id', '=', id).execute()).map((r) => r.asset_id);
  // Assets linked to a system the actor can read are shown with it: they are its components.
  const assets = await presentAssets(deps.db, actor, assetIds, await linksOfAssets(deps.db, assetIds));
  return {
    system: toSystem(row, todayVn(deps.clock)),
    proposal: proposeLevel(facts, 'nd331'),
    legacyProposal: proposeLevel(facts, 'nd85'),
    decisions: decisions.map(toDecision),
    parts: parts.map((p) => ({ id: p.id, code: p.code, name: p.name, level: effectiveLevel(p) })),
    assets,
  };
}

/** Register a system. Its NĐ 331 proposal is computed and stored with it. */
export async function createSystem(deps: InventoryDeps, actor: Actor, input: SystemCreate): Promise<InformationSystem> {
  const id = newId(deps.clock());
  const now = nowIso(deps.clock);
  const fields = rowFields(input);
  // SystemCreateSchema applies defaults, so every required column is present in `fields`.
  const row = { id, ...fields, proposed_level: null, proposal_json: null, created_at: now, updated_at: now } as NewSystemRow;
  await authoriseWrite(deps.db, actor, id, { owner_unit_id: row.owner_unit_id, operating_unit_id: row.operating_unit_id ?? null, security_unit_id: row.security_unit_id ?? null, parent_system_id: row.parent_system_id ?? null }, changesLevels(null, fields));
  await deps.db.transaction().execute(async (tx) => {
    await insertSystemRow(tx, row);
    await refreshProposal(tx, id);
    const created = await getSystemRow(tx, id);
    await recordAudit(tx, actor, { action: 'system.create', targetType: 'information_system', targetId: id, unitId: row.owner_unit_id, after: toSystem(created, todayVn(deps.clock)) }, now);
  });
  return toSystem(await getSystemRow(deps.db, id), todayVn(deps.clock));
}

/** Change a system's facts (absent fields unchanged); the proposal is recomputed. */
export async function updateSystem(deps: InventoryDeps, actor: Actor, id: string, input: SystemUpdate): Promise<InformationSystem> {
  const before = await getSystemRow(deps.db, id);
  requireOnSystem(actor, 'system.write', before, 'owner_or_operator');
  const fields = rowFields(input);
  const merged = { ...before, ...fields } as SystemRow;
  await authoriseWrite(deps.db, actor, id, merged, changesLevels(before, fields));
  // Handing a system to another owner needs write rights over the receiving unit too (no pushing into foreign scope).
  if (fields.owner_unit_id && fields.owner_unit_id !== before.owner_unit_id) {
    const owner = (await findUnit(deps.db, fields.owner_unit_id))!;
    requireOnSystem(actor, 'system.write', { id, owner_unit_id: owner.id, owner_path: owner.path, operating_path: null, security_path: null }, 'owner');
  }
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await updateSystemRow(tx, id, { ...fields, updated_at: now });
    await refreshProposal(tx, id);
    if (before.parent_system_id && before.parent_system_id !== merged.parent_system_id) await refreshProposal(tx, before.parent_system_id);
    const after = await getSystemRow(tx, id);
    const today = todayVn(deps.clock);
    await recordAudit(tx, actor, { action: 'system.update', targetType: 'information_system', targetId: id, unitId: after.owner_unit_id, before: toSystem(before, today), after: toSystem(after, today) }, now);
  });
  return toSystem(await getSystemRow(deps.db, id), todayVn(deps.clock));
}

/** Delete a system explicitly. Refused (409) while parts, a merger plan, windows or outages refer to it. */
export async function deleteSystem(deps: InventoryDeps, actor: Actor, id: string): Promise<void> {
  const before = await getSystemRow(deps.db, id);
  requireOnSystem(actor, 'system.write', before, 'owner_or_operator');
  const refs = await systemReferences(deps.db, id);
  if (refs.length) throw new ConflictError('system.in_use', 'Hệ thống còn được tham chiếu (thành phần, phương án hợp nhất, lịch bảo trì hoặc sự cố ngừng).', { references: refs });
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await deleteSystemRow(tx, id);
    if (before.parent_system_id) await refreshProposal(tx, before.parent_system_id);
    await recordAudit(tx, actor, { action: 'system.delete', targetType: 'information_system', targetId: id, unitId: before.owner_unit_id, before: toSystem(before, todayVn(deps.clock)) }, now);
  });
}

/**
 * The owner confirms the advisor's NĐ 331 proposal, or overrides it with a justification. The proposal as
 * shown and the decision are both stored; the decided level becomes the system's NĐ 331 level (a changed
 * level voids an earlier approval decision, which was for the old level).
 */
export async function decideLevel(deps: InventoryDeps, actor: Actor, id: string, input: z.infer<typeof LevelDecisionInputSchema>) {
  const before = await getSystemRow(deps.db, id);
  requireOnSystem(actor, 'system.confirm_level', before, 'owner');
  const { nd331 } = await proposalsOf(deps.db, before);
  const check = checkDecision(nd331.level, input.decidedLevel, input.justification);
  if (!check.ok) throw new UnprocessableError(check.code, check.message, { proposedLevel: nd331.level, decidedLevel: input.decidedLevel });
  const now = nowIso(deps.clock);
  const decision = {
    id: newId(deps.clock()), system_id: id, regime: 'nd331', proposed_level: nd331.level, proposal_json: JSON.stringify(nd331),
    decided_level: input.decidedLevel, kind: check.kind, justification: input.justification?.trim() || null, decided_by: actor.userId, decided_at: now,
  };
  const levelChanged = before.new_level !== input.decidedLevel;
  await deps.db.transaction().execute(async (tx) => {
    await insertDecisionRow(tx, decision);
    await updateSystemRow(tx, id, {
      new_level: input.decidedLevel,
      ...(input.dossierNo ? { new_dossier_no: input.dossierNo } : {}),
      ...(levelChanged ? { new_decision_no: null, new_decision_date: null } : {}),
      proposed_level: nd331.level,
      proposal_json: JSON.stringify(nd331),
      updated_at: now,
    });
    if (before.parent_system_id) await refreshProposal(tx, before.parent_system_id);
    await recordAudit(tx, actor, {
      action: check.kind === 'confirm' ? 'system.level_confirm' : 'system.level_override',
      targetType: 'information_system',
      targetId: id,
      unitId: before.owner_unit_id,
      reason: decision.justification,
      before: { newLevel: before.new_level, newDecisionNo: before.new_decision_no },
      after: { newLevel: input.decidedLevel, proposedLevel: nd331.level },
      details: { proposal: nd331 },
    }, now);
  });
  return getSystemDetail(deps, actor, id);
}

export { canOnSystem };
