import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { newId, nowIso } from '../../db/columns.js';
import { verifyInclusion } from '../../engines/merkle/index.js';
import { verifierOf } from '../audit/checkpoint.service.js';
import { auditLogJobFor } from '../audit/merkle.routes.js';
import { verifyDatabase } from '../audit/verify.service.js';
import { hashCitizenId } from '../org/citizen-id.js';
import { insertRecordDirectly, keepRecord, setRecordFields } from '../../../../test/support/log-records.js';

let ctx: TestContext;
let manager: TestUser;
let otherManager: TestUser;
let auditor: TestUser;
let otherAuditor: TestUser;
let systemId: string;
let apiKey = '';
const people: Record<string, string> = {};
const CITIZEN = '052190001234';

async function addPerson(key: string, fullName: string, unitId: string, status = 'active', since: string | null = null) {
  const id = newId();
  const now = nowIso(ctx.now);
  await ctx.db.insertInto('people').values({
    id, full_name: fullName, name_folded: fullName.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase(),
    citizen_id_hash: null, citizen_id_masked: null, date_of_birth: null, gender: null, email: `${key}@gialai.gov.vn`, phone: null, unit_id: unitId,
    position: 'Chuyên viên', status, status_since: since, created_at: now, updated_at: now,
  }).execute();
  people[key] = id;
}

const ndjson = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n');
const ingest = (body: string, key = apiKey) => ctx.app.inject({
  method: 'POST', url: '/api/v1/access-logs/ingest', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, payload: body,
});
const search = (user: TestUser, body: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/access-logs/search', headers: user.headers, payload: body });
/** 09:00 Vietnam time, `days` ago. */
const at = (days: number, hour = 9, minute = 0) => {
  const d = new Date(ctx.now() - days * 86_400_000 + 7 * 3_600_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+07:00`;
};

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  const dept = await insertUnit(ctx, { code: 'SO-TP', name: 'Sở Tư pháp', parentId: root.id });
  const other = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  manager = await insertUserWithSession(ctx, { unitId: dept.id, grants: [{ role: 'unit_manager', unitId: dept.id }] });
  otherManager = await insertUserWithSession(ctx, { unitId: other.id, grants: [{ role: 'unit_manager', unitId: other.id }] });
  auditor = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'auditor', unitId: root.id }] });
  otherAuditor = await insertUserWithSession(ctx, { unitId: other.id, grants: [{ role: 'auditor', unitId: other.id }] });
  await addPerson('an', 'Nguyễn Văn An', dept.id);
  await addPerson('binh', 'Trần Thị Bình', dept.id, 'retired', '2025-09-01');
  const sys = await ctx.app.inject({ method: 'POST', url: '/api/v1/systems', headers: manager.headers, payload: { code: 'TTHC-BD', name: 'Hệ thống thông tin giải quyết TTHC Bình Định', type: 'internal', ownerUnitId: dept.id } });
  expect(sys.statusCode, sys.body).toBe(201);
  systemId = sys.json().id;
  // The account snapshot (accounts module): annv linked to An (MFA on), binhtt to the retired Bình (no MFA).
  const src = await ctx.app.inject({
    method: 'POST', url: '/api/v1/account-sources', headers: manager.headers,
    payload: { systemId, name: 'Tài khoản TTHC', kind: 'file', mapping: { username: 'Tên đăng nhập', display_name: 'Họ tên', email: 'Thư điện tử', mfa: 'MFA' } },
  });
  expect(src.statusCode, src.body).toBe(201);
  const csv = 'Tên đăng nhập,Họ tên,Thư điện tử,MFA\nannv,Nguyễn Văn An,an@gialai.gov.vn,có\nbinhtt,Trần Thị Bình,binh@gialai.gov.vn,không\n';
  const mp = multipartFile('tai-khoan.csv', csv);
  const push = await ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${src.json().id}/import`, headers: { ...manager.headers, ...mp.headers }, payload: mp.payload });
  expect(push.statusCode, push.body).toBe(200);
});
afterAll(async () => ctx?.close());

describe('per-system API keys', () => {
  it('creates a key shown once, stores only its keyed hash, and refuses another unit', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/systems/${systemId}/api-keys`, headers: manager.headers, payload: { name: 'Máy chủ TTHC Bình Định' } });
    expect(res.statusCode, res.body).toBe(201);
    apiKey = res.json().secret;
    expect(apiKey).toMatch(/^khk_/);
    const row = await ctx.db.selectFrom('system_api_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(ctx.keys.hmac('api_key', apiKey));
    expect(JSON.stringify(row)).not.toContain(apiKey);
    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/systems/${systemId}/api-keys`, headers: manager.headers });
    expect(list.json().items[0]).toMatchObject({ name: 'Máy chủ TTHC Bình Định', hint: apiKey.slice(-4), revokedAt: null });
    expect(list.body).not.toContain(apiKey);
    const denied = await ctx.app.inject({ method: 'POST', url: `/api/v1/systems/${systemId}/api-keys`, headers: otherManager.headers, payload: { name: 'Khoá lạ' } });
    expect(denied.statusCode).toBe(403);
  });
});

describe('NDJSON ingestion', () => {
  it('acknowledges after the durable write; the citizen ID is stored only as its keyed hash and masked form', async () => {
    const res = await ingest(ndjson([
      { account: 'annv', action: 'login', occurredAt: at(1, 8, 55), ip: '10.20.1.15', device: 'PC-MOTCUA-03', sessionId: 'S1', recordId: 'bd-1' },
      { account: 'annv', action: 'lookup', occurredAt: at(1, 9, 2), subjectCitizenId: CITIZEN, caseRef: 'H21.55-251120-0001', ip: '10.20.1.15', device: 'PC-MOTCUA-03', sessionId: 'S1', recordId: 'bd-2' },
    ]));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ systemId, accepted: 2, duplicates: 0 });
    const rows = await ctx.db.selectFrom('access_log_records').selectAll().orderBy('seq').execute();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ subject_hash: hashCitizenId(ctx.keys, CITIZEN), subject_masked: '052******234', person_id: people.an, account_situation: 'linked', account_mfa: 1 });
    const everything = JSON.stringify(await ctx.db.selectFrom('access_log_records').selectAll().execute()) + JSON.stringify(await ctx.db.selectFrom('audit_events').selectAll().execute());
    expect(everything).not.toContain(CITIZEN);
  });

  it('stores a re-sent record (same recordId) once and says so', async () => {
    const res = await ingest(ndjson([{ account: 'annv', action: 'lookup', occurredAt: at(1, 9, 2), subjectCitizenId: CITIZEN, recordId: 'bd-2' }]));
    expect(res.json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('refuses the whole body with row-numbered problems when one line is wrong, writing nothing', async () => {
    const before = await ctx.db.selectFrom('access_log_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await ingest([
      JSON.stringify({ account: 'annv', action: 'lookup', occurredAt: at(0) }),
      JSON.stringify({ account: 'annv', action: 'lookup', occurredAt: at(0), subjectCitizenId: '12345' }),
      '{not json',
      JSON.stringify({ account: 'annv', action: 'search', occurredAt: '2026-11-20 09:00' }),
    ].join('\n'));
    expect(res.statusCode).toBe(422);
    const errors = res.json().error.details.errors as { row: number; column: string | null }[];
    expect(errors.map((e) => [e.row, e.column])).toEqual([[2, 'subjectCitizenId'], [3, null], [4, 'action'], [4, 'occurredAt']]);
    const after = await ctx.db.selectFrom('access_log_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a missing, wrong or revoked key with 401', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/access-logs/ingest', headers: { 'content-type': 'application/x-ndjson' }, payload: '{}' })).statusCode).toBe(401);
    expect((await ingest('{}', 'khk_wrong')).statusCode).toBe(401);
    const k = await ctx.app.inject({ method: 'POST', url: `/api/v1/systems/${systemId}/api-keys`, headers: manager.headers, payload: { name: 'Khoá sẽ thu hồi' } });
    const revoke = await ctx.app.inject({ method: 'POST', url: `/api/v1/api-keys/${k.json().key.id}/revoke`, headers: manager.headers });
    expect(revoke.json().revokedAt).not.toBeNull();
    const res = await ingest(ndjson([{ account: 'annv', action: 'login', occurredAt: at(0) }]), k.json().secret);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('api_key.invalid');
  });
});

describe('file upload', () => {
  it('imports a CSV with Vietnamese headers and labels', async () => {
    const csv = 'Tài khoản,Thao tác,Thời điểm,CCCD,Mã hồ sơ,Địa chỉ IP,Thiết bị\n'
      + `binhtt,Tra cứu,${at(2, 10)},${CITIZEN},,10.20.9.9,PC-BD-12\n`
      + `binhtt,Tra cứu,${at(2, 10, 5)},052190009999,,10.20.9.9,PC-BD-12\n`
      + `tk.ngoai,Đăng nhập,${at(2, 11)},,,10.20.9.10,PC-BD-13\n`;
    const mp = multipartFile('nhatky_tthc.csv', csv);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/systems/${systemId}/access-logs/import`, headers: { ...manager.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 3 });
    const ngoai = await ctx.db.selectFrom('access_log_records').selectAll().where('account', '=', 'tk.ngoai').executeTakeFirstOrThrow();
    expect(ngoai).toMatchObject({ account_situation: 'unknown', person_id: null, source: 'file' });
  });

  it('names file, row and column of each problem and writes nothing', async () => {
    const csv = 'Tài khoản,Thao tác,Thời điểm\nannv,Tra cứu,hôm qua\n,Tra cứu,2026-11-20T09:00:00+07:00\n';
    const mp = multipartFile('loi.csv', csv);
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/systems/${systemId}/access-logs/import`, headers: { ...manager.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.errors.map((e: { file: string; row: number; column: string }) => `${e.file}:${e.row}:${e.column}`)).toEqual(['loi.csv:2:occurredAt', 'loi.csv:3:account']);
  });

  it('refuses an upload for a system of another unit (403)', async () => {
    const mp = multipartFile('x.csv', 'Tài khoản,Thao tác,Thời điểm\n');
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/systems/${systemId}/access-logs/import`, headers: { ...otherManager.headers, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode).toBe(403);
  });
});

describe('search, proofs and the Merkle log', () => {
  it('finds every look-up of a citizen by the CCCD the auditor types, and audits the search without the clear ID', async () => {
    const res = await search(auditor, { citizenId: CITIZEN });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((r: { account: string }) => r.account).sort()).toEqual(['annv', 'binhtt']);
    expect(res.json().items[0]).toMatchObject({ subjectMasked: '052******234', systemName: 'Hệ thống thông tin giải quyết TTHC Bình Định' });
    expect(res.body).not.toContain(CITIZEN);
    const entry = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'access_log.search').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(entry.details_json).toContain('052******234');
    expect(entry.details_json).not.toContain(CITIZEN);
  });

  it('shows a person\'s activity by system', async () => {
    const res = await search(auditor, { personId: people.binh });
    expect(res.json().person).toMatchObject({ fullName: 'Trần Thị Bình', bySystem: [{ systemId, count: 2, lookups: 2 }] });
  });

  it('hides records of systems outside the auditor\'s unit', async () => {
    const res = await search(otherAuditor, { citizenId: CITIZEN });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(0);
    expect((await search(manager, {})).statusCode).toBe(403);
  });

  it('makes each record a leaf: its inclusion proof verifies against the signed checkpoint', async () => {
    await auditLogJobFor(ctx.db)!.runNow(true);
    const found = await search(auditor, { citizenId: CITIZEN, account: 'annv' });
    const rec = found.json().items[0];
    expect(rec.leafIndex).not.toBeNull();
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/access-logs/${rec.id}/proof`, headers: auditor.headers });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ verified: true, signatureValid: true, source: 'access_log' });
    const leaf = createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(p.leafData, 'utf8')])).digest();
    expect(leaf.toString('base64')).toBe(p.leafHash);
    expect(JSON.parse(p.leafData)).toMatchObject({ t: 'access_log', account: 'annv', subject_hash: hashCitizenId(ctx.keys, CITIZEN) });
    expect(verifyInclusion(leaf, p.leafIndex, p.treeSize, p.proof.map((x: string) => Buffer.from(x, 'base64')), Buffer.from(p.rootHash, 'base64'))).toBe(true);
    const denied = await ctx.app.inject({ method: 'GET', url: `/api/v1/access-logs/${rec.id}/proof`, headers: otherAuditor.headers });
    expect(denied.statusCode).toBe(404);
  });

  it('verification names the position of an access-log record edited in the database', async () => {
    const signer = auditLogJobFor(ctx.db)!.signer;
    expect((await verifyDatabase(ctx.db, verifierOf(signer), signer.name)).ok).toBe(true);
    const row = await ctx.db.selectFrom('access_log_records').selectAll().where('account', '=', 'binhtt').orderBy('seq').executeTakeFirstOrThrow();
    const leaf = await ctx.db.selectFrom('audit_log_leaves').selectAll().where('source', '=', 'access_log').where('source_seq', '=', row.seq).executeTakeFirstOrThrow();
    const kept = await keepRecord(ctx.db, 'access_log_records', Number(row.seq));
    await setRecordFields(ctx.db, 'access_log_records', Number(row.seq), { account: 'annv' });
    const report = await verifyDatabase(ctx.db, verifierOf(signer), signer.name);
    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'modified', leafIndex: Number(leaf.leaf_index), seq: Number(row.seq), source: 'access_log' }));
    const proof = await ctx.app.inject({ method: 'GET', url: `/api/v1/access-logs/${row.id}/proof`, headers: auditor.headers });
    expect(proof.json().verified).toBe(false);
    await kept.restore();
    expect((await verifyDatabase(ctx.db, verifierOf(signer), signer.name)).ok).toBe(true);
  });

  it('verification names an access-log record written into the table behind the log\'s back', async () => {
    const signer = auditLogJobFor(ctx.db)!.signer;
    const first = await ctx.db.selectFrom('access_log_records').selectAll().orderBy('seq').executeTakeFirstOrThrow();
    // Every leaf still matches its record, so only the count of records against the leaves that found theirs tells.
    const forged = { ...first, seq: Number(first.seq) - 50_000, id: '01900000-0000-7000-8000-00000000f0f0', external_id: 'gia-mao-1', account: 'tk.gia.mao' };
    await insertRecordDirectly(ctx.db, 'access_log_records', forged);
    const report = await verifyDatabase(ctx.db, verifierOf(signer), signer.name);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'inserted', seq: forged.seq, source: 'access_log' })]);
    await ctx.db.deleteFrom('access_log_records').where('id', '=', forged.id).execute();
    expect((await verifyDatabase(ctx.db, verifierOf(signer), signer.name)).ok).toBe(true);
  });
});

describe('look-up alerts', () => {
  it('raises alerts after ingestion: the retired official\'s look-ups, the unknown account, the account without MFA', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/lookup-alerts?pageSize=100', headers: auditor.headers });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { kind: string; account: string; reason: string; personName: string | null }[];
    const leaver = items.find((a) => a.kind === 'leaver_lookup')!;
    expect(leaver).toMatchObject({ account: 'binhtt', personName: 'Trần Thị Bình' });
    expect(leaver.reason).toContain('đã nghỉ hưu từ 01/09/2025');
    expect(items.find((a) => a.kind === 'unlinked_account')).toMatchObject({ account: 'tk.ngoai' });
    expect(items.find((a) => a.kind === 'no_mfa')).toMatchObject({ account: 'binhtt' });
    expect(items.some((a) => a.account === 'annv')).toBe(false);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/lookup-alerts', headers: otherAuditor.headers })).json().total).toBe(0);
  });

  it('lets an auditor triage an alert (audited), and refuses triage from another unit', async () => {
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/lookup-alerts?kind=leaver_lookup', headers: auditor.headers });
    const id = list.json().items[0].id;
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/lookup-alerts/${id}`, headers: auditor.headers, payload: { status: 'escalated', assigneeUserId: auditor.id, note: 'Chuyển Công an tỉnh xác minh' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'escalated', assigneeUserId: auditor.id, statusNote: 'Chuyển Công an tỉnh xác minh' });
    const entry = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'lookup_alert.update').executeTakeFirstOrThrow();
    expect(entry.target_id).toBe(id);
    const denied = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/lookup-alerts/${id}`, headers: otherAuditor.headers, payload: { status: 'false_positive' } });
    expect(denied.statusCode).toBe(403);
    // Re-ingesting more of the same day updates the alert and keeps its triage.
    await ingest(ndjson([{ account: 'binhtt', action: 'lookup', occurredAt: at(2, 10, 30), subjectCitizenId: '052190007777', ip: '10.20.9.9' }]));
    const again = await ctx.app.inject({ method: 'GET', url: '/api/v1/lookup-alerts?kind=leaver_lookup', headers: auditor.headers });
    expect(again.json().items[0]).toMatchObject({ id, status: 'escalated', recordCount: 3 });
  });
});

describe('retention by security level', () => {
  it('prunes payloads past the level\'s retention (level 3: 3 months), keeps leaf hashes, and the log still verifies', async () => {
    const { pruneAccessLogPayloads } = await import('../audit/merkle.service.js');
    await auditLogJobFor(ctx.db)!.runNow(true);
    await ctx.db.updateTable('information_systems').set({ new_level: 3 }).where('id', '=', systemId).execute();
    const count = async () => Number((await ctx.db.selectFrom('access_log_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    // Two months on: nothing is old enough for level 3.
    expect(await pruneAccessLogPayloads(ctx.db, { now: new Date(ctx.now() + 61 * 86_400_000).toISOString() })).toBe(0);
    // Four months on: every sequenced record is past retention.
    const pruned = await pruneAccessLogPayloads(ctx.db, { now: new Date(ctx.now() + 122 * 86_400_000).toISOString() });
    expect(pruned).toBe(before);
    expect(await count()).toBe(0);
    const signer = auditLogJobFor(ctx.db)!.signer;
    const report = await verifyDatabase(ctx.db, verifierOf(signer), signer.name);
    expect(report.findings).toEqual([]);
    expect(report.pruned).toBeGreaterThanOrEqual(before);
  });
});
