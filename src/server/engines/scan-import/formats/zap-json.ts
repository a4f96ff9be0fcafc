import type { PathPart } from '../json-stream.js';
import { blankFinding, cweNumbers, type HostRef, portNumber, type ScanEvent, str } from '../types.js';
import { stripHtml, ZAP_RISK, zapHostRef } from './zap-xml.js';

type Obj = Record<string, unknown>;

/** ZAP "traditional-json": site[i] attributes and each site[i].alerts[j]. */
export function zapJsonSelect(p: readonly PathPart[]): boolean {
  return (p.length === 3 && p[0] === 'site' && typeof p[2] === 'string' && p[2].startsWith('@')) || (p.length === 4 && p[0] === 'site' && p[2] === 'alerts');
}

/**
 * OWASP ZAP traditional JSON report (zap-extensions reports/traditional-json; research §2.7; codes are JSON
 * strings). Same mapping as the XML form. DefectDojo has no reader for it.
 */
export function zapJsonReader() {
  const sites = new Map<number, Obj>();
  return (path: PathPart[], value: unknown, line: number): ScanEvent | null => {
    const i = path[1] as number;
    if (path.length === 3) {
      sites.set(i, { ...(sites.get(i) ?? {}), [path[2] as string]: value });
      return null;
    }
    const site = sites.get(i) ?? {};
    const host: HostRef = zapHostRef(str(site['@host']) ?? undefined, str(site['@name']) ?? undefined);
    const a = (value ?? {}) as Obj;
    const f = blankFinding(str(a.pluginid) ?? '', str(a.alert) ?? str(a.name) ?? 'ZAP', ZAP_RISK[Number(str(a.riskcode) ?? 0)] ?? 'info', host);
    f.port = portNumber(site['@port']);
    f.protocol = 'tcp';
    f.cwes = cweNumbers(str(a.cweid));
    f.description = stripHtml(str(a.desc));
    f.solution = stripHtml(str(a.solution));
    f.evidence = ((a.instances as Obj[]) ?? []).map((x) => str(x.uri)).filter(Boolean).slice(0, 20).join('\n') || null;
    f.line = line;
    return { kind: 'finding', finding: f };
  };
}
