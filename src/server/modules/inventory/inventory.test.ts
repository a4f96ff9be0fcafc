import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';

let ctx: TestContext;
let admin: TestUser;
let managerA: TestUser;
let operatorA: TestUser;
let police: TestUser;
let root: { id: string; path: string; code: string };
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'SO-TC', name: 'Sở Tài chính', parentId: root.id });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  operatorA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'operator', unitId: unitA.id }] });
  police = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'police', unitId: root.id }] });
});
afterAll(async () => ctx?.close());

function system(over: Record<string, unknown> = {}) {
  return { code: `HT-${Math.random().toString(36).slice(2, 8)}`, name: 'Hệ thống quản lý hồ sơ sức khỏe', type: 'internal', ownerUnitId: unitA.id, ...over };
}

async function post(user: TestUser, url: string, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url, headers: user.headers, payload: payload as object });
}

async function deniedCount(): Promise<number> {
  const r = await ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'authz.denied').executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('catalogue of information systems', () => {
  it('creates a system with all facts and returns the stored NĐ 331 proposal and transition state', async () => {
    const res = await post(managerA, '/api/v1/systems', system({
      code: 'SYT-HSSK',
      type: 'citizen_service',
      purpose: 'Quản lý hồ sơ sức khỏe điện tử của người dân',
      information: { public: true, private: true, personal: true, personalSubjects: 250_000, sensitivePersonal: true, sensitiveSubjects: 250_000, stateSecret: 'none' },
      connections: { lgsp: true, ndxp: false, nationalPopulationDb: true, others: [{ systemId: null, name: 'Cổng Dịch vụ công quốc gia' }] },
      hosting: 'provincial_data_centre', rtoMinutes: 240, rpoMinutes: 60,
      internalUsers: 300, externalUsers: 250_000,
      approvalDocuments: [{ number: '123/QĐ-UBND', date: '2024-05-02', title: 'Phê duyệt dự án' }],
    }));
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({ code: 'SYT-HSSK', proposedLevel: 3, ownerUnit: { code: 'SO-YT' }, transition: { state: 'unclassified', deadline: '2027-07-01' } });
    expect(s.connections.nationalPopulationDb).toBe(true);
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'system.create').where('target_id', '=', s.id).execute();
    expect(audit).toHaveLength(1);
  });

  it('the level needs confirmation by the owner; an override needs a justification, and both are stored and audited', async () => {
    const s = (await post(managerA, '/api/v1/systems', system({ code: 'SYT-TTHC', type: 'citizen_service', administrativeProcedure: true, legacyLevel: 2 }))).json();
    const detail = (await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${s.id}`, headers: managerA.headers })).json();
    expect(detail.proposal.level).toBe(3);
    expect(detail.proposal.reasons[0]).toMatchObject({ ruleId: 'nd331_administrative_procedure' });
    expect(detail.system.transition.state).toBe('legacy_only');

    // An operator may read but not decide the level.
    const byOperator = await post(operatorA, `/api/v1/systems/${s.id}/level-decision`, { decidedLevel: 3 });
    expect(byOperator.statusCode).toBe(403);

    const noReason = await post(managerA, `/api/v1/systems/${s.id}/level-decision`, { decidedLevel: 2 });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().error.code).toBe('level.justification_required');

    const confirm = await post(managerA, `/api/v1/systems/${s.id}/level-decision`, { decidedLevel: 3, dossierNo: 'HS-331-01' });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json().system).toMatchObject({ newLevel: { level: 3, dossierNo: 'HS-331-01' }, transition: { state: 'awaiting_approval' } });

    const override = await post(managerA, `/api/v1/systems/${s.id}/level-decision`, { decidedLevel: 4, justification: 'Đánh giá rủi ro năm 2026 cho thấy rủi ro cao hơn (Đ10.5).' });
    expect(override.statusCode, override.body).toBe(200);
    const body = override.json();
    expect(body.decisions).toHaveLength(2);
    expect(body.decisions[0]).toMatchObject({ kind: 'override', proposedLevel: 3, decidedLevel: 4, justification: expect.stringContaining('rủi ro') });
    expect(body.decisions[0].proposal.reasons.length).toBeGreaterThan(0);
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'system.level_override').where('target_id', '=', s.id).executeTakeFirstOrThrow();
    expect(audit.reason).toContain('rủi ro');

    // Recording the approval decision completes the transition.
    const approved = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/systems/${s.id}`, headers: managerA.headers, payload: { newDecisionNo: '45/QĐ-UBND', newDecisionDate: '2026-11-20' } });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().transition).toMatchObject({ state: 'classified', overdue: false });
  });

  it('previews the level of unsaved facts with reasons under both regimes', async () => {
    const res = await post(operatorA, '/api/v1/systems/level-preview', { type: 'citizen_service', information: { public: true, personal: true, personalSubjects: 100_000 }, onlineServiceLevel: 2 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().proposal).toMatchObject({ regime: 'nd331', level: 3 });
    expect(res.json().proposal.reasons[0].ruleId).toBe('nd331_personal_100k');
    expect(res.json().legacyProposal).toMatchObject({ regime: 'nd85', level: 3 });
    const composite = await post(operatorA, '/api/v1/systems/level-preview', { type: 'internal', partLevels: [2, 4] });
    expect(composite.json().proposal.level).toBe(4);
    const nobody = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'official', unitId: unitA.id }] });
    expect((await post(nobody, '/api/v1/systems/level-preview', { type: 'internal' })).statusCode).toBe(403);
  });

  it('a composite system takes the highest level of its parts', async () => {
    const parent = (await post(managerA, '/api/v1/systems', system({ code: 'SYT-TONG', type: 'internal' }))).json();
    expect(parent.proposedLevel).toBe(1);
    await post(managerA, '/api/v1/systems', system({ code: 'SYT-CON', type: 'citizen_service', administrativeProcedure: true, parentSystemId: parent.id }));
    const detail = (await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${parent.id}`, headers: managerA.headers })).json();
    expect(detail.system.proposedLevel).toBe(3);
    expect(detail.proposal.reasons[0].ruleId).toBe('composite_highest');
    expect(detail.parts).toHaveLength(1);
  });

  it('lists with filters: level regime, transition state, status, disposition and unit', async () => {
    const q = async (qs: string) => (await ctx.app.inject({ method: 'GET', url: `/api/v1/systems?${qs}`, headers: admin.headers })).json();
    const legacy = await q('transition=legacy_only');
    expect(legacy.items.every((s: { transition: { state: string } }) => s.transition.state === 'legacy_only')).toBe(true);
    const classified = await q('transition=classified');
    expect(classified.items.map((s: { code: string }) => s.code)).toEqual(['SYT-TTHC']);
    expect((await q('level=4&regime=nd331')).items.map((s: { code: string }) => s.code)).toEqual(['SYT-TTHC']);
    expect((await q('level=4&regime=nd85')).total).toBe(0);
    expect((await q(`unitId=${unitB.id}`)).total).toBe(0);
    expect((await q('disposition=none')).total).toBe((await q('')).total);
    expect((await q('q=suc khoe')).total).toBeGreaterThan(0);
  });

  it('a unit_manager of unit A cannot read or change unit B systems (403, audited); list shows none of them', async () => {
    const b = (await post(admin, '/api/v1/systems', system({ code: 'STC-QLNS', name: 'Hệ thống quản lý ngân sách', ownerUnitId: unitB.id }))).json();
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/systems?pageSize=500', headers: managerA.headers })).json();
    expect(list.items.some((s: { id: string }) => s.id === b.id)).toBe(false);
    for (const [method, url, payload] of [
      ['GET', `/api/v1/systems/${b.id}`, undefined],
      ['PATCH', `/api/v1/systems/${b.id}`, { name: 'Đổi tên' }],
      ['DELETE', `/api/v1/systems/${b.id}`, undefined],
      ['POST', `/api/v1/systems/${b.id}/level-decision`, { decidedLevel: 2 }],
      ['POST', '/api/v1/systems', system({ code: 'X-B', ownerUnitId: unitB.id })],
    ] as const) {
      const before = await deniedCount();
      const res = await ctx.app.inject({ method, url, headers: managerA.headers, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.body).not.toContain('ngân sách');
      expect(res.body).not.toContain(unitB.id);
      expect(await deniedCount()).toBe(before + 1);
      // The denial is recorded against unit B, so B's auditors see who tried.
      const last = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'authz.denied').orderBy('seq', 'desc').executeTakeFirstOrThrow();
      expect(last.unit_id).toBe(unitB.id);
    }
    // Being the operating unit of B's system makes it visible (and editable) to A.
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/systems/${b.id}`, headers: admin.headers, payload: { operatingUnitId: unitA.id } });
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${b.id}`, headers: managerA.headers })).statusCode).toBe(200);
    // Police (read at the province) sees everything but cannot write.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${b.id}`, headers: police.headers })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/systems/${b.id}`, headers: police.headers, payload: { name: 'x y' } })).statusCode).toBe(403);
  });

  it('a manager cannot hand their system to a unit outside their scope', async () => {
    const mine = (await post(managerA, '/api/v1/systems', system({ code: 'SYT-CHUYEN' }))).json();
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/systems/${mine.id}`, headers: managerA.headers, payload: { ownerUnitId: unitB.id, operatingUnitId: unitA.id } });
    expect(res.statusCode).toBe(403);
    const row = await ctx.db.selectFrom('information_systems').select('owner_unit_id').where('id', '=', mine.id).executeTakeFirstOrThrow();
    expect(row.owner_unit_id).toBe(unitA.id);
  });

  it('recording levels directly needs system.confirm_level; unknown ids answer 404', async () => {
    const res = await post(operatorA, '/api/v1/systems', system({ code: 'OP-1' }));
    expect(res.statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/systems/01900000-0000-7000-8000-000000000000', headers: admin.headers })).statusCode).toBe(404);
  });

  it('deletes explicitly; refuses while parts refer to it', async () => {
    const parent = (await ctx.app.inject({ method: 'GET', url: '/api/v1/systems?q=SYT-TONG', headers: admin.headers })).json().items[0];
    const refused = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/systems/${parent.id}`, headers: managerA.headers });
    expect(refused.statusCode).toBe(409);
    const lone = (await post(managerA, '/api/v1/systems', system({ code: 'SYT-XOA' }))).json();
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/systems/${lone.id}`, headers: managerA.headers })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${lone.id}`, headers: managerA.headers })).statusCode).toBe(404);
  });
});

describe('assets', () => {
  it('creates a server linked to systems, with software and CPE; scoped by owner unit', async () => {
    const sys = (await ctx.app.inject({ method: 'GET', url: '/api/v1/systems?q=SYT-HSSK', headers: managerA.headers })).json().items[0];
    const res = await post(managerA, '/api/v1/assets', {
      code: 'SYT-SRV-01', kind: 'server', name: 'Máy chủ ứng dụng HSSK', hostname: 'HSSK-APP01', ips: ['10.10.1.15', 'fd00::15'],
      osName: 'Ubuntu Server', osVersion: '22.04', location: 'Trung tâm dữ liệu tỉnh, tủ A3', ownerUnitId: unitA.id, systemIds: [sys.id],
      software: [{ vendor: 'nginx', product: 'nginx', version: '1.24.0', cpe: 'cpe:2.3:a:f5:nginx:1.24.0:*:*:*:*:*:*:*' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json();
    expect(a).toMatchObject({ hostname: 'hssk-app01', systems: [{ code: 'SYT-HSSK' }], software: [{ product: 'nginx' }] });
    const detail = (await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${sys.id}`, headers: managerA.headers })).json();
    expect(detail.assets.map((x: { code: string }) => x.code)).toEqual(['SYT-SRV-01']);

    const bad = await post(managerA, '/api/v1/assets', { code: 'X1', kind: 'server', name: 'x', ownerUnitId: unitA.id, ips: ['999.1.1.1'] });
    expect(bad.statusCode).toBe(400);

    // Transfer after the merger needs a target unit.
    const noTarget = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/assets/${a.id}`, headers: managerA.headers, payload: { reuseDisposition: 'transfer' } });
    expect(noTarget.statusCode).toBe(400);
    const transfer = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/assets/${a.id}`, headers: managerA.headers, payload: { reuseDisposition: 'transfer', reuseTargetUnitId: unitB.id, reuseDecision: 'QĐ 88/QĐ-UBND ngày 01/10/2025' } });
    expect(transfer.statusCode, transfer.body).toBe(200);
    expect(transfer.json()).toMatchObject({ reuseDisposition: 'transfer', reuseTargetUnit: { code: 'SO-TC' } });

    const b = (await post(admin, '/api/v1/assets', { code: 'STC-WS-01', kind: 'workstation', name: 'Máy trạm kế toán', ownerUnitId: unitB.id })).json();
    const before = await deniedCount();
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/assets/${b.id}`, headers: managerA.headers })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/assets/${b.id}`, headers: managerA.headers, payload: { name: 'x' } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/assets/${b.id}`, headers: managerA.headers })).statusCode).toBe(403);
    expect(await deniedCount()).toBe(before + 3);
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/assets', headers: managerA.headers })).json();
    expect(list.items.map((x: { code: string }) => x.code)).toEqual(['SYT-SRV-01']);
  });
});

describe('summary', () => {
  it('counts by level under both regimes, unit, status, transition and merger, within scope', async () => {
    const all = (await ctx.app.inject({ method: 'GET', url: '/api/v1/inventory/summary', headers: admin.headers })).json();
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/inventory/summary', headers: managerA.headers })).json();
    expect(all.total).toBeGreaterThan(mine.total - 1);
    expect(all.byNewLevel.find((c: { key: string }) => c.key === '4')?.count).toBe(1);
    expect(all.byUnit.find((c: { key: string }) => c.key === 'SO-YT')?.count).toBeGreaterThan(0);
    expect(all.missingNewClassification).toBe(all.total - 1);
    expect(all.byMergerState).toEqual([{ key: 'no_plan', label: 'Chưa có phương án', count: all.total }]);
    expect(all.deadline).toBe('2027-07-01');
    expect(mine.assets.total).toBe(1);
  });
});
