import { randomBytes } from 'node:crypto';
import type { Keys } from '../../core/keys.js';
import { newId } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import type { StageRule } from '../../engines/access-review/stage-rules.js';
import { decideTx, startCampaignTx, tickTx } from '../accounts/reviews.service.js';
import { DemoRandom } from './demo-random.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A running access review campaign of the Sở Khoa học và Công nghệ over three of its systems, started 12 days
 * before the demo's "now": the first stage (unit managers, one deny denies) is due in two days, about two thirds
 * of the accounts have been answered (revoke for orphans, leavers and generic accounts, reduce for some
 * administrators, accept otherwise), the revocations became tasks for the operator — the early ones are past
 * their 7-day due date — and the scheduler tick has produced reminders and escalations. One push source with
 * an API key shows the key management. Runs inside the demo loader's transaction.
 */
export async function loadDemoReviews(tx: Tx, keys: Keys, now: string): Promise<{ items: number; decisions: number; tasks: number }> {
  const nowMs = Date.parse(now);
  const rng = new DemoRandom(20261126);
  const unit = await tx.selectFrom('org_units').select(['id', 'code', 'path']).where('code', '=', 'SO-KHCN').executeTakeFirst();
  const manager = await tx.selectFrom('users').select(['id', 'username']).where('username', '=', 'khcn.lanhdao').executeTakeFirst();
  if (!unit || !manager) return { items: 0, decisions: 0, tasks: 0 };
  const systems = await tx.selectFrom('information_systems as s').select(['s.id', 's.code', 's.owner_unit_id'])
    .where('s.owner_unit_id', '=', unit.id)
    .where((eb) => eb.exists(eb.selectFrom('account_snapshots as a').select('a.id').whereRef('a.system_id', '=', 's.id')))
    .orderBy('s.code').limit(3).execute();
  if (!systems.length) return { items: 0, decisions: 0, tasks: 0 };

  let t = nowMs - 12 * DAY;
  const clock = () => t;
  const who = { userId: manager.id, username: manager.username, sessionId: 'demo', ip: null, userAgent: null, requestId: 'demo' };
  const stages = [
    { name: 'Lãnh đạo đơn vị xác nhận', reviewerKind: 'unit_manager' as const, rule: 'one_deny_denies' as StageRule, durationDays: 14, remindBeforeHours: 72 },
    { name: 'Chủ quản hệ thống phê duyệt', reviewerKind: 'system_owner' as const, rule: 'all_must_accept' as StageRule, durationDays: 7, remindBeforeHours: 48 },
  ];
  const campaignId = await startCampaignTx(tx, { clock }, who, manager.id, unit, {
    name: 'Rà soát quyền truy cập hệ thống dùng chung — quý IV/2026',
    description: 'Rà soát định kỳ tài khoản của cán bộ Sở Khoa học và Công nghệ và tài khoản không xác định được chủ trên các hệ thống do Sở chủ quản (TCVN 14423:2026 nhóm 6).',
    unitId: unit.id, systemIds: systems.map((s) => s.id), unitIds: [unit.id], stages, taskDays: 7,
  }, systems, [unit], iso(t));

  const c = await tx.selectFrom('review_campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
  const items = await tx.selectFrom('review_items').selectAll().where('campaign_id', '=', campaignId).orderBy('system_id').orderBy('username').execute();
  const findings = await tx.selectFrom('account_findings').select(['account_id', 'kind']).where('account_id', 'in', items.map((i) => i.account_id)).execute();
  const kinds = new Map<string, string[]>();
  for (const f of findings) kinds.set(f.account_id, [...(kinds.get(f.account_id) ?? []), f.kind]);
  let decisions = 0;
  for (const item of items) {
    if (!rng.chance(0.65)) continue;
    const a = await tx.selectFrom('review_assignments').select(['id', 'stage']).where('item_id', '=', item.id).where('reviewer_id', '=', manager.id).executeTakeFirst();
    if (!a) continue;
    const k = kinds.get(item.account_id) ?? [];
    const roles: string[] = JSON.parse(item.roles_json);
    let decision: 'accept' | 'revoke' | 'reduce' | 'not_decided' = 'accept';
    let comment = '';
    if (k.includes('orphan') || k.includes('shared')) [decision, comment] = ['revoke', 'Không xác định được người sử dụng; khóa tài khoản.'];
    else if (k.includes('leaver')) [decision, comment] = ['revoke', 'Cán bộ đã nghỉ; thu hồi tài khoản.'];
    else if (roles.includes('Quản trị hệ thống') && k.includes('privileged_no_mfa')) [decision, comment] = ['reduce', 'Bỏ quyền quản trị cho đến khi bật xác thực đa yếu tố.'];
    else if (rng.chance(0.05)) [decision, comment] = ['not_decided', 'Cần hỏi lại phòng quản lý trực tiếp.'];
    t = nowMs - 11 * DAY + rng.int(0, 9 * DAY);
    await decideTx(tx, { clock }, who, a, item, c, 'one_deny_denies', false, { decision, comment }, iso(t));
    decisions += 1;
  }

  // A push source with its API key (the key itself is never shown again; only its prefix).
  const push = systems[0]!;
  const srcId = newId(nowMs);
  await tx.insertInto('account_sources').values({
    id: srcId, system_id: push.id, name: `${push.code} gửi danh sách qua API`, kind: 'push', mapping_json: '{}', ldap_json: null, ldap_password_enc: null,
    dormant_days: 45, role_policy_json: null, privileged_roles_json: JSON.stringify(['Quản trị hệ thống']), created_at: now, updated_at: now,
  }).execute();
  const key = `khk_${randomBytes(32).toString('base64url')}`;
  await tx.insertInto('account_api_keys').values({
    id: newId(nowMs), source_id: srcId, system_id: push.id, prefix: key.slice(0, 12), key_hash: keys.hmac('api_key', key), created_by: manager.id,
    created_at: iso(nowMs - 20 * DAY), revoked_at: null, last_used_at: iso(nowMs - DAY),
  }).execute();

  t = nowMs;
  await tickTx(tx, { clock }, null, now);
  const tasks = await tx.selectFrom('revocation_tasks').select('id').where('campaign_id', '=', campaignId).execute();
  return { items: items.length, decisions, tasks: tasks.length };
}
