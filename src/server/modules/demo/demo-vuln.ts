import { newId, nowIso } from '../../db/columns.js';
import type { Db } from '../../db/database.js';
import { recordAudit } from '../../core/audit.js';
import { loadKev } from '../vuln/catalogue.service.js';
import { importScan } from '../vuln/vuln-import.service.js';
import { DemoRandom } from './demo-random.js';

/**
 * Demo vulnerability data for the new Gia Lai province: three rounds of a Nessus-like scan of the data centre
 * and departmental servers (60, 30 and 4 days ago), so findings are created, fixed between rounds, reappear and
 * stay overdue; KEV CVEs (Log4Shell, BlueKeep, EternalBlue, ProxyLogon, ActiveMQ, PHP-CGI…) on a few servers;
 * hosts the inventory does not know; a risk acceptance and a false positive; Lynis and ClamAV evidence for
 * malware-scan coverage with gaps and one detection. Everything goes through the real importer.
 */

/** CISA KEV entries for the CVEs the demo uses (facts from cisagov/kev-data, catalogue 2025.08.25). */
const DEMO_KEV = [
  ['CVE-2021-44228', 'Apache', 'Log4j2', 'Apache Log4j2 Remote Code Execution Vulnerability', '2021-12-10', '2021-12-24'],
  ['CVE-2019-0708', 'Microsoft', 'Remote Desktop Services', 'Microsoft Remote Desktop Services Remote Code Execution Vulnerability', '2021-11-03', '2022-05-03'],
  ['CVE-2017-0144', 'Microsoft', 'SMBv1', 'Microsoft SMBv1 Remote Code Execution Vulnerability', '2022-02-10', '2022-08-10'],
  ['CVE-2021-26855', 'Microsoft', 'Exchange Server', 'Microsoft Exchange Server Remote Code Execution Vulnerability', '2021-11-03', '2021-04-16'],
  ['CVE-2023-46604', 'Apache', 'ActiveMQ', 'Apache ActiveMQ Deserialization of Untrusted Data Vulnerability', '2023-11-02', '2023-11-23'],
  ['CVE-2024-4577', 'PHP Group', 'PHP', 'PHP-CGI OS Command Injection Vulnerability', '2024-06-12', '2024-07-03'],
  ['CVE-2021-41773', 'Apache', 'HTTP Server', 'Apache HTTP Server Path Traversal Vulnerability', '2021-11-03', '2021-11-17'],
] as const;

interface Plugin { id: string; name: string; sev: number; port: number; svc: string; cves: string[]; cvss: string | null; solution: string; description: string }
const P: Plugin[] = [
  { id: '156860', name: 'Apache Log4j < 2.15.0 Remote Code Execution (Log4Shell)', sev: 4, port: 8080, svc: 'www', cves: ['CVE-2021-44228'], cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', solution: 'Nâng cấp Apache Log4j lên 2.17.1 trở lên.', description: 'Thư viện Log4j trên máy chủ ứng dụng cho phép thực thi mã từ xa qua chuỗi JNDI trong dữ liệu được ghi nhật ký.' },
  { id: '125313', name: 'Microsoft RDP RCE (CVE-2019-0708) (BlueKeep)', sev: 4, port: 3389, svc: 'msrdp', cves: ['CVE-2019-0708'], cvss: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', solution: 'Cài bản vá KB4499175 hoặc tắt Remote Desktop Services nếu không dùng.', description: 'Dịch vụ Remote Desktop cho phép thực thi mã từ xa không cần xác thực.' },
  { id: '97833', name: 'MS17-010: Security Update for Microsoft Windows SMB Server (ETERNALBLUE)', sev: 4, port: 445, svc: 'cifs', cves: ['CVE-2017-0144'], cvss: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', solution: 'Cài bản vá MS17-010, tắt SMBv1.', description: 'Máy chủ SMBv1 có lỗ hổng thực thi mã từ xa đã bị mã độc tống tiền WannaCry khai thác.' },
  { id: '147000', name: 'Microsoft Exchange Server Remote Code Execution (ProxyLogon)', sev: 4, port: 443, svc: 'www', cves: ['CVE-2021-26855'], cvss: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', solution: 'Cài bản cập nhật tích luỹ tháng 3/2021 cho Exchange.', description: 'Exchange Server cho phép giả mạo yêu cầu phía máy chủ dẫn tới thực thi mã.' },
  { id: '184092', name: 'Apache ActiveMQ 5.18.x < 5.18.3 RCE', sev: 4, port: 61616, svc: 'activemq', cves: ['CVE-2023-46604'], cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', solution: 'Nâng cấp ActiveMQ lên 5.18.3.', description: 'Giao thức OpenWire của ActiveMQ giải tuần tự dữ liệu không tin cậy.' },
  { id: '200162', name: 'PHP 8.1.x < 8.1.29 Multiple Vulnerabilities (PHP-CGI)', sev: 3, port: 80, svc: 'www', cves: ['CVE-2024-4577'], cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', solution: 'Nâng cấp PHP lên 8.1.29 trở lên.', description: 'PHP-CGI trên Windows cho phép chèn tham số dòng lệnh.' },
  { id: '153584', name: 'Apache 2.4.49 < 2.4.51 Path Traversal', sev: 4, port: 443, svc: 'www', cves: ['CVE-2021-41773'], cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', solution: 'Nâng cấp Apache HTTP Server lên 2.4.51.', description: 'Máy chủ web cho phép đọc tệp ngoài thư mục gốc.' },
  { id: '104743', name: 'TLS Version 1.0 Protocol Detection', sev: 2, port: 443, svc: 'www', cves: [], cvss: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N', solution: 'Tắt TLS 1.0/1.1, chỉ dùng TLS 1.2 trở lên.', description: 'Dịch vụ chấp nhận kết nối TLS 1.0.' },
  { id: '57608', name: 'SMB Signing not required', sev: 2, port: 445, svc: 'cifs', cves: [], cvss: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N', solution: 'Bật yêu cầu ký SMB trên máy chủ.', description: 'Máy chủ SMB không bắt buộc ký gói tin.' },
  { id: '187315', name: 'SSH Terrapin Prefix Truncation Weakness (CVE-2023-48795)', sev: 2, port: 22, svc: 'ssh', cves: ['CVE-2023-48795'], cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N', solution: 'Cập nhật OpenSSH 9.6 trở lên hoặc tắt chacha20-poly1305 và ETM.', description: 'Kênh SSH có thể bị cắt bớt thông điệp đầu.' },
  { id: '51192', name: 'SSL Certificate Cannot Be Trusted', sev: 2, port: 443, svc: 'www', cves: [], cvss: null, solution: 'Dùng chứng thư số do tổ chức chứng thực tin cậy cấp.', description: 'Chứng thư số của dịch vụ không được xác thực bởi tổ chức tin cậy.' },
  { id: '10114', name: 'ICMP Timestamp Request Remote Date Disclosure', sev: 1, port: 0, svc: 'general', cves: ['CVE-1999-0524'], cvss: null, solution: 'Chặn ICMP timestamp ở tường lửa.', description: 'Máy trả lời yêu cầu ICMP timestamp.' },
  { id: '142960', name: 'PostgreSQL 14.x < 14.13 Multiple Vulnerabilities', sev: 3, port: 5432, svc: 'postgresql', cves: ['CVE-2024-7348'], cvss: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', solution: 'Nâng cấp PostgreSQL lên 14.13.', description: 'Điều kiện tranh chấp trong pg_dump cho phép thực thi SQL tuỳ ý.' },
  { id: '19506', name: 'Nessus Scan Information', sev: 0, port: 0, svc: 'general', cves: [], cvss: null, solution: '', description: 'Thông tin về lần quét.' },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function nessusXml(hosts: { ip: string; fqdn: string; os: string; plugins: Plugin[] }[]): string {
  const items = (p: Plugin) =>
    `<ReportItem port="${p.port}" svc_name="${p.svc}" protocol="tcp" severity="${p.sev}" pluginID="${p.id}" pluginName="${esc(p.name)}" pluginFamily="Demo">` +
    `<synopsis>${esc(p.name)}</synopsis><description>${esc(p.description)}</description><solution>${esc(p.solution)}</solution>` +
    p.cves.map((c) => `<cve>${c}</cve>`).join('') + (p.cvss ? `<cvss3_vector>${p.cvss}</cvss3_vector>` : '') +
    `<plugin_output>Phát hiện trên cổng ${p.port}</plugin_output></ReportItem>`;
  return `<?xml version="1.0" ?>\n<NessusClientData_v2><Report name="Quét định kỳ Trung tâm dữ liệu tỉnh">\n` +
    hosts.map((h) => `<ReportHost name="${h.ip}"><HostProperties><tag name="host-ip">${h.ip}</tag><tag name="host-fqdn">${h.fqdn}</tag><tag name="operating-system">${esc(h.os)}</tag></HostProperties>\n${h.plugins.map(items).join('\n')}\n</ReportHost>`).join('\n') +
    '\n</Report></NessusClientData_v2>\n';
}

/** Load the demo vulnerability data (after the inventory is committed). Returns counts for the demo audit entry. */
export async function loadDemoVuln(rt: { db: Db; clock: () => number }): Promise<{ imports: number; findings: number; malwareScans: number }> {
  const { db } = rt;
  const rng = new DemoRandom(20261126);
  const unit = await db.selectFrom('org_units').select(['id']).where('code', '=', 'SO-KHCN-TT-CDS').executeTakeFirst()
    ?? await db.selectFrom('org_units').select(['id']).where('parent_id', 'is', null).executeTakeFirstOrThrow();
  const kev = { catalogVersion: '2025.08.25', vulnerabilities: DEMO_KEV.map(([cveID, vendorProject, product, vulnerabilityName, dateAdded, dueDate]) => ({ cveID, vendorProject, product, vulnerabilityName, dateAdded, dueDate, shortDescription: '', requiredAction: '', knownRansomwareCampaignUse: 'Known', notes: '' })) };
  await loadKev(rt, null, 'known_exploited_vulnerabilities.json (trích)', Buffer.from(JSON.stringify(kev)));
  const assets = await db.selectFrom('assets').select(['id', 'code', 'kind', 'hostname', 'ips_json', 'os_name']).where('status', '=', 'in_use').orderBy('code').execute();
  const servers = assets.filter((a) => a.kind === 'server' || a.kind === 'database');
  const hostOf = (a: (typeof assets)[number]) => ({ ip: (JSON.parse(a.ips_json) as string[])[0]!, fqdn: `${a.hostname}.gialai.gov.vn`, os: a.os_name ?? 'Linux' });
  // Per server: a baseline of findings; some KEV ones on a few servers.
  const plan = servers.slice(0, 70).map((a, i) => {
    const isWin = (a.os_name ?? '').startsWith('Windows');
    const base = [P[7]!, P[10]!, P[11]!, P[13]!].filter(() => rng.chance(0.7));
    if (a.kind === 'database') base.push(P[12]!);
    if (isWin) base.push(P[8]!);
    else base.push(P[9]!);
    if (i % 9 === 0) base.push(P[0]!);
    if (i % 17 === 3) base.push(P[4]!);
    if (isWin && i % 5 === 0) base.push(P[1]!, P[2]!);
    if (i % 23 === 7) base.push(P[6]!);
    if (a.code.startsWith('GL-TTDL-WEB')) base.push(P[5]!);
    return { a, plugins: [...new Set(base)] };
  });
  const strangers = [
    { ip: '10.20.7.41', fqdn: 'may-chu-tam.gialai.gov.vn', os: 'Windows Server 2012 R2', plugins: [P[1]!, P[2]!, P[8]!] },
    { ip: '10.20.7.42', fqdn: 'camera-nvr01.local', os: 'Linux', plugins: [P[9]!, P[10]!] },
    { ip: '10.30.1.200', fqdn: 'bd-mail-cu.binhdinh.gov.vn', os: 'Windows Server 2012', plugins: [P[3]!, P[7]!] },
  ];
  const day = 86400_000;
  const t0 = rt.clock();
  let imports = 0;
  let findings = 0;
  const round = async (daysAgo: number, name: string, keep: (i: number, p: Plugin) => boolean, withStrangers: boolean) => {
    const hosts = plan.map(({ a, plugins }, i) => ({ ...hostOf(a), plugins: plugins.filter((p) => keep(i, p)) }));
    const xml = nessusXml([...hosts, ...(withStrangers ? strangers : [])]);
    const r = await importScan({ db, clock: () => t0 - daysAgo * day }, null, { source: { data: Buffer.from(xml) }, fileName: name, bytes: xml.length, format: 'nessus', unitId: unit.id, origin: 'demo' });
    imports++;
    findings += r.findings;
  };
  // Round 1: everything. Round 2: TLS/SMB fixed on a third of servers, most KEV still there. Round 3: more fixed;
  // Log4Shell on one server and BlueKeep remain (overdue), the ICMP finding reappears on a few.
  await round(60, 'quet-dinh-ky-thang-9.nessus', () => true, true);
  await round(30, 'quet-dinh-ky-thang-10.nessus', (i, p) => !((p.id === '104743' || p.id === '57608' || p.id === '10114') && i % 3 === 0) && !(p.id === '97833' && i % 2 === 0), true);
  await round(4, 'quet-dinh-ky-thang-11.nessus', (i, p) => {
    if (p.id === '156860') return i === 0;
    if (p.id === '200162' || p.id === '153584') return false;
    if (p.id === '104743' || p.id === '57608') return i % 3 !== 0 && i % 4 !== 0;
    return !(p.id === '97833' && i % 2 === 0);
  }, true);

  // Decisions: a risk acceptance (with expiry) and a false positive.
  const now = nowIso(() => t0);
  const pick = async (pluginId: string) => db.selectFrom('vuln_findings').select(['id', 'unit_id']).where('plugin_id', '=', pluginId).where('status', '=', 'open').orderBy('host_label').executeTakeFirst();
  const tls = await pick('104743');
  if (tls) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('vuln_findings').set({ status: 'risk_accepted', decision_reason: 'Thiết bị cân bằng tải cũ chỉ hỗ trợ TLS 1.0; đã giới hạn truy cập trong mạng nội bộ, thay thế trong quý I/2027.', decision_approver: 'Giám đốc Sở Khoa học và Công nghệ', decision_at: now, accept_expires: new Date(t0 + 90 * day).toISOString().slice(0, 10) }).where('id', '=', tls.id).execute();
      await trx.insertInto('vuln_finding_events').values({ id: newId(), finding_id: tls.id, import_id: null, at: now, action: 'risk_accepted', actor_user_id: null, note: 'Phê duyệt: Giám đốc Sở Khoa học và Công nghệ' }).execute();
      await recordAudit(trx, null, { action: 'vuln.risk_accepted', actorLabel: 'khien demo', targetType: 'vuln_finding', targetId: tls.id, unitId: tls.unit_id }, now);
    });
  }
  const pgf = await pick('142960');
  if (pgf) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('vuln_findings').set({ status: 'false_positive', decision_reason: 'Bản PostgreSQL của Ubuntu đã vá ngược (backport) lỗi này; Nessus chỉ so số phiên bản.', decision_at: now }).where('id', '=', pgf.id).execute();
      await trx.insertInto('vuln_finding_events').values({ id: newId(), finding_id: pgf.id, import_id: null, at: now, action: 'false_positive', actor_user_id: null, note: 'Đã kiểm tra gói postgresql-14 của Ubuntu' }).execute();
      await recordAudit(trx, null, { action: 'vuln.false_positive', actorLabel: 'khien demo', targetType: 'vuln_finding', targetId: pgf.id, unitId: pgf.unit_id }, now);
    });
  }

  // Malware-scan coverage: Lynis on Linux servers, ClamAV logs on most servers and workstations — with gaps.
  // The first dozen go through the importer (real report text); the rest are recorded as the same rows under
  // one "collected logs" import, which keeps `khien start` quick.
  let malwareScans = 0;
  const endpoints = assets.filter((a) => a.kind === 'server' || a.kind === 'workstation');
  const bulk: { a: (typeof assets)[number]; when: number; lynis: boolean; installed: boolean }[] = [];
  for (const [i, a] of endpoints.entries()) {
    const when = t0 - rng.int(1, 20) * day;
    if (i % 4 === 3) continue; // a quarter never scanned (the gap the dashboard shows)
    const lynis = a.kind === 'server' && i % 3 === 0 && !(a.os_name ?? '').startsWith('Windows');
    const installed = i % 2 === 0;
    malwareScans++;
    if (i >= 16) {
      bulk.push({ a, when, lynis, installed });
      continue;
    }
    if (lynis) {
      const dat = `report_version_major=1\nlynis_version=3.1.4\nreport_datetime_start=${new Date(when).toISOString().slice(0, 19).replace('T', ' ')}\nhostname=${a.hostname}\nos_fullname=Ubuntu 22.04.4 LTS\nhardening_index=${rng.int(55, 78)}\nmalware_scanner_installed=${installed ? 1 : 0}\n${installed ? 'malware_scanner[]=clamav\n' : 'suggestion[]=HRDN-7230|Harden the system by installing at least one malware scanner|-|-|\n'}warning[]=AUTH-9308|No password set for single mode|-|-|\n`;
      await importScan({ db, clock: () => when }, null, { source: { data: Buffer.from(dat) }, fileName: `lynis-${a.hostname}.dat`, bytes: dat.length, format: 'lynis', unitId: unit.id, origin: 'demo' });
    } else {
      const infected = i === 5;
      const stamp = new Date(when + 7 * 3600_000).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
      const log = `${infected ? 'C:\\Users\\ketoan\\Downloads\\HoaDon_T11.docm: Doc.Dropper.Agent-7108337-0 FOUND\n' : ''}\n----------- SCAN SUMMARY -----------\nKnown viruses: 8712345\nEngine version: 1.0.7\nScanned directories: ${rng.int(2000, 9000)}\nScanned files: ${rng.int(40000, 250000)}\nInfected files: ${infected ? 1 : 0}\nStart Date: ${stamp}\nEnd Date:   ${stamp}\n`;
      await importScan({ db, clock: () => when }, null, { source: { data: Buffer.from(log) }, fileName: `clamscan-${a.hostname}.log`, bytes: log.length, format: 'clamav', unitId: unit.id, targetAssetId: a.id, origin: 'demo' });
    }
    imports++;
  }
  const owners = new Map((await db.selectFrom('assets').select(['id', 'owner_unit_id']).execute()).map((r) => [r.id, r.owner_unit_id]));
  await db.transaction().execute(async (trx) => {
    const importId = newId();
    await trx.insertInto('vuln_imports').values({
      id: importId, scanner: 'clamav', format: 'clamav', file_name: 'nhat-ky-quet-ma-doc-cac-don-vi.log', unit_id: unit.id, target_asset_id: null, origin: 'demo', imported_by: null, imported_at: now,
      scanned_at: null, bytes: 0, findings_total: 0, hosts_total: bulk.length, unmatched_hosts: 0, created_count: 0, kept_count: 0, reopened_count: 0, mitigated_count: 0, duplicates_in_file: 0,
    }).execute();
    for (let i = 0; i < bulk.length; i += 200) {
      await trx.insertInto('malware_scans').values(bulk.slice(i, i + 200).map(({ a, when, lynis, installed }) => ({
        id: newId(), import_id: importId, asset_id: a.id, host_key: `ip:${(JSON.parse(a.ips_json) as string[])[0]}`, host_label: a.hostname ?? a.code, unit_id: owners.get(a.id)!,
        tool: lynis ? (installed ? 'clamav' : 'không có') : 'clamav', source: lynis ? 'lynis' : 'clamav', scanned_at: new Date(when).toISOString(), files_scanned: lynis ? null : rng.int(40000, 250000),
        infected: 0, scanner_installed: lynis ? (installed ? 1 : 0) : null,
      }))).execute();
    }
    await recordAudit(trx, null, { action: 'vuln.import', actorLabel: 'khien demo', targetType: 'vuln_import', targetId: importId, unitId: unit.id, details: { malwareScans: bulk.length } }, now);
  });
  imports++;
  return { imports, findings, malwareScans };
}
