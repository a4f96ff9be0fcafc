import { blankFinding, cvesIn, cweNumbers, num, portNumber, type ScanEvent, severityFromWord, str } from '../types.js';

type Obj = Record<string, unknown>;

/**
 * One Nuclei result (JSON Lines or the `-json-export` array; research §2.5): plugin = template-id (older
 * templateID), severity info.severity, CVE/CWE/CVSS/EPSS from info.classification, host from ip/host, port
 * from `port` or the matched-at URL.
 */
export function nucleiFinding(value: unknown, line: number): ScanEvent | null {
  const v = (value ?? {}) as Obj;
  const info = (v.info ?? {}) as Obj;
  const cls = (info.classification ?? {}) as Obj;
  const id = str(v['template-id']) ?? str(v.templateID) ?? str(v.template);
  if (!id) return null;
  const matched = str(v['matched-at']) ?? str(v.matched) ?? str(v.url) ?? '';
  let hostname: string | null = null;
  let port = portNumber(v.port);
  try {
    const u = new URL(/^[a-z]+:\/\//i.test(matched) ? matched : `tcp://${matched}`);
    hostname = u.hostname || null;
    port ??= portNumber(u.port) ?? (u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : null);
  } catch {
    /* matched-at is free text for some protocols */
  }
  if (!hostname) {
    try {
      hostname = new URL(str(v.host) ?? '').hostname || str(v.host);
    } catch {
      hostname = str(v.host);
    }
  }
  const f = blankFinding(id, str(info.name) ?? id, severityFromWord(str(info.severity)) ?? 'info', { ip: str(v.ip), hostname });
  f.port = port;
  f.protocol = str(v.type) === 'dns' ? 'udp' : 'tcp';
  f.service = str(v.scheme) ?? str(v.type);
  f.cves = [...new Set([...cvesIn(JSON.stringify(cls['cve-id'] ?? '')), ...(id.toUpperCase().startsWith('CVE-') ? cvesIn(id) : [])])];
  f.cwes = cweNumbers(cls['cwe-id'] ?? []);
  const metrics = str(cls['cvss-metrics']);
  if (metrics?.startsWith('CVSS:4')) f.cvssV4Vector = metrics;
  else if (metrics?.startsWith('CVSS:3')) f.cvssV3Vector = metrics;
  const score = num(cls['cvss-score']);
  if (f.cvssV4Vector) f.cvssV4Score = score;
  else f.cvssV3Score = score;
  f.epss = num(cls['epss-score']);
  f.description = str(info.description);
  f.solution = str(info.remediation);
  f.location = [matched, str(v['matcher-name'])].filter(Boolean).join('#') || null;
  f.evidence = str(v['extracted-results']) ?? str(v['curl-command']);
  f.line = line;
  return { kind: 'finding', finding: f };
}
