import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { newId, nowIso } from '../../db/columns.js';
import { tick } from './reviews.service.js';

/**
 * Push API keys, access review campaigns and revocation tasks through the HTTP API on a real database
 * (both SQLite and PostgreSQL).
 */
let ctx: TestContext;
let managerA: TestUser;
let ownerA: TestUser;
let managerB: TestUser;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
let systemId: string;
let fileSourceId: string;
let pushSourceId: string;
const people: Record<string, string> = {};

const HEADER = 'Tên đăng nhập,Họ tên,Thư điện tử,Đơn vị,Nhóm quyền,Trạng thái\n';
const post = (user: TestUser | null, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, headers: { ...(user?.headers ?? {}), ...headers }, payload: payload as object });
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: user.headers });
async function upload(user: TestUser, name: string, csv: string) {
  const mp = multipartFile(name, csv);
  return ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${fileSourceId}/import`, headers: { ...user.headers, ...mp.headers }, payload: mp.payload });
}
async function addPerson(key: string, fullName: string, email: string, unitId: string) {
  const id = newId();
  const now = nowIso(ctx.now);
  await ctx.db.insertInto('people').values({
    id, full_name: fullName, name_folded: fullName.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase(),
    citizen_id_hash: null, citizen_id_masked: null, date_of_birth: null, gender: null, email, phone: null, unit_id: unitId, position: 'Chuyên viên',
    status: 'active', status_since: '2026-01-01', created_at: now, updated_at: now,
  }).execute();
  people[key] = id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'SO-TC', name: 'Sở Tài chính', parentId: root.id });
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  ownerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'system_owner', unitId: unitA.id }] });
  managerB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'unit_manager', unitId: unitB.id }] });
  await addPerson('an', 'Nguyễn Văn An', 'an.nv@gialai.gov.vn', unitA.id);
  await addPerson('binh', 'Trần Thị Bình', 'binh.tt@gialai.gov.vn', unitA.id);
  await addPerson('hoa', 'Võ Thị Hoa', 'hoa.vt@gialai.gov.vn', unitA.id);
  const sys = await post(managerA, '/api/v1/systems', { code: 'SYT-HIS', name: 'Phần mềm quản lý bệnh viện', type: 'internal', ownerUnitId: unitA.id });
  expect(sys.statusCode, sys.body).toBe(201);
  systemId = sys.json().id;
  const file = await post(managerA, '/api/v1/account-sources', {
    systemId, name: 'Xuất tài khoản HIS', kind: 'file',
    mapping: { username: 'Tên đăng nhập', display_name: 'Họ tên', email: 'Thư điện tử', unit: 'Đơn vị', roles: 'Nhóm quyền', enabled: 'Trạng thái' },
  });
  fileSourceId = file.json().id;
  const push = await post(managerA, '/api/v1/account-sources', { systemId, name: 'HIS gửi qua API', kind: 'push' });
  expect(push.statusCode, push.body).toBe(201);
  pushSourceId = push.json().id;
});
afterAll(async () => ctx?.close());

describe('per-system push API key', () => {
  const accounts = [{ username: 'annv', email: 'an.nv@gialai.gov.vn', roles: ['Bác sĩ'] }, { username: 'ghost', roles: ['Bác sĩ'] }];
  let key: string;

  it('is created by the system owner, shown once and stored only as a keyed hash', async () => {
    const res = await post(ownerA, `/api/v1/account-sources/${pushSourceId}/api-key`, {});
    expect(res.statusCode, res.body).toBe(201);
    key = res.json().key;
    expect(key).toMatch(/^khk_[A-Za-z0-9_-]{43}$/);
    const stored = await ctx.db.selectFrom('account_api_keys').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(key.slice(12));
    const sources = (await get(ownerA, `/api/v1/account-sources?systemId=${systemId}`)).json().items;
    const src = sources.find((s: { id: string }) => s.id === pushSourceId);
    expect(src.apiKey).toMatchObject({ prefix: key.slice(0, 12), lastUsedAt: null });
    expect(JSON.stringify(sources)).not.toContain(key);
  });

  it('authenticates the push without any session and records a snapshot by the key', async () => {
    const res = await post(null, `/api/v1/account-sources/${pushSourceId}/push`, { accounts }, { authorization: `Bearer ${key}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().snapshot).toMatchObject({ origin: 'push', accountCount: 2 });
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'account.import').where('target_id', '=', res.json().snapshot.id).executeTakeFirstOrThrow();
    expect(audit.actor_label).toBe(`api-key:${key.slice(0, 12)}`);
    expect(audit.actor_user_id).toBeNull();
  });

  it('refuses a user session, a wrong key, another source and a rotated key (401, audited)', async () => {
    const refusedBefore = (await ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'account.push_refused').execute()).length;
    expect((await post(managerA, `/api/v1/account-sources/${pushSourceId}/push`, { accounts })).statusCode).toBe(401);
    expect((await post(null, `/api/v1/account-sources/${pushSourceId}/push`, { accounts }, { authorization: `Bearer ${key}x` })).statusCode).toBe(401);
    expect((await post(null, `/api/v1/account-sources/${fileSourceId}/push`, { accounts }, { authorization: `Bearer ${key}` })).statusCode).toBe(401);
    const rotated = await post(managerA, `/api/v1/account-sources/${pushSourceId}/api-key`, {});
    expect(rotated.statusCode).toBe(201);
    expect((await post(null, `/api/v1/account-sources/${pushSourceId}/push`, { accounts }, { authorization: `Bearer ${key}` })).statusCode).toBe(401);
    expect((await post(null, `/api/v1/account-sources/${pushSourceId}/push`, { accounts }, { authorization: `Bearer ${rotated.json().key}` })).statusCode).toBe(200);
    const refusedAfter = (await ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'account.push_refused').execute()).length;
    expect(refusedAfter - refusedBefore).toBe(3);
  });

  it('cannot be created by another unit (403) nor for a file source (422)', async () => {
    expect((await post(managerB, `/api/v1/account-sources/${pushSourceId}/api-key`, {})).statusCode).toBe(403);
    expect((await post(managerA, `/api/v1/account-sources/${fileSourceId}/api-key`, {})).statusCode).toBe(422);
  });
});

describe('access review campaign', () => {
  let campaignId: string;

  it('starts with every enabled account of the latest snapshot and assigns the stage-1 reviewers', async () => {
    ctx.advance(1000);
    const csv = HEADER
      + 'annv,Nguyễn Văn An,an.nv@gialai.gov.vn,Sở Y tế,Bác sĩ,hoạt động\n'
      + 'binhtt,Trần Thị Bình,binh.tt@gialai.gov.vn,Sở Y tế,Điều dưỡng|Quản trị,hoạt động\n'
      + 'hoavt,Võ Thị Hoa,hoa.vt@gialai.gov.vn,Sở Y tế,Bác sĩ,hoạt động\n'
      + 'old.user,Người Cũ,,Sở Y tế,Bác sĩ,khóa\n';
    expect((await upload(managerA, 'his.csv', csv)).statusCode).toBe(200);
    const res = await post(managerA, '/api/v1/review-campaigns', {
      name: 'Rà soát tài khoản HIS quý IV/2026', unitId: unitA.id, systemIds: [systemId], taskDays: 7,
      stages: [
        { name: 'Trưởng đơn vị xác nhận', reviewerKind: 'unit_manager', rule: 'one_deny_denies', durationDays: 10, remindBeforeHours: 72 },
        { name: 'Chủ hệ thống phê duyệt', reviewerKind: 'system_owner', rule: 'all_must_accept', durationDays: 5 },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    campaignId = c.id;
    expect(c).toMatchObject({ status: 'running', currentStage: 1, counts: { items: 3, open: 3 } });
    expect(c.stages.map((s: { state: string }) => s.state)).toEqual(['pending', 'waiting']);
    const mine = (await get(managerA, '/api/v1/my-reviews?pending=true')).json().items;
    expect(mine.map((m: { username: string }) => m.username)).toEqual(['annv', 'binhtt', 'hoavt']);
    expect((await get(ownerA, '/api/v1/my-reviews')).json().items).toEqual([]);
  });

  it('a revoke decision becomes a revocation task at once; accepted items go to the system owner stage', async () => {
    const mine = (await get(managerA, '/api/v1/my-reviews?pending=true')).json().items as { assignmentId: string; username: string }[];
    const id = (u: string) => mine.find((m) => m.username === u)!.assignmentId;
    const noReason = await post(managerA, `/api/v1/review-assignments/${id('binhtt')}/decision`, { decision: 'revoke' });
    expect(noReason.statusCode).toBe(400);
    const revoke = await post(managerA, `/api/v1/review-assignments/${id('binhtt')}/decision`, { decision: 'revoke', comment: 'Đã chuyển công tác, không còn dùng HIS' });
    expect(revoke.statusCode, revoke.body).toBe(200);
    expect(revoke.json()).toMatchObject({ decision: 'revoke', outcome: 'revoke' });
    const tasks = (await get(managerA, `/api/v1/revocation-tasks?systemId=${systemId}`)).json();
    expect(tasks.items).toHaveLength(1);
    expect(tasks.items[0]).toMatchObject({ username: 'binhtt', kind: 'revoke', status: 'open', overdue: false, reason: 'Đã chuyển công tác, không còn dùng HIS', roles: ['Điều dưỡng', 'Quản trị'] });
    // Once decided, the item is closed for further answers.
    expect((await post(managerA, `/api/v1/review-assignments/${id('binhtt')}/decision`, { decision: 'accept' })).statusCode).toBe(409);

    expect((await post(managerA, `/api/v1/review-assignments/${id('annv')}/decision`, { decision: 'accept' })).statusCode).toBe(200);
    expect((await post(managerA, `/api/v1/review-assignments/${id('hoavt')}/decision`, { decision: 'accept', comment: 'Đúng vị trí' })).statusCode).toBe(200);
    // Every stage-1 item has an outcome: the stage closes and the accepted ones move to stage 2 (system owner).
    const c = (await get(managerA, `/api/v1/review-campaigns/${campaignId}`)).json();
    expect(c).toMatchObject({ currentStage: 2, counts: { items: 3, open: 2, revoke: 1 } });
    expect(c.stages.map((s: { state: string }) => s.state)).toEqual(['closed', 'pending']);
    const ownerItems = (await get(ownerA, '/api/v1/my-reviews?pending=true')).json().items;
    expect(ownerItems.map((m: { username: string }) => m.username)).toEqual(['annv', 'hoavt']);
    const reduce = await post(ownerA, `/api/v1/review-assignments/${ownerItems[1].assignmentId}/decision`, { decision: 'reduce', comment: 'Bỏ quyền kê đơn' });
    expect(reduce.json()).toMatchObject({ outcome: 'reduce' });
  });

  it('another unit cannot see the campaign, decide in it or be given tasks of it (403, audited)', async () => {
    const denied = async () => (await ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'authz.denied').execute()).length;
    const before = await denied();
    expect((await get(managerB, `/api/v1/review-campaigns/${campaignId}`)).statusCode).toBe(403);
    expect((await get(managerB, `/api/v1/review-campaigns/${campaignId}/items`)).statusCode).toBe(403);
    const owner = (await get(ownerA, '/api/v1/my-reviews?pending=true')).json().items;
    expect((await post(managerB, `/api/v1/review-assignments/${owner[0].assignmentId}/decision`, { decision: 'revoke', comment: 'thử' })).statusCode).toBe(403);
    expect((await post(managerB, '/api/v1/review-campaigns', { name: 'Rà soát hệ thống của đơn vị khác', unitId: unitB.id, systemIds: [systemId], stages: [{ name: 'Giai đoạn 1', reviewerKind: 'unit_manager' }] })).statusCode).toBe(403);
    expect((await post(managerB, `/api/v1/review-campaigns/${campaignId}/close-stage`, {})).statusCode).toBe(403);
    expect(await denied()).toBe(before + 5);
    expect((await get(managerB, '/api/v1/review-campaigns')).json().items).toEqual([]);
    expect((await get(managerB, '/api/v1/revocation-tasks')).json().total).toBe(0);
  });

  it('a later import showing the account disabled closes the task (verified revocation); a reduce waits for fewer roles', async () => {
    ctx.advance(1000);
    const csv = HEADER
      + 'annv,Nguyễn Văn An,an.nv@gialai.gov.vn,Sở Y tế,Bác sĩ,hoạt động\n'
      + 'binhtt,Trần Thị Bình,binh.tt@gialai.gov.vn,Sở Y tế,Điều dưỡng|Quản trị,khóa\n'
      + 'hoavt,Võ Thị Hoa,hoa.vt@gialai.gov.vn,Sở Y tế,Bác sĩ,hoạt động\n';
    const snap = (await upload(managerA, 'his-2.csv', csv)).json().snapshot;
    const tasks = (await get(managerA, `/api/v1/revocation-tasks?systemId=${systemId}`)).json().items as { username: string; status: string; verifiedSnapshotId: string | null }[];
    expect(tasks.find((t) => t.username === 'binhtt')).toMatchObject({ status: 'verified', verifiedSnapshotId: snap.id });
    expect(tasks.find((t) => t.username === 'hoavt')).toMatchObject({ status: 'open' });
    const verify = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'revocation.verify').execute();
    expect(verify).toHaveLength(1);
    ctx.advance(1000);
    await upload(managerA, 'his-3.csv', `${HEADER}annv,Nguyễn Văn An,an.nv@gialai.gov.vn,Sở Y tế,Bác sĩ,hoạt động\nhoavt,Võ Thị Hoa,,Sở Y tế,,hoạt động\n`);
    const after = (await get(managerA, `/api/v1/revocation-tasks?systemId=${systemId}&status=open`)).json();
    expect(after.total).toBe(0);
  });

  it('the tick reminds, marks overdue, escalates and is idempotent; an overdue task is escalated to the unit managers', async () => {
    // A fresh campaign left unanswered, and an open task past its due date.
    const c = await post(managerA, '/api/v1/review-campaigns', {
      name: 'Rà soát đột xuất', unitId: unitA.id, systemIds: [systemId], taskDays: 3,
      stages: [{ name: 'Trưởng đơn vị xác nhận', reviewerKind: 'unit_manager', rule: 'first_decides', durationDays: 3, remindBeforeHours: 24 }],
    });
    expect(c.statusCode, c.body).toBe(201);
    const mine = (await get(managerA, '/api/v1/my-reviews?pending=true')).json().items as { assignmentId: string; username: string }[];
    await post(managerA, `/api/v1/review-assignments/${mine[0]!.assignmentId}/decision`, { decision: 'revoke', comment: 'Không còn nhu cầu' });
    const deps = { db: ctx.db, clock: ctx.now };
    expect(await tick(deps)).toMatchObject({ reminders: 0, overdue: 0, tasksEscalated: 0 });
    ctx.advance(2.5 * 86_400_000);
    expect(await tick(deps)).toMatchObject({ reminders: 1, overdue: 0 });
    expect(await tick(deps)).toMatchObject({ reminders: 0, overdue: 0 });
    ctx.advance(1 * 86_400_000);
    const late = await tick(deps);
    expect(late).toMatchObject({ overdue: 1, escalations: 1, tasksEscalated: 1 });
    const notices = await ctx.db.selectFrom('review_notices').selectAll().where('recipient_id', '=', managerA.id).orderBy('created_at').execute();
    expect(notices.map((n) => n.kind).sort()).toEqual(['escalation', 'overdue', 'reminder', 'task_overdue']);
    expect(notices.find((n) => n.kind === 'task_overdue')!.message).toMatch(/Quá hạn thu hồi tài khoản/);
    const task = await ctx.db.selectFrom('revocation_tasks').selectAll().where('status', '=', 'open').executeTakeFirstOrThrow();
    expect(task.escalated_at).not.toBeNull();
    expect(await tick(deps)).toMatchObject({ overdue: 0, escalations: 0, tasksEscalated: 0 });
  });
});
