import { createHash } from 'node:crypto';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, DialectName } from '../../db/database.js';
import { SocMetrics } from '../soc/metrics.js';
import { recordRuleHits } from '../rules/rules.service.js';
import { databaseRuleProvider, Detection, type RuleProvider } from '../soc/detection.js';
import { Pipeline, prepare } from '../soc/pipeline.js';
import { SourceMap } from '../soc/source-map.js';
import type { SpoolRecord } from '../soc/spool.js';
import { DemoRandom } from './demo-random.js';

/**
 * SOC demo: log sources for a few of Gia Lai's shared systems and one day (25/11/2026, local time) of their
 * logs — routine SSH administration, sudo, cron, web traffic, Windows logons — with attacks in it: an SSH brute
 * force on the Cổng Dịch vụ công server, password spraying on the mail server, a login after many failures, a
 * web scanning burst on the provincial portal, and a login to a leaver's account. The lines go through the real
 * pipeline (parse → place → enrich → Sigma rules → store), so the alert queue is what detection produced.
 */
const DAY = '2026-11-25';
const TZ = 7 * 60;

interface DemoSource {
  name: string;
  system: string;
  kind: 'syslog' | 'http' | 'file';
}

const SOURCES: DemoSource[] = [
  { name: 'Syslog máy chủ Cổng Dịch vụ công', system: 'GL-DVC', kind: 'syslog' },
  { name: 'Syslog máy chủ thư điện tử công vụ', system: 'GL-MAIL', kind: 'syslog' },
  { name: 'Syslog máy chủ iGate', system: 'GL-IGATE', kind: 'syslog' },
  { name: 'Nhật ký truy cập Nginx Cổng thông tin điện tử', system: 'GL-CTTDT', kind: 'syslog' },
  { name: 'Nhật ký Windows (Winlogbeat) hệ thống xác thực tập trung', system: 'GL-CKS', kind: 'http' },
];

const MONTH = 'Nov';
const ADMINS = ['quantri', 'vanhanh.cds', 'nguyenvh', 'tranthl'];
const INTERNAL = ['10.20.1.15', '10.20.1.16', '10.20.3.40', '10.20.3.41'];

function bsd(sec: number): string {
  const d = new Date(Date.parse(`${DAY}T00:00:00Z`) + sec * 1000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTH} ${d.getUTCDate()} ${hh}:${mm}:${ss}`;
}

function clf(sec: number): string {
  const d = new Date(Date.parse(`${DAY}T00:00:00Z`) + sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTH}/2026:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0700`;
}

/** The day's log lines, as [local seconds since midnight, kind, line]. Deterministic. */
export function demoSocLines(hosts: Record<string, string>, leaver: { host: string; username: string } | null): Array<[number, SpoolRecord['k'], string]> {
  const rng = new DemoRandom(20261125);
  const out: Array<[number, SpoolRecord['k'], string]> = [];
  const sys = (sec: number, host: string, tag: string, msg: string, pri = 38) => out.push([sec, 'syslog', `<${pri}>${bsd(sec)} ${host} ${tag}: ${msg}`]);
  const syslogHosts = ['GL-DVC', 'GL-MAIL', 'GL-IGATE'].map((c) => hosts[c]).filter((h): h is string => !!h);
  // Routine administration through the day.
  for (let i = 0; i < 900; i++) {
    const sec = rng.int(6 * 3600, 22 * 3600);
    const host = rng.pick(syslogHosts);
    const admin = rng.pick(ADMINS);
    const pid = rng.int(1000, 60000);
    const r = rng.next();
    if (r < 0.35) sys(sec, host, `sshd[${pid}]`, `Accepted publickey for ${admin} from ${rng.pick(INTERNAL)} port ${rng.int(40000, 65000)} ssh2`);
    else if (r < 0.45) sys(sec, host, `sshd[${pid}]`, `pam_unix(sshd:session): session opened for user ${admin}(uid=1001) by (uid=0)`, 86);
    else if (r < 0.6) sys(sec, host, 'sudo', `  ${admin} : TTY=pts/${rng.int(0, 3)} ; PWD=/home/${admin} ; USER=root ; COMMAND=${rng.pick(['/usr/bin/systemctl status nginx', '/usr/bin/journalctl -u app', '/usr/bin/df -h', '/usr/bin/apt list --upgradable'])}`, 85);
    else if (r < 0.9) sys(sec, host, `CRON[${pid}]`, `(root) CMD (/usr/local/bin/backup.sh >/dev/null 2>&1)`, 78);
    else sys(sec, host, `sshd[${pid}]`, `Failed password for ${admin} from ${rng.pick(INTERNAL)} port ${rng.int(40000, 65000)} ssh2`); // a typo now and then
  }
  // 02:13–02:17 SSH brute force against the Cổng Dịch vụ công server from one address.
  const dvc = hosts['GL-DVC'];
  if (dvc) {
    for (let i = 0; i < 64; i++) {
      const user = rng.pick(['root', 'root', 'admin', 'oracle', 'dvc']);
      sys(2 * 3600 + 13 * 60 + i * 4, dvc, `sshd[${30000 + i}]`, `Failed password for ${user === 'dvc' ? 'invalid user dvc' : user} from 45.142.120.33 port ${rng.int(30000, 60000)} ssh2`);
    }
  }
  // 03:40 password spraying against the mail server: many accounts, one try each.
  const mail = hosts['GL-MAIL'];
  if (mail) {
    const users = ['hanhchinh', 'ketoan', 'vanthu', 'tonghop', 'tiepdan', 'thanhtra', 'tochuc', 'phaply'];
    users.forEach((u, i) => sys(3 * 3600 + 40 * 60 + i * 35, mail, `sshd[${31000 + i}]`, `Failed password for invalid user ${u} from 103.151.122.9 port ${rng.int(30000, 60000)} ssh2`));
  }
  // 14:05 a login that follows a run of failures from the same address (iGate).
  const igate = hosts['GL-IGATE'];
  if (igate) {
    for (let i = 0; i < 7; i++) sys(14 * 3600 + 5 * 60 + i * 20, igate, `sshd[${32000 + i}]`, `Failed password for quantri from 171.244.61.17 port ${rng.int(30000, 60000)} ssh2`);
    sys(14 * 3600 + 8 * 60, igate, 'sshd[32010]', `Accepted password for quantri from 171.244.61.17 port ${rng.int(30000, 60000)} ssh2`);
  }
  // Web traffic on the provincial portal, with a scanning burst at 10:21.
  const portal = hosts['GL-CTTDT'];
  if (portal) {
    const pages = ['/', '/tin-tuc', '/van-ban', '/lien-he', '/thu-tuc-hanh-chinh', '/tin-tuc/gia-lai-phat-trien-kinh-te-so'];
    for (let i = 0; i < 1200; i++) {
      const sec = rng.int(6 * 3600, 23 * 3600);
      const ip = `113.${rng.int(160, 190)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
      out.push([sec, 'syslog', `<190>${bsd(sec)} ${portal} nginx: ${ip} - - [${clf(sec)}] "GET ${rng.pick(pages)} HTTP/1.1" ${rng.chance(0.97) ? 200 : 404} ${rng.int(900, 90000)} "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"`]);
    }
    const probes = ['/.env', '/wp-login.php', '/admin/', '/phpmyadmin/', '/.git/config', '/backup.zip', '/config.php.bak', '/server-status', '/actuator/env', '/api/v1/../../etc/passwd'];
    for (let i = 0; i < 45; i++) {
      const sec = 10 * 3600 + 21 * 60 + Math.floor(i * 1.2);
      out.push([sec, 'syslog', `<190>${bsd(sec)} ${portal} nginx: 185.220.101.45 - - [${clf(sec)}] "GET ${probes[i % probes.length]}?v=${i} HTTP/1.1" 404 162 "-" "Nikto/2.5.0"`]);
    }
  }
  // A leaver's account still enabled, used to log in (account governance enrichment).
  if (leaver) sys(19 * 3600 + 47 * 60, leaver.host, 'sshd[33001]', `Accepted password for ${leaver.username} from 10.20.7.88 port 51234 ssh2`);
  // Windows logons on the SSO system (Winlogbeat JSON through the HTTP source).
  const cks = hosts['GL-CKS'] ?? 'gl-cks-app01';
  for (let i = 0; i < 300; i++) {
    const sec = rng.int(7 * 3600, 18 * 3600);
    const ok = rng.chance(0.93);
    const t = new Date(Date.parse(`${DAY}T00:00:00Z`) + (sec - TZ * 60) * 1000).toISOString();
    out.push([sec, 'json', JSON.stringify({ '@timestamp': t, host: { name: cks }, winlog: { channel: 'Security', event_id: ok ? 4624 : 4625, computer_name: cks, event_data: { TargetUserName: rng.pick(['ketoan01', 'vanthu02', 'lanhdao', 'hanhchinh03']), TargetDomainName: 'GIALAI', IpAddress: `10.20.${rng.int(10, 60)}.${rng.int(2, 250)}`, LogonType: rng.pick([2, 3, 10]) } } })]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * Load the SOC demo into a database that has the demo inventory (and account snapshots): sources, then the
 * day's events through the pipeline. Skipped when SOC sources already exist.
 */
export async function loadDemoSoc(db: Db, dialect: DialectName, provider: RuleProvider = databaseRuleProvider()): Promise<{ loaded: boolean; events: number; alerts: number }> {
  const existing = await db.selectFrom('soc_sources').select('id').limit(1).executeTakeFirst();
  if (existing) return { loaded: false, events: 0, alerts: 0 };
  const systems = await db
    .selectFrom('information_systems as s')
    .innerJoin('system_assets as sa', 'sa.system_id', 's.id')
    .innerJoin('assets as a', 'a.id', 'sa.asset_id')
    .select(['s.id', 's.code', 's.security_unit_id', 's.owner_unit_id', 'a.id as asset_id', 'a.hostname'])
    .where('s.code', 'in', SOURCES.map((x) => x.system))
    .where('a.kind', '=', 'server')
    .orderBy('a.code')
    .execute();
  const bySystem = new Map<string, (typeof systems)[number]>();
  for (const s of systems) if (!bySystem.has(s.code) && s.hostname) bySystem.set(s.code, s);
  if (bySystem.size === 0) return { loaded: false, events: 0, alerts: 0 };
  const now = nowIso();
  const sourceIds = new Map<string, string>();
  for (const src of SOURCES) {
    const s = bySystem.get(src.system);
    if (!s) continue;
    const id = newId();
    sourceIds.set(src.system, id);
    const demoKey = `khien_demo_${src.system.toLowerCase()}`;
    await db.insertInto('soc_sources').values({
      id, name: src.name, kind: src.kind, unit_id: s.security_unit_id ?? s.owner_unit_id, system_id: s.id, asset_id: s.asset_id,
      hosts_json: JSON.stringify([s.hostname!.toLowerCase()]), api_key_hash: src.kind === 'http' ? createHash('sha256').update(demoKey).digest('hex') : null,
      api_key_prefix: src.kind === 'http' ? demoKey.slice(0, 12) : null, tz_offset_minutes: TZ, enabled: 1, created_at: now, updated_at: now,
    }).execute();
  }
  // A leaver with an enabled account on one of these systems (from the account-governance demo), if any.
  const leaverRow = await db
    .selectFrom('system_accounts as a')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .innerJoin('information_systems as s', 's.id', 'a.system_id')
    .select(['a.username', 's.code'])
    .where('p.status', 'in', ['retired', 'dismissed', 'deceased'])
    .where('a.enabled', '=', 1)
    .where('s.code', 'in', [...bySystem.keys()])
    .orderBy('a.username')
    .limit(1)
    .executeTakeFirst();
  const hosts = Object.fromEntries([...bySystem].map(([code, s]) => [code, s.hostname!]));
  const lines = demoSocLines(hosts, leaverRow ? { host: hosts[leaverRow.code]!, username: leaverRow.username } : null);

  const sources = new SourceMap();
  await sources.load(db);
  const metrics = new SocMetrics();
  const detection = new Detection(provider);
  const pipeline = new Pipeline({ db, dialect, detection, sources, metrics, recordHits: recordRuleHits });
  const base = Date.parse(`${DAY}T00:00:00Z`) - TZ * 60_000;
  const prepared = lines.map(([sec, k, d], i) => {
    const t = base + sec * 1000 + 500;
    const rec: SpoolRecord = { id: createHash('sha256').update(`demo\u0000${i}\u0000${d}`).digest('hex').slice(0, 32), t, k, s: k === 'json' ? (sourceIds.get('GL-CKS') ?? null) : null, p: null, x: k === 'json' ? 'http' : 'udp', d };
    return prepare(rec, sources);
  });
  for (let i = 0; i < prepared.length; i += 1000) await pipeline.detectAndStore(prepared.slice(i, i + 1000), null);
  await pipeline.flushHits(true);
  return { loaded: true, events: metrics.stored, alerts: metrics.alertsOpened };
}
