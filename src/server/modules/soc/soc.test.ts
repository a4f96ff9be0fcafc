import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { isCi } from '../../core/config.js';
import { filesProvider } from './detection.js';
import { raiseAlert } from './index.js';
import { type SocRuntime, socRuntimeOf } from './soc.runtime.js';

/** Test rules in Sigma v2.1 (Khiên's shipped rules live in data/sigma/khien and are tested by the sigma module). */
export const TEST_RULES = `title: SSH failed login (test)
id: 0b0d0a55-0000-4000-8000-000000000001
name: test_ssh_failed
status: test
author: Khiên test
logsource: { product: linux, service: sshd }
detection:
  selection:
    event.action: ssh_login
    event.outcome: failure
  condition: selection
level: low
---
title: SSH brute force (test)
id: 0b0d0a55-0000-4000-8000-000000000002
status: test
author: Khiên test
correlation:
  type: event_count
  rules: [test_ssh_failed]
  group-by: [source.ip]
  timespan: 10m
  condition: { gte: 5 }
level: high
tags: [attack.credential-access, attack.t1110.001]
---
title: Sudo to root shell (test)
id: 0b0d0a55-0000-4000-8000-000000000003
status: test
author: Nguyễn Kiểm Thử
logsource: { product: linux, service: sudo }
detection:
  selection:
    user.effective.name: root
    process.command_line|endswith: /bash
  condition: selection
level: medium
tags: [attack.privilege-escalation, attack.t1548.003]
`;

const corpus = process.env.KHIEN_CORPUS_DIR ?? '../shared/data';
const sshLog = join(corpus, 'logs/loghub/OpenSSH/OpenSSH_2k.log');
if (!existsSync(sshLog) && isCi()) throw new Error(`loghub corpus missing: ${sshLog}`);

let ctx: TestContext;
let rt: SocRuntime;
let analystA: TestUser;
let analystB: TestUser;
let ownerA: TestUser;
let unitA: { id: string; path: string };
let systemId: string;
let assetId: string;

const api = (user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: user.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  ctx = await createTestContext();
  rt = socRuntimeOf(ctx.db)!;
  rt.detection.useProvider(filesProvider(() => [{ path: 'test.yml', text: TEST_RULES }]));
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'STTTT', name: 'Sở Khoa học và Công nghệ', parentId: root.id });
  const unitB = await insertUnit(ctx, { code: 'SYT', name: 'Sở Y tế', parentId: root.id });
  analystA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'soc_analyst', unitId: unitA.id }] });
  analystB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'soc_analyst', unitId: unitB.id }] });
  ownerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'system_owner', unitId: unitA.id }] });
  const sys = await api(ownerA, 'POST', '/api/v1/systems', { code: 'CONG-DVC', name: 'Cổng Dịch vụ công tỉnh', type: 'citizen_service', ownerUnitId: unitA.id });
  expect(sys.statusCode, sys.body).toBe(201);
  systemId = sys.json().id;
  const asset = await api(ownerA, 'POST', '/api/v1/assets', { code: 'SRV-DVC-01', kind: 'server', name: 'Máy chủ web Cổng DVC', hostname: 'dvc-web01.gialai.gov.vn', ips: ['10.10.1.21'], ownerUnitId: unitA.id, systemIds: [systemId] });
  expect(asset.statusCode, asset.body).toBe(201);
  assetId = asset.json().id;
  await rt.sources.load(ctx.db);
});
afterAll(async () => ctx?.close());

describe('log sources', () => {
  it('a source is edited: declared to carry access logs only with a system, audited, mapped at once; another unit gets 403', async () => {
    const c = await api(analystA, 'POST', '/api/v1/soc/sources', { name: 'Syslog một cửa', kind: 'syslog', unitId: unitA.id, hosts: ['motcua-01'] });
    expect(c.statusCode, c.body).toBe(201);
    const id = c.json().source.id as string;
    expect(c.json().source.accessLog).toBe(false);
    const noSystem = await api(analystA, 'PATCH', `/api/v1/soc/sources/${id}`, { accessLog: true });
    expect(noSystem.statusCode).toBe(422);
    expect(noSystem.json().error.code).toBe('soc_source.access_log_needs_system');
    const other = await api(analystB, 'PATCH', `/api/v1/soc/sources/${id}`, { name: 'chiếm quyền' });
    expect(other.statusCode).toBe(403);
    const r = await api(analystA, 'PATCH', `/api/v1/soc/sources/${id}`, { systemId, accessLog: true, hosts: ['MOTCUA-01', '10.30.2.5'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id, name: 'Syslog một cửa', systemId, systemName: 'Cổng Dịch vụ công tỉnh', hosts: ['motcua-01', '10.30.2.5'], accessLog: true, enabled: true });
    expect(rt.sources.accessLogSource(id)).toEqual({ systemId, name: 'Syslog một cửa' });
    // Taking the system away while the declaration stands is refused; switching both off is fine.
    expect((await api(analystA, 'PATCH', `/api/v1/soc/sources/${id}`, { systemId: null })).statusCode).toBe(422);
    const off = await api(analystA, 'PATCH', `/api/v1/soc/sources/${id}`, { accessLog: false, enabled: false });
    expect(off.json()).toMatchObject({ accessLog: false, enabled: false, systemId });
    expect(rt.sources.accessLogSource(id)).toBeNull();
    const audit = await ctx.db.selectFrom('audit_events').select(['action', 'actor_user_id']).where('target_id', '=', id).where('action', '=', 'soc_source.update').execute();
    expect(audit).toHaveLength(2);
  });
});

describe('HTTP NDJSON bulk ingestion with per-source API keys', () => {
  let key: string;
  it('a SOC analyst creates an HTTP source; the key is shown once and stored hashed', async () => {
    const r = await api(analystA, 'POST', '/api/v1/soc/sources', { name: 'Winlogbeat Sở KH&CN', kind: 'http', unitId: unitA.id, systemId, hosts: [] });
    expect(r.statusCode, r.body).toBe(201);
    key = r.json().apiKey;
    expect(key).toMatch(/^khien_/);
    const row = await ctx.db.selectFrom('soc_sources').selectAll().where('id', '=', r.json().source.id).executeTakeFirstOrThrow();
    expect(row.api_key_hash).not.toContain(key.slice(6));
    expect(row.api_key_hash).toHaveLength(64);
    const other = await api(analystB, 'POST', '/api/v1/soc/sources', { name: 'x', kind: 'http', unitId: unitA.id });
    expect(other.statusCode).toBe(403);
  });

  it('accepts NDJSON (reporting bad lines), stores after the durable write, and a retried post stores nothing twice', async () => {
    const body = [
      JSON.stringify({ '@timestamp': '2026-11-25T02:00:00Z', event: { id: 'wlb-1' }, winlog: { channel: 'Security', event_id: 4625, computer_name: 'PC-KHCN-07', event_data: { TargetUserName: 'ketoan', IpAddress: '10.10.9.9', LogonType: 3 } } }),
      'not json',
      JSON.stringify({ '@timestamp': '2026-11-25T02:00:05Z', event: { id: 'wlb-2' }, host: { name: 'PC-KHCN-07' }, message: 'Đăng nhập thành công vào hệ thống', user: { name: 'ketoan' } }),
    ].join('\n');
    const send = () => ctx.app.inject({ method: 'POST', url: '/api/v1/soc/ingest/bulk', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, payload: body });
    const r = await send();
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ accepted: 2, rejected: [{ line: 2, message: expect.stringMatching(/JSON/) }] });
    expect((await send()).statusCode).toBe(200);
    await rt.idle();
    const ev = await api(analystA, 'GET', '/api/v1/soc/events?host=pc-khcn-07');
    expect(ev.json().total).toBe(2);
    const logon = ev.json().items.find((e: { code: string }) => e.code === '4625');
    expect(logon).toMatchObject({ userName: 'ketoan', sourceIp: '10.10.9.9', outcome: 'failure', systemId });
    expect(logon.fields).toMatchObject({ TargetUserName: 'ketoan', EventID: 4625 });
    expect(rt.metrics.duplicates).toBeGreaterThanOrEqual(2);
    // full text without diacritics finds the Vietnamese message; field search; the other unit sees nothing
    expect((await api(analystA, 'GET', `/api/v1/soc/events?q=${encodeURIComponent('dang nhap thanh cong')}`)).json().total).toBe(1);
    expect((await api(analystA, 'GET', `/api/v1/soc/events?field=${encodeURIComponent('LogonType=3')}`)).json().total).toBe(1);
    expect((await api(analystB, 'GET', '/api/v1/soc/events?host=pc-khcn-07')).json().total).toBe(0);
  });

  it('refuses a missing or wrong key with 401', async () => {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/soc/ingest/bulk', headers: { authorization: 'Bearer khien_wrong', 'content-type': 'application/x-ndjson' }, payload: '{}' });
    expect(r.statusCode).toBe(401);
    const n = await ctx.app.inject({ method: 'POST', url: '/api/v1/soc/ingest/bulk', headers: { 'content-type': 'application/x-ndjson' }, payload: '{}' });
    expect(n.statusCode).toBe(401);
  });
});

describe('detection, alerts and triage', () => {
  let sourceId: string;
  beforeAll(async () => {
    const r = await api(analystA, 'POST', '/api/v1/soc/sources', { name: 'auth.log máy chủ Cổng DVC', kind: 'file', unitId: unitA.id, systemId, assetId, hosts: ['dvc-web01'] });
    sourceId = r.json().source.id;
  });

  it.skipIf(!existsSync(sshLog))('the loghub OpenSSH log raises the brute-force correlation for the attacking IPs and nothing for quiet ones', async () => {
    const mp = multipartFile('OpenSSH_2k.log', readFileSync(sshLog, 'utf8'));
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/soc/sources/${sourceId}/import`, headers: { ...analystA.headers, ...mp.headers }, payload: mp.payload });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().accepted).toBe(2000);
    await rt.idle();
    const alerts = (await api(analystA, 'GET', '/api/v1/soc/alerts?pageSize=200')).json().items as { title: string; details: { group: Record<string, string> }; count: number; ruleAuthor: string; mitre: string[]; systemName: string; unitName: string }[];
    const brute = alerts.filter((a) => a.title === 'SSH brute force (test)');
    const ips = new Set(brute.map((a) => a.details.group['source.ip']));
    for (const attacker of ['183.62.140.253', '187.141.143.180', '103.99.0.122', '112.95.230.3']) expect(ips.has(attacker), attacker).toBe(true);
    for (const quiet of ['173.234.31.186', '202.100.179.208', '52.80.34.196']) expect(ips.has(quiet), quiet).toBe(false);
    // repeated matches group into one alert per attacker with a count
    expect(brute.filter((a) => a.details.group['source.ip'] === '183.62.140.253').length).toBe(1);
    const top = brute.find((a) => a.details.group['source.ip'] === '183.62.140.253')!;
    expect(top.count).toBeGreaterThan(10);
    expect(top).toMatchObject({ ruleAuthor: 'Khiên test', mitre: ['T1110.001'], systemName: 'Cổng Dịch vụ công tỉnh', unitName: 'Sở Khoa học và Công nghệ' });
    // the alert opens with its events
    const id = (alerts.find((a) => a === top) as unknown as { id: string }).id;
    const detail = (await api(analystA, 'GET', `/api/v1/soc/alerts/${id}`)).json();
    expect(detail.events.length).toBeGreaterThanOrEqual(5);
    expect(detail.events.every((e: { sourceIp: string }) => e.sourceIp === '183.62.140.253')).toBe(true);
  });

  it('a single-event rule raises an alert with the rule author; analysts triage it, audited; another unit gets 403', async () => {
    const mp = multipartFile('auth.log', '<85>Nov 25 10:01:00 dvc-web01 sudo:   hoanglm : TTY=pts/0 ; PWD=/home/hoanglm ; USER=root ; COMMAND=/bin/bash\n<85>Nov 25 10:05:00 dvc-web01 sudo:   hoanglm : TTY=pts/0 ; PWD=/home/hoanglm ; USER=root ; COMMAND=/bin/bash\n');
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/soc/sources/${sourceId}/import`, headers: { ...analystA.headers, ...mp.headers }, payload: mp.payload });
    expect(r.statusCode, r.body).toBe(200);
    await rt.idle();
    const list = (await api(analystA, 'GET', '/api/v1/soc/alerts?status=new')).json().items as { id: string; title: string; count: number; ruleAuthor: string; host: string; assetName: string }[];
    const sudo = list.filter((a) => a.title === 'Sudo to root shell (test)');
    expect(sudo).toHaveLength(1);
    expect(sudo[0]).toMatchObject({ count: 2, ruleAuthor: 'Nguyễn Kiểm Thử', host: 'dvc-web01', assetName: 'Máy chủ web Cổng DVC' });
    const id = sudo[0]!.id;
    expect((await api(analystB, 'GET', `/api/v1/soc/alerts/${id}`)).statusCode).toBe(403);
    expect((await api(analystB, 'PATCH', `/api/v1/soc/alerts/${id}`, { status: 'acknowledged' })).statusCode).toBe(403);
    expect((await api(ownerA, 'PATCH', `/api/v1/soc/alerts/${id}`, { status: 'acknowledged' })).statusCode).toBe(403); // read-only role
    const ack = await api(analystA, 'PATCH', `/api/v1/soc/alerts/${id}`, { status: 'acknowledged', assigneeId: analystA.id, note: 'Đang xác minh với quản trị viên' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ status: 'acknowledged', assigneeId: analystA.id });
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('target_id', '=', id).where('action', '=', 'soc_alert.acknowledged').executeTakeFirst();
    expect(audit?.reason).toBe('Đang xác minh với quản trị viên');
    // a closed alert does not absorb the next match: a new one opens
    await api(analystA, 'PATCH', `/api/v1/soc/alerts/${id}`, { status: 'false_positive' });
    const again = multipartFile('auth2.log', '<85>Nov 25 10:09:00 dvc-web01 sudo:   hoanglm : TTY=pts/0 ; PWD=/home/hoanglm ; USER=root ; COMMAND=/bin/bash\n');
    await ctx.app.inject({ method: 'POST', url: `/api/v1/soc/sources/${sourceId}/import`, headers: { ...analystA.headers, ...again.headers }, payload: again.payload });
    await rt.idle();
    const after = (await api(analystA, 'GET', '/api/v1/soc/alerts?status=new')).json().items.filter((a: { title: string }) => a.title === 'Sudo to root shell (test)');
    expect(after).toHaveLength(1);
    expect(after[0].id).not.toBe(id);
  });

  it('raiseAlert (for other modules) joins the queue and groups repeats', async () => {
    const a = await raiseAlert(ctx.db, { source: 'vuln', title: 'CVE-2026-0001 trên máy chủ Cổng DVC', severity: 'critical', unitId: unitA.id, systemId, assetId, details: { cve: 'CVE-2026-0001' } });
    const b = await raiseAlert(ctx.db, { source: 'vuln', title: 'CVE-2026-0001 trên máy chủ Cổng DVC', severity: 'critical', unitId: unitA.id, systemId, assetId, details: { cve: 'CVE-2026-0001' } });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    const first = (await api(analystA, 'GET', '/api/v1/soc/alerts?status=open')).json().items[0];
    expect(first).toMatchObject({ id: a.id, origin: 'vuln', severity: 'critical', count: 2 }); // critical first in the queue
    expect((await api(analystB, 'GET', '/api/v1/soc/alerts')).json().items.find((x: { id: string }) => x.id === a.id)).toBeUndefined();
  });

  it('metrics count what was received, spooled and stored; retention purges expired events', async () => {
    const m = (await api(analystA, 'GET', '/api/v1/soc/metrics')).json();
    expect(m.received.file).toBeGreaterThanOrEqual(2003);
    expect(m.spooled).toBeGreaterThanOrEqual(m.received.file);
    expect(m.stored).toBeGreaterThanOrEqual(2003);
    expect(m.droppedUdp).toBe(0);
    // Without KHIEN_NATS_URL the pipeline runs in this one process, and the metrics say so (the sources page shows it).
    expect(m.mode).toBe('single_process');
    expect(m.scaleOut).toBeUndefined();
    const prom = await api(analystA, 'GET', '/api/v1/soc/metrics/prometheus');
    expect(prom.body).toContain('khien_soc_stored_total');
    const before = await ctx.db.selectFrom('soc_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    await rt.purge('2099-01-01');
    const afterPurge = await ctx.db.selectFrom('soc_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(before.n)).toBeGreaterThan(0);
    expect(Number(afterPurge.n)).toBe(0);
  });
});
