/**
 * Shapes shared by every scan-report reader. A reader turns a report into a stream of events: hosts it saw
 * (with facts such as the malware scanner Lynis found), findings, and malware-scan results. The engine is
 * pure: no database, no clock, no network — the vuln module does the matching, dedupe and writing.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SCAN_FORMATS = [
  'nessus', 'nessus_csv', 'openvas', 'openvas_csv', 'nmap', 'trivy', 'nuclei', 'sarif', 'zap', 'zap_json', 'lynis', 'openscap', 'clamav', 'wazuh',
] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** The scanner a format belongs to (dedupe keys are per scanner: a Nessus CSV and .nessus of one scan agree). */
export const SCANNER_OF: Record<ScanFormat, string> = {
  nessus: 'nessus', nessus_csv: 'nessus', openvas: 'openvas', openvas_csv: 'openvas', nmap: 'nmap', trivy: 'trivy', nuclei: 'nuclei',
  sarif: 'sarif', zap: 'zap', zap_json: 'zap', lynis: 'lynis', openscap: 'openscap', clamav: 'clamav', wazuh: 'wazuh',
};

/** How a report names the thing a finding is on. At least one field is set; the module matches assets by them. */
export interface HostRef {
  ip?: string | null;
  hostname?: string | null;
  /** Container image, repository or artefact (Trivy ArtifactName, SARIF has none → the run's tool target). */
  image?: string | null;
}

export interface ScanFinding {
  /** Plugin / NVT OID / template / rule / test id as the scanner states it (kept, unlike DefectDojo's Tenable parser). */
  pluginId: string;
  title: string;
  severity: Severity;
  host: HostRef;
  port: number | null;
  protocol: string | null;
  service: string | null;
  cves: string[];
  cwes: number[];
  cvssV3Vector: string | null;
  cvssV3Score: number | null;
  cvssV4Vector: string | null;
  cvssV4Score: number | null;
  description: string | null;
  solution: string | null;
  evidence: string | null;
  /** What distinguishes two findings of one plugin on one host besides the port: file:line, URL, package@version. */
  location: string | null;
  /** Optional scanner-provided score of exploitation probability (Nuclei classification.epss-score). */
  epss: number | null;
  /** 1-based line of the report where the finding starts (for messages), when the reader knows it. */
  line: number | null;
}

export interface HostFacts {
  host: HostRef;
  os?: string | null;
  /** Lynis: malware_scanner_installed and malware_scanner[] (CISOfy/lynis include/tests_malware). */
  malwareScannerInstalled?: boolean | null;
  malwareScanners?: string[];
  hardeningIndex?: number | null;
  scannedAt?: string | null;
}

/** One malware scan of a host (ClamAV log, Wazuh rootcheck/syscheck detection, Lynis-reported scanner). */
export interface MalwareScan {
  host: HostRef;
  tool: string;
  scannedAt: string | null;
  filesScanned: number | null;
  infected: number;
  detections: { path: string; signature: string }[];
}

export type ScanEvent =
  | { kind: 'finding'; finding: ScanFinding }
  | { kind: 'host'; host: HostFacts }
  | { kind: 'malware'; scan: MalwareScan }
  | { kind: 'meta'; scanner?: string; scannerVersion?: string | null; startedAt?: string | null; finishedAt?: string | null };

/** A refused report: the reason and, when known, the line. Nothing from it may be written. */
export class ScanImportError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly line: number | null = null,
  ) {
    super(line ? `${message} (dòng ${line})` : message);
    this.name = 'ScanImportError';
  }
}

export interface ScanLimits {
  /** Largest accepted input after decompression (bytes). */
  maxBytes: number;
  /** Largest gzip expansion ratio once past 16 MB of output (generated XML compresses 10–100×; bombs 1000×). */
  maxGzipRatio: number;
  /** Largest single element (one XML item subtree, one JSON array element, one line) kept in memory. */
  maxElementChars: number;
  /** Bytes before the XML root element (the prolog): a DOCTYPE that never ends is refused here. */
  maxPrologBytes: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxBytes: 1536 * 1024 * 1024,
  maxGzipRatio: 200,
  maxElementChars: 32 * 1024 * 1024,
  maxPrologBytes: 64 * 1024,
};

/** An empty finding with every optional field null, for readers to fill. */
export function blankFinding(pluginId: string, title: string, severity: Severity, host: HostRef): ScanFinding {
  return {
    pluginId, title, severity, host, port: null, protocol: null, service: null, cves: [], cwes: [], cvssV3Vector: null, cvssV3Score: null, cvssV4Vector: null,
    cvssV4Score: null, description: null, solution: null, evidence: null, location: null, epss: null, line: null,
  };
}

const CVE_RE = /CVE-\d{4}-\d{4,19}/gi;
/** CVE ids found in a text, upper-cased and unique, in order. */
export function cvesIn(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...new Set((text.match(CVE_RE) ?? []).map((c) => c.toUpperCase()))];
}

/** CWE numbers from "CWE-79", "79", 79 or arrays of them. */
export function cweNumbers(v: unknown): number[] {
  const out = new Set<number>();
  const add = (x: unknown) => {
    if (typeof x === 'number' && Number.isInteger(x) && x > 0) out.add(x);
    else if (typeof x === 'string') for (const m of x.matchAll(/(?:CWE-)?(\d{1,6})/gi)) if (m[1] && Number(m[1]) > 0) out.add(Number(m[1]));
  };
  if (Array.isArray(v)) v.forEach(add);
  else add(v);
  return [...out];
}

/** Severity from a CVSS base score (FIRST CVSS v3.1 §5 qualitative scale). */
export function severityFromScore(score: number | null | undefined): Severity | null {
  if (score === null || score === undefined || Number.isNaN(score)) return null;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

/** Severity from a scanner's word (Critical/HIGH/moderate/Log/…); null when unknown. */
export function severityFromWord(w: string | null | undefined): Severity | null {
  switch ((w ?? '').trim().toLowerCase()) {
    case 'critical': case 'urgent': return 'critical';
    case 'high': case 'important': case 'error': return 'high';
    case 'medium': case 'moderate': case 'warning': return 'medium';
    case 'low': case 'note': return 'low';
    case 'info': case 'informational': case 'information': case 'log': case 'none': case 'debug': return 'info';
    default: return null;
  }
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isFinite(n) ? n : null;
}

export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = (typeof v === 'string' ? v : Array.isArray(v) ? v.join('\n') : typeof v === 'object' ? JSON.stringify(v) : String(v)).trim();
  return s === '' ? null : s;
}

export function portNumber(v: unknown): number | null {
  const n = num(v);
  return n !== null && Number.isInteger(n) && n > 0 && n < 65536 ? n : null;
}
