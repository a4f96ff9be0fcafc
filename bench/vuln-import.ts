import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { newId } from '../src/server/db/columns.js';
import { openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { parseScan } from '../src/server/engines/scan-import/index.js';
import { importScan } from '../src/server/modules/vuln/vuln-import.service.js';

/**
 * `npm run bench -- vuln-import [hosts] [itemsPerHost]`
 * Generates a Nessus v2 file of 100,000 findings over 5,000 hosts (≈500 MB: 200 plugins whose synopsis,
 * description and solution repeat on every host as Nessus writes them, plus per-host plugin output) in a temp
 * directory, then (1) the baseline: a bare streaming parse of the file through the scan-import engine (every
 * finding materialised, nothing stored); (2) the import into a fresh SQLite database with 5,000 matching assets:
 * dedupe keys, asset matching, KEV/SLA/priority, texts by hash, history events, all in one transaction;
 * (3) the same file imported again (every finding kept). Target for (2): < 30 s and < 300 MB RSS.
 */
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

function lorem(seed: number, len: number): string {
  const words = ['máy chủ', 'dịch vụ', 'phiên bản', 'lỗ hổng', 'cho phép', 'kẻ tấn công', 'từ xa', 'thực thi', 'mã', 'tuỳ ý', 'bản vá', 'cập nhật', 'the', 'remote', 'host', 'is', 'affected', 'by', 'a', 'vulnerability', 'in', 'its', 'web', 'server', 'component'];
  let s = '';
  let i = seed;
  while (s.length < len) {
    i = (i * 1103515245 + 12345) >>> 0;
    s += `${words[i % words.length]} `;
  }
  return s.slice(0, len);
}

async function generate(path: string, hosts: number, perHost: number): Promise<number> {
  const plugins = Array.from({ length: 200 }, (_, p) => ({
    id: String(100000 + p), name: `Plugin ${p}: ${lorem(p, 60).trim()}`, sev: p % 5, port: [22, 80, 443, 445, 3389, 8080, 5432][p % 7]!,
    cves: p % 3 === 0 ? [`CVE-20${10 + (p % 14)}-${1000 + p}`] : [], synopsis: lorem(p + 1, 200), description: lorem(p + 7, 2600), solution: lorem(p + 13, 400),
  }));
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('<?xml version="1.0" ?>\n<NessusClientData_v2><Policy><policyName>Bench</policyName></Policy><Report name="bench">\n');
  for (let h = 0; h < hosts; h++) {
    const ip = `10.${100 + Math.floor(h / 65536)}.${Math.floor(h / 256) % 256}.${h % 256}`;
    let s = `<ReportHost name="${ip}"><HostProperties><tag name="host-ip">${ip}</tag><tag name="host-fqdn">host${h}.bench.local</tag><tag name="operating-system">Linux</tag></HostProperties>\n`;
    for (let k = 0; k < perHost; k++) {
      const p = plugins[(h * 7 + k * 13) % plugins.length]!;
      s += `<ReportItem port="${p.port + k * 1000}" svc_name="svc" protocol="tcp" severity="${p.sev}" pluginID="${p.id}" pluginName="${p.name}" pluginFamily="Bench">` +
        `<synopsis>${p.synopsis}</synopsis><description>${p.description}</description><solution>${p.solution}</solution>${p.cves.map((c) => `<cve>${c}</cve>`).join('')}` +
        `<cvss3_vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</cvss3_vector><cvss3_base_score>9.8</cvss3_base_score>` +
        `<plugin_output>${lorem(h * 31 + k, 1200)}</plugin_output></ReportItem>\n`;
    }
    await write(`${s}</ReportHost>\n`);
  }
  await write('</Report></NessusClientData_v2>\n');
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

/** Run `fn` sampling RSS every 50 ms; returns seconds and the peak RSS seen. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: number; peakRss: number }> {
  const cpu0 = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    const cpu = process.cpuUsage(cpu0);
    return { value, seconds: (performance.now() - t) / 1000, cpu: (cpu.user + cpu.system) / 1e6, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

export async function run(): Promise<void> {
  const hosts = Number(process.argv[3] ?? 5000);
  const perHost = Number(process.argv[4] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-vuln-'));
  try {
    const file = join(dir, 'bench.nessus');
    const g = performance.now();
    const size = await generate(file, hosts, perHost);
    console.log(`input: ${f0(hosts * perHost)} findings over ${f0(hosts)} hosts, ${mb(size)} (${f0(size)} bytes), generated in ${((performance.now() - g) / 1000).toFixed(1)} s`);
    console.log(`rss before: ${mb(process.memoryUsage().rss)}`);

    const parse = await measured(async () => {
      let n = 0;
      for await (const batch of parseScan({ path: file }, 'nessus')) n += batch.filter((e) => e.kind === 'finding').length;
      return n;
    });
    console.log(`baseline — bare streaming parse: ${f0(parse.value)} findings in ${parse.seconds.toFixed(2)} s (CPU ${parse.cpu.toFixed(2)} s, ${f0(parse.value / parse.seconds)}/s, ${mb(size / parse.seconds)}/s), peak RSS ${mb(parse.peakRss)}`);

    const handle = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
    await migrateToLatest(handle.db, handle.dialect);
    const unitId = newId();
    const now = new Date().toISOString();
    await handle.db.insertInto('org_units').values({
      id: unitId, code: 'BENCH', name: 'Đơn vị đo', short_name: null, type: 'province', parent_id: null, path: `/${unitId}/`, depth: 0, valid_from: '2025-07-01', valid_to: null,
      merged_into_id: null, merged_on: null, merger_decision: null, name_folded: 'don vi do', created_at: now, updated_at: now,
    }).execute();
    const assets = Array.from({ length: hosts }, (_, h) => {
      const ip = `10.${100 + Math.floor(h / 65536)}.${Math.floor(h / 256) % 256}.${h % 256}`;
      return {
        id: newId(), code: `SRV-${h}`, kind: 'server', name: `Máy chủ ${h}`, name_folded: `may chu ${h}`, hostname: `host${h}`, ips_json: JSON.stringify([ip]), os_name: 'Linux', os_version: null,
        software_json: '[]', location: null, owner_unit_id: unitId, status: 'in_use', reuse_disposition: null, reuse_target_unit_id: null, reuse_decision: null, notes: null, created_at: now, updated_at: now,
      };
    });
    for (let i = 0; i < assets.length; i += 500) await handle.db.insertInto('assets').values(assets.slice(i, i + 500)).execute();

    const imp = await measured(() => importScan({ db: handle.db, clock: Date.now }, null, { source: { path: file }, fileName: 'bench.nessus', bytes: size, format: 'nessus', unitId, origin: 'cli' }));
    const r = imp.value;
    console.log(`import with dedupe into SQLite: ${f0(r.findings)} findings (${f0(r.created)} created, ${f0(r.duplicatesInFile)} in-file duplicates) on ${f0(r.hosts)} hosts (${r.unmatchedHosts} unmatched) in ${imp.seconds.toFixed(2)} s (CPU ${imp.cpu.toFixed(2)} s, ${f0(r.findings / imp.seconds)}/s), peak RSS ${mb(imp.peakRss)}`);
    console.log(`ratio import ÷ bare parse: ${(imp.seconds / parse.seconds).toFixed(2)}× wall, ${(imp.cpu / parse.cpu).toFixed(2)}× CPU`);
    const re = await measured(() => importScan({ db: handle.db, clock: Date.now }, null, { source: { path: file }, fileName: 'bench-2.nessus', bytes: size, format: 'nessus', unitId, origin: 'cli' }));
    console.log(`reimport of the same file (all kept): ${f0(re.value.kept)} kept, ${re.value.created} created, ${re.value.mitigated} mitigated in ${re.seconds.toFixed(2)} s (CPU ${re.cpu.toFixed(2)} s), peak RSS ${mb(re.peakRss)} (ratio ÷ bare parse ${(re.seconds / parse.seconds).toFixed(2)}×)`);
    const dbSize = statSync(join(dir, 'bench.db')).size + (() => { try { return statSync(join(dir, 'bench.db-wal')).size; } catch { return 0; } })();
    console.log(`database after two imports: ${mb(dbSize)}`);
    await handle.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
