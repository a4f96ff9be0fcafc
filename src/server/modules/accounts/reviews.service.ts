import type {
  MyReview, ReviewCampaign, ReviewCampaignCreate, ReviewItem, ReviewNotice, RevocationTask, TickResult,
} from '../../../contracts/accounts.js';
import { type Actor, can, type RequestMeta, scopeOf, type SessionUser } from '../../core/actor.js';

type Who = Actor | SessionUser | RequestMeta | null;
import { recordAudit } from '../../core/audit.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { fromJson, newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { type Decision, type Outcome, type StageRule, stageOutcome } from '../../engines/access-review/stage-rules.js';
import { systemInScope, type SystemWithUnits } from '../inventory/inventory.repository.js';
import type { OrgUnitRow } from '../org/org.table.js';
import { findUnit } from '../org/org-unit.repository.js';
import { requireOnUnit } from '../org/org.policy.js';
import { systemFor } from './accounts.policy.js';
import type { AccountDeps } from './accounts.service.js';
import type { ReviewAssignmentRow, ReviewCampaignRow, ReviewItemRow, ReviewStageRow } from './accounts.table.js';
import type { ImportedAccount } from './account-file.js';

/**
 * Access review campaigns (issue 4 item 4), after midPoint's certification campaigns
 * (research/identity-audit.md §1.1, `docs/roles-policies/certification/index.adoc`): a campaign covers systems
 * (and optionally the people of some units), has ordered stages with a duration, a reminder before the deadline
 * (midPoint `notifyBeforeDeadline`) and a reviewer kind (unit managers of the account owner's unit, or the
 * system's owners); every enabled account of the systems' latest snapshots becomes a review item; each
 * assigned reviewer answers accept / revoke / reduce / not decided with a comment, and the stage rule
 * (engines/access-review) turns the answers into the stage outcome. Accepted items go on to the next stage;
 * revoke and reduce are final at once and become revocation tasks for the system's operator, which only a
 * later import showing the account gone or disabled (or, for reduce, with fewer roles) closes. Overdue stages
 * and tasks are escalated by the scheduler tick (`khien accounts tick`, also run every 10 minutes by `serve`).
 */

const DAY = 86_400_000;
const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

type StageState = 'waiting' | 'pending' | 'due_soon' | 'overdue' | 'closed';
export function stageState(s: Pick<ReviewStageRow, 'started_at' | 'deadline' | 'closed_at' | 'remind_before_hours'>, now: string): StageState {
  if (s.closed_at) return 'closed';
  if (!s.started_at || !s.deadline) return 'waiting';
  if (now > s.deadline) return 'overdue';
  if (now >= addMs(s.deadline, -s.remind_before_hours * 3_600_000)) return 'due_soon';
  return 'pending';
}

/**
 * The reviewers of a unit for a reviewer kind: active users holding that role at the unit or, failing that, at
 * the nearest ancestor holding it (a commune without its own manager is reviewed by the district/province).
 * `system_owner` falls back to unit managers of the owner unit. Empty when nobody holds either role.
 */
async function reviewersFor(tx: Db | Tx, kind: string, unitId: string, now: string, cache: Map<string, string[]>): Promise<string[]> {
  const cacheKey = `${kind}:${unitId}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const unit = await tx.selectFrom('org_units').select(['path']).where('id', '=', unitId).executeTakeFirst();
  const chain = (unit?.path ?? '').split('/').filter(Boolean).reverse();
  const roles = kind === 'system_owner' ? ['system_owner', 'unit_manager'] : ['unit_manager'];
  let out: string[] = [];
  if (chain.length) {
    const grants = await tx.selectFrom('role_grants as g').innerJoin('users as u', 'u.id', 'g.user_id')
      .select(['g.user_id', 'g.unit_id', 'g.role']).where('g.unit_id', 'in', chain).where('g.role', 'in', roles).where('u.status', '=', 'active')
      .where((eb) => eb.or([eb('g.expires_at', 'is', null), eb('g.expires_at', '>', now)])).execute();
    outer: for (const role of roles) {
      for (const u of chain) {
        const ids = grants.filter((g) => g.unit_id === u && g.role === role).map((g) => g.user_id).sort();
        if (ids.length) { out = [...new Set(ids)]; break outer; }
      }
    }
  }
  cache.set(cacheKey, out);
  return out;
}

async function campaignRow(db: Db | Tx, id: string): Promise<ReviewCampaignRow & { unit_path: string; unit_name: string }> {
  const row = await db.selectFrom('review_campaigns as c').innerJoin('org_units as u', 'u.id', 'c.unit_id').selectAll('c')
    .select(['u.path as unit_path', 'u.name as unit_name']).where('c.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('review_campaign.not_found', 'Không tìm thấy đợt rà soát.');
  return row;
}

async function isReviewerIn(db: Db | Tx, actor: Actor, campaignId: string): Promise<boolean> {
  return !!(await db.selectFrom('review_assignments').select('id').where('campaign_id', '=', campaignId).where('reviewer_id', '=', actor.userId).limit(1).executeTakeFirst());
}

/** A campaign is visible to account readers of its unit and to its reviewers; managed with account.review_manage over its unit. */
async function visibleCampaign(deps: AccountDeps, actor: Actor, id: string) {
  const c = await campaignRow(deps.db, id);
  if (!can(actor, 'account.read', c.unit_path) && !(await isReviewerIn(deps.db, actor, id))) {
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền xem đợt rà soát này.', { permission: 'account.read', target: { type: 'review_campaign', id } }, { unitId: c.unit_id });
  }
  return c;
}

/** Start a campaign: stages, the items (enabled accounts of the latest snapshots) and the first stage's assignments. */
export async function createCampaign(deps: AccountDeps, actor: Actor, input: ReviewCampaignCreate): Promise<ReviewCampaign> {
  const unit = await findUnit(deps.db, input.unitId);
  if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
  requireOnUnit(actor, 'account.review_manage', unit, { type: 'org_unit', id: unit.id });
  const systems: SystemWithUnits[] = [];
  for (const id of [...new Set(input.systemIds)]) systems.push(await systemFor(deps.db, actor, id, 'account.review_manage'));
  const scopeUnits: OrgUnitRow[] = [];
  for (const id of [...new Set(input.unitIds)]) {
    const u = await findUnit(deps.db, id);
    if (!u) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    // Reviewing the accounts of a unit's people shows who they are: person.read over that unit (as for links).
    requireOnUnit(actor, 'person.read', u, { type: 'org_unit', id: u.id });
    scopeUnits.push(u);
  }
  const now = nowIso(deps.clock);
  const id = await deps.db.transaction().execute((tx) => startCampaignTx(tx, deps, actor, actor.userId, unit, input, systems, scopeUnits, now));
  return getCampaign(deps, actor, id);
}

/** Insert a started campaign (stage 1 open) with its items and first assignments; also used by the demo loader. */
export async function startCampaignTx(
  tx: Tx, deps: Pick<AccountDeps, 'clock'>, who: Who, createdBy: string, unit: { id: string }, input: ReviewCampaignCreate,
  systems: Pick<SystemWithUnits, 'id' | 'code' | 'owner_unit_id'>[], scopeUnits: Pick<OrgUnitRow, 'id' | 'code' | 'path'>[], now: string,
): Promise<string> {
  const id = newId(deps.clock());
  await tx.insertInto('review_campaigns').values({
    id, name: input.name, description: input.description ?? null, unit_id: unit.id, system_ids_json: JSON.stringify(systems.map((s) => s.id)),
    unit_ids_json: JSON.stringify(scopeUnits.map((u) => u.id)), status: 'running', current_stage: 1, task_days: input.taskDays,
    created_by: createdBy, created_at: now, started_at: now, closed_at: null,
  }).execute();
  for (const [i, st] of input.stages.entries()) {
    await tx.insertInto('review_stages').values({
      id: newId(deps.clock()), campaign_id: id, ordinal: i + 1, name: st.name, reviewer_kind: st.reviewerKind, rule: st.rule,
      duration_days: st.durationDays, remind_before_hours: st.remindBeforeHours,
      started_at: i === 0 ? now : null, deadline: i === 0 ? addMs(now, st.durationDays * DAY) : null, closed_at: null,
    }).execute();
  }
  let items = 0;
  for (const sys of systems) {
    const snap = await tx.selectFrom('account_snapshots').select('id').where('system_id', '=', sys.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!snap) continue;
    let q = tx.selectFrom('system_accounts as a').leftJoin('people as p', 'p.id', 'a.person_id').leftJoin('org_units as pu', 'pu.id', 'p.unit_id')
      .select(['a.id', 'a.username', 'a.roles_json', 'a.person_id', 'p.unit_id as person_unit']).where('a.snapshot_id', '=', snap.id).where('a.enabled', '=', 1);
    if (scopeUnits.length) {
      q = q.where((eb) => eb.or([eb('a.person_id', 'is', null), ...scopeUnits.map((u) => eb('pu.path', 'like', `${u.path}%`))]));
    }
    const rows = await q.orderBy('a.username').execute();
    const values = rows.map((r) => ({
      id: newId(deps.clock()), campaign_id: id, system_id: sys.id, account_id: r.id, username: r.username, roles_json: r.roles_json,
      person_id: r.person_id, unit_id: r.person_unit ?? sys.owner_unit_id, stage: 1, stage_outcome: null, outcome: null, closed_at: null,
    }));
    for (let i = 0; i < values.length; i += 200) await tx.insertInto('review_items').values(values.slice(i, i + 200)).execute();
    items += values.length;
  }
  await assignStage(tx, deps, id, 1, createdBy, now);
  await recordAudit(tx, who, {
    action: 'review_campaign.create', targetType: 'review_campaign', targetId: id, unitId: unit.id,
    details: { name: input.name, systems: systems.map((s) => s.code), units: scopeUnits.map((u) => u.code), stages: input.stages.length, items },
  }, now);
  return id;
}

/** Assign the reviewers of stage `ordinal` to every open item at that stage. */
async function assignStage(tx: Tx, deps: Pick<AccountDeps, 'clock'>, campaignId: string, ordinal: number, fallbackReviewer: string | null, now: string) {
  const stage = await tx.selectFrom('review_stages').selectAll().where('campaign_id', '=', campaignId).where('ordinal', '=', ordinal).executeTakeFirstOrThrow();
  const items = await tx.selectFrom('review_items as i').innerJoin('information_systems as s', 's.id', 'i.system_id')
    .select(['i.id', 'i.unit_id', 's.owner_unit_id']).where('i.campaign_id', '=', campaignId).where('i.stage', '=', ordinal).where('i.outcome', 'is', null).execute();
  const cache = new Map<string, string[]>();
  const values = [];
  for (const it of items) {
    let reviewers = await reviewersFor(tx, stage.reviewer_kind, stage.reviewer_kind === 'system_owner' ? it.owner_unit_id : it.unit_id, now, cache);
    if (!reviewers.length && fallbackReviewer) reviewers = [fallbackReviewer];
    for (const r of reviewers) values.push({ id: newId(deps.clock()), item_id: it.id, campaign_id: campaignId, stage: ordinal, reviewer_id: r, decision: null, comment: null, decided_at: null });
  }
  for (let i = 0; i < values.length; i += 200) await tx.insertInto('review_assignments').values(values.slice(i, i + 200)).execute();
}

async function responsesOf(tx: Db | Tx, itemId: string, stage: number) {
  return (await tx.selectFrom('review_assignments').select(['decision', 'decided_at']).where('item_id', '=', itemId).where('stage', '=', stage).execute())
    .map((r) => ({ decision: r.decision as Decision | null, decidedAt: r.decided_at }));
}

/** Close an item with its final outcome; revoke/reduce become a revocation task for the system's operator. */
async function finalizeItem(tx: Tx, deps: Pick<AccountDeps, 'clock'>, who: Who, c: ReviewCampaignRow, item: ReviewItemRow, outcome: Outcome, now: string) {
  await tx.updateTable('review_items').set({ outcome, stage_outcome: outcome, closed_at: now }).where('id', '=', item.id).execute();
  if (outcome !== 'revoke' && outcome !== 'reduce') return;
  const sys = await tx.selectFrom('information_systems').select(['owner_unit_id', 'operating_unit_id']).where('id', '=', item.system_id).executeTakeFirstOrThrow();
  const comments = (await tx.selectFrom('review_assignments').select(['comment']).where('item_id', '=', item.id).where('decision', '=', outcome).execute())
    .map((r) => r.comment).filter((x): x is string => !!x);
  const taskId = newId(deps.clock());
  await tx.insertInto('revocation_tasks').values({
    id: taskId, campaign_id: c.id, item_id: item.id, system_id: item.system_id, username: item.username, person_id: item.person_id, kind: outcome,
    roles_json: item.roles_json, reason: comments.join(' · ') || null, unit_id: sys.operating_unit_id ?? sys.owner_unit_id, status: 'open',
    due_at: addMs(now, c.task_days * DAY), operator_note: null, escalated_at: null, verified_at: null, verified_snapshot_id: null, created_at: now,
  }).execute();
  await recordAudit(tx, who, {
    action: 'revocation.create', targetType: 'revocation_task', targetId: taskId, unitId: sys.operating_unit_id ?? sys.owner_unit_id,
    details: { campaignId: c.id, systemId: item.system_id, username: item.username, kind: outcome },
  }, now);
}

/** Close the campaign's current stage: undecided items get the rule's outcome at the deadline; accepted ones move on. */
async function closeStage(tx: Tx, deps: Pick<AccountDeps, 'clock'>, who: Who, c: ReviewCampaignRow, now: string): Promise<void> {
  const stages = await tx.selectFrom('review_stages').selectAll().where('campaign_id', '=', c.id).orderBy('ordinal').execute();
  const stage = stages.find((s) => s.ordinal === c.current_stage)!;
  const next = stages.find((s) => s.ordinal === c.current_stage + 1);
  const items = await tx.selectFrom('review_items').selectAll().where('campaign_id', '=', c.id).where('stage', '=', stage.ordinal).where('outcome', 'is', null).execute();
  const counts: Record<string, number> = {};
  for (const it of items) {
    const outcome = (it.stage_outcome as Outcome | null) ?? stageOutcome(stage.rule as StageRule, await responsesOf(tx, it.id, stage.ordinal), true) ?? 'not_decided';
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (outcome === 'accept' && next) await tx.updateTable('review_items').set({ stage: next.ordinal, stage_outcome: null }).where('id', '=', it.id).execute();
    else await finalizeItem(tx, deps, who, c, it, outcome, now);
  }
  await tx.updateTable('review_stages').set({ closed_at: now }).where('id', '=', stage.id).execute();
  if (next) {
    await tx.updateTable('review_stages').set({ started_at: now, deadline: addMs(now, next.duration_days * DAY) }).where('id', '=', next.id).execute();
    await tx.updateTable('review_campaigns').set({ current_stage: next.ordinal }).where('id', '=', c.id).execute();
    await assignStage(tx, deps, c.id, next.ordinal, c.created_by, now);
  } else {
    await tx.updateTable('review_campaigns').set({ status: 'closed', closed_at: now }).where('id', '=', c.id).execute();
  }
  await recordAudit(tx, who, { action: 'review_campaign.stage_close', targetType: 'review_campaign', targetId: c.id, unitId: c.unit_id, details: { stage: stage.ordinal, outcomes: counts, campaignClosed: !next } }, now);
}

/** Close the stage once no item of it still waits for an outcome. */
async function closeStageIfDone(tx: Tx, deps: Pick<AccountDeps, 'clock'>, who: Who, campaignId: string, now: string) {
  const c = await tx.selectFrom('review_campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
  if (c.status !== 'running') return;
  const waiting = await tx.selectFrom('review_items').select('id').where('campaign_id', '=', c.id).where('stage', '=', c.current_stage)
    .where('outcome', 'is', null).where('stage_outcome', 'is', null).limit(1).executeTakeFirst();
  if (!waiting) await closeStage(tx, deps, who, c, now);
}

/** The campaign manager closes the current stage now (before or after its deadline). */
export async function closeCurrentStage(deps: AccountDeps, actor: Actor, campaignId: string): Promise<ReviewCampaign> {
  const c = await campaignRow(deps.db, campaignId);
  requireOnUnit(actor, 'account.review_manage', { id: c.unit_id, path: c.unit_path }, { type: 'review_campaign', id: c.id });
  if (c.status !== 'running') throw new ConflictError('review_campaign.closed', 'Đợt rà soát đã kết thúc.');
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute((tx) => closeStage(tx, deps, actor, c, now));
  return getCampaign(deps, actor, campaignId);
}

/** Record one answer and apply the stage rule (inside the caller's transaction; the demo loader uses it too). */
export async function decideTx(
  tx: Tx, deps: Pick<AccountDeps, 'clock'>, who: Who, a: Pick<ReviewAssignmentRow, 'id' | 'stage'>, item: ReviewItemRow, c: ReviewCampaignRow, rule: StageRule, isLast: boolean,
  input: { decision: Decision; comment: string }, now: string,
): Promise<void> {
  await tx.updateTable('review_assignments').set({ decision: input.decision, comment: input.comment || null, decided_at: now }).where('id', '=', a.id).execute();
  const outcome = stageOutcome(rule, await responsesOf(tx, item.id, a.stage), false);
  if (outcome === 'accept' && !isLast) await tx.updateTable('review_items').set({ stage_outcome: 'accept' }).where('id', '=', item.id).execute();
  else if (outcome) await finalizeItem(tx, deps, who, c, item, outcome, now);
  else if (item.stage_outcome) await tx.updateTable('review_items').set({ stage_outcome: null }).where('id', '=', item.id).execute();
  await recordAudit(tx, who, {
    action: 'review.decide', targetType: 'review_item', targetId: item.id, unitId: item.unit_id,
    details: { campaignId: c.id, stage: a.stage, systemId: item.system_id, username: item.username, decision: input.decision, comment: input.comment || null, outcome },
  }, now);
  await closeStageIfDone(tx, deps, who, c.id, now);
}

/** A reviewer's answer on one assignment. Only the assigned reviewer may answer, while the item's stage is open. */
export async function decide(deps: AccountDeps, actor: Actor, assignmentId: string, input: { decision: Decision; comment: string }): Promise<MyReview> {
  const a = await deps.db.selectFrom('review_assignments').selectAll().where('id', '=', assignmentId).executeTakeFirst();
  if (!a) throw new NotFoundError('review_assignment.not_found', 'Không tìm thấy việc rà soát.');
  const item = await deps.db.selectFrom('review_items').selectAll().where('id', '=', a.item_id).executeTakeFirstOrThrow();
  if (a.reviewer_id !== actor.userId) {
    throw new ForbiddenError('review.not_reviewer', 'Bạn không phải người rà soát được giao cho tài khoản này.', { target: { type: 'review_assignment', id: a.id } }, { unitId: item.unit_id });
  }
  const c = await campaignRow(deps.db, a.campaign_id);
  if (c.status !== 'running' || item.outcome !== null || item.stage !== a.stage || c.current_stage !== a.stage) {
    throw new ConflictError('review.closed', 'Tài khoản này đã có kết luận hoặc giai đoạn rà soát đã đóng.');
  }
  const stage = await deps.db.selectFrom('review_stages').selectAll().where('campaign_id', '=', c.id).where('ordinal', '=', a.stage).executeTakeFirstOrThrow();
  const isLast = !(await deps.db.selectFrom('review_stages').select('id').where('campaign_id', '=', c.id).where('ordinal', '=', a.stage + 1).executeTakeFirst());
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute((tx) => decideTx(tx, deps, actor, a, item, c, stage.rule as StageRule, isLast, input, now));
  const mine = await myReviews(deps, actor, { assignmentId: a.id });
  return mine[0]!;
}

async function countsOf(db: Db | Tx, campaignIds: string[]) {
  const out = new Map<string, ReviewCampaign['counts']>();
  if (!campaignIds.length) return out;
  const rows = await db.selectFrom('review_items').select(['campaign_id', 'outcome', (eb) => eb.fn.countAll<number>().as('n')]).where('campaign_id', 'in', campaignIds).groupBy(['campaign_id', 'outcome']).execute();
  for (const id of campaignIds) out.set(id, { items: 0, open: 0, accept: 0, revoke: 0, reduce: 0, notDecided: 0 });
  for (const r of rows) {
    const c = out.get(r.campaign_id)!;
    const n = Number(r.n);
    c.items += n;
    if (r.outcome === null) c.open += n;
    else if (r.outcome === 'not_decided') c.notDecided += n;
    else c[r.outcome as 'accept' | 'revoke' | 'reduce'] += n;
  }
  return out;
}

async function present(deps: AccountDeps, actor: Actor, rows: (ReviewCampaignRow & { unit_path: string; unit_name: string })[]): Promise<ReviewCampaign[]> {
  const ids = rows.map((r) => r.id);
  const stages = ids.length ? await deps.db.selectFrom('review_stages').selectAll().where('campaign_id', 'in', ids).orderBy('ordinal').execute() : [];
  const counts = await countsOf(deps.db, ids);
  const now = nowIso(deps.clock);
  return rows.map((c) => ({
    id: c.id, name: c.name, description: c.description, unitId: c.unit_id, unitName: c.unit_name, systemIds: fromJson<string[]>(c.system_ids_json) ?? [],
    unitIds: fromJson<string[]>(c.unit_ids_json) ?? [], status: c.status as ReviewCampaign['status'], currentStage: c.current_stage, taskDays: c.task_days,
    createdAt: c.created_at, startedAt: c.started_at, closedAt: c.closed_at,
    stages: stages.filter((s) => s.campaign_id === c.id).map((s) => ({
      ordinal: s.ordinal, name: s.name, reviewerKind: s.reviewer_kind as 'unit_manager' | 'system_owner', rule: s.rule as StageRule, durationDays: s.duration_days,
      remindBeforeHours: s.remind_before_hours, startedAt: s.started_at, deadline: s.deadline, closedAt: s.closed_at, state: stageState(s, now),
    })),
    counts: counts.get(c.id)!,
    canManage: can(actor, 'account.review_manage', c.unit_path),
  }));
}

export async function getCampaign(deps: AccountDeps, actor: Actor, id: string): Promise<ReviewCampaign> {
  return (await present(deps, actor, [await visibleCampaign(deps, actor, id)]))[0]!;
}

/** Campaigns of units in the actor's account.read scope, and those the actor reviews in. */
export async function listCampaigns(deps: AccountDeps, actor: Actor): Promise<ReviewCampaign[]> {
  const prefixes = scopeOf(actor, 'account.read');
  const rows = await deps.db.selectFrom('review_campaigns as c').innerJoin('org_units as u', 'u.id', 'c.unit_id').selectAll('c')
    .select(['u.path as unit_path', 'u.name as unit_name'])
    .where((eb) => eb.or([
      ...prefixes.map((p) => eb('u.path', 'like', `${p}%`)),
      eb.exists(eb.selectFrom('review_assignments as ra').select('ra.id').whereRef('ra.campaign_id', '=', 'c.id').where('ra.reviewer_id', '=', actor.userId)),
    ]))
    .orderBy('c.created_at', 'desc').limit(200).execute();
  return present(deps, actor, rows);
}

function itemsQuery(db: Db | Tx) {
  return db.selectFrom('review_items as i')
    .innerJoin('information_systems as s', 's.id', 'i.system_id')
    .innerJoin('org_units as iu', 'iu.id', 'i.unit_id')
    .leftJoin('people as p', 'p.id', 'i.person_id')
    .select(['i.id', 'i.campaign_id', 'i.system_id', 's.code as system_code', 's.name as system_name', 'i.username', 'i.roles_json', 'i.person_id', 'p.full_name as person_name',
      'i.unit_id', 'iu.name as unit_name', 'i.stage', 'i.stage_outcome', 'i.outcome', 'i.account_id']);
}
type ItemJoined = Awaited<ReturnType<ReturnType<typeof itemsQuery>['execute']>>[number];

async function toItems(db: Db | Tx, rows: ItemJoined[]): Promise<ReviewItem[]> {
  const ids = rows.map((r) => r.id);
  const accountIds = rows.map((r) => r.account_id);
  const responses = ids.length ? await db.selectFrom('review_assignments as a').innerJoin('users as u', 'u.id', 'a.reviewer_id')
    .select(['a.id', 'a.item_id', 'a.stage', 'a.reviewer_id', 'u.display_name', 'a.decision', 'a.comment', 'a.decided_at']).where('a.item_id', 'in', ids).orderBy('a.stage').orderBy('u.display_name').execute() : [];
  const findings = accountIds.length ? await db.selectFrom('account_findings').select(['account_id', 'kind']).where('account_id', 'in', accountIds).execute() : [];
  return rows.map((r) => ({
    id: r.id, campaignId: r.campaign_id, systemId: r.system_id, systemCode: r.system_code, systemName: r.system_name, username: r.username,
    roles: fromJson<string[]>(r.roles_json) ?? [], personId: r.person_id, personName: r.person_name, unitId: r.unit_id, unitName: r.unit_name, stage: r.stage,
    stageOutcome: r.stage_outcome as Decision | null, outcome: r.outcome as Decision | null,
    findings: [...new Set(findings.filter((f) => f.account_id === r.account_id).map((f) => f.kind))] as ReviewItem['findings'],
    responses: responses.filter((x) => x.item_id === r.id).map((x) => ({
      assignmentId: x.id, stage: x.stage, reviewerId: x.reviewer_id, reviewerName: x.display_name, decision: x.decision as Decision | null, comment: x.comment, decidedAt: x.decided_at,
    })),
  }));
}

export async function listItems(deps: AccountDeps, actor: Actor, campaignId: string, q: { outcome?: string | undefined; page: number; pageSize: number }): Promise<{ items: ReviewItem[]; total: number }> {
  const c = await visibleCampaign(deps, actor, campaignId);
  let base = itemsQuery(deps.db).where('i.campaign_id', '=', c.id);
  // A reviewer who cannot read the campaign's unit sees only the items assigned to them.
  if (!can(actor, 'account.read', c.unit_path)) {
    base = base.where((eb) => eb.exists(eb.selectFrom('review_assignments as ra').select('ra.id').whereRef('ra.item_id', '=', 'i.id').where('ra.reviewer_id', '=', actor.userId)));
  }
  if (q.outcome === 'open') base = base.where('i.outcome', 'is', null);
  else if (q.outcome) base = base.where('i.outcome', '=', q.outcome);
  const { n } = await base.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.orderBy('s.code').orderBy('i.username').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  return { items: await toItems(deps.db, rows), total: Number(n) };
}

/** My assignments in the current stage of running campaigns (pending = not answered yet). */
export async function myReviews(deps: AccountDeps, actor: Actor, q: { pending?: boolean; assignmentId?: string }): Promise<MyReview[]> {
  let base = deps.db.selectFrom('review_assignments as ra')
    .innerJoin('review_campaigns as c', 'c.id', 'ra.campaign_id')
    .innerJoin('review_stages as st', (j) => j.onRef('st.campaign_id', '=', 'c.id').onRef('st.ordinal', '=', 'ra.stage'))
    .select(['ra.id as assignment_id', 'ra.item_id', 'ra.decision', 'ra.comment', 'c.name as campaign_name', 'st.name as stage_name', 'st.rule', 'st.deadline', 'st.started_at', 'st.closed_at', 'st.remind_before_hours'])
    .where('ra.reviewer_id', '=', actor.userId);
  if (q.assignmentId) base = base.where('ra.id', '=', q.assignmentId);
  else {
    base = base.where('c.status', '=', 'running').whereRef('ra.stage', '=', 'c.current_stage')
      .where((eb) => eb.exists(eb.selectFrom('review_items as x').select('x.id').whereRef('x.id', '=', 'ra.item_id').where('x.outcome', 'is', null)));
    if (q.pending) base = base.where('ra.decision', 'is', null);
  }
  const rows = await base.orderBy('st.deadline').limit(500).execute();
  if (!rows.length) return [];
  const items = await toItems(deps.db, await itemsQuery(deps.db).where('i.id', 'in', rows.map((r) => r.item_id)).execute());
  const byId = new Map(items.map((i) => [i.id, i]));
  const now = nowIso(deps.clock);
  return rows.map((r) => ({
    ...byId.get(r.item_id)!, assignmentId: r.assignment_id, campaignName: r.campaign_name, stageName: r.stage_name, rule: r.rule as StageRule, deadline: r.deadline,
    state: stageState(r, now), decision: r.decision as Decision | null, comment: r.comment,
  })).sort((x, y) => x.systemCode.localeCompare(y.systemCode) || x.username.localeCompare(y.username));
}

function tasksQuery(db: Db | Tx) {
  return db.selectFrom('revocation_tasks as t')
    .innerJoin('information_systems as s', 's.id', 't.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .innerJoin('org_units as tu', 'tu.id', 't.unit_id')
    .leftJoin('people as p', 'p.id', 't.person_id')
    .leftJoin('review_campaigns as c', 'c.id', 't.campaign_id');
}

/** Revocation tasks of systems in the actor's account.read scope (overdue = open past its due date). */
export async function listTasks(deps: AccountDeps, actor: Actor, q: { status?: string | undefined; systemId?: string | undefined; personId?: string | undefined; page: number; pageSize: number }): Promise<{ items: RevocationTask[]; total: number }> {
  if (q.systemId) await systemFor(deps.db, actor, q.systemId, 'account.read');
  const now = nowIso(deps.clock);
  let base = tasksQuery(deps.db).where(systemInScope(scopeOf(actor, 'account.read')));
  if (q.systemId) base = base.where('t.system_id', '=', q.systemId);
  if (q.personId) base = base.where('t.person_id', '=', q.personId);
  if (q.status === 'overdue') base = base.where('t.status', '=', 'open').where('t.due_at', '<', now);
  else if (q.status) base = base.where('t.status', '=', q.status);
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll('t').select(['s.code as system_code', 's.name as system_name', 'tu.name as unit_name', 'p.full_name as person_name', 'c.name as campaign_name'])
    .orderBy('t.status').orderBy('t.due_at').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  return {
    total: Number(n),
    items: rows.map((r) => ({
      id: r.id, campaignId: r.campaign_id, campaignName: r.campaign_name, systemId: r.system_id, systemCode: r.system_code, systemName: r.system_name, username: r.username,
      personId: r.person_id, personName: r.person_name, kind: r.kind as 'revoke' | 'reduce', roles: fromJson<string[]>(r.roles_json) ?? [], reason: r.reason,
      unitId: r.unit_id, unitName: r.unit_name, status: r.status as 'open' | 'verified', dueAt: r.due_at, overdue: r.status === 'open' && r.due_at < now,
      escalatedAt: r.escalated_at, verifiedAt: r.verified_at, verifiedSnapshotId: r.verified_snapshot_id, operatorNote: r.operator_note, createdAt: r.created_at,
    })),
  };
}

/** The operator notes what was done; the task stays open until an import shows it (verified revocation). */
export async function noteTask(deps: AccountDeps, actor: Actor, taskId: string, note: string): Promise<RevocationTask> {
  const t = await deps.db.selectFrom('revocation_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  if (!t) throw new NotFoundError('revocation_task.not_found', 'Không tìm thấy việc thu hồi.');
  const sys = await systemFor(deps.db, actor, t.system_id, 'account.import');
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('revocation_tasks').set({ operator_note: note }).where('id', '=', t.id).execute();
    await recordAudit(tx, actor, { action: 'revocation.note', targetType: 'revocation_task', targetId: t.id, unitId: sys.owner_unit_id, details: { note } }, now);
  });
  return (await listTasks(deps, actor, { systemId: t.system_id, page: 1, pageSize: 500 })).items.find((x) => x.id === t.id)!;
}

/**
 * Verified revocation: called by every import of a system (same transaction). An open revoke task is closed when
 * the account is gone or disabled in the new snapshot; a reduce task when the account is gone, disabled or now
 * holds fewer of the roles it had when the decision was taken.
 */
export async function verifyRevocations(tx: Tx, who: Who, systemId: string, snapshotId: string, accounts: Pick<ImportedAccount, 'username' | 'enabled' | 'roles'>[], now: string, unitId: string): Promise<number> {
  const open = await tx.selectFrom('revocation_tasks').selectAll().where('system_id', '=', systemId).where('status', '=', 'open').execute();
  if (!open.length) return 0;
  const byName = new Map(accounts.map((a) => [a.username.toLowerCase(), a]));
  const done: string[] = [];
  for (const t of open) {
    const a = byName.get(t.username.toLowerCase());
    const before = fromJson<string[]>(t.roles_json) ?? [];
    const ok = !a || !a.enabled || (t.kind === 'reduce' && before.some((r) => !a.roles.includes(r)));
    if (!ok) continue;
    await tx.updateTable('revocation_tasks').set({ status: 'verified', verified_at: now, verified_snapshot_id: snapshotId }).where('id', '=', t.id).execute();
    done.push(t.id);
  }
  if (done.length) {
    await recordAudit(tx, who, { action: 'revocation.verify', targetType: 'account_snapshot', targetId: snapshotId, unitId, details: { systemId, tasks: done } }, now);
  }
  return done.length;
}

async function notify(tx: Tx, deps: Pick<AccountDeps, 'clock'>, n: { kind: string; campaignId?: string | null; stage?: number | null; taskId?: string | null; recipientId: string; unitId?: string | null; message: string }, now: string): Promise<number> {
  const key = `${n.kind}:${n.campaignId ?? ''}:${n.stage ?? ''}:${n.taskId ?? ''}:${n.recipientId}`;
  const res = await tx.insertInto('review_notices').values({
    id: newId(deps.clock()), kind: n.kind, campaign_id: n.campaignId ?? null, stage: n.stage ?? null, task_id: n.taskId ?? null, recipient_id: n.recipientId,
    unit_id: n.unitId ?? null, message: n.message, dedupe_key: key, created_at: now,
  }).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0 ? 1 : 0;
}

const fmtDate = (iso: string) => iso.slice(0, 10).split('-').reverse().join('/');

/**
 * The scheduler tick (idempotent; `khien accounts tick`, and every 10 minutes in `serve`): reminders to reviewers
 * with unanswered items once a stage is within its reminder window, overdue notices and an escalation to the
 * campaign's creator once past the deadline, and escalation of revocation tasks past their due date to the
 * managers of the unit that must act.
 */
export async function tick(deps: Pick<AccountDeps, 'db' | 'clock'>, who: Who = null): Promise<TickResult> {
  const now = nowIso(deps.clock);
  return deps.db.transaction().execute((tx) => tickTx(tx, deps, who, now));
}

/** The tick inside the caller's transaction (the demo loader runs it once at load time). */
export async function tickTx(tx: Tx, deps: Pick<AccountDeps, 'clock'>, who: Who, now: string): Promise<TickResult> {
  const result: TickResult = { reminders: 0, overdue: 0, escalations: 0, tasksEscalated: 0, stagesClosed: 0 };
  {
    const running = await tx.selectFrom('review_campaigns as c').innerJoin('review_stages as s', (j) => j.onRef('s.campaign_id', '=', 'c.id').onRef('s.ordinal', '=', 'c.current_stage'))
      .select(['c.id', 'c.name', 'c.unit_id', 'c.created_by', 's.ordinal', 's.name as stage_name', 's.started_at', 's.deadline', 's.closed_at', 's.remind_before_hours'])
      .where('c.status', '=', 'running').execute();
    for (const c of running) {
      const state = stageState(c, now);
      if (state !== 'due_soon' && state !== 'overdue') continue;
      const pending = await tx.selectFrom('review_assignments as ra').innerJoin('review_items as i', 'i.id', 'ra.item_id')
        .select(['ra.reviewer_id', (eb) => eb.fn.countAll<number>().as('n')]).where('ra.campaign_id', '=', c.id).where('ra.stage', '=', c.ordinal)
        .where('ra.decision', 'is', null).where('i.outcome', 'is', null).where('i.stage_outcome', 'is', null).groupBy('ra.reviewer_id').execute();
      for (const p of pending) {
        const kind = state === 'overdue' ? 'overdue' : 'reminder';
        const message = state === 'overdue'
          ? `Quá hạn rà soát: còn ${Number(p.n)} tài khoản chưa có ý kiến trong "${c.name}" — ${c.stage_name} (hạn ${fmtDate(c.deadline!)}).`
          : `Nhắc rà soát: còn ${Number(p.n)} tài khoản chờ ý kiến trong "${c.name}" — ${c.stage_name}, hạn ${fmtDate(c.deadline!)}.`;
        const added = await notify(tx, deps, { kind, campaignId: c.id, stage: c.ordinal, recipientId: p.reviewer_id, unitId: c.unit_id, message }, now);
        if (kind === 'overdue') result.overdue += added; else result.reminders += added;
      }
      if (state === 'overdue' && pending.length && c.created_by) {
        result.escalations += await notify(tx, deps, {
          kind: 'escalation', campaignId: c.id, stage: c.ordinal, recipientId: c.created_by, unitId: c.unit_id,
          message: `Giai đoạn "${c.stage_name}" của "${c.name}" đã quá hạn ${fmtDate(c.deadline!)}; ${pending.length} người rà soát chưa trả lời đủ. Có thể nhắc lại hoặc đóng giai đoạn.`,
        }, now);
      }
    }
    const late = await tx.selectFrom('revocation_tasks as t').innerJoin('information_systems as s', 's.id', 't.system_id')
      .select(['t.id', 't.username', 't.unit_id', 't.due_at', 's.code']).where('t.status', '=', 'open').where('t.escalated_at', 'is', null).where('t.due_at', '<', now).execute();
    const cache = new Map<string, string[]>();
    for (const t of late) {
      await tx.updateTable('revocation_tasks').set({ escalated_at: now }).where('id', '=', t.id).execute();
      for (const m of await reviewersFor(tx, 'unit_manager', t.unit_id, now, cache)) {
        await notify(tx, deps, { kind: 'task_overdue', taskId: t.id, recipientId: m, unitId: t.unit_id, message: `Quá hạn thu hồi tài khoản "${t.username}" trên hệ thống ${t.code} (hạn ${fmtDate(t.due_at)}); chưa có lần nhập nào cho thấy tài khoản đã bị xóa hoặc khóa.` }, now);
      }
      await recordAudit(tx, who, { action: 'revocation.escalate', targetType: 'revocation_task', targetId: t.id, unitId: t.unit_id, actorLabel: 'scheduler', details: { dueAt: t.due_at } }, now);
      result.tasksEscalated += 1;
    }
  }
  return result;
}

/** My notices (reminders, overdue, escalations), newest first. */
export async function myNotices(deps: AccountDeps, actor: Actor): Promise<ReviewNotice[]> {
  const rows = await deps.db.selectFrom('review_notices').selectAll().where('recipient_id', '=', actor.userId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(100).execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind as ReviewNotice['kind'], campaignId: r.campaign_id, taskId: r.task_id, message: r.message, createdAt: r.created_at }));
}

