import { type SqlBool, sql } from 'kysely';
import type {
  Asset, AssetKind, Connections, InformationClasses, InformationSystem, LevelProposal, Software,
} from '../../../contracts/inventory.js';
import { escapeLike } from '../../core/text.js';
import { fromJson, toBool } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { transitionOf } from '../../engines/level-advisor/level-advisor.js';
import { pathInScope } from '../org/scope.js';
import type { AssetRow, LevelDecisionRow, NewAssetRow, NewSystemRow, SystemRow, SystemRowUpdate } from './inventory.table.js';

/** A system row with the unit facts that policies and responses need, and its merger disposition. */
export type SystemWithUnits = SystemRow & {
  owner_code: string;
  owner_name: string;
  owner_path: string;
  operating_code: string | null;
  operating_name: string | null;
  operating_path: string | null;
  security_code: string | null;
  security_name: string | null;
  security_path: string | null;
  merger_disposition: string | null;
};

function ref(id: string | null, code: string | null, name: string | null) {
  return id && code && name ? { id, code, name } : null;
}

/** Map to the API shape; `today` (Vietnam date) decides the transition state's days remaining. */
export function toSystem(r: SystemWithUnits, today: string): InformationSystem {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    purpose: r.purpose,
    type: r.type as InformationSystem['type'],
    status: r.status as InformationSystem['status'],
    ownerUnit: { id: r.owner_unit_id, code: r.owner_code, name: r.owner_name },
    operatingUnit: ref(r.operating_unit_id, r.operating_code, r.operating_name),
    securityUnit: ref(r.security_unit_id, r.security_code, r.security_name),
    parentSystemId: r.parent_system_id,
    origin: r.origin as InformationSystem['origin'],
    internalUsers: r.internal_users,
    externalUsers: r.external_users,
    information: fromJson<InformationClasses>(r.information_json)!,
    onlineServiceLevel: r.online_service_level,
    administrativeProcedure: toBool(r.administrative_procedure),
    conditionalBusiness: toBool(r.conditional_business),
    infrastructureScope: r.infrastructure_scope as InformationSystem['infrastructureScope'],
    icsWorkGrade: r.ics_work_grade as InformationSystem['icsWorkGrade'],
    nationalEgov24x7: toBool(r.national_egov_24x7),
    nationalSecurityImpact: r.national_security_impact as InformationSystem['nationalSecurityImpact'],
    connections: fromJson<Connections>(r.connections_json)!,
    hosting: r.hosting as InformationSystem['hosting'],
    hostingDetail: r.hosting_detail,
    rtoMinutes: r.rto_minutes,
    rpoMinutes: r.rpo_minutes,
    approvalDocuments: fromJson<InformationSystem['approvalDocuments']>(r.approval_documents_json) ?? [],
    legacyLevel: { level: r.legacy_level, dossierNo: r.legacy_dossier_no, decisionNo: r.legacy_decision_no, decisionDate: r.legacy_decision_date },
    newLevel: { level: r.new_level, dossierNo: r.new_dossier_no, decisionNo: r.new_decision_no, decisionDate: r.new_decision_date },
    transition: transitionOf({ legacyLevel: r.legacy_level, newLevel: r.new_level, newDecisionNo: r.new_decision_no, newDecisionDate: r.new_decision_date, status: r.status }, today),
    proposedLevel: r.proposed_level,
    mergerDisposition: r.merger_disposition,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function systemsWithUnits(db: Db | Tx) {
  return db
    .selectFrom('information_systems as s')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .leftJoin('merger_plans as mp', 'mp.system_id', 's.id')
    .selectAll('s')
    .select([
      'ou.code as owner_code', 'ou.name as owner_name', 'ou.path as owner_path',
      'opu.code as operating_code', 'opu.name as operating_name', 'opu.path as operating_path',
      'su.code as security_code', 'su.name as security_name', 'su.path as security_path',
      'mp.disposition as merger_disposition',
    ]);
}

/** A system is visible in the subtree of its owner, operating or security-responsible unit. */
export function systemInScope(prefixes: string[]) {
  return sql<SqlBool>`(${pathInScope('ou.path', prefixes)} or ${pathInScope('opu.path', prefixes)} or ${pathInScope('su.path', prefixes)})`;
}

export function findSystem(db: Db | Tx, id: string): Promise<SystemWithUnits | undefined> {
  return systemsWithUnits(db).where('s.id', '=', id).executeTakeFirst() as Promise<SystemWithUnits | undefined>;
}

export async function findSystemsByIds(db: Db | Tx, ids: string[]): Promise<SystemWithUnits[]> {
  const out: SystemWithUnits[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (chunk.length) out.push(...((await systemsWithUnits(db).where('s.id', 'in', chunk).execute()) as SystemWithUnits[]));
  }
  return out;
}

export async function findSystemsByCodes(db: Db | Tx, codes: string[]): Promise<Map<string, SystemWithUnits>> {
  const out = new Map<string, SystemWithUnits>();
  for (let i = 0; i < codes.length; i += 500) {
    const chunk = codes.slice(i, i + 500);
    if (chunk.length) for (const r of (await systemsWithUnits(db).where('s.code', 'in', chunk).execute()) as SystemWithUnits[]) out.set(r.code, r);
  }
  return out;
}

export interface SystemFilter {
  prefixes: string[];
  unitPath?: string;
  text?: string;
  level?: number;
  regime: 'nd85' | 'nd331' | 'effective';
  status?: string;
  disposition?: string;
  transition?: string;
  origin?: string;
}

function filtered(db: Db, f: SystemFilter) {
  let q = systemsWithUnits(db).where(systemInScope(f.prefixes));
  if (f.unitPath) q = q.where(systemInScope([f.unitPath]));
  if (f.text) {
    const like = `%${escapeLike(f.text)}%`;
    q = q.where((eb) => eb.or([sql<SqlBool>`s.name_folded like ${like} escape '\\'`, sql<SqlBool>`lower(s.code) like ${like} escape '\\'`]));
  }
  if (f.level !== undefined) {
    if (f.regime === 'nd85') q = q.where('s.legacy_level', '=', f.level);
    else if (f.regime === 'nd331') q = q.where('s.new_level', '=', f.level);
    else q = q.where(sql<SqlBool>`coalesce(s.new_level, s.legacy_level) = ${f.level}`);
  }
  if (f.status) q = q.where('s.status', '=', f.status);
  if (f.origin) q = q.where('s.origin', '=', f.origin);
  if (f.disposition === 'none') q = q.where('mp.id', 'is', null);
  else if (f.disposition) q = q.where('mp.disposition', '=', f.disposition);
  const approved = sql<SqlBool>`(s.new_decision_no is not null or s.new_decision_date is not null)`;
  if (f.transition === 'classified') q = q.where('s.new_level', 'is not', null).where(approved);
  else if (f.transition === 'awaiting_approval') q = q.where('s.new_level', 'is not', null).where(sql<SqlBool>`not ${approved}`);
  else if (f.transition === 'legacy_only') q = q.where('s.new_level', 'is', null).where('s.legacy_level', 'is not', null);
  else if (f.transition === 'unclassified') q = q.where('s.new_level', 'is', null).where('s.legacy_level', 'is', null);
  return q;
}

/** One page of the systems matching the filter, ordered by code. */
export async function listSystems(db: Db, f: SystemFilter, page: number, pageSize: number): Promise<{ rows: SystemWithUnits[]; total: number }> {
  const count = await filtered(db, f).clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const rows = (await filtered(db, f).orderBy('s.code').limit(pageSize).offset((page - 1) * pageSize).execute()) as SystemWithUnits[];
  return { rows, total: Number(count.n) };
}

/** Every system in scope (export, summary). */
export async function listAllSystems(db: Db, prefixes: string[]): Promise<SystemWithUnits[]> {
  return (await systemsWithUnits(db).where(systemInScope(prefixes)).orderBy('s.code').execute()) as SystemWithUnits[];
}

/** The parts of a composite system. */
export function listParts(db: Db | Tx, systemId: string): Promise<SystemRow[]> {
  return db.selectFrom('information_systems').selectAll().where('parent_system_id', '=', systemId).orderBy('code').execute();
}

export async function insertSystemRow(tx: Tx, row: NewSystemRow): Promise<void> {
  await tx.insertInto('information_systems').values(row).execute();
}

export async function updateSystemRow(tx: Tx, id: string, patch: SystemRowUpdate): Promise<void> {
  await tx.updateTable('information_systems').set(patch).where('id', '=', id).execute();
}

export async function deleteSystemRow(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('system_assets').where('system_id', '=', id).execute();
  await tx.deleteFrom('system_level_decisions').where('system_id', '=', id).execute();
  await tx.deleteFrom('information_systems').where('id', '=', id).execute();
}

/** Whether anything besides asset links and level decisions refers to the system (blocks deletion). */
export async function systemReferences(db: Db | Tx, id: string): Promise<string[]> {
  const out: string[] = [];
  if (await db.selectFrom('information_systems').select('id').where('parent_system_id', '=', id).executeTakeFirst()) out.push('parts');
  if (await db.selectFrom('merger_plans').select('id').where((eb) => eb.or([eb('system_id', '=', id), eb('target_system_id', '=', id)])).executeTakeFirst()) out.push('merger_plan');
  if (await db.selectFrom('outages').select('id').where('system_id', '=', id).executeTakeFirst()) out.push('outages');
  if (await db.selectFrom('maintenance_windows').select('id').where('system_id', '=', id).executeTakeFirst()) out.push('maintenance_windows');
  return out;
}

export async function insertDecisionRow(tx: Tx, row: LevelDecisionRow): Promise<void> {
  await tx.insertInto('system_level_decisions').values(row).execute();
}

export function listDecisions(db: Db | Tx, systemId: string) {
  return db
    .selectFrom('system_level_decisions as d')
    .leftJoin('users as u', 'u.id', 'd.decided_by')
    .selectAll('d')
    .select('u.display_name as decided_by_name')
    .where('d.system_id', '=', systemId)
    .orderBy('d.decided_at', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
}

export function toDecision(r: LevelDecisionRow & { decided_by_name: string | null }) {
  return {
    id: r.id,
    proposedLevel: r.proposed_level,
    decidedLevel: r.decided_level,
    kind: r.kind as 'confirm' | 'override',
    justification: r.justification,
    proposal: fromJson<LevelProposal>(r.proposal_json)!,
    decidedBy: r.decided_by,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at,
  };
}

// ---------------------------------------------------------------------------------------------- assets

export type AssetWithUnits = AssetRow & {
  owner_code: string;
  owner_name: string;
  owner_path: string;
  target_code: string | null;
  target_name: string | null;
};

function assetsWithUnits(db: Db | Tx) {
  return db
    .selectFrom('assets as a')
    .innerJoin('org_units as ou', 'ou.id', 'a.owner_unit_id')
    .leftJoin('org_units as tu', 'tu.id', 'a.reuse_target_unit_id')
    .selectAll('a')
    .select(['ou.code as owner_code', 'ou.name as owner_name', 'ou.path as owner_path', 'tu.code as target_code', 'tu.name as target_name']);
}

/** Map to the API shape with the (already scope-filtered) systems it serves. */
export function toAsset(r: AssetWithUnits, systems: { id: string; code: string; name: string }[]): Asset {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind as AssetKind,
    name: r.name,
    hostname: r.hostname,
    ips: fromJson<string[]>(r.ips_json) ?? [],
    osName: r.os_name,
    osVersion: r.os_version,
    software: fromJson<Software[]>(r.software_json) ?? [],
    location: r.location,
    ownerUnit: { id: r.owner_unit_id, code: r.owner_code, name: r.owner_name },
    status: r.status as Asset['status'],
    systems,
    reuseDisposition: r.reuse_disposition as Asset['reuseDisposition'],
    reuseTargetUnit: ref(r.reuse_target_unit_id, r.target_code, r.target_name),
    reuseDecision: r.reuse_decision,
    notes: r.notes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function findAsset(db: Db | Tx, id: string): Promise<AssetWithUnits | undefined> {
  return assetsWithUnits(db).where('a.id', '=', id).executeTakeFirst() as Promise<AssetWithUnits | undefined>;
}

export async function findAssetsByCodes(db: Db | Tx, codes: string[]): Promise<Map<string, AssetWithUnits>> {
  const out = new Map<string, AssetWithUnits>();
  for (let i = 0; i < codes.length; i += 500) {
    const chunk = codes.slice(i, i + 500);
    if (chunk.length) for (const r of (await assetsWithUnits(db).where('a.code', 'in', chunk).execute()) as AssetWithUnits[]) out.set(r.code, r);
  }
  return out;
}

export async function findAssetsByIds(db: Db | Tx, ids: string[]): Promise<Map<string, AssetWithUnits>> {
  const out = new Map<string, AssetWithUnits>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (chunk.length) for (const r of (await assetsWithUnits(db).where('a.id', 'in', chunk).execute()) as AssetWithUnits[]) out.set(r.id, r);
  }
  return out;
}

export interface AssetFilter {
  prefixes: string[];
  unitPath?: string;
  systemId?: string;
  kind?: string;
  reuseDisposition?: string;
  text?: string;
}

function filteredAssets(db: Db, f: AssetFilter) {
  let q = assetsWithUnits(db).where(pathInScope('ou.path', f.prefixes));
  if (f.unitPath) q = q.where(pathInScope('ou.path', [f.unitPath]));
  if (f.systemId) q = q.where('a.id', 'in', db.selectFrom('system_assets').select('asset_id').where('system_id', '=', f.systemId));
  if (f.kind) q = q.where('a.kind', '=', f.kind);
  if (f.reuseDisposition) q = q.where('a.reuse_disposition', '=', f.reuseDisposition);
  if (f.text) {
    const like = `%${escapeLike(f.text)}%`;
    q = q.where((eb) => eb.or([
      sql<SqlBool>`a.name_folded like ${like} escape '\\'`,
      sql<SqlBool>`lower(a.code) like ${like} escape '\\'`,
      sql<SqlBool>`lower(coalesce(a.hostname, '')) like ${like} escape '\\'`,
      sql<SqlBool>`a.ips_json like ${like} escape '\\'`,
    ]));
  }
  return q;
}

export async function listAssets(db: Db, f: AssetFilter, page: number, pageSize: number): Promise<{ rows: AssetWithUnits[]; total: number }> {
  const count = await filteredAssets(db, f).clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const rows = (await filteredAssets(db, f).orderBy('a.code').limit(pageSize).offset((page - 1) * pageSize).execute()) as AssetWithUnits[];
  return { rows, total: Number(count.n) };
}

export async function listAllAssets(db: Db, prefixes: string[]): Promise<AssetWithUnits[]> {
  return (await filteredAssets(db, { prefixes }).orderBy('a.code').execute()) as AssetWithUnits[];
}

/** Links asset → systems (with the systems' unit paths so callers can filter by scope). */
export async function linksOfAssets(db: Db | Tx, assetIds: string[]): Promise<Map<string, SystemWithUnits[]>> {
  const out = new Map<string, SystemWithUnits[]>();
  for (let i = 0; i < assetIds.length; i += 500) {
    const chunk = assetIds.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const links = await db.selectFrom('system_assets').select(['asset_id', 'system_id']).where('asset_id', 'in', chunk).execute();
    const systems = new Map((await findSystemsByIds(db, [...new Set(links.map((l) => l.system_id))])).map((s) => [s.id, s]));
    for (const l of links) {
      const s = systems.get(l.system_id);
      if (!s) continue;
      const list = out.get(l.asset_id) ?? [];
      list.push(s);
      out.set(l.asset_id, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.code.localeCompare(b.code));
  return out;
}

export async function insertAssetRow(tx: Tx, row: NewAssetRow): Promise<void> {
  await tx.insertInto('assets').values(row).execute();
}

export async function updateAssetRow(tx: Tx, id: string, patch: Partial<NewAssetRow>): Promise<void> {
  await tx.updateTable('assets').set(patch).where('id', '=', id).execute();
}

export async function deleteAssetRow(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('system_assets').where('asset_id', '=', id).execute();
  await tx.deleteFrom('assets').where('id', '=', id).execute();
}

/** Replace the set of systems an asset serves. */
export async function setAssetLinks(tx: Tx, assetId: string, systemIds: string[], now: string): Promise<void> {
  await tx.deleteFrom('system_assets').where('asset_id', '=', assetId).execute();
  if (systemIds.length) await tx.insertInto('system_assets').values([...new Set(systemIds)].map((s) => ({ system_id: s, asset_id: assetId, created_at: now }))).execute();
}
