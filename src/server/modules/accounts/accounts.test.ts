import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { newId, nowIso } from '../../db/columns.js';
import { hashCitizenId } from '../org/citizen-id.js';

let ctx: TestContext;
let managerA: TestUser;
let managerB: TestUser;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
let former: { id: string; path: string; code: string };
let systemId: string;
let sourceId: string;
const people: Record<string, string> = {};

async function addPerson(key: string, fullName: string, extra: { email?: string; cccd?: string; status?: string; position?: string; unitId?: string } = {}) {
  const id = newId();
  const now = nowIso(ctx.now);
  await ctx.db.insertInto('people').values({
    id, full_name: fullName, name_folded: fullName.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase(),
    citizen_id_hash: extra.cccd ? hashCitizenId(ctx.keys, extra.cccd) : null, citizen_id_masked: null, date_of_birth: null, gender: null,
    email: extra.email ?? null, phone: null, unit_id: extra.unitId ?? unitA.id, position: extra.position ?? 'Chuyên viên', status: extra.status ?? 'active',
    status_since: '2026-06-01', created_at: now, updated_at: now,
  }).execute();
  people[key] = id;
}

async function upload(user: TestUser, name: string, csv: string) {
  const mp = multipartFile(name, csv);
  return ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${sourceId}/import`, headers: { ...user.headers, ...mp.headers }, payload: mp.payload });
}
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: user.headers });

const HEADER = 'Tên đăng nhập,Họ tên,Thư điện tử,CCCD,Đơn vị,Nhóm quyền,Quản trị,Trạng thái,Lần đăng nhập cuối,MFA\n';

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'SO-TC', name: 'Sở Tài chính', parentId: root.id });
  former = await insertUnit(ctx, { code: 'SO-YT-BD', name: 'Sở Y tế Bình Định', parentId: root.id });
  await ctx.db.updateTable('org_units').set({ merged_into_id: unitA.id, merged_on: '2025-07-01' }).where('id', '=', former.id).execute();
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  managerB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'unit_manager', unitId: unitB.id }] });
  await addPerson('an', 'Nguyễn Văn An', { email: 'an.nv@gialai.gov.vn', cccd: '064123456789' });
  await addPerson('binh', 'Trần Thị Bình', { email: 'binh.tt@gialai.gov.vn', status: 'retired' });
  await addPerson('hoa', 'Võ Thị Hoa', { email: 'hoa.vt@gialai.gov.vn' });
  await addPerson('other', 'Lê Văn Cường', { email: 'cuong.lv@gialai.gov.vn', unitId: unitB.id });
  const sys = await ctx.app.inject({ method: 'POST', url: '/api/v1/systems', headers: managerA.headers, payload: { code: 'SYT-HIS', name: 'Phần mềm quản lý bệnh viện', type: 'internal', ownerUnitId: unitA.id } });
  expect(sys.statusCode, sys.body).toBe(201);
  systemId = sys.json().id;
  const src = await ctx.app.inject({
    method: 'POST', url: '/api/v1/account-sources', headers: managerA.headers,
    payload: {
      systemId, name: 'Xuất tài khoản HIS', kind: 'file',
      mapping: { username: 'Tên đăng nhập', display_name: 'Họ tên', email: 'Thư điện tử', citizen_id: 'CCCD', unit: 'Đơn vị', roles: 'Nhóm quyền', privileged: 'Quản trị', enabled: 'Trạng thái', last_login: 'Lần đăng nhập cuối', mfa: 'MFA' },
    },
  });
  expect(src.statusCode, src.body).toBe(201);
  sourceId = src.json().id;
});
afterAll(async () => ctx?.close());

const today = () => new Date(ctx.now()).toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(ctx.now() - n * 86_400_000).toISOString().slice(0, 10);

describe('account import and reconciliation', () => {
  let first: string;
  it('imports a CSV with the saved column mapping, reconciles it and stores situations and findings', async () => {
    const csv = HEADER
      + `annv,Nguyễn Văn An,,064123456789,Sở Y tế,Bác sĩ,không,hoạt động,${today()},có\n`
      + `binhtt,Trần Thị Bình,binh.tt@gialai.gov.vn,,Sở Y tế,Điều dưỡng,không,hoạt động,${today()},không\n`
      + `ghost.user,Người Lạ,,,Sở Y tế,Bác sĩ,không,hoạt động,${today()},không\n`
      + `vanthu,Văn thư,,,Sở Y tế,Văn thư,không,hoạt động,${today()},không\n`
      + `hoavt,Võ Thị Hoa,hoa.vt@gialai.gov.vn,,Sở Y tế Bình Định,Quản trị hệ thống,có,hoạt động,${daysAgo(60)},không\n`;
    const res = await upload(managerA, 'his.csv', csv);
    expect(res.statusCode, res.body).toBe(200);
    const snap = res.json().snapshot;
    first = snap.id;
    expect(snap).toMatchObject({ accountCount: 5, origin: 'file', fileName: 'his.csv' });
    expect(snap.summary.situations).toEqual({ linked: 3, unmatched: 2 });
    expect(snap.summary.findings).toMatchObject({ leaver: 1, orphan: 1, shared: 1, dormant: 1, privileged_no_mfa: 1, merged_unit: 1 });

    const accounts = (await get(managerA, `/api/v1/accounts?systemId=${systemId}`)).json().items as { username: string; situation: string; personId: string | null; rules: string[] }[];
    const an = accounts.find((a) => a.username === 'annv')!;
    expect(an).toMatchObject({ situation: 'linked', personId: people.an, rules: ['citizen_id'] });
    const findings = (await get(managerA, `/api/v1/account-findings?systemId=${systemId}&kind=leaver`)).json();
    expect(findings.total).toBe(1);
    expect(findings.items[0]).toMatchObject({ username: 'binhtt', personId: people.binh, severity: 'high' });
    expect(findings.items[0].reason).toMatch(/đã nghỉ hưu/);
    expect(findings.items[0].clause).toMatch(/TCVN 14423/);
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'account.import').where('target_id', '=', snap.id).execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses a file with bad rows, naming file, row and column, and writes nothing', async () => {
    const before = await ctx.db.selectFrom('account_snapshots').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const csv = HEADER
      + `ok.user,Ai Đó,,,Sở Y tế,,không,hoạt động,${today()},có\n`
      + `,Không Tên,,,Sở Y tế,,không,hoạt động,${today()},có\n`
      + `bad.flag,Ai Khác,,12345,Sở Y tế,,có lẽ,hoạt động,hôm qua,có\n`
      + `ok.user,Trùng,,,Sở Y tế,,không,hoạt động,${today()},có\n`;
    const res = await upload(managerA, 'loi.csv', csv);
    expect(res.statusCode).toBe(422);
    const body = res.json().error;
    expect(body.code).toBe('import.invalid');
    const where = body.details.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`);
    expect(where).toEqual(['3:Tên đăng nhập', '4:CCCD', '4:Quản trị', '4:Lần đăng nhập cuối', '5:Tên đăng nhập']);
    expect(body.details.errors[0].message).toMatch(/^Tệp loi\.csv, dòng 3, cột Tên đăng nhập/);
    const after = await ctx.db.selectFrom('account_snapshots').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a file without a mapped column', async () => {
    const res = await upload(managerA, 'thieu.csv', 'username,email\nannv,a@b.vn\n');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.errors[0].message).toMatch(/không có cột "Tên đăng nhập"/);
  });

  it('keeps snapshot history and shows what changed between two snapshots', async () => {
    const csv = HEADER
      + `annv,Nguyễn Văn An,,064123456789,Sở Y tế,Bác sĩ|Trưởng khoa,không,hoạt động,${today()},có\n`
      + `binhtt,Trần Thị Bình,binh.tt@gialai.gov.vn,,Sở Y tế,Điều dưỡng,không,khóa,${today()},không\n`
      + `ghost.user,Người Lạ,,,Sở Y tế,Bác sĩ,không,hoạt động,${today()},không\n`
      + `hoavt,Võ Thị Hoa,hoa.vt@gialai.gov.vn,,Sở Y tế Bình Định,Quản trị hệ thống,có,hoạt động,${daysAgo(60)},không\n`
      + `moi.tao,Người Mới,,,Sở Y tế,,không,hoạt động,${today()},có\n`;
    ctx.advance(1000);
    const second = (await upload(managerA, 'his-2.csv', csv)).json().snapshot.id;
    const history = (await get(managerA, `/api/v1/account-sources/${sourceId}/snapshots`)).json().items;
    expect(history.map((s: { id: string }) => s.id)).toEqual([second, first]);
    const diff = (await get(managerA, `/api/v1/account-snapshots/${second}/diff?from=${first}`)).json();
    expect(diff.added).toEqual(['moi.tao']);
    expect(diff.removed).toEqual(['vanthu']);
    expect(diff.changed).toEqual([{ username: 'annv', fields: ['roles'] }, { username: 'binhtt', fields: ['enabled'] }]);
    // The retired official's account is now disabled: no leaver finding any more.
    expect((await get(managerA, `/api/v1/account-findings?systemId=${systemId}&kind=leaver`)).json().total).toBe(0);
  });

  it('a manual link resolves an orphan and survives the next import', async () => {
    const link = await ctx.app.inject({ method: 'POST', url: '/api/v1/account-links', headers: managerA.headers, payload: { systemId, username: 'ghost.user', personId: people.hoa, kind: 'link', note: 'Tài khoản cũ của chị Hoa' } });
    expect(link.statusCode, link.body).toBe(204);
    const orphanNow = (await get(managerA, `/api/v1/account-findings?systemId=${systemId}&kind=orphan`)).json();
    expect(orphanNow.items.map((f: { username: string }) => f.username)).toEqual(['moi.tao']);
    const acc = (await get(managerA, `/api/v1/accounts?systemId=${systemId}&situation=linked`)).json().items.find((a: { username: string }) => a.username === 'ghost.user');
    expect(acc).toMatchObject({ personId: people.hoa, rules: ['manual'] });
    ctx.advance(1000);
    const third = (await upload(managerA, 'his-3.csv', `${HEADER}ghost.user,Người Lạ,,,Sở Y tế,Bác sĩ,không,hoạt động,${today()},không\n`)).json().snapshot;
    expect(third.summary.situations).toEqual({ linked: 1 });
  });

  it('reports MFA coverage per system and unit, for all and privileged accounts', async () => {
    ctx.advance(1000);
    await upload(managerA, 'his-4.csv', HEADER
      + `annv,Nguyễn Văn An,,064123456789,Sở Y tế,Bác sĩ,có,hoạt động,${today()},có\n`
      + `hoavt,Võ Thị Hoa,,,Sở Y tế,Quản trị,có,hoạt động,${today()},không\n`
      + `x1,X,,,Sở Y tế,,không,hoạt động,${today()},có\n`
      + `x2,Y,,,Sở Y tế,,không,khóa,${today()},không\n`);
    const items = (await get(managerA, '/api/v1/account-mfa-coverage')).json().items;
    expect(items).toEqual([{ systemId, systemCode: 'SYT-HIS', unitId: unitA.id, unitCode: 'SO-YT', accounts: 3, withMfa: 2, privileged: 2, privilegedWithMfa: 1, share: 2 / 3, privilegedShare: 0.5 }]);
  });
});

describe('scope', () => {
  it('refuses another unit (403, audited) and leaves its findings and coverage out', async () => {
    const denied = async () => Number((await ctx.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'authz.denied').executeTakeFirstOrThrow()).n);
    const before = await denied();
    expect((await get(managerB, `/api/v1/accounts?systemId=${systemId}`)).statusCode).toBe(403);
    expect((await upload(managerB, 'x.csv', `${HEADER}a,b,,,,,,,,\n`)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/account-links', headers: managerB.headers, payload: { systemId, username: 'annv', personId: people.an, kind: 'unlink' } })).statusCode).toBe(403);
    expect(await denied()).toBe(before + 3);
    expect((await get(managerB, '/api/v1/account-findings')).json().total).toBe(0);
    expect((await get(managerB, '/api/v1/account-mfa-coverage')).json().items).toEqual([]);
    expect((await get(managerA, '/api/v1/account-findings')).json().total).toBeGreaterThan(0);
  });

  it('refuses to link an account of its own system to an official of another unit (403, audited, nothing written)', async () => {
    const before = await ctx.db.selectFrom('audit_events').select(['id']).where('action', '=', 'authz.denied').where('unit_id', '=', unitB.id).execute();
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/account-links', headers: managerA.headers, payload: { systemId, username: 'annv', personId: people.other, kind: 'link' } });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.body).not.toContain('Cường');
    const after = await ctx.db.selectFrom('audit_events').select(['id']).where('action', '=', 'authz.denied').where('unit_id', '=', unitB.id).execute();
    expect(after.length).toBe(before.length + 1);
    expect(await ctx.db.selectFrom('account_links').selectAll().where('person_id', '=', people.other!).execute()).toEqual([]);
  });
});
