import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../support/context.js';

/**
 * A grant covers the history of the units merged into its unit: the manager of a new commune sees the former
 * communes it absorbed (and their former units' people), through a chain of mergers, but not former communes
 * merged elsewhere.
 */
let ctx: TestContext;
let manager: TestUser;
let admin: TestUser;
const ids: Record<string, string> = {};
/** Former units existed long before the 2025-07-01 mergers (a merger must fall after a unit's first day). */
const FORMER_FROM = '2008-08-01';

async function merge(unitId: string, intoId: string, by: TestUser) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/org-units/${unitId}/merge`,
    headers: by.headers,
    payload: { intoId, mergedOn: '2025-07-01', decision: 'Nghị quyết 1664/NQ-UBTVQH15' },
  });
  expect(res.statusCode, res.body).toBe(200);
}

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  const oldProvince = await insertUnit(ctx, { code: 'BD-CU', name: 'UBND tỉnh Bình Định', type: 'former_province', validFrom: FORMER_FROM });
  const district = await insertUnit(ctx, { code: 'TP-QN', name: 'TP Quy Nhơn', type: 'former_district', parentId: oldProvince.id, validFrom: FORMER_FROM });
  const oldWard = await insertUnit(ctx, { code: 'P-LLOI', name: 'Phường Lê Lợi', type: 'former_commune', parentId: district.id, validFrom: FORMER_FROM });
  const otherOld = await insertUnit(ctx, { code: 'X-PHUOC', name: 'Xã Phước Thuận', type: 'former_commune', parentId: district.id, validFrom: FORMER_FROM });
  const ward = await insertUnit(ctx, { code: 'P-QN', name: 'Phường Quy Nhơn', type: 'ward', parentId: root.id });
  const otherWard = await insertUnit(ctx, { code: 'P-QNN', name: 'Phường Quy Nhơn Nam', type: 'ward', parentId: root.id });
  Object.assign(ids, { root: root.id, oldProvince: oldProvince.id, district: district.id, oldWard: oldWard.id, otherOld: otherOld.id, ward: ward.id, otherWard: otherWard.id });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }, { role: 'admin', unitId: oldProvince.id }] });
  manager = await insertUserWithSession(ctx, { unitId: ward.id, grants: [{ role: 'unit_manager', unitId: ward.id }] });
  // An interim unit in the chain: Phường Lê Lợi → (interim) Phường Trung tâm → Phường Quy Nhơn.
  const interim = await insertUnit(ctx, { code: 'P-TT', name: 'Phường Trung tâm (tạm)', type: 'former_commune', parentId: district.id, validFrom: FORMER_FROM });
  ids.interim = interim.id;
  await merge(oldWard.id, interim.id, admin);
  await merge(interim.id, ward.id, admin);
  await merge(otherOld.id, otherWard.id, admin);
  await merge(oldProvince.id, root.id, admin);
  for (const [name, unitId] of [['Trần Thị Lê Lợi', oldWard.id], ['Phạm Văn Phước', otherOld.id]] as const) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/people', headers: admin.headers, payload: { fullName: name, unitId, status: 'retired' } });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => ctx?.close());

describe('scope follows merger lineage', () => {
  it('lets the successor commune see the former communes it absorbed, through a chain', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units?includeFormer=true', headers: manager.headers });
    expect(res.statusCode).toBe(200);
    const visible = (res.json() as { items: { id: string }[] }).items.map((u) => u.id);
    expect(visible).toContain(ids.ward);
    expect(visible).toContain(ids.interim);
    expect(visible).toContain(ids.oldWard);
    expect(visible).not.toContain(ids.otherOld);
    expect(visible).not.toContain(ids.district);

    const people = await ctx.app.inject({ method: 'GET', url: '/api/v1/people?q=le loi', headers: manager.headers });
    expect(people.json().items.map((p: { fullName: string }) => p.fullName)).toEqual(['Trần Thị Lê Lợi']);
    const other = await ctx.app.inject({ method: 'GET', url: `/api/v1/org-units/${ids.otherOld}`, headers: manager.headers });
    expect(other.statusCode).toBe(403);
  });

  it('lets the new province see both former provinces once they are merged into it', async () => {
    const provincial = await insertUserWithSession(ctx, { unitId: ids.root!, grants: [{ role: 'auditor', unitId: ids.root! }] });
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units?includeFormer=true', headers: provincial.headers });
    const visible = (res.json() as { items: { id: string }[] }).items.map((u) => u.id);
    expect(visible).toEqual(expect.arrayContaining([ids.oldProvince, ids.district, ids.otherOld, ids.oldWard]));
  });
});
