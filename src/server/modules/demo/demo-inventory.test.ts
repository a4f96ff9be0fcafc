import { ReconcileReportSchema } from '../../../contracts/reconcile.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUserWithSession, type TestContext } from '../../../../test/support/context.js';
import { proposeLevel } from '../../engines/level-advisor/level-advisor.js';
import { DEMO_REFERENCE_DAY, generateDemoInventory } from './demo-inventory.js';
import { loadDemoData } from './demo-loader.js';

describe('demo inventory generator', () => {
  const data = generateDemoInventory();

  it('is deterministic', () => {
    expect(JSON.stringify(generateDemoInventory())).toBe(JSON.stringify(data));
  });

  it('has ~150 systems from both former provinces and the new units, with unique codes', () => {
    expect(data.systems.length).toBeGreaterThanOrEqual(140);
    expect(data.systems.length).toBeLessThanOrEqual(170);
    expect(new Set(data.systems.map((s) => s.code)).size).toBe(data.systems.length);
    expect(new Set(data.assets.map((a) => a.code)).size).toBe(data.assets.length);
    for (const o of ['bd', 'gl', 'new']) expect(data.systems.filter((s) => s.origin === o).length).toBeGreaterThan(10);
    const names = data.systems.map((s) => s.name).join('\n');
    for (const n of ['iGate', 'Cổng Dịch vụ công', 'VNPT-iOffice', 'thư điện tử', 'LGSP', 'IOC', 'Trang thông tin điện tử xã']) expect(names).toContain(n);
  });

  it('the administrative-procedure system is proposed level 3', () => {
    const igate = data.systems.find((s) => s.code === 'GL-IGATE')!;
    expect(igate.tthc).toBe(true);
    expect(proposeLevel({ type: igate.type, information: { public: true, private: true, personal: true, personalSubjects: 1, sensitivePersonal: false, sensitiveSubjects: null, stateSecret: 'none' }, onlineServiceLevel: null, administrativeProcedure: true, conditionalBusiness: false, infrastructureScope: 'none', icsWorkGrade: 'none', nationalEgov24x7: false, nationalSecurityImpact: 'none' }, 'nd331').level).toBe(3);
  });

  it('the merger plan is mid-way: tasks done, tasks overdue, tasks ahead', () => {
    const tasks = data.plans.flatMap((p) => p.tasks);
    expect(tasks.filter((t) => t.status === 'done').length).toBeGreaterThan(20);
    expect(tasks.filter((t) => t.status !== 'done' && t.dueDate < DEMO_REFERENCE_DAY).length).toBeGreaterThan(2);
    expect(tasks.filter((t) => t.dueDate >= DEMO_REFERENCE_DAY).length).toBeGreaterThan(2);
    expect(ReconcileReportSchema.parse(data.reconciliation.report).counts.missing).toBeGreaterThan(0);
  });
});

describe('demo loader with inventory', { timeout: 120_000 }, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx?.close());

  it('loads systems, assets, plan, window, outages and a reconciliation; the summary counts them', async () => {
    const r = await loadDemoData({ db: ctx.db, keys: ctx.keys, clock: ctx.now });
    expect(r.loaded).toBe(true);
    const root = await ctx.db.selectFrom('org_units').select('id').where('code', '=', 'GL').executeTakeFirstOrThrow();
    const admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'police', unitId: root.id }] });
    const summary = (await ctx.app.inject({ method: 'GET', url: '/api/v1/inventory/summary', headers: admin.headers })).json();
    const data = generateDemoInventory();
    expect(summary.total).toBe(data.systems.length);
    expect(summary.assets.total).toBe(data.assets.length);
    expect(summary.byMergerState.find((c: { key: string }) => c.key === 'in_progress').count).toBeGreaterThan(0);
    expect(summary.missingNewClassification).toBeGreaterThan(50);
    const igate = (await ctx.app.inject({ method: 'GET', url: '/api/v1/systems?q=GL-IGATE', headers: admin.headers })).json().items.find((s: { code: string }) => s.code === 'GL-IGATE');
    expect(igate.proposedLevel).toBe(3);
    const outages = await ctx.db.selectFrom('outages').selectAll().execute();
    expect(outages.map((o) => o.planned).sort()).toEqual([0, 1]);
    const rec = await ctx.db.selectFrom('merger_reconciliations').selectAll().executeTakeFirstOrThrow();
    expect(rec.missing_count).toBe(37);
    const igateMerger = await ctx.db.selectFrom('information_systems').select('id').where('code', '=', 'BD-QLVB').executeTakeFirstOrThrow();
    const m = await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${igateMerger.id}/merger`, headers: admin.headers });
    expect(m.statusCode, m.body).toBe(200);
    expect(m.json().reconciliations[0]).toMatchObject({ outcome: 'different', counts: { missing: 37 } });
  }, 180_000); // loads the whole demo (accounts and a review campaign and access logs included)
});
