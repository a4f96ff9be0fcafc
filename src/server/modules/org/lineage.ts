import type { Db } from '../../db/database.js';
import { pathInScope } from './scope.js';

/**
 * The subtrees of units that were merged into units under `paths` — directly or through a chain of mergers
 * (Sở TT&TT → Sở KH&CN cũ → Sở KH&CN mới). A grant at a unit covers its predecessors' history too: the
 * manager of the new commune sees the former communes it absorbed, the province's admin sees both former
 * provinces. Returns paths not already inside `paths`.
 */
export async function predecessorPaths(db: Db, paths: string[]): Promise<string[]> {
  const covered = [...paths];
  const found: string[] = [];
  let frontier = [...paths];
  // Each round follows one merger step back; chains are short (province → district → commune).
  for (let round = 0; round < 10 && frontier.length > 0; round++) {
    const rows = await db
      .selectFrom('org_units as m')
      .innerJoin('org_units as t', 't.id', 'm.merged_into_id')
      .select('m.path')
      .where(pathInScope('t.path', frontier))
      .execute();
    const fresh = rows.map((r) => r.path).filter((p) => !covered.some((c) => p.startsWith(c)));
    const minimal = fresh.sort((a, b) => a.length - b.length).filter((p, i, all) => !all.slice(0, i).some((q) => p.startsWith(q)));
    covered.push(...minimal);
    found.push(...minimal);
    frontier = minimal;
  }
  return found;
}
