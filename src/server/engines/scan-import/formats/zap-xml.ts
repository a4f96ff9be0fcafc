import { blankFinding, cweNumbers, type HostRef, portNumber, type ScanEvent, type Severity } from '../types.js';
import { child, children, childText, type XmlEl, type XmlHandler } from '../xml.js';

export const ZAP_RISK: Severity[] = ['info', 'low', 'medium', 'high'];

/** Plain text from ZAP's HTML-in-text fields (`<p>…</p>`). */
export function stripHtml(s: string | null): string | null {
  if (!s) return null;
  const t = s.replace(/<\/p>\s*<p>/gi, '\n').replace(/<[^>]+>/g, '').replace(/\n{3,}/g, '\n\n').trim();
  return t || null;
}

export function zapHostRef(hostAttr: string | undefined, nameAttr: string | undefined): HostRef {
  const h = (hostAttr ?? '').trim() || (() => {
    try {
      return new URL(nameAttr ?? '').hostname;
    } catch {
      return '';
    }
  })();
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) ? { ip: h } : { hostname: h || null };
}

/**
 * OWASP ZAP XML (OWASPZAPReport/site/alerts/alertitem; research §2.7). One finding per alert item and site:
 * riskcode 0–3 → info/low/medium/high, pluginid kept, CWE from cweid, instances' URIs as evidence.
 */
export function zapXmlHandler(emit: (e: ScanEvent) => void): XmlHandler {
  let host: HostRef = {};
  let port: number | null = null;
  return {
    open(name, attrs, path) {
      if (name === 'site') {
        host = zapHostRef(attrs.host, attrs.name);
        port = portNumber(attrs.port);
        return false;
      }
      return name === 'alertitem' && path[path.length - 1] === 'alerts';
    },
    element(el: XmlEl) {
      const f = blankFinding(childText(el, 'pluginid') ?? '', childText(el, 'alert') ?? childText(el, 'name') ?? 'ZAP', ZAP_RISK[Number(childText(el, 'riskcode') ?? 0)] ?? 'info', { ...host });
      f.port = port;
      f.protocol = 'tcp';
      f.cwes = cweNumbers(childText(el, 'cweid'));
      f.description = stripHtml(childText(el, 'desc'));
      f.solution = stripHtml(childText(el, 'solution'));
      const uris = children(child(el, 'instances'), 'instance').map((i) => childText(i, 'uri')).filter((u): u is string => !!u);
      if (uris.length === 0 && childText(el, 'uri')) uris.push(childText(el, 'uri')!);
      f.evidence = uris.slice(0, 20).join('\n') || null;
      f.line = el.line;
      emit({ kind: 'finding', finding: f });
    },
  };
}
