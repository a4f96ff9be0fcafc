import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';

let ctx: TestContext;
let admin: TestUser;
let managerA: TestUser;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-KHCN', name: 'Sở Khoa học và Công nghệ', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'CA', name: 'Công an tỉnh', type: 'police', parentId: root.id });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  const s = await ctx.app.inject({
    method: 'POST', url: '/api/v1/systems', headers: admin.headers,
    payload: { code: 'LGSP', name: 'Nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSP)', type: 'infrastructure', infrastructureScope: 'sector_or_provinces', ownerUnitId: unitA.id, legacyLevel: 3, legacyDecisionNo: '12/QĐ-UBND', legacyDecisionDate: '2021-03-04' },
  });
  expect(s.statusCode, s.body).toBe(201);
  const a = await ctx.app.inject({
    method: 'POST', url: '/api/v1/assets', headers: admin.headers,
    payload: { code: 'TTDL-SRV-01', kind: 'server', name: 'Máy chủ LGSP 01', hostname: 'lgsp-01', ips: ['10.0.0.5'], ownerUnitId: unitA.id, systemIds: [s.json().id], software: [{ vendor: 'WSO2', product: 'API Manager', version: '4.2.0', cpe: null }] },
  });
  expect(a.statusCode, a.body).toBe(201);
});
afterAll(async () => ctx?.close());

async function exportBook(user: TestUser): Promise<ExcelJS.Workbook> {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/inventory/export', headers: user.headers });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return wb;
}

async function importBook(user: TestUser, wb: ExcelJS.Workbook, name = 'danh-muc.xlsx') {
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const mp = multipartFile(name, buf, XLSX);
  return ctx.app.inject({ method: 'POST', url: '/api/v1/inventory/import', headers: { ...user.headers, ...mp.headers }, payload: mp.payload });
}

function col(ws: ExcelJS.Worksheet, header: string): number {
  const values = ws.getRow(1).values as string[];
  const i = values.indexOf(header);
  if (i < 0) throw new Error(`no column ${header}`);
  return i;
}

async function counts() {
  const s = await ctx.db.selectFrom('information_systems').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const a = await ctx.db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { systems: Number(s.n), assets: Number(a.n) };
}

describe('inventory XLSX round trip', () => {
  it('exports Vietnamese sheets with an id column; re-importing unchanged changes nothing', async () => {
    const wb = await exportBook(admin);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Hệ thống', 'Tài sản']);
    const ws = wb.getWorksheet('Hệ thống')!;
    expect(ws.getRow(2).getCell(col(ws, 'Mã hệ thống')).value).toBe('LGSP');
    expect(ws.getRow(2).getCell(col(ws, 'Cấp độ theo NĐ 85/2016')).value).toBe('3');
    expect(wb.getWorksheet('Tài sản')!.getRow(2).getCell(col(wb.getWorksheet('Tài sản')!, 'Mã hệ thống phục vụ')).value).toBe('LGSP');
    const res = await importBook(admin, wb);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ systems: { created: 0, updated: 0, unchanged: 1 }, assets: { created: 0, updated: 0, unchanged: 1 } });
  });

  it('rows with an id update, rows without create, a row with only an id deletes nothing', async () => {
    const wb = await exportBook(admin);
    const ws = wb.getWorksheet('Hệ thống')!;
    ws.getRow(2).getCell(col(ws, 'Tên hệ thống')).value = 'Nền tảng LGSP tỉnh Gia Lai';
    ws.getRow(2).getCell(col(ws, 'Số chủ thể dữ liệu cá nhân')).value = '';
    const r3 = ws.getRow(3);
    r3.getCell(col(ws, 'Mã hệ thống')).value = 'CA-QLCT';
    r3.getCell(col(ws, 'Tên hệ thống')).value = 'Hệ thống quản lý cư trú';
    r3.getCell(col(ws, 'Loại hệ thống')).value = 'Phục vụ hoạt động nội bộ';
    r3.getCell(col(ws, 'Mã đơn vị chủ quản')).value = 'CA';
    r3.getCell(col(ws, 'Bí mật nhà nước')).value = 'Mật';
    r3.getCell(col(ws, 'Mã hệ thống cha')).value = 'LGSP';
    const as = wb.getWorksheet('Tài sản')!;
    // Row 2 keeps only its id: not a delete.
    const keepId = as.getRow(2).getCell(1).value;
    as.spliceRows(2, 1, [keepId]);
    const r = as.getRow(3);
    r.getCell(col(as, 'Mã tài sản')).value = 'CA-FW-01';
    r.getCell(col(as, 'Loại tài sản')).value = 'Thiết bị bảo mật';
    r.getCell(col(as, 'Tên tài sản')).value = 'Tường lửa biên';
    r.getCell(col(as, 'Mã đơn vị sở hữu')).value = 'CA';
    r.getCell(col(as, 'Mã hệ thống phục vụ')).value = 'CA-QLCT';
    r.getCell(col(as, 'Địa chỉ IP')).value = '10.1.1.1; 10.1.1.2';
    const res = await importBook(admin, wb);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ systems: { created: 1, updated: 1 }, assets: { created: 1, updated: 0, unchanged: 1 } });
    expect(await counts()).toEqual({ systems: 2, assets: 2 });
    const list = (await ctx.app.inject({ method: 'GET', url: '/api/v1/systems', headers: admin.headers })).json().items;
    const ca = list.find((s: { code: string }) => s.code === 'CA-QLCT');
    expect(ca).toMatchObject({ proposedLevel: 3, information: { stateSecret: 'mat' }, ownerUnit: { code: 'CA' } });
    expect(list.find((s: { code: string }) => s.code === 'LGSP').name).toBe('Nền tảng LGSP tỉnh Gia Lai');
    const fw = (await ctx.app.inject({ method: 'GET', url: '/api/v1/assets?q=CA-FW', headers: admin.headers })).json().items[0];
    expect(fw).toMatchObject({ ips: ['10.1.1.1', '10.1.1.2'], systems: [{ code: 'CA-QLCT' }] });
  });

  it('a bad row answers 422 naming sheet, row and column, and nothing from the file is written', async () => {
    const wb = await exportBook(admin);
    const ws = wb.getWorksheet('Hệ thống')!;
    ws.getRow(2).getCell(col(ws, 'Tên hệ thống')).value = 'Tên mới không được ghi';
    const r = ws.getRow(4);
    r.getCell(col(ws, 'Mã hệ thống')).value = 'MOI-01';
    r.getCell(col(ws, 'Tên hệ thống')).value = 'Hệ thống mới';
    r.getCell(col(ws, 'Loại hệ thống')).value = 'Nội bộ';
    r.getCell(col(ws, 'Mã đơn vị chủ quản')).value = 'SO-KHCN';
    r.getCell(col(ws, 'Cấp độ theo NĐ 331/2026')).value = '7';
    const as = wb.getWorksheet('Tài sản')!;
    as.getRow(2).getCell(col(as, 'Mã đơn vị sở hữu')).value = 'KHONG-CO';
    const before = await counts();
    const res = await importBook(admin, wb, 'sai.xlsx');
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('import.invalid');
    expect(err.details.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ sheet: 'Hệ thống', row: 4, column: 'Cấp độ theo NĐ 331/2026' }),
      expect.objectContaining({ sheet: 'Tài sản', row: 2, column: 'Mã đơn vị sở hữu' }),
    ]));
    expect(err.details.errors[0].message).toMatch(/^Tệp sai\.xlsx, trang /);
    expect(await counts()).toEqual(before);
    const lgsp = await ctx.db.selectFrom('information_systems').select('name').where('code', '=', 'LGSP').executeTakeFirstOrThrow();
    expect(lgsp.name).toBe('Nền tảng LGSP tỉnh Gia Lai');
  });

  it('each bad cell is reported once, in Vietnamese, naming sheet, row, column and the allowed values', async () => {
    const wb = await exportBook(admin);
    const ws = wb.getWorksheet('Hệ thống')!;
    const r = ws.getRow(5);
    r.getCell(col(ws, 'Mã hệ thống')).value = 'MOI-02';
    r.getCell(col(ws, 'Tên hệ thống')).value = 'Hệ thống mới thứ hai';
    r.getCell(col(ws, 'Loại hệ thống')).value = 'Loại lạ';
    r.getCell(col(ws, 'Mã đơn vị chủ quản')).value = 'XYZ';
    const res = await importBook(admin, wb, 'loi.xlsx');
    expect(res.statusCode).toBe(422);
    const errors = res.json().error.details.errors as { sheet: string; row: number; column: string; message: string }[];
    const row5 = errors.filter((e) => e.row === 5);
    expect(row5.map((e) => e.column).sort()).toEqual(['Loại hệ thống', 'Mã đơn vị chủ quản']);
    expect(row5.find((e) => e.column === 'Mã đơn vị chủ quản')!.message).toBe('Tệp loi.xlsx, trang Hệ thống, dòng 5, cột Mã đơn vị chủ quản: không có đơn vị mã XYZ.');
    const type = row5.find((e) => e.column === 'Loại hệ thống')!.message;
    expect(type).toMatch(/^Tệp loi\.xlsx, trang Hệ thống, dòng 5, cột Loại hệ thống: loại hệ thống "Loại lạ" không hợp lệ; chọn một trong: /);
    expect(type).toContain('Phục vụ hoạt động nội bộ');
    for (const e of errors) expect(e.message).not.toMatch(/Invalid|expected|received/);
  });

  it('a new row missing required columns is reported per column; a non-XLSX file is refused', async () => {
    const wb = await exportBook(admin);
    const ws = wb.getWorksheet('Hệ thống')!;
    ws.getRow(5).getCell(col(ws, 'Mục đích')).value = 'Chỉ có mục đích';
    const res = await importBook(admin, wb);
    expect(res.statusCode).toBe(422);
    const cols = res.json().error.details.errors.map((e: { column: string }) => e.column);
    expect(cols).toEqual(expect.arrayContaining(['Mã hệ thống', 'Tên hệ thống', 'Loại hệ thống', 'Mã đơn vị chủ quản']));
    const mp = multipartFile('x.xlsx', Buffer.from('not a zip'), XLSX);
    const junk = await ctx.app.inject({ method: 'POST', url: '/api/v1/inventory/import', headers: { ...admin.headers, ...mp.headers }, payload: mp.payload });
    expect(junk.statusCode).toBe(422);
  });

  it('cells that look like formulas are exported as text and re-import unchanged (CWE-1236)', async () => {
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/systems', headers: admin.headers, payload: { code: 'FORMULA', name: '=HYPERLINK("http://x","bấm")', type: 'other', ownerUnitId: unitA.id } });
    expect(created.statusCode, created.body).toBe(201);
    const wb = await exportBook(admin);
    const ws = wb.getWorksheet('Hệ thống')!;
    let found = false;
    ws.eachRow((row) => {
      const v = row.getCell(col(ws, 'Tên hệ thống')).value;
      if (typeof v === 'string' && v.includes('HYPERLINK')) {
        found = true;
        expect(v.startsWith("'=")).toBe(true);
        expect(row.getCell(col(ws, 'Tên hệ thống')).formula).toBeUndefined();
      }
    });
    expect(found).toBe(true);
    const res = await importBook(admin, wb);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().systems.updated).toBe(0);
    const row = await ctx.db.selectFrom('information_systems').select('name').where('code', '=', 'FORMULA').executeTakeFirstOrThrow();
    expect(row.name).toBe('=HYPERLINK("http://x","bấm")');
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/systems/${created.json().id}`, headers: admin.headers });
  });

  it('a unit manager exports only their scope and cannot import rows of another unit (403, nothing written)', async () => {
    const wb = await exportBook(managerA);
    expect(wb.getWorksheet('Hệ thống')!.rowCount).toBe(2);
    const ws = wb.getWorksheet('Hệ thống')!;
    const r = ws.getRow(3);
    r.getCell(col(ws, 'Mã hệ thống')).value = 'CA-KHAC';
    r.getCell(col(ws, 'Tên hệ thống')).value = 'Hệ thống của đơn vị khác';
    r.getCell(col(ws, 'Loại hệ thống')).value = 'Nội bộ';
    r.getCell(col(ws, 'Mã đơn vị chủ quản')).value = unitB.code;
    const before = await counts();
    const res = await importBook(managerA, wb);
    expect(res.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
