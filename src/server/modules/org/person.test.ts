import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { readXlsx, writeXlsx } from '../../engines/tabular/tabular.js';
import { MAX_UPLOAD_BYTES } from '../../app.js';

let ctx: TestContext;
let admin: TestUser;
let viewer: TestUser;
let root: { id: string; path: string; code: string };
let unit: { id: string; path: string; code: string };

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'Tỉnh Gia Lai', type: 'province' });
  unit = await insertUnit(ctx, { code: 'SO-NV', name: 'Sở Nội vụ', parentId: root.id });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
  // soc_analyst reads people but not their CCCD.
  viewer = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'soc_analyst', unitId: root.id }] });
});
afterAll(async () => ctx.close());

async function addPerson(body: Record<string, unknown>) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/people', headers: admin.headers, payload: { unitId: unit.id, ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; citizenIdMasked: string | null };
}

async function upload(name: string, data: Buffer | string, type = 'text/csv') {
  const mp = multipartFile(name, data, type);
  return ctx.app.inject({ method: 'POST', url: '/api/v1/people/import', headers: { ...admin.headers, ...mp.headers }, payload: mp.payload });
}

describe('people roster', () => {
  it('finds people by folded name, e-mail and phone', async () => {
    await addPerson({ fullName: 'Nguyễn Văn An', email: 'an.nv@gialai.gov.vn', phone: '0905123456' });
    await addPerson({ fullName: 'Đặng Thị Đào', email: 'dao.dt@gialai.gov.vn' });
    const q = async (text: string) =>
      (await ctx.app.inject({ method: 'GET', url: `/api/v1/people?q=${encodeURIComponent(text)}`, headers: admin.headers })).json().items.map((p: { fullName: string }) => p.fullName);
    expect(await q('nguyen van an')).toEqual(['Nguyễn Văn An']);
    expect(await q('NGUYỄN văn')).toEqual(['Nguyễn Văn An']);
    expect(await q('dang thi dao')).toEqual(['Đặng Thị Đào']);
    expect(await q('dao.dt@')).toEqual(['Đặng Thị Đào']);
    expect(await q('0905123')).toEqual(['Nguyễn Văn An']);
    expect(await q('100%_')).toEqual([]);
  });

  it('never stores or returns a clear CCCD; matches it by keyed hash; masks per permission', async () => {
    const p = await addPerson({ fullName: 'Trần Thị Bình', citizenId: '064123456789' });
    expect(p.citizenIdMasked).toBe('064******789');
    const row = await ctx.db.selectFrom('people').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('064123456789');
    expect(row.citizen_id_hash).toBe(ctx.keys.hmac('citizen_id', '064123456789'));
    const found = await ctx.app.inject({ method: 'GET', url: '/api/v1/people?q=064123456789', headers: admin.headers });
    expect(found.json().items.map((x: { id: string }) => x.id)).toEqual([p.id]);
    const partial = await ctx.app.inject({ method: 'GET', url: '/api/v1/people?q=06412345678', headers: admin.headers });
    expect(partial.json().items).toEqual([]);
    const asViewer = await ctx.app.inject({ method: 'GET', url: `/api/v1/people/${p.id}`, headers: viewer.headers });
    expect(asViewer.statusCode).toBe(200);
    expect(asViewer.json().citizenIdMasked).toBeNull();
    const audit = await ctx.db.selectFrom('audit_events').select('after_json').where('target_id', '=', p.id).execute();
    expect(JSON.stringify(audit)).not.toContain('064123456789');
    const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/people', headers: admin.headers, payload: { unitId: unit.id, fullName: 'Sai Số', citizenId: '12345' } });
    expect(bad.statusCode).toBe(400);
  });

  it('records status changes with effective dates in the history', async () => {
    const other = await insertUnit(ctx, { code: 'SO-TC', name: 'Sở Tài chính', parentId: root.id });
    const p = await addPerson({ fullName: 'Lê Văn Cường', statusSince: '2020-01-01' });
    const moved = await ctx.app.inject({ method: 'POST', url: `/api/v1/people/${p.id}/status`, headers: admin.headers, payload: { status: 'transferred', unitId: other.id, effectiveFrom: '2025-07-01', decision: 'QĐ 12/QĐ-UBND' } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ status: 'transferred', unitId: other.id, statusSince: '2025-07-01' });
    const noUnit = await ctx.app.inject({ method: 'POST', url: `/api/v1/people/${p.id}/status`, headers: admin.headers, payload: { status: 'transferred', effectiveFrom: '2025-08-01' } });
    expect(noUnit.statusCode).toBe(400);
    await ctx.app.inject({ method: 'POST', url: `/api/v1/people/${p.id}/status`, headers: admin.headers, payload: { status: 'retired', effectiveFrom: '2026-03-01' } });
    const hist = await ctx.app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/history`, headers: admin.headers });
    expect(hist.json().items.map((h: { status: string; effectiveFrom: string }) => [h.status, h.effectiveFrom])).toEqual([
      ['retired', '2026-03-01'],
      ['transferred', '2025-07-01'],
      ['active', '2020-01-01'],
    ]);
  });
});

describe('people import and export', () => {
  it('imports CSV with Vietnamese headers and labels, then updates by CCCD', async () => {
    const csv = [
      'Họ tên,CCCD,Ngày sinh,Giới tính,Email,Điện thoại,Mã đơn vị,Chức vụ,Trạng thái,Ngày hiệu lực',
      `Phạm Minh Đức,079200000001,15/03/1985,Nam,duc.pm@gialai.gov.vn,0912 345 678,${unit.code},Chuyên viên,đang công tác,2025-07-01`,
      `Hồ Thị Én,079200000002,1990-05-02,Nữ,,,${unit.code},,nghỉ hưu,01/01/2026`,
    ].join('\r\n');
    const res = await upload('can-bo.csv', `\ufeff${csv}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ file: 'can-bo.csv', created: 2, updated: 0 });
    const en = await ctx.db.selectFrom('people').selectAll().where('citizen_id_hash', '=', ctx.keys.hmac('citizen_id', '079200000002')).executeTakeFirstOrThrow();
    expect(en).toMatchObject({ status: 'retired', status_since: '2026-01-01', gender: 'female', date_of_birth: '1990-05-02' });

    const again = await upload('can-bo-2.csv', `full_name,citizen_id,unit_code,position,status\nPhạm Minh Đức,079200000001,${unit.code},Phó phòng,active\n`);
    expect(again.json()).toMatchObject({ created: 0, updated: 1 });
    const audit = await ctx.db.selectFrom('audit_events').select(['details_json']).where('action', '=', 'person.import').execute();
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit[0]!.details_json!)).toMatchObject({ created: 2 });
  });

  it('matches by e-mail when a row has no CCCD, and refuses an e-mail owned by another CCCD', async () => {
    const res = await upload('email.csv', `ho_ten,email,ma_don_vi,trang_thai,ngay_hieu_luc\nPhạm Minh Đức,DUC.PM@gialai.gov.vn,${unit.code},nghỉ phép,2026-02-01\n`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 0, updated: 1 });
    const duc = await ctx.db.selectFrom('people').selectAll().where('email', '=', 'duc.pm@gialai.gov.vn').executeTakeFirstOrThrow();
    expect(duc).toMatchObject({ status: 'on_leave', status_since: '2026-02-01' });
    const hist = await ctx.app.inject({ method: 'GET', url: `/api/v1/people/${duc.id}/history`, headers: admin.headers });
    expect(hist.json().items[0]).toMatchObject({ status: 'on_leave', effectiveFrom: '2026-02-01' });
    const clash = await upload('clash.csv', `ho_ten,cccd,email,ma_don_vi\nAi Khác,079200000099,duc.pm@gialai.gov.vn,${unit.code}\n`);
    expect(clash.statusCode).toBe(422);
    expect(clash.json().error.details.errors[0]).toMatchObject({ row: 2, column: 'email' });
  });

  it('imports XLSX with English headers', async () => {
    const xlsx = await writeXlsx('People', ['full_name', 'email', 'unit_code', 'status'], [['Võ Thanh Hải', 'hai.vt@gialai.gov.vn', unit.code, 'on_leave']]);
    const res = await upload('people.xlsx', xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 1 });
  });

  it('rejects a file with one bad row, naming row and column, and writes nothing', async () => {
    const before = await ctx.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const csv = [
      'ho_ten,cccd,ma_don_vi',
      `Ngô Văn Một,079300000001,${unit.code}`,
      `Ngô Văn Hai,07930000,${unit.code}`,
      `Ngô Văn Ba,079300000003,${unit.code}`,
    ].join('\n');
    const res = await upload('loi.csv', csv);
    expect(res.statusCode).toBe(422);
    const body = res.json().error;
    expect(body.code).toBe('import.invalid');
    expect(body.details.errors).toEqual([expect.objectContaining({ file: 'loi.csv', row: 3, column: 'cccd' })]);
    expect(body.details.errors[0].message).toContain('loi.csv');
    const after = await ctx.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses an upload over the size limit without writing anything', async () => {
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1024, 0x61);
    const res = await upload('lon.csv', big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'import.too_large' });
    expect(res.json().error.message).toContain('lon.csv');
  });

  it('exports formula-safe CSV with BOM and masked CCCD, and XLSX', async () => {
    await addPerson({ fullName: '=HYPERLINK("http://x","y")', citizenId: '064999888777', phone: '+84905000111' });
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/people/export?format=csv', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = res.rawPayload.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(text).toContain("'+84905000111");
    expect(text).toContain('064******777');
    expect(text).not.toContain('064999888777');
    const x = await ctx.app.inject({ method: 'GET', url: '/api/v1/people/export?format=xlsx', headers: admin.headers });
    const t = await readXlsx(x.rawPayload); // raw cells, as Excel would show them
    expect(t.rows[0]!.slice(0, 2)).toEqual(['ma_can_bo', 'ho_ten']);
    expect(t.rows.some((r) => r[1] === `'=HYPERLINK("http://x","y")`)).toBe(true);
  });

  it('exports only the people the list shows for the same q, unitId, subtree and status filters', async () => {
    const dept = await insertUnit(ctx, { code: 'SO-XD', name: 'Sở Xây dựng', parentId: root.id });
    const team = await insertUnit(ctx, { code: 'PH-QH', name: 'Phòng Quy hoạch', parentId: dept.id });
    const add = async (fullName: string, unitId: string) => {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/people', headers: admin.headers, payload: { fullName, unitId } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string };
    };
    const head = await add('Lê Văn Hải', dept.id);
    const planner = await add('Lê Thị Hoa', team.id);
    const retired = await add('Lê Văn Hưu', team.id);
    const st = await ctx.app.inject({
      method: 'POST', url: `/api/v1/people/${retired.id}/status`, headers: admin.headers, payload: { status: 'retired', effectiveFrom: '2026-01-01' },
    });
    expect(st.statusCode, st.body).toBe(200);

    const listed = async (query: string) =>
      (await ctx.app.inject({ method: 'GET', url: `/api/v1/people?${query}`, headers: admin.headers })).json().items.map((p: { id: string }) => p.id).sort();
    const exported = async (query: string) => {
      const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/people/export?format=csv&${query}`, headers: admin.headers });
      expect(res.statusCode, res.body).toBe(200);
      const lines = res.rawPayload.toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1);
      return lines.map((l) => l.split(',')[0]!.replace(/"/g, '')).sort();
    };
    const cases: [string, string[]][] = [
      [`unitId=${dept.id}`, [head.id, planner.id, retired.id]],
      [`unitId=${dept.id}&subtree=false`, [head.id]],
      [`unitId=${dept.id}&status=retired`, [retired.id]],
      [`unitId=${dept.id}&q=${encodeURIComponent('le thi hoa')}`, [planner.id]],
    ];
    for (const [query, expected] of cases) {
      expect(await listed(query), query).toEqual([...expected].sort());
      expect(await exported(query), query).toEqual([...expected].sort());
    }
    // The XLSX export honours the filters too.
    const x = await ctx.app.inject({ method: 'GET', url: `/api/v1/people/export?format=xlsx&unitId=${team.id}&status=active`, headers: admin.headers });
    expect((await readXlsx(x.rawPayload)).rows.slice(1).map((r) => r[1])).toEqual(['Lê Thị Hoa']);
  });

  it('re-imports its own export as updates, not duplicates', async () => {
    const exp = await ctx.app.inject({ method: 'GET', url: '/api/v1/people/export?format=xlsx', headers: admin.headers });
    const total = await ctx.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await upload('xuat.xlsx', exp.rawPayload, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().created).toBe(0);
    const after = await ctx.db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(total.n));
  });
});
