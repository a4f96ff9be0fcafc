import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import type { ReconcileReport } from '../../../contracts/reconcile.js';
import { windowCovering } from './outage.service.js';

/** A report shaped as the reconcile engine writes it (src/contracts/reconcile.ts). */
function report(counts: ReconcileReport['counts'], missing: Record<string, string>[] = []): ReconcileReport {
  return {
    outcome: counts.missing + counts.extra + counts.changed === 0 ? 'equal' : 'different',
    mode: 'rows',
    source: { label: 'PostgreSQL bd_qlvb.van_ban_den (Bình Định)', kind: 'postgres', rowsRead: counts.equal + counts.missing + counts.changed },
    target: { label: 'PostgreSQL gl_ioffice.van_ban_den', kind: 'postgres', rowsRead: counts.equal + counts.extra + counts.changed },
    counts,
    samples: { missing, extra: [], changed: [] },
    ranges: { compared: 0, skipped: 0, rowsSkipped: 0 },
    keyColumns: ['so_van_ban'],
    comparedColumns: ['trich_yeu'],
    normalisation: { rowHash: 'sha256', emptyIsNull: true, decimalComma: false, assumeTimezone: 'Asia/Ho_Chi_Minh' },
    startedAt: '2025-08-17T01:00:00.000Z',
    finishedAt: '2025-08-17T01:01:00.000Z',
    durationMs: 60_000,
  };
}

let ctx: TestContext;
let admin: TestUser;
let ownerA: TestUser;
let operatorA: TestUser;
let managerB: TestUser;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
let oldSys: string;
let newSys: string;
let planId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-KHCN', name: 'Sở Khoa học và Công nghệ', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'SO-NV', name: 'Sở Nội vụ', parentId: root.id });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
  ownerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'system_owner', unitId: unitA.id }] });
  operatorA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'operator', unitId: unitA.id }] });
  managerB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'unit_manager', unitId: unitB.id }] });
  const mk = async (code: string, name: string, origin: string) => {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/systems', headers: admin.headers, payload: { code, name, type: 'internal', ownerUnitId: unitA.id, origin, information: { public: true, private: true } } });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as string;
  };
  oldSys = await mk('BD-QLVB', 'Hệ thống quản lý văn bản và điều hành tỉnh Bình Định', 'bd');
  newSys = await mk('GL-QLVB', 'Hệ thống quản lý văn bản và điều hành (VNPT-iOffice)', 'new');
});
afterAll(async () => ctx?.close());

const inject = (user: TestUser, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: user.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

describe('merger plan', () => {
  it('consolidation needs a target; a plan with standard tasks gets the five checkpoints', async () => {
    const noTarget = await inject(ownerA, 'PUT', `/api/v1/systems/${oldSys}/merger-plan`, { disposition: 'consolidate', phase: 'during' });
    expect(noTarget.statusCode).toBe(400);
    const res = await inject(ownerA, 'PUT', `/api/v1/systems/${oldSys}/merger-plan`, {
      disposition: 'consolidate', targetSystemId: newSys, phase: 'during', targetStart: '2025-07-01', targetEnd: '2025-09-30',
      leadUnitId: unitA.id, responsibleUnitIds: [unitA.id, unitB.id], decision: 'Kế hoạch 45/KH-UBND', withStandardTasks: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json();
    planId = plan.id;
    expect(plan).toMatchObject({ disposition: 'consolidate', targetSystem: { code: 'GL-QLVB' }, state: 'not_started', tasksTotal: 5, responsibleUnits: [{ code: 'SO-KHCN' }, { code: 'SO-NV' }] });
    // Due 2025-09-30, long past on the test clock: all five overdue.
    expect(plan.tasksOverdue).toBe(5);
    const sys = (await inject(admin, 'GET', `/api/v1/systems?disposition=consolidate`)).json();
    expect(sys.items.map((s: { code: string }) => s.code)).toEqual(['BD-QLVB']);
  });

  it('plans filter by the origin of their system, so the two former provinces can be compared', async () => {
    expect((await inject(ownerA, 'PUT', `/api/v1/systems/${newSys}/merger-plan`, { disposition: 'keep', phase: 'after' })).statusCode).toBe(200);
    const codes = async (q: string) => (await inject(admin, 'GET', `/api/v1/merger-plans${q}`)).json().items.map((p: { system: { code: string } }) => p.system.code);
    expect(await codes('')).toEqual(['BD-QLVB', 'GL-QLVB']);
    expect(await codes('?origin=bd')).toEqual(['BD-QLVB']);
    expect(await codes('?origin=new')).toEqual(['GL-QLVB']);
    expect(await codes('?origin=gl')).toEqual([]);
    expect((await inject(admin, 'GET', '/api/v1/merger-plans?origin=hn')).statusCode).toBe(400);
  });

  it('operators record progress and evidence but cannot change the plan; done stamps doneAt; state follows', async () => {
    const m = (await inject(operatorA, 'GET', `/api/v1/systems/${oldSys}/merger`)).json();
    expect(m.tasks.map((t: { checkpoint: string }) => t.checkpoint)).toEqual(['backup_taken', 'data_migrated', 'accounts_migrated', 'security_assessed', 'old_system_switched_off']);
    const backup = m.tasks[0];
    const done = await inject(operatorA, 'PATCH', `/api/v1/merger-tasks/${backup.id}`, { status: 'done', evidenceNote: 'Bản sao lưu ngày 28/06/2025, kiểm tra khôi phục đạt.' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', overdue: false, doneAt: expect.any(String) });
    const planEdit = await inject(operatorA, 'PATCH', `/api/v1/merger-tasks/${backup.id}`, { dueDate: '2030-01-01' });
    expect(planEdit.statusCode).toBe(403);
    const denied = await inject(operatorA, 'PUT', `/api/v1/systems/${oldSys}/merger-plan`, { disposition: 'retire', phase: 'after' });
    expect(denied.statusCode).toBe(403);
    const plans = (await inject(admin, 'GET', '/api/v1/merger-plans?state=in_progress')).json();
    expect(plans.items.map((p: { id: string }) => p.id)).toEqual([planId]);
    expect(plans.items[0]).toMatchObject({ tasksDone: 1, tasksOverdue: 4 });
    const task = await inject(ownerA, 'POST', `/api/v1/merger-plans/${planId}/tasks`, { title: 'Chuyển đổi sổ công văn đến 2024', checkpoint: 'data_migrated', dueDate: '2099-01-01', ownerUnitId: unitA.id });
    expect(task.statusCode, task.body).toBe(201);
    expect(task.json().overdue).toBe(false);
  });

  it('a unit manager of another unit cannot read or change the plan, tasks or outages (403, audited)', async () => {
    const m = (await inject(admin, 'GET', `/api/v1/systems/${oldSys}/merger`)).json();
    const taskId = m.tasks[1].id;
    const count = async () => Number((await ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'authz.denied').executeTakeFirstOrThrow()).n);
    for (const [method, url, payload] of [
      ['GET', `/api/v1/systems/${oldSys}/merger`, undefined],
      ['PUT', `/api/v1/systems/${oldSys}/merger-plan`, { disposition: 'retire', phase: 'after' }],
      ['PATCH', `/api/v1/merger-tasks/${taskId}`, { status: 'done' }],
      ['POST', `/api/v1/merger-tasks/${taskId}/reconciliations`, { report: report({ missing: 0, extra: 0, changed: 0, equal: 1 }) }],
      ['POST', '/api/v1/outages', { systemId: oldSys, startedAt: '2026-01-01T00:00:00+07:00' }],
      ['GET', `/api/v1/outages?systemId=${oldSys}`, undefined],
    ] as const) {
      const before = await count();
      const res = await inject(managerB, method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.body).not.toContain('Bình Định');
      expect(await count()).toBe(before + 1);
    }
    expect((await inject(managerB, 'GET', '/api/v1/merger-plans')).json().total).toBe(0);
  });

  it('attaches a reconciliation result that found missing rows to a task', async () => {
    const m = (await inject(admin, 'GET', `/api/v1/systems/${oldSys}/merger`)).json();
    const migrate = m.tasks.find((t: { checkpoint: string }) => t.checkpoint === 'data_migrated');
    const rep = report({ missing: 3, extra: 0, changed: 1, equal: 48_211 }, [{ so_van_ban: '125/UBND-VX' }]);
    const res = await inject(operatorA, 'POST', `/api/v1/merger-tasks/${migrate.id}/reconciliations`, { report: rep });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ outcome: 'different', counts: { missing: 3 }, report: rep, sourceDescription: rep.source.label });
    const list = (await inject(ownerA, 'GET', `/api/v1/merger-tasks/${migrate.id}/reconciliations`)).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0].report.samples.missing).toEqual([{ so_van_ban: '125/UBND-VX' }]);
    const after = (await inject(ownerA, 'GET', `/api/v1/systems/${oldSys}/merger`)).json();
    expect(after.tasks.find((t: { id: string }) => t.id === migrate.id).reconciliations).toBe(1);
    expect(after.reconciliations[0].sourceDescription).toContain('Bình Định');
    const bad = await inject(operatorA, 'POST', `/api/v1/merger-tasks/${migrate.id}/reconciliations`, { report: { ...rep, counts: { ...rep.counts, missing: -1 } } });
    expect(bad.statusCode).toBe(400);
    const notAReport = await inject(operatorA, 'POST', `/api/v1/merger-tasks/${migrate.id}/reconciliations`, { report: { counts: rep.counts } });
    expect(notAReport.statusCode).toBe(400);
    const equal = await inject(operatorA, 'POST', `/api/v1/merger-tasks/${migrate.id}/reconciliations`, { sourceDescription: 'Bảng sau khi bổ sung 3 văn bản', report: report({ missing: 0, extra: 0, changed: 0, equal: 48_215 }) });
    expect(equal.json()).toMatchObject({ outcome: 'equal', sourceDescription: 'Bảng sau khi bổ sung 3 văn bản' });
  });
});

describe('maintenance windows and outages', () => {
  it('a stop inside a window is planned; outside, or overrunning it, is flagged UNPLANNED', async () => {
    const w = await inject(ownerA, 'POST', '/api/v1/maintenance-windows', { systemId: newSys, title: 'Chuyển đổi dữ liệu văn bản Bình Định sang iOffice', startsAt: '2025-08-16T22:00:00+07:00', endsAt: '2025-08-17T06:00:00+07:00' });
    expect(w.statusCode, w.body).toBe(201);
    expect(w.json().startsAt).toBe('2025-08-16T15:00:00.000Z');
    expect((await inject(operatorA, 'POST', '/api/v1/maintenance-windows', { systemId: newSys, title: 'x y', startsAt: '2025-08-16T22:00:00+07:00', endsAt: '2025-08-17T06:00:00+07:00' })).statusCode).toBe(403);
    const inside = await inject(operatorA, 'POST', '/api/v1/outages', { systemId: newSys, startedAt: '2025-08-16T22:05:00+07:00', endedAt: '2025-08-17T03:30:00+07:00', cause: 'Cắt chuyển theo kế hoạch' });
    expect(inside.statusCode, inside.body).toBe(201);
    expect(inside.json()).toMatchObject({ planned: true, windowId: w.json().id });
    const outside = await inject(operatorA, 'POST', '/api/v1/outages', { systemId: newSys, startedAt: '2025-09-03T09:12:00+07:00', endedAt: '2025-09-03T10:40:00+07:00', cause: 'Mất kết nối cơ sở dữ liệu' });
    expect(outside.json()).toMatchObject({ planned: false, windowId: null });
    // Ongoing stop that started inside the window is planned until its end overruns the window.
    const ongoing = await inject(operatorA, 'POST', '/api/v1/outages', { systemId: newSys, startedAt: '2025-08-17T05:00:00+07:00' });
    expect(ongoing.json().planned).toBe(true);
    const overrun = await inject(operatorA, 'PATCH', `/api/v1/outages/${ongoing.json().id}`, { endedAt: '2025-08-17T08:00:00+07:00' });
    expect(overrun.json()).toMatchObject({ planned: false });
    const unplanned = (await inject(ownerA, 'GET', `/api/v1/outages?systemId=${newSys}&planned=false`)).json();
    expect(unplanned.items).toHaveLength(2);
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'outage.record_unplanned').execute();
    expect(audit).toHaveLength(1);
    const before = await inject(operatorA, 'POST', '/api/v1/outages', { systemId: newSys, startedAt: '2025-09-03T09:12:00+07:00', endedAt: '2025-09-03T08:00:00+07:00' });
    expect(before.statusCode).toBe(400);
  });

  it('without systemId, outages and windows of every system in scope are listed, newest first, paged', async () => {
    const other = await inject(admin, 'POST', '/api/v1/systems', { code: 'GL-CONG', name: 'Cổng thông tin điện tử tỉnh Gia Lai cũ', type: 'citizen_service', ownerUnitId: unitA.id, origin: 'gl', information: { public: true } });
    expect(other.statusCode, other.body).toBe(201);
    await inject(operatorA, 'POST', '/api/v1/outages', { systemId: other.json().id, startedAt: '2025-10-01T08:00:00+07:00', endedAt: '2025-10-01T09:00:00+07:00', cause: 'Mất điện' });
    const all = await inject(ownerA, 'GET', '/api/v1/outages?planned=false');
    expect(all.statusCode, all.body).toBe(200);
    const items = all.json().items as { startedAt: string; planned: boolean; system: { code: string } }[];
    expect(all.json().total).toBe(3);
    expect(items.map((o) => o.system.code)).toEqual(['GL-CONG', 'GL-QLVB', 'GL-QLVB']);
    expect(items.every((o) => !o.planned)).toBe(true);
    expect(items.map((o) => o.startedAt)).toEqual([...items.map((o) => o.startedAt)].sort().reverse());
    const page2 = (await inject(ownerA, 'GET', '/api/v1/outages?planned=false&pageSize=2&page=2')).json();
    expect(page2).toMatchObject({ total: 3, items: [{ system: { code: 'GL-QLVB' } }] });
    expect((await inject(ownerA, 'GET', '/api/v1/outages?pageSize=1000')).statusCode).toBe(400);
    const windows = (await inject(ownerA, 'GET', '/api/v1/maintenance-windows')).json();
    expect(windows).toMatchObject({ total: 1, items: [{ system: { code: 'GL-QLVB' } }] });
    // Another unit's manager sees none of unit A's stops in the province-wide list.
    expect((await inject(managerB, 'GET', '/api/v1/outages')).json()).toEqual({ items: [], total: 0 });
    expect((await inject(managerB, 'GET', '/api/v1/maintenance-windows')).json()).toEqual({ items: [], total: 0 });
  });

  it('window cover is inclusive at both ends', () => {
    const w = [{ id: 'w', starts_at: '2025-08-16T15:00:00.000Z', ends_at: '2025-08-16T23:00:00.000Z' }];
    expect(windowCovering(w, '2025-08-16T15:00:00.000Z', '2025-08-16T23:00:00.000Z')).toBe('w');
    expect(windowCovering(w, '2025-08-16T14:59:59.999Z', '2025-08-16T20:00:00.000Z')).toBeNull();
    expect(windowCovering(w, '2025-08-16T16:00:00.000Z', '2025-08-16T23:00:00.001Z')).toBeNull();
  });
});
