import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCitizenId } from '../../src/server/modules/org/citizen-id.js';
import { type Listeners, startListeners } from '../../src/server/modules/soc/listeners.js';
import { socRuntimeOf } from '../../src/server/modules/soc/soc.runtime.js';
import { prepare } from '../../src/server/modules/soc/pipeline.js';
import { raiseAlert } from '../../src/server/modules/soc/index.js';
import { multipartFile } from './multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../support/context.js';

/**
 * How the modules built in parallel connect (issues 4–8): the auditor's read-only view of the SOC, look-up
 * alerts in the SOC queue, look-up and vulnerability alerts as case sources, syslog access-log records, and
 * shared-account findings from concurrent logins.
 */
let ctx: TestContext;
let root: { id: string; path: string };
let deptA: { id: string; path: string };
let deptB: { id: string; path: string };
let auditorA: TestUser;
let auditorB: TestUser;
let analyst: TestUser;
let managerA: TestUser;
let systemId: string;
let accessKey = '';

const api = (user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: user.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  deptA = await insertUnit(ctx, { code: 'SO-TP', name: 'Sở Tư pháp', parentId: root.id });
  deptB = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  auditorA = await insertUserWithSession(ctx, { unitId: deptA.id, grants: [{ role: 'auditor', unitId: deptA.id }] });
  auditorB = await insertUserWithSession(ctx, { unitId: deptB.id, grants: [{ role: 'auditor', unitId: deptB.id }] });
  analyst = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'soc_analyst', unitId: root.id }] });
  managerA = await insertUserWithSession(ctx, { unitId: deptA.id, grants: [{ role: 'unit_manager', unitId: deptA.id }] });
  const sys = await api(managerA, 'POST', '/api/v1/systems', { code: 'MCDT-TP', name: 'Hệ thống một cửa điện tử Sở Tư pháp', type: 'internal', ownerUnitId: deptA.id });
  expect(sys.statusCode, sys.body).toBe(201);
  systemId = sys.json().id;
  const key = await api(managerA, 'POST', `/api/v1/systems/${systemId}/api-keys`, { name: 'Máy chủ một cửa' });
  expect(key.statusCode, key.body).toBe(201);
  accessKey = key.json().secret;
});

const ingestAccess = (lines: object[]) => ctx.app.inject({
  method: 'POST', url: '/api/v1/access-logs/ingest', headers: { authorization: `Bearer ${accessKey}`, 'content-type': 'application/x-ndjson' },
  payload: lines.map((l) => JSON.stringify(l)).join('\n'),
});
/** Vietnam local time `days` ago at hh:mm. */
const vnAt = (days: number, hour: number, minute = 0) => {
  const d = new Date(ctx.now() - days * 86_400_000 + 7 * 3_600_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+07:00`;
};
afterAll(async () => ctx?.close());

describe('auditor: read-only SOC access, scoped by unit', () => {
  it('reads the alerts of their unit, not another unit’s, and cannot triage', async () => {
    const a = await raiseAlert(ctx.db, { source: 'test', title: 'Đăng nhập bất thường vào hệ thống Sở Tư pháp', severity: 'high', unitId: deptA.id });
    const b = await raiseAlert(ctx.db, { source: 'test', title: 'Quét cổng vào máy chủ Sở Y tế', severity: 'medium', unitId: deptB.id });
    const list = await api(auditorA, 'GET', '/api/v1/soc/alerts');
    expect(list.statusCode, list.body).toBe(200);
    const ids = (list.json().items as { id: string }[]).map((x) => x.id);
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(b.id);
    expect((await api(auditorA, 'GET', `/api/v1/soc/alerts/${a.id}`)).statusCode).toBe(200);
    expect((await api(auditorA, 'GET', `/api/v1/soc/alerts/${b.id}`)).statusCode).toBe(403);
    expect((await api(auditorA, 'GET', '/api/v1/soc/events')).statusCode).toBe(200);
    // Triage is refused (403, audited) and changes nothing.
    const triage = await api(auditorA, 'PATCH', `/api/v1/soc/alerts/${a.id}`, { status: 'false_positive', note: 'thử' });
    expect(triage.statusCode).toBe(403);
    const row = await ctx.db.selectFrom('soc_alerts').select('status').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('new');
    const denied = await ctx.db.selectFrom('audit_events').select(['action', 'actor_user_id']).where('action', '=', 'authz.denied').where('actor_user_id', '=', auditorA.id).execute();
    expect(denied.length).toBeGreaterThan(0);
    // Nor may they manage sources or escalate to a case.
    expect((await api(auditorA, 'POST', '/api/v1/soc/sources', { name: 'x', kind: 'http', unitId: deptA.id })).statusCode).toBe(403);
    expect((await api(auditorA, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'soc', id: a.id }] })).statusCode).toBe(403);
    // The other unit's auditor sees only theirs; the province analyst still triages.
    const listB = await api(auditorB, 'GET', '/api/v1/soc/alerts');
    expect((listB.json().items as { id: string }[]).map((x) => x.id)).toEqual([b.id]);
    expect((await api(analyst, 'PATCH', `/api/v1/soc/alerts/${a.id}`, { status: 'acknowledged' })).statusCode).toBe(200);
  });
});

describe('look-up alerts in the SOC queue', () => {
  let lookupId = '';
  let socId = '';

  it('raises one SOC alert per look-up alert, linked both ways, scoped to the system’s unit', async () => {
    // tk.tam is in no account snapshot: every record of it is an unlinked-account look-up alert.
    const r = await ingestAccess([
      { account: 'tk.tam', action: 'login', occurredAt: vnAt(2, 9, 0), ip: '10.30.1.9', device: 'PC-TP-09', recordId: 'w-1' },
      { account: 'tk.tam', action: 'lookup', occurredAt: vnAt(2, 9, 5), subjectCitizenId: '052190009999', caseRef: 'HS-1', ip: '10.30.1.9', device: 'PC-TP-09', recordId: 'w-2' },
    ]);
    expect(r.statusCode, r.body).toBe(200);
    const alerts = await api(auditorA, 'GET', `/api/v1/lookup-alerts?systemId=${systemId}&kind=unlinked_account`);
    expect(alerts.statusCode, alerts.body).toBe(200);
    const la = alerts.json().items[0];
    expect(la).toMatchObject({ kind: 'unlinked_account', account: 'tk.tam', status: 'new' });
    expect(la.socAlertId).toBeTruthy();
    lookupId = la.id;
    socId = la.socAlertId;
    const soc = await api(analyst, 'GET', `/api/v1/soc/alerts/${socId}`);
    expect(soc.statusCode, soc.body).toBe(200);
    expect(soc.json().alert).toMatchObject({ origin: 'lookup', status: 'new', unitId: deptA.id, systemId, count: 2 });
    expect(soc.json().alert.title).toContain('Tài khoản không gắn với cán bộ: tk.tam (MCDT-TP)');
    expect(soc.json().alert.details).toMatchObject({ lookupAlertId: lookupId, kind: 'unlinked_account', description: la.reason });
    // The auditor of the system's unit sees it in the SOC queue; another unit's auditor does not.
    expect((await api(auditorA, 'GET', '/api/v1/soc/alerts')).json().items.map((x: { id: string }) => x.id)).toContain(socId);
    expect((await api(auditorB, 'GET', '/api/v1/soc/alerts')).json().items.map((x: { id: string }) => x.id)).not.toContain(socId);
  });

  it('refreshes the same SOC alert when the analytics re-run (no duplicate)', async () => {
    const r = await ingestAccess([{ account: 'tk.tam', action: 'lookup', occurredAt: vnAt(2, 10, 0), subjectCitizenId: '052190008888', caseRef: 'HS-2', recordId: 'w-3' }]);
    expect(r.statusCode, r.body).toBe(200);
    const rows = await ctx.db.selectFrom('soc_alerts').select(['id', 'count']).where('origin', '=', 'lookup').where('system_id', '=', systemId).execute();
    const mine = rows.filter((x) => x.id === socId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.count).toBe(3);
    const linked = await ctx.db.selectFrom('lookup_alerts').select(['id', 'soc_alert_id']).where('system_id', '=', systemId).execute();
    expect(new Set(linked.map((x) => x.soc_alert_id)).size).toBe(linked.length); // one SOC alert per look-up alert
  });

  it('keeps both statuses equal whichever side is triaged', async () => {
    const ack = await api(auditorA, 'PATCH', `/api/v1/lookup-alerts/${lookupId}`, { status: 'acknowledged', note: 'Đang xác minh' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect((await api(analyst, 'GET', `/api/v1/soc/alerts/${socId}`)).json().alert.status).toBe('acknowledged');
    const fp = await api(analyst, 'PATCH', `/api/v1/soc/alerts/${socId}`, { status: 'false_positive', note: 'Tài khoản thử nghiệm đã khai báo' });
    expect(fp.statusCode, fp.body).toBe(200);
    const la = (await api(auditorA, 'GET', `/api/v1/lookup-alerts?systemId=${systemId}&kind=unlinked_account`)).json().items[0];
    expect(la.status).toBe('false_positive');
    // Still read-only for the auditor on the SOC side.
    expect((await api(auditorA, 'PATCH', `/api/v1/soc/alerts/${socId}`, { status: 'new' })).statusCode).toBe(403);
  });
});

describe('look-up and vulnerability alerts as case sources', () => {
  it('offers look-up alerts for escalation and opens a case that links back; both alerts become escalated', async () => {
    // A night-time burst by tk.dem: off-hours look-ups (and unlinked account).
    const lines = Array.from({ length: 6 }, (_, i) => ({ account: 'tk.dem', action: 'lookup', occurredAt: vnAt(3, 22, i * 5), subjectCitizenId: `05219000100${i}`, recordId: `n-${i}` }));
    expect((await ingestAccess(lines)).statusCode).toBe(200);
    const la = (await api(auditorA, 'GET', `/api/v1/lookup-alerts?systemId=${systemId}&kind=off_hours`)).json().items[0];
    expect(la).toMatchObject({ account: 'tk.dem', status: 'new' });
    const cands = await api(analyst, 'GET', '/api/v1/case-escalation-candidates?kind=lookup');
    expect(cands.statusCode, cands.body).toBe(200);
    expect(cands.json().items.map((c: { id: string }) => c.id)).toContain(la.id);
    // Offered once: its SOC copy is not listed again among the SOC candidates.
    const socCands = (await api(analyst, 'GET', '/api/v1/case-escalation-candidates?kind=soc')).json().items as { id: string }[];
    expect(socCands.map((c) => c.id)).not.toContain(la.socAlertId);
    const c = await api(analyst, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'lookup', id: la.id }] });
    expect(c.statusCode, c.body).toBe(201);
    const kase = c.json();
    expect(kase.alerts).toEqual([expect.objectContaining({ kind: 'lookup', refId: la.id, rule: 'lookup-out-of-hours' })]);
    expect(kase.playbooks.map((p: { key: string }) => p.key)).toEqual(['population-db-abuse']);
    expect(kase.unit.id).toBe(deptA.id);
    const after = (await api(auditorA, 'GET', `/api/v1/lookup-alerts?systemId=${systemId}&kind=off_hours`)).json().items[0];
    expect(after.status).toBe('escalated');
    expect((await ctx.db.selectFrom('soc_alerts').select('status').where('id', '=', la.socAlertId).executeTakeFirstOrThrow()).status).toBe('escalated');
    // The candidate list now names the case.
    const again = (await api(analyst, 'GET', '/api/v1/case-escalation-candidates?kind=lookup')).json().items.find((x: { id: string }) => x.id === la.id);
    expect(again?.caseIds ?? [kase.id]).toContain(kase.id);
  });

  it('escalating the SOC copy of a look-up alert escalates the look-up alert too', async () => {
    const la = (await api(auditorA, 'GET', `/api/v1/lookup-alerts?systemId=${systemId}&kind=unlinked_account`)).json().items.find((x: { account: string }) => x.account === 'tk.dem');
    const c = await api(analyst, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'soc', id: la.socAlertId }] });
    expect(c.statusCode, c.body).toBe(201);
    const after = (await api(auditorA, 'GET', `/api/v1/lookup-alerts?systemId=${systemId}&kind=unlinked_account`)).json().items.find((x: { account: string }) => x.account === 'tk.dem');
    expect(after.status).toBe('escalated');
  });

  it('offers KEV findings and malware detections, and a case from a KEV finding records it in the finding’s history', async () => {
    const asset = await api(managerA, 'POST', '/api/v1/assets', { code: 'SRV-TP01', kind: 'server', name: 'Máy chủ một cửa Sở Tư pháp', hostname: 'mcdt-tp01', ips: ['10.30.0.10'], ownerUnitId: deptA.id, systemIds: [systemId] });
    expect(asset.statusCode, asset.body).toBe(201);
    const clam = '/srv/upload/to-khai.docm: Doc.Dropper.Agent-1234 FOUND\n\n----------- SCAN SUMMARY -----------\nKnown viruses: 8700000\nScanned files: 512\nInfected files: 1\nStart Date: 2026:11:20 01:00:00\nEnd Date:   2026:11:20 01:20:00\n';
    const mp = multipartFile('clamscan.log', clam, 'text/plain');
    const imp = await ctx.app.inject({ method: 'POST', url: `/api/v1/vuln/imports?unitId=${deptA.id}&targetAssetId=${asset.json().id}`, headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(imp.statusCode, imp.body).toBe(200);
    const det = await ctx.db.selectFrom('malware_detections').select('id').executeTakeFirstOrThrow();
    const finding = await ctx.db.selectFrom('vuln_findings').select('id').executeTakeFirstOrThrow();
    // As the CISA catalogue would mark it (KEV matching itself is tested in the vuln module).
    await ctx.db.updateTable('vuln_findings').set({ kev: 1, cves_json: JSON.stringify(['CVE-2017-11882']) }).where('id', '=', finding.id).execute();
    const cands = (await api(analyst, 'GET', '/api/v1/case-escalation-candidates?kind=vuln')).json().items as { id: string; title: string; rule: string | null }[];
    expect(cands.find((c) => c.id === det.id)?.title).toContain('Phát hiện mã độc Doc.Dropper.Agent-1234 trên');
    expect(cands.find((c) => c.id === finding.id)?.title).toContain('Lỗ hổng đang bị khai thác (KEV) CVE-2017-11882');
    // Another unit's reader is offered neither.
    const otherAnalyst = await insertUserWithSession(ctx, { unitId: deptB.id, grants: [{ role: 'soc_analyst', unitId: deptB.id }] });
    const theirs = (await api(otherAnalyst, 'GET', '/api/v1/case-escalation-candidates?kind=vuln')).json().items as { id: string }[];
    expect(theirs.map((c) => c.id)).not.toContain(det.id);
    expect((await api(otherAnalyst, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'vuln', id: finding.id }] })).statusCode).toBe(403);
    const c = await api(analyst, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'vuln', id: finding.id }] });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json().alerts[0]).toMatchObject({ kind: 'vuln', refId: finding.id, rule: 'vuln-kev' });
    const f = await api(managerA, 'GET', `/api/v1/vuln/findings/${finding.id}`);
    expect(f.json().history.map((h: { action: string }) => h.action)).toContain('escalated');
    const m = await api(analyst, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'vuln', id: det.id }] });
    expect(m.statusCode, m.body).toBe(201);
    expect(m.json().playbooks.map((p: { key: string }) => p.key)).toContain('malware-workstation');
  });
});

describe('shared account from concurrent logins (account governance reads the access logs)', () => {
  let sourceId = '';
  const findings = async () => {
    const r = await api(managerA, 'GET', `/api/v1/account-findings?systemId=${systemId}&kind=shared`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items as { username: string; reason: string; clause: string; severity: string; evidence: { windowMinutes: number; count: number; pairs: { first: { device: string }; second: { device: string }; minutesApart: number }[] } | null }[];
  };

  it('turns two overlapping logins from different counters into a shared-account finding with its evidence and clause', async () => {
    const src = await api(managerA, 'POST', '/api/v1/account-sources', { systemId, name: 'Tài khoản một cửa Sở Tư pháp', kind: 'file', mapping: { username: 'Tên đăng nhập', display_name: 'Họ tên' } });
    expect(src.statusCode, src.body).toBe(201);
    sourceId = src.json().id;
    const mp = multipartFile('tai-khoan.csv', 'Tên đăng nhập,Họ tên\nmotcua.tp,Bộ phận một cửa Sở Tư pháp\nlan.tp,Lê Thị Lan\n');
    const imp = await ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${sourceId}/import`, headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(imp.statusCode, imp.body).toBe(200);
    expect((await findings()).filter((f) => f.evidence)).toEqual([]);
    const r = await ingestAccess([
      { account: 'motcua.tp', action: 'login', occurredAt: vnAt(1, 8, 0), ip: '10.30.2.11', device: 'QUAY-01', sessionId: 'A', recordId: 'c-1' },
      { account: 'motcua.tp', action: 'login', occurredAt: vnAt(1, 8, 12), ip: '10.30.2.12', device: 'QUAY-02', sessionId: 'B', recordId: 'c-2' },
      // lan.tp moves to another PC after logging out: not shared.
      { account: 'lan.tp', action: 'login', occurredAt: vnAt(1, 8, 0), ip: '10.30.2.21', device: 'PC-21', sessionId: 'C', recordId: 'c-3' },
      { account: 'lan.tp', action: 'logout', occurredAt: vnAt(1, 8, 20), ip: '10.30.2.21', device: 'PC-21', sessionId: 'C', recordId: 'c-4' },
      { account: 'lan.tp', action: 'login', occurredAt: vnAt(1, 8, 25), ip: '10.30.2.22', device: 'PC-22', sessionId: 'D', recordId: 'c-5' },
    ]);
    expect(r.statusCode, r.body).toBe(200);
    const shared = (await findings()).filter((f) => f.evidence);
    expect(shared.map((f) => f.username)).toEqual(['motcua.tp']);
    const f = shared[0]!;
    expect(f.severity).toBe('high');
    expect(f.reason).toContain('đăng nhập đồng thời');
    expect(f.reason).toContain('máy QUAY-01, IP 10.30.2.11');
    expect(f.reason).toContain('cách nhau 12 phút');
    expect(f.clause).toContain('09/TB-TBATANM');
    expect(f.evidence).toMatchObject({ windowMinutes: 30, count: 1, pairs: [{ first: { device: 'QUAY-01' }, second: { device: 'QUAY-02' }, minutesApart: 12 }] });
    // The snapshot's counts include it.
    const snaps = (await api(managerA, 'GET', `/api/v1/account-sources/${sourceId}/snapshots`)).json();
    expect(JSON.stringify(snaps)).toContain('"shared":1');
  });

  it('judges again with the window set for the system, and keeps the finding across a new import', async () => {
    const p = await api(managerA, 'PATCH', `/api/v1/account-sources/${sourceId}`, { concurrentLoginMinutes: 10 });
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json().concurrentLoginMinutes).toBe(10);
    expect((await findings()).filter((f) => f.evidence)).toEqual([]);
    await api(managerA, 'PATCH', `/api/v1/account-sources/${sourceId}`, { concurrentLoginMinutes: null });
    const mp = multipartFile('tai-khoan-2.csv', 'Tên đăng nhập,Họ tên\nmotcua.tp,Bộ phận một cửa Sở Tư pháp\nlan.tp,Lê Thị Lan\n');
    const imp = await ctx.app.inject({ method: 'POST', url: `/api/v1/account-sources/${sourceId}/import`, headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(imp.statusCode, imp.body).toBe(200);
    expect((await findings()).filter((f) => f.evidence).map((f) => f.username)).toEqual(['motcua.tp']);
  });
});

describe('access-log records over syslog (TCP to the SOC listener)', () => {
  let listeners: Listeners;
  afterAll(async () => listeners?.close());

  it('ingests records from a source declared to carry access logs, tied to the system account, citizen ID hashed and masked', async () => {
    const rt = socRuntimeOf(ctx.db)!;
    // Without a system the declaration is refused; with one it is accepted.
    expect((await api(analyst, 'POST', '/api/v1/soc/sources', { name: 'x', kind: 'syslog', unitId: deptA.id, hosts: ['127.0.0.1'], accessLog: true })).statusCode).toBe(422);
    const src = await api(analyst, 'POST', '/api/v1/soc/sources', { name: 'Syslog một cửa Sở Tư pháp', kind: 'syslog', unitId: deptA.id, systemId, hosts: ['mcdt-tp01'], accessLog: true });
    expect(src.statusCode, src.body).toBe(201);
    expect(src.json().source.accessLog).toBe(true);
    // A second sender whose source is not declared: its look-alike record must not be ingested.
    await api(analyst, 'POST', '/api/v1/soc/sources', { name: 'Máy chủ khác', kind: 'syslog', unitId: deptA.id, systemId, hosts: ['other-host'] });
    await rt.sources.load(ctx.db);
    listeners = await startListeners(rt, { host: '127.0.0.1', udpPort: -1, tcpPort: 0, tlsPort: -1, tlsCert: undefined, tlsKey: undefined, tlsCa: undefined, maxMessageBytes: 8192 });
    const CCCD = '052190077777';
    const at = vnAt(1, 9, 30);
    const m1 = `<134>1 ${at} mcdt-tp01 motcua - ACC [khienAccess@32473 account="lan.tp" action="lookup" citizenId="${CCCD}" caseRef="HS-77" ip="10.30.2.21" device="PC-21" recordId="sl-1"] Tra cứu CSDL dân cư cho công dân ${CCCD}`;
    const m2 = `<134>1 ${at} mcdt-tp01 motcua - ACC - {"khienAccess":{"account":"motcua.tp","action":"login","occurredAt":"${at}","ip":"10.30.2.11","device":"QUAY-01","recordId":"sl-2"}}`;
    const m3 = `<134>1 ${at} other-host motcua - ACC [khienAccess@32473 account="lan.tp" action="lookup" citizenId="052190066666" recordId="sl-3"] giả mạo`;
    const m4 = `<134>1 ${at} mcdt-tp01 motcua - ACC [khienAccess@32473 account="lan.tp" action="xoa" citizenId="052190055555" recordId="sl-4"] sai thao tác`;
    const sock = net.connect(listeners.ports.tcp!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.end([m1, m2, m3, m4].map((m) => `${Buffer.byteLength(m)} ${m}`).join(''));
    const deadline = Date.now() + 20_000;
    let rows: { external_id: string | null; account: string; source: string; subject_hash: string | null; subject_masked: string | null; person_id: string | null; account_situation: string; device: string | null }[] = [];
    while (Date.now() < deadline) {
      rows = await ctx.db.selectFrom('access_log_records').select(['external_id', 'account', 'source', 'subject_hash', 'subject_masked', 'person_id', 'account_situation', 'device'])
        .where('external_id', 'in', ['sl-1', 'sl-2', 'sl-3', 'sl-4']).orderBy('external_id').execute();
      const ev = await ctx.db.selectFrom('soc_events').select('id').where('message', 'like', '%sai thao tác%').execute();
      if (rows.length >= 2 && ev.length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.map((r) => r.external_id)).toEqual(['sl-1', 'sl-2']);
    expect(rows[0]).toMatchObject({ account: 'lan.tp', source: 'syslog', subject_hash: hashCitizenId(ctx.keys, CCCD), subject_masked: '052******777', account_situation: 'unmatched', device: 'PC-21' });
    expect(rows[1]).toMatchObject({ account: 'motcua.tp', source: 'syslog', subject_hash: null, device: 'QUAY-01' });
    // The SOC events keep the log line, with the citizen ID masked; the invalid record is flagged, not ingested.
    const events = await ctx.db.selectFrom('soc_events').select(['message', 'fields_json']).where('source_id', '=', src.json().source.id).execute();
    const all = JSON.stringify(events);
    expect(all).not.toContain(CCCD);
    expect(all).not.toContain('052190055555');
    expect(all).toContain('052******777');
    expect(events.find((e) => e.message.includes('sai thao tác'))!.fields_json).toContain('khien.access_log.error');
    // The batch receipt and audit entry name syslog and the source.
    const audit = await ctx.db.selectFrom('audit_events').select(['actor_label']).where('action', '=', 'access_log.ingest').where('actor_label', 'like', 'syslog:%').execute();
    expect(audit.map((a) => a.actor_label)).toContain('syslog:Syslog một cửa Sở Tư pháp');
  });

  it('a record whose event is already stored is not ingested again (a message delivered twice, e.g. re-published to NATS after the duplicate window)', async () => {
    const rt = socRuntimeOf(ctx.db)!;
    const at = vnAt(2, 10, 5);
    // No recordId: only the event's key can tell the second delivery apart.
    const line = `<134>1 ${at} mcdt-tp01 motcua - ACC [khienAccess@32473 account="lan.tp" action="lookup" citizenId="052190044444" caseRef="HS-90" ip="10.30.2.21"] Tra cứu`;
    const rec = { id: '019ac000-0000-7000-8000-0000000dd001', t: Date.now(), k: 'syslog' as const, s: null, p: '127.0.0.1', x: 'tcp', d: line };
    const count = async () => Number((await ctx.db.selectFrom('access_log_records').select((eb) => eb.fn.countAll().as('n')).where('case_ref', '=', 'HS-90').executeTakeFirst())?.n ?? 0);
    await rt.pipeline.detectAndStore([prepare(rec, rt.sources)], null);
    expect(await count()).toBe(1);
    await rt.pipeline.detectAndStore([prepare(rec, rt.sources)], null);
    await rt.pipeline.detectAndStore([prepare(rec, rt.sources), prepare(rec, rt.sources)], null);
    expect(await count()).toBe(1);
  });
});
