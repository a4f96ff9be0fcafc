import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../support/context.js';
import { multipartFile } from './multipart.js';

/**
 * A unit_manager of unit A must not read or change anything of sibling unit B: units, people, users.
 * Each refusal is a 403 whose body carries no data of B, and leaves an `authz.denied` audit entry.
 */
let ctx: TestContext;
let managerA: TestUser;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
let personB: string;
let userB: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'Tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'XA-A', name: 'Xã Ia Grai', type: 'commune', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'XA-B', name: 'Xã Tuy Phước', type: 'commune', parentId: root.id });
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  userB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'official', unitId: unitB.id }] });
  const admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
  const p = await ctx.app.inject({ method: 'POST', url: '/api/v1/people', headers: admin.headers, payload: { fullName: 'Bí Mật Bê', unitId: unitB.id, citizenId: '052111222333' } });
  personB = p.json().id;
});
afterAll(async () => ctx.close());

async function expectDenied(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const before = await ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'authz.denied').executeTakeFirstOrThrow();
  const res = await ctx.app.inject({ method, url, headers: managerA.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
  expect(res.body).not.toContain('Bí Mật');
  expect(res.body).not.toContain('Tuy Phước');
  const after = await ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'authz.denied').executeTakeFirstOrThrow();
  expect(Number(after.n)).toBe(Number(before.n) + 1);
  const last = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'authz.denied').orderBy('seq', 'desc').executeTakeFirstOrThrow();
  expect(last.actor_user_id).toBe(managerA.id);
  expect(last.outcome).toBe('denied');
}

describe('cross-unit isolation (unit_manager of A vs sibling B)', () => {
  it('cannot read or change unit B', async () => {
    await expectDenied('GET', `/api/v1/org-units/${unitB.id}`);
    await expectDenied('PATCH', `/api/v1/org-units/${unitB.id}`, { name: 'Đổi tên' });
    await expectDenied('POST', '/api/v1/org-units', { code: 'SUB-B', name: 'Tổ B', type: 'sub_unit', parentId: unitB.id });
    await expectDenied('POST', `/api/v1/org-units/${unitB.id}/merge`, { intoId: unitA.id, mergedOn: '2026-01-01', decision: 'x' });
    await expectDenied('GET', `/api/v1/org-units/${unitB.id}/successor`);
    const mp = multipartFile('dv.csv', `code,name,type,parent_code\nTO-B1,Tổ B1,sub_unit,${unitB.code}\n`);
    const imp = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units/import', headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(imp.statusCode).toBe(403);
    const mpOk = multipartFile('dv.csv', `code,name,type,parent_code\nTO-A1,Tổ A1,sub_unit,${unitA.code}\n`);
    const impOk = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units/import', headers: { ...managerA.headers, ...mpOk.headers }, payload: mpOk.payload });
    expect(impOk.statusCode, impOk.body).toBe(200);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units?includeFormer=true', headers: managerA.headers });
    expect(list.json().items.map((u: { code: string }) => u.code)).toEqual(['XA-A', 'TO-A1']);
  });

  it('cannot read or change people of B', async () => {
    await expectDenied('GET', `/api/v1/people/${personB}`);
    await expectDenied('PATCH', `/api/v1/people/${personB}`, { fullName: 'Tên Khác' });
    await expectDenied('POST', `/api/v1/people/${personB}/status`, { status: 'retired', effectiveFrom: '2026-01-01' });
    await expectDenied('GET', `/api/v1/people/${personB}/history`);
    await expectDenied('POST', '/api/v1/people', { fullName: 'Người Mới', unitId: unitB.id });
    await expectDenied('GET', `/api/v1/people?unitId=${unitB.id}`);
    const own = await ctx.app.inject({ method: 'POST', url: '/api/v1/people', headers: managerA.headers, payload: { fullName: 'Người Của A', unitId: unitA.id } });
    expect(own.statusCode).toBe(201);
    await expectDenied('POST', `/api/v1/people/${own.json().id}/status`, { status: 'transferred', unitId: unitB.id, effectiveFrom: '2026-01-01' });
    const search = await ctx.app.inject({ method: 'GET', url: '/api/v1/people?q=052111222333', headers: managerA.headers });
    expect(search.json().items).toEqual([]);
    const exp = await ctx.app.inject({ method: 'GET', url: '/api/v1/people/export', headers: managerA.headers });
    expect(exp.body).not.toContain('Bí Mật');
    const mp = multipartFile('b.csv', `ho_ten,ma_don_vi\nNgười Lạ,${unitB.code}\n`);
    const before = await ctx.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const imp = await ctx.app.inject({ method: 'POST', url: '/api/v1/people/import', headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(imp.statusCode).toBe(403);
    const after = await ctx.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('cannot read or change users of B', async () => {
    await expectDenied('GET', `/api/v1/users/${userB.id}`);
    await expectDenied('PATCH', `/api/v1/users/${userB.id}`, { status: 'disabled' });
    await expectDenied('GET', `/api/v1/users/${userB.id}/sessions`);
    await expectDenied('POST', `/api/v1/users/${userB.id}/sessions/revoke`);
    await expectDenied('POST', `/api/v1/users/${userB.id}/grants`, { role: 'official', unitId: unitB.id });
    await expectDenied('POST', '/api/v1/users', { username: 'ke.la', displayName: 'Kẻ Lạ', unitId: unitB.id });
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/users', headers: managerA.headers });
    expect(list.json().items.map((u: { id: string }) => u.id)).toEqual([managerA.id]);
    const sessions = await ctx.db.selectFrom('sessions').select('ended_at').where('user_id', '=', userB.id).execute();
    expect(sessions.every((s) => s.ended_at === null)).toBe(true);
  });

  it('answers 404 (not 403) for ids that do not exist', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/people/00000000-0000-7000-8000-000000000000', headers: managerA.headers });
    expect(res.statusCode).toBe(404);
  });
});
