import { blankFinding, cvesIn, num, portNumber, type ScanEvent, severityFromScore, severityFromWord } from '../types.js';
import { child, children, childText, type XmlEl, type XmlHandler } from '../xml.js';

/** The `key=value|key=value` tags of an NVT (GMP report format a994b278…). */
function nvtTags(text: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split('|')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/**
 * OpenVAS / Greenbone GMP XML report (report/report/results/result; research §2.2). The NVT OID is the plugin
 * id; host from result/host text and its hostname; port "443/tcp" (or "general/tcp": no port); severity from
 * `threat` (Log → info), else from the numeric severity; CVEs from refs/ref[@type=cve].
 */
export function openvasHandler(emit: (e: ScanEvent) => void): XmlHandler {
  return {
    open(name, _attrs, path) {
      return name === 'result' && path[path.length - 1] === 'results';
    },
    element(el: XmlEl) {
      const hostEl = child(el, 'host');
      const ip = hostEl?.text.trim() || null;
      const hostname = childText(hostEl, 'hostname');
      const nvt = child(el, 'nvt');
      const tags = nvtTags(childText(nvt, 'tags'));
      const score = num(childText(el, 'severity'));
      const sev = severityFromWord(childText(el, 'threat')) ?? severityFromScore(score) ?? 'info';
      const f = blankFinding(nvt?.attrs.oid ?? '', childText(el, 'name') ?? childText(nvt, 'name') ?? 'OpenVAS', sev, { ip, hostname });
      const portText = childText(el, 'port') ?? '';
      const [p, proto] = portText.split('/');
      f.port = portNumber(p);
      f.protocol = proto ?? null;
      const refs = children(child(nvt, 'refs'), 'ref');
      f.cves = [...new Set(refs.filter((r) => r.attrs.type === 'cve').map((r) => (r.attrs.id ?? '').toUpperCase()).filter(Boolean))];
      if (f.cves.length === 0) f.cves = cvesIn(childText(nvt, 'cve'));
      for (const s of children(child(nvt, 'severities'), 'severity')) {
        const v = childText(s, 'value');
        if (v?.startsWith('CVSS:3')) {
          f.cvssV3Vector = v;
          f.cvssV3Score = num(childText(s, 'score'));
        } else if (v?.startsWith('CVSS:4')) {
          f.cvssV4Vector = v;
          f.cvssV4Score = num(childText(s, 'score'));
        }
      }
      if (!f.cvssV3Vector && tags.cvss_base_vector?.startsWith('CVSS:3')) f.cvssV3Vector = tags.cvss_base_vector;
      if (f.cvssV3Vector && f.cvssV3Score === null) f.cvssV3Score = score;
      f.description = [tags.summary, tags.insight, tags.impact].filter(Boolean).join('\n\n') || null;
      f.solution = tags.solution ?? childText(nvt, 'solution');
      f.evidence = childText(el, 'description');
      const epss = child(child(nvt, 'epss'), 'max_epss') ?? child(child(nvt, 'epss'), 'max_severity');
      f.epss = num(childText(epss, 'score'));
      f.line = el.line;
      emit({ kind: 'finding', finding: f });
    },
  };
}
