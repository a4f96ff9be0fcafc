import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartParts } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';

/** An operator compares the old system's export with the new system's and the result becomes the task's evidence. */
let ctx: TestContext;
let operator: TestUser;
let outsider: TestUser;
let taskId: string;

const SOURCE = 'so_ho_so,nguoi_nop,ngay_nhan\nG01-001,Nguyễn Văn An,01/06/2025\nG01-002,Trần Thị Bình,02/06/2025\nG01-003,Lê Văn Cường,03/06/2025\nG01-004,Phạm Thị Dung,04/06/2025\n';
const TARGET = 'so_ho_so,nguoi_nop,ngay_nhan\nG01-001,Nguyễn Văn An,2025-06-01\nG01-002,Trần Thị Bình,2025-06-02\nG01-004,Phạm Thị Dung,2025-06-05\nG01-005,Võ Văn Em,2025-06-05\n';

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  const unit = await insertUnit(ctx, { code: 'TT-PVHCC', name: 'Trung tâm Phục vụ hành chính công tỉnh', type: 'agency', parentId: root.id });
  const other = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  const admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
  operator = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'operator', unitId: unit.id }] });
  outsider = await insertUserWithSession(ctx, { unitId: other.id, grants: [{ role: 'unit_manager', unitId: other.id }] });
  const sys = await ctx.app.inject({
    method: 'POST', url: '/api/v1/systems', headers: admin.headers,
    payload: { code: 'BD-MOTCUA', name: 'Hệ thống một cửa điện tử tỉnh Bình Định', type: 'citizen_service', ownerUnitId: unit.id, origin: 'bd', information: { public: true, personal: true } },
  });
  expect(sys.statusCode, sys.body).toBe(201);
  const plan = await ctx.app.inject({
    method: 'PUT', url: `/api/v1/systems/${sys.json().id}/merger-plan`, headers: admin.headers,
    payload: { disposition: 'retire', phase: 'during', leadUnitId: unit.id, responsibleUnitIds: [unit.id], withStandardTasks: true },
  });
  expect(plan.statusCode, plan.body).toBe(200);
  const merger = await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${sys.json().id}/merger`, headers: admin.headers });
  taskId = merger.json().tasks.find((t: { checkpoint: string }) => t.checkpoint === 'data_migrated').id;
});
afterAll(async () => ctx?.close());

function upload(key = 'so_ho_so') {
  return multipartParts([
    { name: 'key', value: key },
    { name: 'columns', value: 'nguoi_nop,ngay_nhan' },
    { name: 'source', fileName: 'motcua-binhdinh.csv', data: SOURCE },
    { name: 'target', fileName: 'igate-gialai.csv', data: TARGET },
  ]);
}

describe('reconciliation of two uploaded exports', () => {
  it('finds the missing, extra and changed dossiers and keeps the report on the task', async () => {
    const body = upload();
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/merger-tasks/${taskId}/reconciliations/run`, headers: { ...operator.headers, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r.counts).toEqual({ equal: 2, missing: 1, extra: 1, changed: 1 });
    expect(r.outcome).toBe('different');
    expect(r.report.samples.missing).toEqual([{ so_ho_so: 'G01-003' }]);
    expect(r.report.samples.changed[0].columns).toEqual([{ column: 'ngay_nhan', source: '2025-06-04', target: '2025-06-05' }]);
    const listed = await ctx.app.inject({ method: 'GET', url: `/api/v1/merger-tasks/${taskId}/reconciliations`, headers: operator.headers });
    expect(listed.json().items.map((i: { sourceDescription: string }) => i.sourceDescription)).toEqual(['motcua-binhdinh.csv']);
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'merger_reconciliation.attach').execute();
    expect(audit).toHaveLength(1);
  });

  it('names the missing column, and refuses a user of another unit before reading anything', async () => {
    const bad = upload('ma_ho_so');
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/merger-tasks/${taskId}/reconciliations/run`, headers: { ...operator.headers, ...bad.headers }, payload: bad.payload });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.json().error.message).toContain('ma_ho_so');
    const body = upload();
    const denied = await ctx.app.inject({ method: 'POST', url: `/api/v1/merger-tasks/${taskId}/reconciliations/run`, headers: { ...outsider.headers, ...body.headers }, payload: body.payload });
    expect(denied.statusCode).toBe(403);
  });
});
