import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { newId, nowIso } from '../../db/columns.js';
import { FINDINGS_EXPORT_HEADER } from './accounts-views.js';

/** The views the web UI uses: file preview and mapping, accounts per system / unit / official, findings export. */
let ctx: TestContext;
let managerA: TestUser;
let managerB: TestUser;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
let systemId: string;
let sourceId: string;
const people: Record<string, string> = {};

async function addPerson(key: string, fullName: string, email: string, unitId: string, status = 'active') {
  const id = newId();
  const now = nowIso(ctx.now);
  await ctx.db.insertInto('people').values({
    id, full_name: fullName, name_folded: fullName.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase(),
    citizen_id_hash: null, citizen_id_masked: null, date_of_birth: null, gender: null, email, phone: null, unit_id: unitId, position: 'Chuyên viên',
    status, status_since: '2026-01-01', created_at: now, updated_at: now,
  }).execute();
  people[key] = id;
}
const get = (u: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: u.headers });
const CSV = 'Tài khoản,Họ và tên,Email,Đơn vị,Nhóm quyền,Là quản trị viên,Trạng thái\n'
  + 'annv,Nguyễn Văn An,an.nv@gialai.gov.vn,Sở Y tế,Bác sĩ,không,hoạt động\n'
  + 'binhtt,Trần Thị Bình,binh.tt@gialai.gov.vn,Sở Y tế,Điều dưỡng,không,hoạt động\n'
  + '"=HYPERLINK(""http://x"")",Kẻ lạ,,Sở Y tế,,không,hoạt động\n';

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'SO-TC', name: 'Sở Tài chính', parentId: root.id });
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  managerB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'unit_manager', unitId: unitB.id }] });
  await addPerson('an', 'Nguyễn Văn An', 'an.nv@gialai.gov.vn', unitA.id);
  await addPerson('binh', 'Trần Thị Bình', 'binh.tt@gialai.gov.vn', unitA.id, 'retired');
  const sys = await ctx.app.inject({ method: 'POST', url: '/api/v1/systems', headers: managerA.headers, payload: { code: 'SYT-HIS', name: 'Phần mềm quản lý bệnh viện', type: 'internal', ownerUnitId: unitA.id } });
  systemId = sys.json().id;
});
afterAll(async () => ctx?.close());

describe('import with column mapping', () => {
  it('previews a file: headers, sample rows and a guessed mapping; nothing written', async () => {
    const mp = multipartFile('his.csv', CSV);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/account-files/preview', headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ fileName: 'his.csv', rowCount: 3, headers: ['Tài khoản', 'Họ và tên', 'Email', 'Đơn vị', 'Nhóm quyền', 'Là quản trị viên', 'Trạng thái'] });
    expect(p.suggested).toEqual({ username: 'Tài khoản', display_name: 'Họ và tên', email: 'Email', unit: 'Đơn vị', roles: 'Nhóm quyền', enabled: 'Trạng thái' });
    expect(p.sample[0]).toEqual(['annv', 'Nguyễn Văn An', 'an.nv@gialai.gov.vn', 'Sở Y tế', 'Bác sĩ', 'không', 'hoạt động']);
    expect(await ctx.db.selectFrom('account_snapshots').selectAll().execute()).toEqual([]);
  });

  it('saves the mapping on the source (audited) and imports with it', async () => {
    const src = await ctx.app.inject({ method: 'POST', url: '/api/v1/account-sources', headers: managerA.headers, payload: { systemId, name: 'Xuất HIS', kind: 'file', mapping: { username: 'Tên đăng nhập' } } });
    sourceId = src.json().id;
    const mapping = { username: 'Tài khoản', display_name: 'Họ và tên', email: 'Email', unit: 'Đơn vị', roles: 'Nhóm quyền', privileged: 'Là quản trị viên', enabled: 'Trạng thái' };
    const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/account-sources/${sourceId}`, headers: managerA.headers, payload: { mapping } });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json().mapping).toEqual(mapping);
    expect((await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'account_source.update').execute())).toHaveLength(1);
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/v1/account-sources/${sourceId}`, headers: managerB.headers, payload: { mapping } })).statusCode).toBe(403);
    const mp = multipartFile('his.csv', CSV);
    const imp = await ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${sourceId}/import`, headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(imp.statusCode, imp.body).toBe(200);
    expect(imp.json().snapshot.accountCount).toBe(3);
  });
});

describe('account views', () => {
  it('lists a system\'s accounts with person, situation and findings; filters by finding and text', async () => {
    const all = (await get(managerA, `/api/v1/accounts?systemId=${systemId}`)).json();
    expect(all.total).toBe(3);
    const binh = all.items.find((a: { username: string }) => a.username === 'binhtt');
    expect(binh).toMatchObject({ personId: people.binh, personName: 'Trần Thị Bình', situation: 'linked', systemCode: 'SYT-HIS', findings: ['leaver'] });
    const leavers = (await get(managerA, `/api/v1/accounts?systemId=${systemId}&findingKind=leaver`)).json();
    expect(leavers.items.map((a: { username: string }) => a.username)).toEqual(['binhtt']);
    const text = (await get(managerA, `/api/v1/accounts?systemId=${systemId}&q=${encodeURIComponent('Nguyễn')}`)).json();
    expect(text.items.map((a: { username: string }) => a.username)).toEqual(['annv']);
  });

  it('lists a unit\'s officials\' accounts and one official\'s accounts across systems; other units are refused', async () => {
    const unit = (await get(managerA, `/api/v1/accounts?unitId=${unitA.id}`)).json();
    expect(unit.items.map((a: { username: string }) => a.username).sort()).toEqual(['annv', 'binhtt']);
    const person = (await get(managerA, `/api/v1/accounts?personId=${people.an}`)).json();
    expect(person.items).toHaveLength(1);
    expect(person.items[0]).toMatchObject({ username: 'annv', systemName: 'Phần mềm quản lý bệnh viện' });
    expect((await get(managerB, `/api/v1/accounts?personId=${people.an}`)).statusCode).toBe(403);
    expect((await get(managerB, `/api/v1/accounts?unitId=${unitA.id}`)).statusCode).toBe(403);
    expect((await get(managerA, '/api/v1/accounts')).statusCode).toBe(422);
  });

  it('exports findings to XLSX with Vietnamese headers, formula-safe cells, only in scope', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/account-findings/export?unitId=${unitA.id}`, headers: managerA.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('Phát hiện tài khoản');
    const rows: string[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    expect(rows[0]).toEqual(FINDINGS_EXPORT_HEADER);
    const orphan = rows.find((r) => r[9] === 'Tài khoản không có chủ')!;
    expect(orphan[5]).toBe(`'=HYPERLINK("http://x")`);
    expect(rows.find((r) => r[9] === 'Cán bộ đã nghỉ')).toMatchObject({ 0: 'Cao', 1: 'SYT-HIS', 3: 'Sở Y tế', 7: 'Trần Thị Bình' });
    ws.eachRow((r) => r.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
    const other = await ctx.app.inject({ method: 'GET', url: '/api/v1/account-findings/export', headers: managerB.headers });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(other.rawPayload as unknown as ArrayBuffer);
    expect(wb2.worksheets[0]!.rowCount).toBe(1);
  });
});
