import { blankFinding, cvesIn, type HostRef, type ScanEvent, severityFromWord } from '../types.js';
import { children, childText, deepText, type XmlEl, type XmlHandler } from '../xml.js';

/** Results that mean the rule is not satisfied (XCCDF 1.2 §6.6.4.2 result values). */
const FAILING = new Set(['fail', 'error', 'unknown']);

/**
 * OpenSCAP results: an XCCDF Benchmark with a TestResult, or an ARF collection wrapping them (names are matched
 * by local name, so `cdf:`/`xccdf:` prefixes do not matter). Rules are remembered by id (title, CVE idents,
 * fix text); every rule-result that failed is a finding on the TestResult's target, severity from the result
 * or its rule.
 */
export function openscapHandler(emit: (e: ScanEvent) => void): XmlHandler {
  const rules = new Map<string, { title: string; severity: string | null; cves: string[]; fix: string | null; description: string | null }>();
  let host: HostRef = {};
  const addresses: string[] = [];
  return {
    open(name) {
      return name === 'Rule' || name === 'rule-result' || name === 'target' || name === 'target-address';
    },
    element(el: XmlEl, path) {
      if (el.name === 'Rule') {
        rules.set(el.attrs.id ?? '', {
          title: childText(el, 'title') ?? el.attrs.id ?? '',
          severity: el.attrs.severity ?? null,
          cves: children(el, 'ident').flatMap((i) => cvesIn(i.text)),
          fix: children(el, 'fixtext').map(deepText).join('\n') || null,
          description: children(el, 'description').map(deepText).join('\n') || null,
        });
      } else if (el.name === 'target' && path[path.length - 1] === 'TestResult') {
        host = { ...host, hostname: el.text.trim() || null };
      } else if (el.name === 'target-address' && path[path.length - 1] === 'TestResult') {
        const a = el.text.trim();
        addresses.push(a);
        // The first routable IPv4 address names the host; loopback is what every machine has.
        const pick = addresses.find((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x) && !x.startsWith('127.')) ?? addresses[0];
        host = { ...host, ip: pick ?? null };
      } else if (el.name === 'rule-result') {
        const result = (childText(el, 'result') ?? '').toLowerCase();
        if (!FAILING.has(result)) return;
        const id = el.attrs.idref ?? '';
        const rule = rules.get(id);
        const sev = severityFromWord(el.attrs.severity ?? rule?.severity) ?? 'medium';
        const f = blankFinding(id, rule?.title ?? id, sev, { ...host });
        f.cves = [...new Set([...(rule?.cves ?? []), ...children(el, 'ident').flatMap((i) => cvesIn(i.text))])];
        f.description = rule?.description ?? null;
        f.solution = rule?.fix ?? null;
        f.evidence = `Kết quả: ${result}`;
        f.line = el.line;
        emit({ kind: 'finding', finding: f });
      }
    },
  };
}
