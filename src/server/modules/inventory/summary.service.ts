import {
  ASSET_KIND_LABELS, type AssetKind, type InventorySummary, SYSTEM_STATUS_LABELS, type SystemStatus, TRANSITION_LABELS, type TransitionState,
} from '../../../contracts/inventory.js';
import { DISPOSITION_LABELS, type Disposition, MERGER_STATE_LABELS, type MergerState } from '../../../contracts/merger.js';
import type { Actor } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { TRANSITION_DEADLINE, transitionOf } from '../../engines/level-advisor/level-advisor.js';
import { pathInScope, todayVn } from '../org/scope.js';
import { listAllSystems } from './inventory.repository.js';
import { scopeOf } from './inventory.policy.js';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

function counter<K extends string>() {
  const m = new Map<K, number>();
  return { add: (k: K) => m.set(k, (m.get(k) ?? 0) + 1), map: m };
}

/** Merger state of a plan from its tasks' statuses (cancelled tasks do not count). */
export function mergerStateOf(statuses: string[] | undefined): MergerState {
  if (!statuses) return 'no_plan';
  const live = statuses.filter((s) => s !== 'cancelled');
  if (live.length > 0 && live.every((s) => s === 'done')) return 'done';
  if (live.some((s) => s === 'done' || s === 'in_progress')) return 'in_progress';
  return 'not_started';
}

/**
 * Dashboard counts over the systems in the actor's scope (system.read over any of a system's units): by level
 * under both regimes, by top-level unit, status, transition state, merger disposition and merger state; and
 * the assets in scope (asset.read) by kind and reuse disposition.
 */
export async function inventorySummary(deps: Deps, actor: Actor): Promise<InventorySummary> {
  const today = todayVn(deps.clock);
  const systems = await listAllSystems(deps.db, scopeOf(actor, 'system.read'));
  const ids = systems.map((s) => s.id);
  const tasks = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const plans = await deps.db.selectFrom('merger_plans as p').leftJoin('merger_tasks as t', 't.plan_id', 'p.id').select(['p.system_id', 't.status']).where('p.system_id', 'in', chunk).execute();
    for (const p of plans) {
      const list = tasks.get(p.system_id) ?? [];
      if (p.status) list.push(p.status);
      tasks.set(p.system_id, list);
    }
  }
  const legacy = counter<string>();
  const next = counter<string>();
  const status = counter<SystemStatus>();
  const transition = counter<TransitionState>();
  const disposition = counter<Disposition | 'none'>();
  const merger = counter<MergerState>();
  const byTop = new Map<string, number>();
  let missing = 0;
  let overdue = 0;
  for (const s of systems) {
    legacy.add(s.legacy_level ? String(s.legacy_level) : 'none');
    next.add(s.new_level ? String(s.new_level) : 'none');
    status.add(s.status as SystemStatus);
    const t = transitionOf({ legacyLevel: s.legacy_level, newLevel: s.new_level, newDecisionNo: s.new_decision_no, newDecisionDate: s.new_decision_date, status: s.status }, today);
    transition.add(t.state);
    if (s.new_level === null && s.status !== 'retired') missing++;
    if (t.overdue) overdue++;
    disposition.add((s.merger_disposition as Disposition | null) ?? 'none');
    merger.add(mergerStateOf(tasks.get(s.id)));
    // Top-level unit: the second segment of the owner's path (the body under the province), else the root.
    const segs = s.owner_path.split('/').filter(Boolean);
    const top = segs[1] ?? segs[0]!;
    byTop.set(top, (byTop.get(top) ?? 0) + 1);
  }
  const units = byTop.size
    ? await deps.db.selectFrom('org_units').select(['id', 'code', 'name']).where('id', 'in', [...byTop.keys()]).execute()
    : [];
  const unitById = new Map(units.map((u) => [u.id, u]));
  const levelLabel = (k: string) => (k === 'none' ? 'Chưa xác định' : `Cấp độ ${k}`);
  const levels = (m: Map<string, number>) =>
    ['1', '2', '3', '4', '5', 'none'].filter((k) => m.has(k)).map((k) => ({ key: k, label: levelLabel(k), count: m.get(k)! }));

  const assetPrefixes = scopeOf(actor, 'asset.read');
  const assets = await deps.db
    .selectFrom('assets as a')
    .innerJoin('org_units as ou', 'ou.id', 'a.owner_unit_id')
    .select(['a.kind', 'a.reuse_disposition'])
    .where(pathInScope('ou.path', assetPrefixes))
    .execute();
  const kinds = counter<string>();
  const reuse = counter<string>();
  for (const a of assets) {
    kinds.add(a.kind);
    reuse.add(a.reuse_disposition ?? 'none');
  }
  const REUSE_LABELS: Record<string, string> = { reuse: 'Tái sử dụng', transfer: 'Điều chuyển', dispose: 'Thanh lý', none: 'Chưa quyết định' };

  return {
    total: systems.length,
    byLegacyLevel: levels(legacy.map),
    byNewLevel: levels(next.map),
    byUnit: [...byTop.entries()]
      .map(([id, count]) => ({ unitId: id, key: unitById.get(id)?.code ?? id, label: unitById.get(id)?.name ?? id, count }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
    byStatus: [...status.map].map(([k, count]) => ({ key: k, label: SYSTEM_STATUS_LABELS[k], count })),
    byTransition: [...transition.map].map(([k, count]) => ({ key: k, label: TRANSITION_LABELS[k], count })),
    byDisposition: [...disposition.map].map(([k, count]) => ({ key: k, label: k === 'none' ? 'Chưa có phương án' : DISPOSITION_LABELS[k], count })),
    byMergerState: [...merger.map].map(([k, count]) => ({ key: k, label: MERGER_STATE_LABELS[k], count })),
    missingNewClassification: missing,
    transitionOverdue: overdue,
    deadline: TRANSITION_DEADLINE,
    assets: {
      total: assets.length,
      byKind: [...kinds.map].map(([k, count]) => ({ key: k, label: ASSET_KIND_LABELS[k as AssetKind] ?? k, count })),
      byReuse: [...reuse.map].map(([k, count]) => ({ key: k, label: REUSE_LABELS[k] ?? k, count })),
    },
  };
}
