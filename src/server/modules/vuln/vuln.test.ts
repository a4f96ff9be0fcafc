import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFile } from '../../../../test/integration/multipart.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { importScan } from './vuln-import.service.js';
import { expireAcceptances } from './vuln.service.js';

let ctx: TestContext;
let unitA: { id: string; path: string; code: string };
let unitB: { id: string; path: string; code: string };
let managerA: TestUser;
let managerB: TestUser;
let systemId: string;
let webAssetId: string;
let pcAssetId: string;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const item = (plugin: string, name: string, sev: number, port: number, cves: string[] = [], extra = '') =>
  `<ReportItem port="${port}" svc_name="www" protocol="tcp" severity="${sev}" pluginID="${plugin}" pluginName="${esc(name)}" pluginFamily="Web Servers">` +
  `<description>Mô tả ${esc(name)}</description><solution>Cập nhật bản vá</solution><plugin_output>Phiên bản đang chạy</plugin_output>` +
  `${cves.map((c) => `<cve>${c}</cve>`).join('')}<cvss3_vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</cvss3_vector><cvss3_base_score>9.8</cvss3_base_score>${extra}</ReportItem>`;
const nessus = (hosts: { name: string; ip: string; items: string[] }[]) =>
  `<?xml version="1.0" ?>\n<NessusClientData_v2><Report name="Quét định kỳ">` +
  hosts.map((h) => `<ReportHost name="${h.ip}"><HostProperties><tag name="host-ip">${h.ip}</tag><tag name="host-fqdn">${h.name}</tag><tag name="HOST_END">Thu Nov 26 02:00:00 2026</tag></HostProperties>\n${h.items.join('\n')}</ReportHost>`).join('\n') +
  `</Report></NessusClientData_v2>`;

const WEB = { name: 'web01.gialai.gov.vn', ip: '10.20.1.10' };
const ROGUE = { name: 'may-la.local', ip: '10.20.9.99' };
const I = {
  struts: item('97610', 'Apache Struts 2 RCE (S2-045)', 4, 443, ['CVE-2017-5638']),
  tls: item('104743', 'TLS Version 1.0 Protocol Detection', 2, 443),
  php: item('142591', 'PHP < 7.3.24 Multiple Vulnerabilities', 3, 80, ['CVE-2020-7070']),
  info: item('19506', 'Nessus Scan Information', 0, 0),
};

async function importFile(user: TestUser, fileName: string, body: string | Buffer, query = `unitId=${unitA.id}`) {
  const mp = multipartFile(fileName, body, 'application/xml');
  return ctx.app.inject({ method: 'POST', url: `/api/v1/vuln/imports?${query}`, headers: { ...user.headers, ...mp.headers }, payload: mp.payload });
}
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: user.headers });
const post = (user: TestUser, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: user.headers, payload: payload as object });
async function findingsOf(user: TestUser, q = '') {
  const r = await get(user, `/api/v1/vuln/findings?pageSize=500${q}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as { id: string; pluginId: string; status: string; hostLabel: string; kev: boolean; slaDue: string | null; systems: { code: string }[]; asset: { code: string } | null; firstSeenAt: string; priority: number }[];
}

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.advance(Date.parse('2026-11-20T03:00:00Z') - ctx.now());
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  unitA = await insertUnit(ctx, { code: 'STTTT', name: 'Sở Khoa học và Công nghệ', parentId: root.id });
  unitB = await insertUnit(ctx, { code: 'SYT', name: 'Sở Y tế', parentId: root.id });
  managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
  managerB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'unit_manager', unitId: unitB.id }] });
  const sys = await post(managerA, '/api/v1/systems', { code: 'DVC', name: 'Cổng Dịch vụ công tỉnh', type: 'citizen_service', ownerUnitId: unitA.id });
  expect(sys.statusCode, sys.body).toBe(201);
  systemId = sys.json().id;
  await ctx.db.updateTable('information_systems').set({ new_level: 3 }).where('id', '=', systemId).execute();
  const a = await post(managerA, '/api/v1/assets', { code: 'SRV-WEB01', kind: 'server', name: 'Máy chủ web Cổng DVC', hostname: WEB.name, ips: [WEB.ip], ownerUnitId: unitA.id, systemIds: [systemId] });
  expect(a.statusCode, a.body).toBe(201);
  webAssetId = a.json().id;
  const pc = await post(managerA, '/api/v1/assets', { code: 'PC-VT01', kind: 'workstation', name: 'Máy trạm văn thư', hostname: 'vt01', ips: ['10.20.5.21'], ownerUnitId: unitA.id });
  pcAssetId = pc.json().id;
  // A two-entry KEV catalogue in the CISA schema.
  const kev = JSON.stringify({
    catalogVersion: '2026.11.20', dateReleased: '2026-11-20T00:00:00Z', count: 1,
    vulnerabilities: [{ cveID: 'CVE-2017-5638', vendorProject: 'Apache', product: 'Struts', vulnerabilityName: 'Apache Struts Jakarta Multipart Parser RCE', dateAdded: '2021-11-03', shortDescription: 'x', requiredAction: 'Apply updates', dueDate: '2022-05-03', knownRansomwareCampaignUse: 'Known', notes: '' }],
  });
  const mp = multipartFile('known_exploited_vulnerabilities.json', kev, 'application/json');
  const k = await ctx.app.inject({ method: 'POST', url: '/api/v1/vuln/kev', headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
  expect(k.statusCode, k.body).toBe(200);
});
afterAll(async () => ctx?.close());

describe('import and reimport lifecycle', () => {
  it('imports a Nessus report: findings on the right asset and system, KEV flagged, SLA tightened by level, unmatched host listed', async () => {
    const r = await importFile(managerA, 'quet-1.nessus', nessus([{ ...WEB, items: [I.struts, I.tls, I.php, I.info] }, { ...ROGUE, items: [I.tls] }]));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ format: 'nessus', findings: 5, created: 5, kept: 0, mitigated: 0, hosts: 2, unmatchedHosts: 1 });
    const list = await findingsOf(managerA);
    const struts = list.find((f) => f.pluginId === '97610')!;
    expect(struts).toMatchObject({ status: 'open', kev: true, asset: { code: 'SRV-WEB01' }, systems: [{ code: 'DVC' }] });
    // Critical 7 days, halved for a level-3 system → 4 days from 2026-11-20.
    expect(struts.slaDue).toBe('2026-11-24');
    expect(list[0]!.id).toBe(struts.id); // KEV + critical + citizen-facing system: top priority
    expect(list.find((f) => f.pluginId === '19506')!.slaDue).toBeNull();
    const unmatched = await get(managerA, '/api/v1/vuln/unmatched-hosts');
    expect(unmatched.json().items).toEqual([expect.objectContaining({ hostKey: `ip:${ROGUE.ip}`, hostLabel: `${ROGUE.name} (${ROGUE.ip})`, findingsOpen: 1 })]);
    const byKev = await findingsOf(managerA, '&kev=true');
    expect(byKev.map((f) => f.pluginId)).toEqual(['97610']);
    const bySystem = await findingsOf(managerA, `&systemId=${systemId}`);
    expect(bySystem).toHaveLength(4);
  });

  it('reimporting the same report keeps everything (no duplicates)', async () => {
    const r = await importFile(managerA, 'quet-2.nessus', nessus([{ ...WEB, items: [I.struts, I.tls, I.php, I.info] }, { ...ROGUE, items: [I.tls] }]));
    expect(r.json()).toMatchObject({ created: 0, kept: 5, mitigated: 0, reopened: 0 });
    expect(await findingsOf(managerA)).toHaveLength(5);
  });

  it('a finding missing from a rescan of the same host is mitigated; other hosts are untouched; it reopens when it reappears', async () => {
    const r = await importFile(managerA, 'quet-3.nessus', nessus([{ ...WEB, items: [I.struts, I.tls, I.info] }]));
    expect(r.json()).toMatchObject({ created: 0, kept: 3, mitigated: 1 });
    const list = await findingsOf(managerA);
    expect(list.find((f) => f.pluginId === '142591')!.status).toBe('mitigated');
    expect(list.filter((f) => f.hostLabel.includes(ROGUE.ip)).map((f) => f.status)).toEqual(['open']);
    const again = await importFile(managerA, 'quet-4.nessus', nessus([{ ...WEB, items: [I.struts, I.tls, I.php, I.info] }]));
    expect(again.json()).toMatchObject({ created: 0, kept: 3, reopened: 1, mitigated: 0 });
    const php = (await findingsOf(managerA)).find((f) => f.pluginId === '142591')!;
    expect(php.status).toBe('open');
    const detail = await get(managerA, `/api/v1/vuln/findings/${php.id}`);
    // A rescan that finds it still open writes no history row (its state did not change); last-seen moves.
    expect(detail.json().history.map((h: { action: string }) => h.action)).toEqual(['created', 'mitigated', 'reopened']);
    expect(detail.json().history[1].fileName).toBe('quet-3.nessus');
    expect(detail.json().history[2].fileName).toBe('quet-4.nessus');
  });

  it('risk acceptance and false-positive decisions survive rescans; acceptance reopens on expiry', async () => {
    const list = await findingsOf(managerA);
    const tls = list.find((f) => f.pluginId === '104743' && f.asset)!;
    const php = list.find((f) => f.pluginId === '142591')!;
    const short = await post(managerA, `/api/v1/vuln/findings/${tls.id}/risk-acceptance`, { approver: 'Giám đốc Sở', reason: 'ngắn', expiresOn: '2026-12-31' });
    expect(short.statusCode).toBe(400);
    const acc = await post(managerA, `/api/v1/vuln/findings/${tls.id}/risk-acceptance`, { approver: 'Giám đốc Sở KH&CN', reason: 'Thiết bị cân bằng tải cũ chỉ hỗ trợ TLS 1.0; thay thế trong quý I/2027.', expiresOn: '2026-12-15' });
    expect(acc.statusCode, acc.body).toBe(200);
    expect(acc.json().finding.status).toBe('risk_accepted');
    const fp = await post(managerA, `/api/v1/vuln/findings/${php.id}/false-positive`, { reason: 'PHP đã được vá ngược (backport) bởi nhà phân phối.' });
    expect(fp.json().finding.status).toBe('false_positive');
    // Rescan without both: no mitigation of decided findings. Rescan with both: no reopening.
    const r1 = await importFile(managerA, 'quet-5.nessus', nessus([{ ...WEB, items: [I.struts, I.info] }]));
    expect(r1.json()).toMatchObject({ mitigated: 0 });
    const r2 = await importFile(managerA, 'quet-6.nessus', nessus([{ ...WEB, items: [I.struts, I.tls, I.php, I.info] }]));
    expect(r2.json()).toMatchObject({ reopened: 0, created: 0 });
    const after = await findingsOf(managerA);
    expect(after.map((f) => f.id)).toContain(tls.id);
    expect(after.find((f) => f.id === tls.id)!.status).toBe('risk_accepted');
    expect(after.find((f) => f.id === php.id)!.status).toBe('false_positive');
    // The tick with a controllable clock: nothing before expiry, reopened after.
    expect(await expireAcceptances({ db: ctx.db, clock: ctx.now })).toBe(0);
    const later = () => ctx.now() + 30 * 86400_000;
    expect(await expireAcceptances({ db: ctx.db, clock: later })).toBe(1);
    const d = await get(managerA, `/api/v1/vuln/findings/${tls.id}`);
    expect(d.json().finding.status).toBe('open');
    expect(d.json().history.at(-1)).toMatchObject({ action: 'acceptance_expired' });
    const audit = await ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', tls.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['vuln.risk_accepted', 'vuln.acceptance_expired']));
  });

  it('lists overdue findings per unit and the dashboard counts them', async () => {
    ctx.advance(5 * 86400_000); // 2026-11-25: the KEV critical finding (due 11-24) is overdue
    managerA = await insertUserWithSession(ctx, { unitId: unitA.id, grants: [{ role: 'unit_manager', unitId: unitA.id }] });
    managerB = await insertUserWithSession(ctx, { unitId: unitB.id, grants: [{ role: 'unit_manager', unitId: unitB.id }] });
    const overdue = await findingsOf(managerA, `&overdue=true&unitId=${unitA.id}`);
    expect(overdue.map((f) => f.pluginId)).toContain('97610');
    const dash = await get(managerA, `/api/v1/vuln/dashboard?systemId=${systemId}`);
    expect(dash.statusCode, dash.body).toBe(200);
    expect(dash.json().openBySeverity.critical).toBe(1);
    expect(dash.json().overdueBySeverity.critical).toBe(1);
    expect(dash.json().kevOpen).toBe(1);
    expect(dash.json().bySystem[0]).toMatchObject({ system: { code: 'DVC' } });
    expect(dash.json().burnDown).toHaveLength(12);
  });
});

describe('refusals', () => {
  it('a hostile report is refused with its line and nothing is written', async () => {
    const before = await ctx.db.selectFrom('vuln_imports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const bad = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<NessusClientData_v2>&lol2;</NessusClientData_v2>`;
    const r = await importFile(managerA, 'doc-hai.nessus', bad);
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'vuln.report_invalid', details: { file: 'doc-hai.nessus', line: 2, reason: 'xml_doctype' } });
    // Truncated mid-file after valid hosts: the findings read before the error are not kept.
    const cut = nessus([{ name: 'new.local', ip: '10.20.7.7', items: [I.tls] }]).replace('</Report></NessusClientData_v2>', '<ReportHost name="x"><ReportItem>');
    expect((await importFile(managerA, 'cut.nessus', cut)).statusCode).toBe(422);
    const after = await ctx.db.selectFrom('vuln_imports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await ctx.db.selectFrom('vuln_findings').select('id').where('host_key', '=', 'ip:10.20.7.7').execute()).toHaveLength(0);
  });

  it('another unit can neither read, decide on, nor import for unit A', async () => {
    const mine = await findingsOf(managerA);
    expect(await findingsOf(managerB)).toHaveLength(0);
    const r = await get(managerB, `/api/v1/vuln/findings/${mine[0]!.id}`);
    expect(r.statusCode).toBe(403);
    const d = await post(managerB, `/api/v1/vuln/findings/${mine[0]!.id}/false-positive`, { reason: 'Không phải của chúng tôi, đánh dấu thử.' });
    expect(d.statusCode).toBe(403);
    expect((await importFile(managerB, 'x.nessus', nessus([{ ...WEB, items: [I.tls] }]))).statusCode).toBe(403);
    // B importing into its own unit a report naming A's asset is refused whole.
    const cross = await importFile(managerB, 'y.nessus', nessus([{ ...WEB, items: [I.tls] }]), `unitId=${unitB.id}`);
    expect(cross.statusCode).toBe(403);
    const denied = await ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'authz.denied').execute();
    expect(denied.length).toBeGreaterThan(0);
  });
});

describe('unmatched hosts, coverage and export', () => {
  it('creates an asset from an unmatched host and moves its findings there', async () => {
    const r = await post(managerA, '/api/v1/vuln/unmatched-hosts/assign', { hostKey: `ip:${ROGUE.ip}`, create: { ownerUnitId: unitA.id, kind: 'server', name: 'Máy chủ chưa khai báo', code: 'SRV-LA01' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().findingsMoved).toBe(1);
    const list = await findingsOf(managerA);
    expect(list.find((f) => f.hostLabel.includes(ROGUE.ip))!.asset).toMatchObject({ code: 'SRV-LA01' });
    expect((await get(managerA, '/api/v1/vuln/unmatched-hosts')).json().items).toHaveLength(0);
  });

  it('computes malware-scan coverage from ClamAV and Lynis, and keeps detections for the SOC', async () => {
    const clam = '/srv/upload/hoso.docm: Doc.Dropper.Agent-1234 FOUND\n\n----------- SCAN SUMMARY -----------\nKnown viruses: 8700000\nScanned files: 5120\nInfected files: 1\nStart Date: 2026:12:19 01:00:00\nEnd Date:   2026:12:19 01:20:00\n';
    const mp = multipartFile('clamscan.log', clam, 'text/plain');
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/vuln/imports?unitId=${unitA.id}&targetAssetId=${webAssetId}`, headers: { ...managerA.headers, ...mp.headers }, payload: mp.payload });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ format: 'clamav', malwareScans: 1, detections: 1, findings: 1 });
    const lynis = 'report_version_major=1\nlynis_version=3.1.4\nreport_datetime_start=2026-12-19 02:00:00\nhostname=vt01\nmalware_scanner_installed=0\nsuggestion[]=HRDN-7230|Harden the system by installing at least one malware scanner|-|-|\n';
    const l = await importFile(managerA, 'lynis-report.dat', lynis);
    expect(l.json()).toMatchObject({ format: 'lynis', malwareScans: 1 });
    const cov = await get(managerA, `/api/v1/vuln/malware-coverage?days=30&unitId=${unitA.id}`);
    expect(cov.statusCode, cov.body).toBe(200);
    const c = cov.json();
    // Servers/workstations of unit A: web (scanned, infected), vt01 (Lynis: no scanner), SRV-LA01 (never).
    expect(c.province).toMatchObject({ total: 3, covered: 1 });
    expect(c.province.percent).toBeCloseTo(33.3, 1);
    const web = c.assets.find((a: { asset: { id: string } }) => a.asset.id === webAssetId);
    expect(web).toMatchObject({ covered: true, tool: 'clamav', result: 'infected', infected: 1 });
    expect(c.assets.find((a: { asset: { id: string } }) => a.asset.id === pcAssetId)).toMatchObject({ covered: false, result: 'no_scanner' });
    expect(c.detections[0]).toMatchObject({ signature: 'Doc.Dropper.Agent-1234', path: '/srv/upload/hoso.docm' });
    // The detection became a SOC alert of the asset's unit, in the import's transaction.
    const alert = await ctx.db.selectFrom('soc_alerts').selectAll().where('id', '=', c.detections[0].socAlertId).executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ origin: 'malware', severity: 'high', unit_id: unitA.id, asset_id: webAssetId });
    expect(c.byMergerPhase.find((p: { phase: string }) => p.phase === 'no_plan').total).toBe(3);
  });

  it('exports the findings to XLSX with formula-safe cells', async () => {
    const evil = nessus([{ ...WEB, items: [item('99999', '=HYPERLINK("http://evil","bấm")', 3, 8080)] }]);
    expect((await importFile(managerA, 'evil.nessus', evil)).statusCode).toBe(200);
    const r = await get(managerA, `/api/v1/vuln/findings/export?unitId=${unitA.id}`);
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Lỗ hổng')!;
    const titles: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) titles.push(String(row.getCell(3).value));
    });
    expect(titles).toContain(`'=HYPERLINK("http://evil","bấm")`);
    expect(ws.getRow(1).getCell(1).value).toBe('Mức độ');
  });
});

describe('duplicates and batches', () => {
  it('a finding listed twice is stored once, also when the copies fall in different write batches; a rescan writes no history for unchanged findings', async () => {
    const host = { name: 'dup.local', ip: '10.20.8.8' };
    // Batches of 2: [tls, php] [tls(dup), info] [php(dup)] — both duplicates are in a later batch than their original.
    const body = nessus([{ ...host, items: [I.tls, I.php, I.tls, I.info, I.php] }]);
    const run = (fileName: string) => importScan({ db: ctx.db, clock: ctx.now, batchSize: 2 }, null, { source: { data: Buffer.from(body) }, fileName, bytes: body.length, format: 'nessus', unitId: unitA.id, origin: 'cli' });
    const first = await run('trung-1.nessus');
    expect(first).toMatchObject({ findings: 5, created: 3, duplicatesInFile: 2 });
    const stored = await ctx.db.selectFrom('vuln_findings').select('id').where('host_key', '=', `ip:${host.ip}`).execute();
    expect(stored).toHaveLength(3);
    const again = await run('trung-2.nessus');
    expect(again).toMatchObject({ findings: 5, created: 0, kept: 3, duplicatesInFile: 2, mitigated: 0 });
    const events = await ctx.db.selectFrom('vuln_finding_events').select('action').where('finding_id', 'in', stored.map((s) => s.id)).execute();
    expect(events.map((e) => e.action)).toEqual(['created', 'created', 'created']);
  });
});
