import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileDetector, createCorrelator, flattenWindowsEvent, parseConcatenatedJson, parseRules, type KhienEvent, type Logsource } from '../src/server/engines/sigma/index.js';

/**
 * Sigma detection throughput (issue 6 "Done when"): every SigmaHQ Windows, Linux and web rule (rules/,
 * rules-emerging-threats/, rules-threat-hunting/) plus Khiên's own rules, over a realistic mix of events as
 * NDJSON lines: Sysmon (process creation, network, file, registry, image load), Windows Security (logons,
 * 4688), sshd (the loghub OpenSSH log) and Apache access events, with SigmaHQ's regression samples mixed in
 * at ~0.5 %. Single thread = one core. Baseline in the same process: JSON.parse alone on the same lines.
 *
 * `npm run bench -- sigma [events]` (default 200,000). Needs KHIEN_CORPUS_DIR (default ../shared/data).
 */
const corpus = resolve(process.env.KHIEN_CORPUS_DIR ?? '../shared/data');
const sigmaDir = join(corpus, 'sigma');

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.yml')) out.push(p);
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so every run sees the same events. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['PC-STTTT-012.gialai.gov.vn', 'PC-SYT-104.gialai.gov.vn', 'SRV-IGATE-01', 'SRV-MAIL-02', 'PC-UBND-AYUNPA-07', 'DC01.gialai.local'];
const USERS = ['nguyenvana', 'tranthib', 'lequangc', 'phamthid', 'hoangvane', 'SYSTEM', 'LOCAL SERVICE'];
const PROCS: [string, string, string][] = [
  ['C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule', 'C:\\Windows\\System32\\services.exe'],
  ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --field-trial-handle=1234 --lang=vi', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'],
  ['C:\\Windows\\explorer.exe', 'C:\\Windows\\Explorer.EXE', 'C:\\Windows\\System32\\userinit.exe'],
  ['C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "D:\\VanBan\\QD-123-UBND.docx"', 'C:\\Windows\\explorer.exe'],
  ['C:\\Windows\\System32\\conhost.exe', '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', 'C:\\Windows\\System32\\cmd.exe'],
  ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\system32\\cmd.exe /c ipconfig /all', 'C:\\Windows\\explorer.exe'],
  ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe -NoProfile -Command Get-Service', 'C:\\Windows\\explorer.exe'],
  ['C:\\Program Files (x86)\\Zalo\\Zalo.exe', '"C:\\Program Files (x86)\\Zalo\\Zalo.exe"', 'C:\\Windows\\explorer.exe'],
  ['C:\\Windows\\System32\\taskhostw.exe', 'taskhostw.exe Install $(Arg0)', 'C:\\Windows\\System32\\svchost.exe'],
  ['C:\\Program Files\\VNPT-CA\\VnptCaPlugin.exe', '"C:\\Program Files\\VNPT-CA\\VnptCaPlugin.exe" --background', 'C:\\Windows\\explorer.exe'],
];

function* windowsEvents(r: () => number, t0: number): Generator<KhienEvent> {
  let n = 0;
  for (;;) {
    n++;
    const host = HOSTS[Math.floor(r() * HOSTS.length)]!;
    const user = USERS[Math.floor(r() * USERS.length)]!;
    const ts = new Date(t0 + n * 7).toISOString();
    const base = { '@timestamp': ts, 'event.id': `w${n}`, Computer: host, 'host.name': host, 'khien.logsource.product': 'windows' };
    const k = r();
    const [image, cmd, parent] = PROCS[Math.floor(r() * PROCS.length)]!;
    if (k < 0.45) {
      yield { ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Provider_Name: 'Microsoft-Windows-Sysmon', Image: image, CommandLine: cmd, ParentImage: parent, ParentCommandLine: parent, OriginalFileName: image.split('\\').pop()!, User: `GIALAI\\${user}`, IntegrityLevel: 'Medium', CurrentDirectory: 'C:\\Users\\Public\\', Hashes: 'SHA256=9F2B1D4A5C', Company: 'Microsoft Corporation', Product: 'Microsoft® Windows® Operating System', Description: 'Windows host process' };
    } else if (k < 0.55) {
      yield { ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 3, Image: image, User: `GIALAI\\${user}`, Protocol: 'tcp', Initiated: 'true', SourceIp: '10.20.1.15', SourcePort: 50000 + n % 10000, DestinationIp: `103.${n % 255}.12.${n % 200}`, DestinationPort: 443, DestinationHostname: 'dichvucong.gov.vn' };
    } else if (k < 0.65) {
      yield { ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 11, Image: image, TargetFilename: `C:\\Users\\${user}\\AppData\\Local\\Temp\\tmp${n % 9999}.tmp`, User: `GIALAI\\${user}` };
    } else if (k < 0.72) {
      yield { ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 13, EventType: 'SetValue', Image: image, TargetObject: `HKU\\S-1-5-21-1000\\Software\\Microsoft\\Office\\16.0\\Word\\MRU\\Item ${n % 50}`, Details: 'DWORD (0x00000001)' };
    } else if (k < 0.78) {
      yield { ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 7, Image: image, ImageLoaded: 'C:\\Windows\\System32\\kernel32.dll', Signed: 'true', Signature: 'Microsoft Windows', SignatureStatus: 'Valid', OriginalFileName: 'kernel32.dll' };
    } else if (k < 0.9) {
      const fail = r() < 0.2;
      yield { ...base, Channel: 'Security', EventID: fail ? 4625 : 4624, Provider_Name: 'Microsoft-Windows-Security-Auditing', TargetUserName: user, TargetDomainName: 'GIALAI', LogonType: r() < 0.5 ? 3 : 2, IpAddress: '10.20.1.15', WorkstationName: host, AuthenticationPackageName: 'Kerberos', 'event.action': 'logon', 'event.outcome': fail ? 'failure' : 'success', 'user.name': user, 'source.ip': '10.20.1.15' };
    } else {
      yield { ...base, Channel: 'Security', EventID: 4688, NewProcessName: image, CommandLine: cmd, ParentProcessName: parent, SubjectUserName: user, TokenElevationType: '%%1936' };
    }
  }
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
function sshdEvents(): KhienEvent[] {
  const file = join(corpus, 'logs/loghub/OpenSSH/OpenSSH_2k.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split(/\r?\n/).flatMap((line, n) => {
    const m = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) sshd\[\d+\]: (.*)$/.exec(line);
    if (!m) return [];
    const e: KhienEvent = { '@timestamp': new Date(Date.UTC(2025, MONTHS[m[1]!]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))).toISOString(), 'event.id': `s${n}`, message: line, 'host.name': m[6]!, 'process.name': 'sshd', 'khien.logsource.product': 'linux', 'khien.logsource.service': 'sshd' };
    const fail = /Failed (?:password|publickey) for (invalid user )?(\S+) from (\S+) port/.exec(m[7]!);
    const ok = /^Accepted (?:password|publickey) for (\S+) from (\S+) port/.exec(m[7]!);
    if (fail) Object.assign(e, { 'event.action': 'ssh_login', 'event.outcome': 'failure', 'user.name': fail[2]!, 'source.ip': fail[3]! });
    if (ok) Object.assign(e, { 'event.action': 'ssh_login', 'event.outcome': 'success', 'user.name': ok[1]!, 'source.ip': ok[2]! });
    return [e];
  });
}

const PATHS = ['/', '/index.php', '/tin-tuc/chi-tiet?id=1234', '/dich-vu-cong/nop-ho-so', '/static/js/app.3f2a.js', '/static/css/main.css', '/wp-login.php', '/.env', '/api/v1/thu-tuc?ma=1.00123', '/images/logo.png'];
const UAS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Zalo', 'Googlebot/2.1 (+http://www.google.com/bot.html)'];
function* webEvents(r: () => number, t0: number): Generator<KhienEvent> {
  let n = 0;
  for (;;) {
    n++;
    const path = PATHS[Math.floor(r() * PATHS.length)]!;
    const status = path === '/.env' || path === '/wp-login.php' ? 404 : r() < 0.05 ? 404 : 200;
    const ip = `14.${n % 200}.${(n * 7) % 250}.${(n * 13) % 250}`;
    yield {
      '@timestamp': new Date(t0 + n * 11).toISOString(), 'event.id': `a${n}`, 'host.name': 'congdichvucong.gialai.gov.vn',
      message: `${ip} - - [25/Nov/2026:10:00:00 +0700] "GET ${path} HTTP/1.1" ${status} 5123 "-" "${UAS[n % UAS.length]}"`,
      'source.ip': ip, 'http.request.method': 'GET', 'url.original': path, 'url.query': path.includes('?') ? path.split('?')[1]! : '', 'http.response.status_code': status,
      'user_agent.original': UAS[n % UAS.length]!, 'khien.logsource.product': 'apache', 'khien.logsource.category': 'webserver',
    };
  }
}

function regressionEvents(): KhienEvent[] {
  const out: KhienEvent[] = [];
  for (const p of walk(join(sigmaDir, 'regression_data')).filter((x) => x.endsWith('info.yml'))) {
    for (const j of readdirSync(join(p, '..')).filter((f) => f.endsWith('.json'))) {
      for (const d of parseConcatenatedJson(readFileSync(join(p, '..', j), 'utf8'))) out.push(flattenWindowsEvent(d));
    }
  }
  return out;
}

function inScope(ls: Logsource): boolean {
  return ls.product === 'windows' || ls.product === 'linux' || ls.category === 'webserver' || ls.category === 'proxy' || ls.product === 'apache' || ls.product === 'nginx';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  if (!existsSync(join(sigmaDir, 'rules'))) throw new Error(`SigmaHQ corpus missing at ${sigmaDir} (KHIEN_CORPUS_DIR)`);
  const total = Number(process.argv[3] ?? 200_000);
  const files = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].flatMap((d) => walk(join(sigmaDir, d))).map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
  const khien = walk(resolve(import.meta.dirname, '../data/sigma/khien')).map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
  let t = performance.now();
  const all = parseRules([...files, ...khien]);
  const parsed = { ...all, detections: all.detections.filter((d) => inScope(d.info.logsource) || d.info.path!.includes('/khien/')) };
  const detector = compileDetector(parsed);
  const loadMs = performance.now() - t;
  console.log(`rules: ${parsed.detections.length} detection + ${parsed.correlations.length} correlation loaded (Windows, Linux, web + Khiên), ${detector.rules.length} compiled, ${detector.issues.length} unsupported; parse+compile ${loadMs.toFixed(0)} ms`);

  // the event mix as NDJSON lines
  const r = rng(42);
  const t0 = Date.UTC(2026, 10, 25, 1, 0, 0);
  const win = windowsEvents(r, t0);
  const web = webEvents(r, t0);
  const ssh = sshdEvents();
  const bad = regressionEvents();
  const lines: string[] = [];
  const mix = { windows: 0, sshd: 0, web: 0, regression: 0 };
  for (let i = 0; i < total; i++) {
    const k = r();
    let e: KhienEvent;
    if (k < 0.005 && bad.length) (e = bad[i % bad.length]!), mix.regression++;
    else if (k < 0.6) (e = win.next().value as KhienEvent), mix.windows++;
    else if (k < 0.8 && ssh.length) (e = ssh[i % ssh.length]!), mix.sshd++;
    else (e = web.next().value as KhienEvent), mix.web++;
    lines.push(JSON.stringify(e));
  }
  const bytes = lines.reduce((a, l) => a + l.length, 0);
  console.log(`events: ${total} (${(bytes / 2 ** 20).toFixed(1)} MiB NDJSON): ${mix.windows} Windows (Sysmon/Security), ${mix.sshd} sshd (loghub), ${mix.web} Apache access, ${mix.regression} SigmaHQ regression samples`);

  // warm-up
  for (let i = 0; i < Math.min(20_000, total); i++) detector.match(JSON.parse(lines[i]!) as KhienEvent);

  // Each pass is timed by wall clock and by this process's CPU time (user + system): on a shared machine the
  // wall clock counts time the process waited for a core, CPU time does not, so "per core" uses CPU time.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const timed = (fn: () => void): { wall: number; cpu: number } => {
    const w = performance.now();
    const c = cpu();
    fn();
    return { wall: total / ((performance.now() - w) / 1000), cpu: total / ((cpu() - c) / 1000) };
  };
  const runs: Record<'parse' | 'parseDetect' | 'detect' | 'correlate', { wall: number; cpu: number }[]> = { parse: [], parseDetect: [], detect: [], correlate: [] };
  let matches = 0;
  let hits = 0;
  let sink = 0;
  const objects = lines.map((l) => JSON.parse(l) as KhienEvent);
  for (let round = 0; round < 5; round++) {
    runs.parse.push(timed(() => {
      for (const l of lines) sink += (JSON.parse(l) as KhienEvent) === null ? 1 : 0;
    }));
    runs.parseDetect.push(timed(() => {
      matches = 0;
      for (const l of lines) matches += detector.match(JSON.parse(l) as KhienEvent).length;
    }));
    runs.detect.push(timed(() => {
      for (const e of objects) sink += detector.match(e).length;
    }));
    const corr = createCorrelator(parsed, detector);
    runs.correlate.push(timed(() => {
      hits = 0;
      for (const l of lines) {
        const e = JSON.parse(l) as KhienEvent;
        hits += corr.push(e, detector.match(e)).length;
      }
    }));
  }
  if (sink < 0) console.log(sink);
  const med = (k: keyof typeof runs, by: 'wall' | 'cpu') => median(runs[k].map((x) => x[by]));
  const fmt = (x: number) => Math.round(x).toLocaleString('en').padStart(9);
  const p = med('parse', 'cpu');
  const pd = med('parseDetect', 'cpu');
  console.log('median of 5 rounds; events/s by CPU time (per core) and by wall clock (includes waiting for a core on a shared machine)');
  console.log(`JSON.parse alone:                 cpu ${fmt(p)}   wall ${fmt(med('parse', 'wall'))}`);
  console.log(`JSON.parse + detect:              cpu ${fmt(pd)}   wall ${fmt(med('parseDetect', 'wall'))}   (${(pd / p).toFixed(3)}× the JSON.parse rate; detection adds ${((1 / pd - 1 / p) * 1e6).toFixed(2)} µs/event of CPU)`);
  console.log(`detect only (pre-parsed objects): cpu ${fmt(med('detect', 'cpu'))}   wall ${fmt(med('detect', 'wall'))}`);
  console.log(`JSON.parse + detect + correlate:  cpu ${fmt(med('correlate', 'cpu'))}   wall ${fmt(med('correlate', 'wall'))}`);
  console.log(`rule matches: ${matches} (${((matches / total) * 100).toFixed(2)} % of events), correlation hits: ${hits}`);
  console.log(`target ≥ 100,000 events/s per core (JSON.parse + detect, CPU time): ${pd >= 100_000 ? 'met' : 'NOT met'}; peers (published, other hardware): Zircolite ~39k, Hayabusa ~18k, Chainsaw ~4k events/s`);
}
