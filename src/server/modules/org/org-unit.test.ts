import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { writeXlsx } from '../../engines/tabular/tabular.js';

let ctx: TestContext;
let admin: TestUser;
let root: { id: string; path: string };

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'Tỉnh Gia Lai', type: 'province' });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
});
afterAll(async () => ctx.close());

async function create(body: Record<string, unknown>) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: admin.headers, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; depth: number; parentId: string | null };
}

describe('org units with merger lineage', () => {
  it('creates units with depth from the parent and lists them flat', async () => {
    const u = await create({ code: 'SO-TT', name: 'Sở Thông tin và Truyền thông', type: 'department', parentId: root.id });
    expect(u.depth).toBe(1);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units', headers: admin.headers });
    expect(list.json().items.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([root.id, u.id]));
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/org-units/${u.id}`, headers: admin.headers, payload: { name: 'Sở Khoa học và Công nghệ' } });
    expect(patched.json().name).toBe('Sở Khoa học và Công nghệ');
  });

  it('merges, follows the successor chain across two merges, and lists units ceased on a date', async () => {
    const a = await create({ code: 'XA-A', name: 'Xã An Nhơn', type: 'former_commune', parentId: root.id });
    const b = await create({ code: 'XA-B', name: 'Xã Bình Định', type: 'commune', parentId: root.id });
    const c = await create({ code: 'PH-C', name: 'Phường Quy Nhơn', type: 'ward', parentId: root.id });
    const m1 = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${a.id}/merge`, headers: admin.headers, payload: { intoId: b.id, mergedOn: '2025-07-01', decision: 'NQ 1664/NQ-UBTVQH15' } });
    expect(m1.statusCode, m1.body).toBe(200);
    expect(m1.json()).toMatchObject({ validTo: '2025-06-30', mergedIntoId: b.id, mergedOn: '2025-07-01', current: false });
    const m2 = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${b.id}/merge`, headers: admin.headers, payload: { intoId: c.id, mergedOn: '2026-01-01', decision: 'QĐ 2' } });
    expect(m2.statusCode, m2.body).toBe(200);

    const succ = await ctx.app.inject({ method: 'GET', url: `/api/v1/org-units/${a.id}/successor`, headers: admin.headers });
    expect(succ.json().successor.id).toBe(c.id);
    expect(succ.json().chain.map((u: { id: string }) => u.id)).toEqual([a.id, b.id, c.id]);

    const ceased = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units/ceased?date=2025-07-01', headers: admin.headers });
    expect(ceased.json().items.map((u: { id: string }) => u.id)).toEqual([a.id]);

    const current = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units', headers: admin.headers });
    expect(current.json().items.some((u: { id: string }) => u.id === a.id)).toBe(false);
    const all = await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units?includeFormer=true', headers: admin.headers });
    expect(all.json().items.some((u: { id: string }) => u.id === a.id)).toBe(true);

    // Refusals: into itself, into a unit that ceased, into a descendant.
    const self = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${c.id}/merge`, headers: admin.headers, payload: { intoId: c.id, mergedOn: '2026-02-01', decision: 'x' } });
    expect(self.statusCode).toBe(409);
    const intoCeased = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${c.id}/merge`, headers: admin.headers, payload: { intoId: a.id, mergedOn: '2026-02-01', decision: 'x' } });
    expect(intoCeased.json().error.code).toBe('org_unit.target_ceased');
    const child = await create({ code: 'TO-1', name: 'Tổ dân phố 1', type: 'sub_unit', parentId: c.id });
    const intoChild = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${c.id}/merge`, headers: admin.headers, payload: { intoId: child.id, mergedOn: '2026-02-01', decision: 'x' } });
    expect(intoChild.json().error.code).toBe('org_unit.merge_descendant');

    const audit = await ctx.db.selectFrom('audit_events').select(['action', 'unit_id']).where('action', '=', 'org_unit.merge').execute();
    expect(audit).toHaveLength(2);
  });

  it('refuses a merger on or before the day the unit began, naming mergedOn, and leaves the unit as it was', async () => {
    const a = await create({ code: 'XA-SOM', name: 'Xã Ia Sơm', type: 'commune', parentId: root.id, validFrom: '2025-07-01' });
    const b = await create({ code: 'XA-NHAN', name: 'Xã Ia Nhận', type: 'commune', parentId: root.id, validFrom: '2025-07-01' });
    for (const mergedOn of ['2025-07-01', '2025-03-15']) {
      const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${a.id}/merge`, headers: admin.headers, payload: { intoId: b.id, mergedOn, decision: 'QĐ 9' } });
      expect(res.statusCode, mergedOn).toBe(400);
      expect(res.json().error.code).toBe('org_unit.merged_on_before_valid_from');
      expect(res.json().error.message).toContain('mergedOn');
      expect(res.json().error.message).toContain('phải sau ngày đơn vị bắt đầu hiệu lực 01/07/2025');
      expect(res.json().error.details).toEqual([expect.objectContaining({ field: 'mergedOn' })]);
    }
    const row = await ctx.db.selectFrom('org_units').select(['valid_to', 'merged_into_id']).where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ valid_to: null, merged_into_id: null });
    const ok = await ctx.app.inject({ method: 'POST', url: `/api/v1/org-units/${a.id}/merge`, headers: admin.headers, payload: { intoId: b.id, mergedOn: '2025-07-02', decision: 'QĐ 9' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ validFrom: '2025-07-01', validTo: '2025-07-01' });
  });

  it('applies the same merger rules to an import, reporting each bad row and column, and writes nothing', async () => {
    const csv = [
      'ma_don_vi,ten_don_vi,loai,ma_don_vi_cha,hieu_luc_tu,hieu_luc_den,sap_nhap_vao,ngay_sap_nhap,quyet_dinh',
      'MR-H,Huyện Mang Yang,former_district,GL,2000-01-01,,MR-X,2025-07-01,NQ 1',
      'MR-X,Xã Đak Ta Ley,commune,MR-H,2010-01-01,,,,',
      'MR-Y,Xã Hà Ra,former_commune,GL,2025-07-01,,MR-Z,2025-07-01,NQ 2',
      'MR-Z,Xã Kon Thụp,commune,GL,2000-01-01,,,,',
      'MR-C,Xã cũ đã giải thể,former_commune,GL,2000-01-01,2020-12-31,,,',
      'MR-W,Xã Đê Ar,former_commune,GL,2000-01-01,,MR-C,2025-07-01,NQ 3',
    ].join('\n');
    const mp = multipartFile('sap-nhap.csv', csv);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units/import', headers: { ...admin.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode, res.body).toBe(422);
    const errors = res.json().error.details.errors as { row: number; column: string; message: string }[];
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [2, 'sap_nhap_vao'], // into its own child
      [4, 'ngay_sap_nhap'], // on the day it began
      [7, 'sap_nhap_vao'], // into a unit that ceased in 2020
    ]);
    expect(errors[1]!.message).toBe('Tệp sap-nhap.csv, dòng 4, cột ngay_sap_nhap: ngày sáp nhập 01/07/2025 phải sau ngày đơn vị bắt đầu hiệu lực 01/07/2025.');
    expect(errors[0]!.message).toContain('không thể sáp nhập đơn vị vào đơn vị cấp dưới của nó');
    expect(errors[2]!.message).toContain('đơn vị tiếp nhận đã ngừng tồn tại vào ngày sáp nhập');
    expect(await ctx.db.selectFrom('org_units').select('id').where('code', 'like', 'MR-%').execute()).toHaveLength(0);

    // An existing unit merged, through the file, into its own existing child is refused as well.
    const parent = await create({ code: 'MR-P', name: 'Huyện Chư Păh', type: 'former_district', parentId: root.id, validFrom: '2000-01-01' });
    await create({ code: 'MR-Q', name: 'Xã Ia Ka', type: 'commune', parentId: parent.id, validFrom: '2000-01-01' });
    const again = multipartFile('sap-nhap-2.csv', 'code,name,type,merged_into_code,merged_on\nMR-P,Huyện Chư Păh,former_district,MR-Q,2025-07-01\n');
    const res2 = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units/import', headers: { ...admin.headers, ...again.headers }, payload: again.payload });
    expect(res2.statusCode, res2.body).toBe(422);
    expect(res2.json().error.details.errors).toEqual([expect.objectContaining({ row: 2, column: 'merged_into_code' })]);
  });

  it('imports units from CSV with parents after children, all or nothing', async () => {
    const csv = [
      'code,name,type,parent_code,valid_from,valid_to,merged_into_code,merged_on,merger_decision',
      'IMP-X2,Xã Cũ,former_commune,IMP-H,2000-01-01,,IMP-X1,2025-07-01,NQ 1664',
      'IMP-X1,Xã Mới,commune,IMP-H,2025-07-01,,,,',
      `IMP-H,Huyện cũ,former_district,GL,,2025-06-30,,,`,
    ].join('\n');
    const mp = multipartFile('don-vi.csv', csv);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units/import', headers: { ...admin.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, updated: 0 });
    const x2 = await ctx.db.selectFrom('org_units').selectAll().where('code', '=', 'IMP-X2').executeTakeFirstOrThrow();
    const x1 = await ctx.db.selectFrom('org_units').selectAll().where('code', '=', 'IMP-X1').executeTakeFirstOrThrow();
    const h = await ctx.db.selectFrom('org_units').selectAll().where('code', '=', 'IMP-H').executeTakeFirstOrThrow();
    expect(x2.merged_into_id).toBe(x1.id);
    expect(x2.valid_to).toBe('2025-06-30');
    expect(x1.path).toBe(`${root.path}${h.id}/${x1.id}/`);
    expect(x1.depth).toBe(2);
  });

  it('rejects an XLSX import with one bad row and writes nothing', async () => {
    const xlsx = await writeXlsx('Don vi', ['code', 'name', 'type', 'parent_code'], [
      ['XL-1', 'Phòng A', 'sub_unit', 'GL'],
      ['XL-2', 'Phòng B', 'not_a_type', 'GL'],
    ]);
    const mp = multipartFile('don-vi.xlsx', xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/org-units/import', headers: { ...admin.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.errors[0]).toMatchObject({ file: 'don-vi.xlsx', row: 3, column: 'type' });
    expect(await ctx.db.selectFrom('org_units').select('id').where('code', 'in', ['XL-1', 'XL-2']).execute()).toHaveLength(0);
  });
});
