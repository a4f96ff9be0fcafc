import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { blankFinding, cvesIn, num, portNumber, type ScanEvent, type ScanFormat, severityFromScore, severityFromWord, str } from '../types.js';

type Row = Record<string, string>;
const pick = (r: Row, ...names: string[]) => {
  for (const n of names) {
    const v = r[n];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return null;
};
const ipOrName = (ip: string | null, name: string | null) => (ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? { ip, hostname: name } : { ip: null, hostname: name ?? ip });

/**
 * Nessus / Tenable CSV exports (three header dialects in the corpus: Tenable.sc "Plugin,Plugin Name,…",
 * Nessus "Plugin ID,CVE,CVSS,Risk,Host,…" — one row per CVE, merged here — and Tenable.io "definition.id;…"
 * with `;`) and OpenVAS CSV ("IP,Hostname,Port,Port Protocol,…,NVT OID,CVEs"). Streamed row by row.
 */
export async function* csvEvents(chunks: AsyncIterable<string>, format: ScanFormat, maxChars: number): AsyncGenerator<ScanEvent[]> {
  let delimiter = ',';
  const source = (async function* () {
    let first = true;
    for await (const c of chunks) {
      if (first) {
        const head = c.split('\n', 1)[0] ?? '';
        if ((head.match(/;/g) ?? []).length > (head.match(/,/g) ?? []).length) delimiter = ';';
        first = false;
      }
      yield c;
    }
  })();
  // The first chunk decides the delimiter before the parser sees it.
  const it = source[Symbol.asyncIterator]();
  const firstChunk = await it.next();
  const rest = (async function* () {
    if (!firstChunk.done) yield firstChunk.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  const parser = Readable.from(rest).pipe(parse({ columns: true, delimiter, relax_column_count: true, bom: true, max_record_size: maxChars, skip_empty_lines: true }));
  let out: ScanEvent[] = [];
  let pending: { key: string; event: ScanEvent } | null = null;
  let rowNo = 1;
  try {
    for await (const r of parser as AsyncIterable<Row>) {
      rowNo++;
      const e = format === 'openvas_csv' ? openvasRow(r, rowNo) : nessusRow(r, rowNo);
      if (!e) continue;
      // Nessus's own CSV repeats a plugin row once per CVE: merge consecutive rows of one plugin/host/port.
      const f = e.finding;
      const key = `${f.pluginId}|${f.host.ip}|${f.host.hostname}|${f.port}|${f.protocol}`;
      if (pending && pending.key === key && pending.event.kind === 'finding') {
        pending.event.finding.cves = [...new Set([...pending.event.finding.cves, ...f.cves])];
        continue;
      }
      if (pending) out.push(pending.event);
      pending = { key, event: e };
      if (out.length >= 500) {
        yield out;
        out = [];
      }
    }
  } catch (err) {
    const { ScanImportError } = await import('../types.js');
    throw new ScanImportError('csv_malformed', `CSV không hợp lệ: ${(err as Error).message}`, rowNo);
  }
  if (pending) out.push(pending.event);
  if (out.length) yield out;
}

const NESSUS_RISK: Record<string, string> = { '0': 'info', '1': 'low', '2': 'medium', '3': 'high', '4': 'critical' };

function nessusRow(r: Row, line: number): { kind: 'finding'; finding: ReturnType<typeof blankFinding> } | null {
  const plugin = pick(r, 'Plugin ID', 'Plugin', 'definition.id');
  if (!plugin) return null;
  const sevWord = pick(r, 'Risk', 'Severity', 'severity', 'definition.severity', 'Risk Factor');
  const sev = severityFromWord(NESSUS_RISK[sevWord ?? ''] ?? sevWord) ?? severityFromScore(num(pick(r, 'CVSS V3 Base Score', 'CVSS v3.0 Base Score', 'CVSS'))) ?? 'info';
  const host = ipOrName(pick(r, 'Host', 'IP Address', 'asset.display_ipv4_address'), pick(r, 'DNS Name', 'asset.display_fqdn', 'asset.host_name', 'NetBIOS Name'));
  const f = blankFinding(plugin, pick(r, 'Name', 'Plugin Name', 'definition.name') ?? `Plugin ${plugin}`, sev, host);
  f.port = portNumber(pick(r, 'Port', 'port'));
  f.protocol = pick(r, 'Protocol', 'protocol')?.toLowerCase() ?? null;
  f.cves = cvesIn(pick(r, 'CVE', 'definition.cve'));
  f.cvssV3Vector = pick(r, 'CVSS V3 Vector', 'definition.cvss3.base_vector');
  f.cvssV3Score = num(pick(r, 'CVSS V3 Base Score', 'CVSS v3.0 Base Score', 'definition.cvss3.base_score'));
  f.description = pick(r, 'Description', 'Synopsis', 'definition.synopsis', '');
  f.solution = pick(r, 'Solution', 'definition.solution');
  f.evidence = pick(r, 'Plugin Output', 'Plugin Text', 'output');
  f.line = line;
  return { kind: 'finding', finding: f };
}

function openvasRow(r: Row, line: number): { kind: 'finding'; finding: ReturnType<typeof blankFinding> } | null {
  const oid = pick(r, 'NVT OID');
  const name = pick(r, 'NVT Name');
  if (!oid && !name) return null;
  const score = num(pick(r, 'CVSS'));
  const f = blankFinding(oid ?? name!, name ?? oid!, severityFromWord(pick(r, 'Severity')) ?? severityFromScore(score) ?? 'info', { ip: pick(r, 'IP'), hostname: pick(r, 'Hostname') });
  f.port = portNumber(pick(r, 'Port'));
  f.protocol = pick(r, 'Port Protocol');
  f.cves = cvesIn(pick(r, 'CVEs'));
  if (f.cves.length === 0 && name && /^CVE-/i.test(name)) f.cves = cvesIn(name);
  f.description = pick(r, 'Summary');
  f.solution = pick(r, 'Solution');
  f.evidence = pick(r, 'Specific Result');
  f.epss = num(pick(r, 'Max Severity EPSS score'));
  f.line = line;
  return { kind: 'finding', finding: f };
}
