import { blankFinding, num, portNumber, type ScanEvent, severityFromScore } from '../types.js';
import { child, children, type XmlEl, type XmlHandler } from '../xml.js';

/**
 * Nmap XML (`-oX`; research §2.3). Per host: every open port is an informational finding (plugin
 * `nmap:open-port`), and each CVE the `vulners` script lists for a port is a finding (plugin `vulners`) with the
 * severity of its CVSS score. Nmap itself rates nothing, so open ports are `info`.
 */
export function nmapHandler(emit: (e: ScanEvent) => void): XmlHandler {
  return {
    open(name, attrs, path) {
      if (name === 'nmaprun') emit({ kind: 'meta', scanner: 'nmap', scannerVersion: attrs.version ?? null, startedAt: attrs.start ? new Date(Number(attrs.start) * 1000).toISOString() : null });
      return name === 'host' && path[path.length - 1] === 'nmaprun';
    },
    element(el: XmlEl) {
      if (child(el, 'status')?.attrs.state === 'down') return;
      const addrs = children(el, 'address');
      const ip = (addrs.find((a) => a.attrs.addrtype === 'ipv4') ?? addrs.find((a) => a.attrs.addrtype === 'ipv6'))?.attrs.addr ?? null;
      const hostname = children(child(el, 'hostnames'), 'hostname')[0]?.attrs.name ?? null;
      const host = { ip, hostname };
      const os = children(child(el, 'os'), 'osmatch')[0]?.attrs.name ?? null;
      emit({ kind: 'host', host: { host, os, scannedAt: el.attrs.endtime ? new Date(Number(el.attrs.endtime) * 1000).toISOString() : null } });
      for (const port of children(child(el, 'ports'), 'port')) {
        if (child(port, 'state')?.attrs.state !== 'open') continue;
        const svc = child(port, 'service');
        const portNo = portNumber(port.attrs.portid);
        const proto = port.attrs.protocol ?? 'tcp';
        const product = [svc?.attrs.product, svc?.attrs.version, svc?.attrs.extrainfo].filter(Boolean).join(' ');
        const f = blankFinding('nmap:open-port', `Cổng mở ${portNo}/${proto}${svc?.attrs.name ? ` (${svc.attrs.name})` : ''}`, 'info', host);
        f.port = portNo;
        f.protocol = proto;
        f.service = svc?.attrs.name ?? null;
        f.evidence = product || null;
        f.line = port.line;
        emit({ kind: 'finding', finding: f });
        for (const script of children(port, 'script')) {
          if (script.attrs.id !== 'vulners') continue;
          for (const cpeTable of children(script, 'table')) {
            for (const t of children(cpeTable, 'table')) {
              const e: Record<string, string> = {};
              for (const x of children(t, 'elem')) if (x.attrs.key) e[x.attrs.key] = x.text.trim();
              if (!e.id) continue;
              const score = num(e.cvss);
              const v = blankFinding('vulners', `${e.id} (${cpeTable.attrs.key ?? svc?.attrs.name ?? ''})`, severityFromScore(score) ?? 'info', host);
              v.port = portNo;
              v.protocol = proto;
              v.service = svc?.attrs.name ?? null;
              v.cves = e.type === 'cve' ? [e.id.toUpperCase()] : [];
              v.location = `${cpeTable.attrs.key ?? ''}#${e.id}`;
              v.evidence = e.is_exploit === 'true' ? 'Có mã khai thác công khai (vulners is_exploit=true)' : null;
              v.line = t.line;
              emit({ kind: 'finding', finding: v });
            }
          }
        }
      }
    },
  };
}
