import type { PathPart } from '../json-stream.js';
import { blankFinding, cvesIn, num, type ScanEvent, severityFromScore, severityFromWord, str } from '../types.js';

type Obj = Record<string, unknown>;

/** Wazuh 4.7 API (`data.affected_items[*]`), 4.8+ indexer (`hits.hits[*]`), or an alerts array. */
export function wazuhSelect(p: readonly PathPart[]): boolean {
  return (p.length === 3 && p[0] === 'data' && p[1] === 'affected_items') || (p.length === 3 && p[0] === 'hits' && p[1] === 'hits') || (p.length === 1 && typeof p[0] === 'number');
}

const MALWARE_GROUPS = ['rootcheck', 'virustotal', 'yara', 'malware'];

/**
 * Wazuh vulnerability-detector results (one finding per CVE per agent and package; plugin = CVE id, severity
 * as stated — "Untriaged"/"-" fall back to the score, else info). A Wazuh alert in a malware group (rootcheck,
 * virustotal, yara) is a malware detection instead.
 */
export function wazuhEvent(value: unknown, line: number): ScanEvent | null {
  const hit = (value ?? {}) as Obj;
  const s = ((hit._source ?? hit) as Obj) ?? {};
  const agent = (s.agent ?? {}) as Obj;
  const hostname = str(agent.name) ?? str(s.agent_name);
  const ip = str(agent.ip) ?? str(s.agent_ip);
  const rule = (s.rule ?? {}) as Obj;
  const groups = ((rule.groups as string[]) ?? []).map((g) => String(g).toLowerCase());
  if (groups.some((g) => MALWARE_GROUPS.includes(g))) {
    const path = str(((s.syscheck ?? {}) as Obj).path) ?? str(((s.data ?? {}) as Obj).file) ?? str(s.full_log) ?? '';
    return {
      kind: 'malware',
      scan: { host: { ip, hostname }, tool: 'wazuh', scannedAt: str(s.timestamp), filesScanned: null, infected: 1, detections: [{ path, signature: str(rule.description) ?? 'wazuh' }] },
    };
  }
  const vuln = (s.vulnerability ?? s) as Obj;
  const id = str(vuln.id) ?? str(vuln.cve);
  if (!id) return null;
  const pkg = (s.package ?? {}) as Obj;
  const pkgName = str(pkg.name) ?? str(s.name);
  const pkgVersion = str(pkg.version) ?? str(s.version);
  const score = num(((vuln.score ?? {}) as Obj).base) ?? num(s.cvss3_score);
  const f = blankFinding(id, str(s.title) ?? `${id} ảnh hưởng ${pkgName ?? ''}`.trim(), severityFromWord(str(vuln.severity)) ?? severityFromScore(score) ?? 'info', { ip, hostname });
  f.cves = cvesIn(id);
  f.cvssV3Score = score;
  f.description = str(vuln.description) ?? str(s.condition);
  f.location = pkgName ? `${pkgName}@${pkgVersion ?? ''}` : null;
  f.evidence = str(vuln.reference) ?? str(s.external_references);
  f.line = line;
  return { kind: 'finding', finding: f };
}
