import type { OrgUnit, UnitType } from '../../../contracts/org.js';
import type { Db, Tx } from '../../db/database.js';
import type { NewOrgUnitRow, OrgUnitRow, OrgUnitUpdate } from './org.table.js';
import { pathInScope } from './scope.js';

/** Map a row to the API shape; `today` decides whether the unit still exists. */
export function toOrgUnit(row: OrgUnitRow, today: string): OrgUnit {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    shortName: row.short_name,
    type: row.type as UnitType,
    parentId: row.parent_id,
    depth: row.depth,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    mergedIntoId: row.merged_into_id,
    mergedOn: row.merged_on,
    mergerDecision: row.merger_decision,
    current: row.valid_to === null || row.valid_to >= today,
  };
}

/** A unit by id, or undefined. */
export function findUnit(db: Db | Tx, id: string): Promise<OrgUnitRow | undefined> {
  return db.selectFrom('org_units').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Units by code (for imports). */
export async function findUnitsByCodes(db: Db | Tx, codes: string[]): Promise<Map<string, OrgUnitRow>> {
  const out = new Map<string, OrgUnitRow>();
  for (let i = 0; i < codes.length; i += 500) {
    const chunk = codes.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('org_units').selectAll().where('code', 'in', chunk).execute();
    for (const r of rows) out.set(r.code, r);
  }
  return out;
}

/** Units in the given subtrees, ordered by path (parents before children); ceased ones only on request. */
export function listUnits(db: Db, prefixes: string[], opts: { includeFormer: boolean; today: string }): Promise<OrgUnitRow[]> {
  let q = db.selectFrom('org_units').selectAll().where(pathInScope('path', prefixes));
  if (!opts.includeFormer) q = q.where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', opts.today)]));
  return q.orderBy('path').execute();
}

/** Units in scope that ceased to exist on `date`: last day `date - 1`, or merged on `date`. */
export function listCeasedOn(db: Db, prefixes: string[], date: string, dayBefore: string): Promise<OrgUnitRow[]> {
  return db
    .selectFrom('org_units')
    .selectAll()
    .where(pathInScope('path', prefixes))
    .where((eb) => eb.or([eb('valid_to', '=', dayBefore), eb('merged_on', '=', date)]))
    .orderBy('code')
    .execute();
}

export async function insertUnitRow(tx: Tx, row: NewOrgUnitRow): Promise<void> {
  await tx.insertInto('org_units').values(row).execute();
}

export async function updateUnitRow(tx: Tx, id: string, patch: OrgUnitUpdate): Promise<void> {
  await tx.updateTable('org_units').set(patch).where('id', '=', id).execute();
}
