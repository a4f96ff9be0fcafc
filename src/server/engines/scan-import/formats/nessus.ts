import { blankFinding, cweNumbers, type HostRef, num, portNumber, type ScanEvent, type Severity, str } from '../types.js';
import { child, children, childText, type XmlEl, type XmlHandler } from '../xml.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isIp = (s: string) => IPV4.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/i.test(s));
const NESSUS_SEVERITY: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * Nessus `.nessus` v2 (NessusClientData_v2/Report/ReportHost/ReportItem; research/vuln-grc.md §2.1). One
 * finding per ReportItem as the file states it: severity from `@severity` 0–4, the plugin id kept, CVEs from
 * every `<cve>`, CVSS v3 (and v4 when present) vectors.
 */
export function nessusHandler(emit: (e: ScanEvent) => void): XmlHandler {
  let host: HostRef = {};
  return {
    open(name, attrs, path) {
      if (name === 'ReportHost') {
        const n = (attrs.name ?? '').trim();
        host = isIp(n) ? { ip: n } : { hostname: n || null };
        return false;
      }
      return (name === 'HostProperties' && path[path.length - 1] === 'ReportHost') || (name === 'ReportItem' && path[path.length - 1] === 'ReportHost');
    },
    element(el: XmlEl) {
      if (el.name === 'HostProperties') {
        const tags: Record<string, string> = {};
        for (const t of children(el, 'tag')) if (t.attrs.name) tags[t.attrs.name] = t.text.trim();
        host = {
          ip: tags['host-ip'] || host.ip || null,
          hostname: tags['host-fqdn'] || tags['hostname'] || tags['netbios-name'] || host.hostname || null,
        };
        emit({ kind: 'host', host: { host, os: tags['operating-system'] ?? null, scannedAt: str(tags['HOST_END']) } });
        return;
      }
      const a = el.attrs;
      const sev = NESSUS_SEVERITY[Number(a.severity ?? 0)] ?? 'info';
      const f = blankFinding(a.pluginID ?? '', a.pluginName ?? childText(el, 'plugin_name') ?? `Plugin ${a.pluginID}`, sev, { ...host });
      f.port = portNumber(a.port);
      f.protocol = a.protocol ?? null;
      f.service = a.svc_name ?? null;
      f.cves = [...new Set(children(el, 'cve').map((c) => c.text.trim().toUpperCase()).filter(Boolean))];
      f.cwes = cweNumbers(children(el, 'cwe').map((c) => c.text.trim()));
      f.cvssV3Vector = childText(el, 'cvss3_vector');
      f.cvssV3Score = num(childText(el, 'cvss3_base_score'));
      f.cvssV4Vector = childText(el, 'cvss4_vector');
      f.cvssV4Score = num(childText(el, 'cvss4_base_score'));
      const synopsis = childText(el, 'synopsis');
      const description = childText(el, 'description');
      f.description = [synopsis, description].filter(Boolean).join('\n\n') || null;
      f.solution = childText(el, 'solution');
      f.evidence = childText(el, 'plugin_output');
      f.line = el.line;
      emit({ kind: 'finding', finding: f });
    },
  };
}

export { child };
