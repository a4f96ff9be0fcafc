import { clamavEvents } from './formats/clamav.js';
import { csvEvents } from './formats/csv.js';
import { lynisEvents } from './formats/lynis.js';
import { nessusHandler } from './formats/nessus.js';
import { nmapHandler } from './formats/nmap.js';
import { nucleiFinding } from './formats/nuclei.js';
import { openscapHandler } from './formats/openscap.js';
import { openvasHandler } from './formats/openvas.js';
import { sarifReader, sarifSelect } from './formats/sarif.js';
import { trivyReader, trivySelect } from './formats/trivy.js';
import { wazuhEvent, wazuhSelect } from './formats/wazuh.js';
import { zapJsonReader, zapJsonSelect } from './formats/zap-json.js';
import { zapXmlHandler } from './formats/zap-xml.js';
import { type ReportSource, reportHead, reportText } from './input.js';
import { jsonLines, jsonValues } from './json-stream.js';
import { DEFAULT_SCAN_LIMITS, type ScanEvent, type ScanFormat, type ScanLimits, ScanImportError } from './types.js';
import { xmlEvents } from './xml.js';

export * from './types.js';
export { parseCvss, networkReachable, type CvssVector } from './cvss.js';
export { type ReportSource } from './input.js';

/**
 * Recognise a report's format from its first few KB (and the file name for plain-text logs). Returns null
 * when nothing fits; the caller then asks the user to choose.
 */
export function detectFormat(head: string, fileName = ''): ScanFormat | null {
  const h = head.trimStart();
  const name = fileName.toLowerCase();
  if (h.startsWith('<')) {
    if (/<NessusClientData_v2/.test(h)) return 'nessus';
    if (/<nmaprun[\s>]/.test(h)) return 'nmap';
    if (/<OWASPZAPReport/.test(h)) return 'zap';
    if (/<(\w+:)?(Benchmark|TestResult|asset-report-collection|data-stream-collection)[\s>]/.test(h)) return 'openscap';
    if (/<report[\s>]/.test(h) && /(format_id|<gmp>|<results|<report_format|<omp>)/.test(h)) return 'openvas';
    if (/<report[\s>]/.test(h)) return 'openvas';
    return null;
  }
  if (h.startsWith('{') || h.startsWith('[')) {
    if (/"\$schema"\s*:\s*"[^"]*sarif|"version"\s*:\s*"2\.1\.0"/.test(h) && /"runs"/.test(h + '"runs"')) return 'sarif';
    if (/"@programName"\s*:\s*"ZAP"|"@generated"/.test(h) && /"site"/.test(h)) return 'zap_json';
    if (/"SchemaVersion"|"ArtifactName"|"ClusterName"|"VulnerabilityID"|"Misconfigurations"/.test(h)) return 'trivy';
    if (/"affected_items"|"wazuh-states-vulnerabilities|"_index"\s*:\s*"wazuh|"agent"\s*:\s*\{/.test(h)) return 'wazuh';
    if (/"template-id"|"templateID"|"matched-at"|"matcher-status"/.test(h)) return 'nuclei';
    if (/"runs"\s*:/.test(h)) return 'sarif';
    if (name.endsWith('.sarif')) return 'sarif';
    if (h.startsWith('[') && /^\[\s*\]?\s*$/.test(h)) return name.includes('nuclei') ? 'nuclei' : name.includes('trivy') ? 'trivy' : null;
    return null;
  }
  if (/^(# Lynis Report|report_version_major=|lynis_version=|report_datetime_start=)/m.test(h)) return 'lynis';
  if (/ FOUND$|-+ SCAN SUMMARY -+|^Known viruses:/m.test(h)) return 'clamav';
  if (/^(Plugin ID|Plugin,Plugin Name|"Plugin ID"|age_in_days;)/.test(h) || /definition\.id/.test(h.split('\n', 1)[0] ?? '')) return 'nessus_csv';
  if (/^IP,Hostname,Port,Port Protocol/.test(h)) return 'openvas_csv';
  if (name.endsWith('.jsonl') && h === '') return 'nuclei';
  if (name.includes('clam')) return 'clamav';
  return null;
}

/** Read the head of a source and detect its format. */
export async function detectSourceFormat(source: ReportSource, fileName: string, limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<ScanFormat | null> {
  return detectFormat(await reportHead(source, 8192, limits), fileName);
}

async function* fromJson(
  chunks: AsyncIterable<string>,
  select: Parameters<typeof jsonValues>[1],
  map: (path: (string | number)[], value: unknown, line: number) => ScanEvent | null,
  limits: ScanLimits,
): AsyncGenerator<ScanEvent[]> {
  for await (const batch of jsonValues(chunks, select, limits)) {
    const out: ScanEvent[] = [];
    for (const b of batch) {
      const e = map(b.path, b.value, b.line);
      if (e) out.push(e);
    }
    if (out.length) yield out;
  }
}

/** Nuclei: JSON Lines (first char `{`) or an array (`[`), told apart by the first character as DefectDojo does. */
async function* nucleiEvents(chunks: AsyncIterable<string>, limits: ScanLimits): AsyncGenerator<ScanEvent[]> {
  const it = chunks[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.trim() === '') first = await it.next();
  if (first.done) return;
  const head = first.value;
  const all = (async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  if (head.trimStart().startsWith('[')) {
    yield* fromJson(all, (p) => p.length === 1, (_p, v, line) => nucleiFinding(v, line), limits);
    return;
  }
  for await (const batch of jsonLines(all, limits)) {
    const out = batch.map((b) => nucleiFinding(b.value, b.line)).filter((e): e is ScanEvent => e !== null);
    if (out.length) yield out;
  }
}

/**
 * Stream a scan report as batches of events (one batch per ≈64 KB of input), with bounded memory. Throws
 * ScanImportError (reason + line) on a malformed or hostile report; the caller writes nothing from a report
 * until the stream has ended without error (the vuln module does it all in one transaction).
 *
 * Memory bound by format: XML, JSON Lines, CSV and the JSON formats are streamed — JSON by materialising one
 * array element at a time (a Trivy vulnerability, a SARIF result, a Wazuh hit, a ZAP alert), each at most
 * `maxElementChars`. Lynis reports are held whole (they are tens of KB; bounded by `maxElementChars`).
 */
export async function* parseScan(source: ReportSource, format: ScanFormat, limits: ScanLimits = DEFAULT_SCAN_LIMITS): AsyncGenerator<ScanEvent[]> {
  const text = reportText(source, limits);
  try {
    switch (format) {
      case 'nessus': yield* xmlEvents(text, nessusHandler, limits); break;
      case 'openvas': yield* xmlEvents(text, openvasHandler, limits); break;
      case 'nmap': yield* xmlEvents(text, nmapHandler, limits); break;
      case 'zap': yield* xmlEvents(text, zapXmlHandler, limits); break;
      case 'openscap': yield* xmlEvents(text, openscapHandler, limits); break;
      case 'trivy': yield* fromJson(text, trivySelect, trivyReader(), limits); break;
      case 'sarif': yield* fromJson(text, sarifSelect, sarifReader(), limits); break;
      case 'zap_json': yield* fromJson(text, zapJsonSelect, zapJsonReader(), limits); break;
      case 'wazuh': yield* fromJson(text, wazuhSelect, (_p, v, line) => wazuhEvent(v, line), limits); break;
      case 'nuclei': yield* nucleiEvents(text, limits); break;
      case 'lynis': yield* lynisEvents(text, limits.maxElementChars); break;
      case 'clamav': yield* clamavEvents(text); break;
      case 'nessus_csv': case 'openvas_csv': yield* csvEvents(text, format, limits.maxElementChars); break;
      default: throw new ScanImportError('unknown_format', `Định dạng không hỗ trợ: ${String(format)}`);
    }
  } catch (err) {
    if (err instanceof ScanImportError) throw err;
    throw new ScanImportError('unreadable', (err as Error).message);
  } finally {
    await text.return(undefined);
  }
}

/** Collect every event of a (small) report — for tests and the CLI's dry run. */
export async function readAllEvents(source: ReportSource, format: ScanFormat, limits?: ScanLimits): Promise<ScanEvent[]> {
  const out: ScanEvent[] = [];
  for await (const b of parseScan(source, format, limits)) out.push(...b);
  return out;
}
