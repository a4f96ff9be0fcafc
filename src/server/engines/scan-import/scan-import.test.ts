import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseCvss, readAllEvents, type ScanEvent, type ScanFinding, type ScanFormat, ScanImportError } from './index.js';

/**
 * Conformance over the DefectDojo test-suite samples in `$KHIEN_CORPUS_DIR/scans` (not copied into the repo).
 * Outside CI a missing corpus skips; under CI=true it fails.
 */
const ci = process.env.CI === 'true' || process.env.CI === '1';
const corpus = resolve(process.env.KHIEN_CORPUS_DIR ?? '../shared/data', 'scans');
const haveCorpus = existsSync(corpus);
if (ci && !haveCorpus) throw new Error(`Scan corpus missing at ${corpus} (CI=true requires it)`);

const DIR_FORMAT: Record<string, (file: string) => ScanFormat> = {
  tenable: (f) => (f.endsWith('.csv') ? 'nessus_csv' : 'nessus'),
  openvas: (f) => (f.endsWith('.csv') ? 'openvas_csv' : 'openvas'),
  nmap: () => 'nmap', trivy: () => 'trivy', nuclei: () => 'nuclei', sarif: () => 'sarif', zap: () => 'zap', lynis: () => 'lynis',
  openscap: () => 'openscap', clamav: () => 'clamav', wazuh: () => 'wazuh',
};
const walk = (p: string): string[] => (statSync(p).isDirectory() ? readdirSync(p).flatMap((x) => walk(join(p, x))) : [p]);
const findings = (ev: ScanEvent[]): ScanFinding[] => ev.flatMap((e) => (e.kind === 'finding' ? [e.finding] : []));
const load = async (rel: string, format: ScanFormat) => readAllEvents({ path: join(corpus, rel) }, format);

describe.skipIf(!haveCorpus)('scan corpus conformance', () => {
  it('imports every sample report and recognises its format', async () => {
    const files = walk(corpus).filter((f) => !f.endsWith('.md') && !f.endsWith('.ndb'));
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const dir = f.slice(corpus.length + 1).split('/')[0]!;
      const format = DIR_FORMAT[dir]!(f);
      const events = await readAllEvents({ path: f }, format);
      expect(Array.isArray(events), f).toBe(true);
      const head = statSync(f).size > 0 ? (await import('node:fs')).readFileSync(f, 'utf8').slice(0, 8192) : '';
      const detected = detectFormat(head, f.split('/').pop());
      // Empty files and bare "[]" carry no format marker; everything else is recognised.
      if (head.trim().length > 4) expect(detected, f).toBe(format);
    }
  });

  it('Nessus .nessus: plugin id, host, port, severity and CVEs as the file states them', async () => {
    const all = findings(await load('tenable/nessus/nessus_v_unknown.xml', 'nessus'));
    expect(all).toHaveLength(296); // 296 ReportItems over 7 ReportHosts
    const f = findings(await load('tenable/nessus/nessus_with_cwe-.nessus', 'nessus'));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ pluginId: '31649', severity: 'high', port: 80, protocol: 'tcp', host: { ip: '44.228.249.3', hostname: 'testphp.vulnweb.com' } });
    expect(f[0]!.cves).toContain('CVE-2006-1015');
  });

  it('Nessus CSV (three dialects)', async () => {
    const f = findings(await load('tenable/nessus/nessus_many_vuln.csv', 'nessus_csv'));
    expect(f).toHaveLength(4);
    expect(f[0]).toMatchObject({ pluginId: '35291', severity: 'medium', port: 443, host: { ip: '10.1.1.1' } });
    expect(f[0]!.cves).toEqual(['CVE-2004-2761']);
    expect(findings(await load('tenable/nessus/nessus_new.csv', 'nessus_csv'))).toHaveLength(99);
    expect(findings(await load('tenable/nessus/nessus_many_vuln2-all.csv', 'nessus_csv'))).toHaveLength(29);
  });

  it('OpenVAS XML and CSV: NVT OID, port "42/tcp", threat and CVE refs', async () => {
    const x = findings(await load('openvas/report_detail_v2.xml', 'openvas'));
    expect(x).toHaveLength(1);
    expect(x[0]).toMatchObject({ pluginId: '1.3.6.1.4.1.25623.1.0.836484', severity: 'high', port: 42, protocol: 'tcp', host: { ip: '10.99.99.99', hostname: 'server99' } });
    expect(x[0]!.cves).toContain('CVE-2025-49659');
    const one = findings(await load('openvas/one_vuln.xml', 'openvas'));
    expect(one[0]).toMatchObject({ pluginId: '1.3.6.1.4.1.25623.1.0.832260', port: null, host: { ip: '10.0.101.2' } });
    expect(one[0]!.cves).toHaveLength(12);
    const c = findings(await load('openvas/report_detail_v2.csv', 'openvas_csv'));
    expect(c[0]).toMatchObject({ pluginId: '1.3.6.1.4.1.25623.1.0.836484', severity: 'high', port: 42, host: { ip: '10.99.99.99' } });
    expect(findings(await load('openvas/report_using_CVE.csv', 'openvas_csv'))).toHaveLength(43);
  });

  it('Nmap XML: open ports and vulners CVEs', async () => {
    const f = findings(await load('nmap/nmap_script_vulners.xml', 'nmap'));
    expect(f).toHaveLength(3);
    expect(f[0]).toMatchObject({ pluginId: 'nmap:open-port', port: 5022, severity: 'info', service: 'ssh', host: { ip: '192.168.0.1' } });
    expect(f[1]).toMatchObject({ pluginId: 'vulners', port: 5022, severity: 'medium', cves: ['CVE-2018-15919'] });
    expect(findings(await load('nmap/nmap_multiple_port.xml', 'nmap'))).toHaveLength(13);
  });

  it('Trivy JSON (schema 2, legacy array, Kubernetes)', async () => {
    const f = findings(await load('trivy/scheme_2_many_vulns.json', 'trivy'));
    expect(f).toHaveLength(5);
    expect(f[0]).toMatchObject({ pluginId: 'CVE-2020-15999', severity: 'medium', port: null, host: { image: 'teamdojo:latest' }, cves: ['CVE-2020-15999'] });
    expect(findings(await load('trivy/legacy_many_vulns.json', 'trivy'))).toHaveLength(93);
    const k = findings(await load('trivy/kubernetes.json', 'trivy'));
    expect(k).toHaveLength(20);
    expect(k[0]!.host.image).toBe('default/Deployment/redis-follower');
  });

  it('Nuclei JSON lines and arrays', async () => {
    const f = findings(await load('nuclei/many_findings_new.json', 'nuclei'));
    expect(f).toHaveLength(2);
    expect(f[0]).toMatchObject({ pluginId: 'CVE-2018-15473', severity: 'medium', port: 22, host: { ip: '127.0.0.1' }, cves: ['CVE-2018-15473'] });
    expect(findings(await load('nuclei/many_findings.json', 'nuclei'))).toHaveLength(18);
    expect(findings(await load('nuclei/issue_14071.json', 'nuclei'))).toHaveLength(27);
  });

  it('SARIF 2.1.0: rule id, security-severity, file:line', async () => {
    const f = findings(await load('sarif/blackduck_nested_fingerprints.sarif', 'sarif'));
    expect(f).toHaveLength(5);
    expect(f[0]).toMatchObject({ pluginId: 'BDSA-2020-1001 (CVE-2020-11022)', severity: 'medium', port: null, cves: ['CVE-2020-11022'] });
    expect(findings(await load('sarif/semgrepowasp-benchmark-sample.sarif', 'sarif'))).toHaveLength(1768);
  });

  it('ZAP XML: plugin id, riskcode, site host and port, CWE', async () => {
    const f = findings(await load('zap/dvwa_baseline_dojo.xml', 'zap'));
    expect(f).toHaveLength(19);
    expect(f[0]).toMatchObject({ pluginId: '10020', severity: 'medium', port: 80, host: { ip: '172.17.0.2' }, cves: [] });
    expect(f[0]!.cwes.length).toBeGreaterThan(0);
  });

  it('Lynis report.dat: warnings/suggestions and the malware-scanner facts', async () => {
    const ev = await load('lynis/lynis_many_vuln.dat', 'lynis');
    const f = findings(ev);
    expect(f).toHaveLength(38);
    expect(f[0]).toMatchObject({ pluginId: 'LYNIS', severity: 'low', port: null, host: { hostname: '82103dde74c7' }, cves: [] });
    const host = ev.find((e) => e.kind === 'host');
    expect(host?.kind === 'host' && host.host.host.hostname).toBe('82103dde74c7');
  });

  it('OpenSCAP XCCDF results: failed rules only, CVE idents, target address', async () => {
    const f = findings(await load('openscap/many_vuln_rhsa.xml', 'openscap'));
    expect(f).toHaveLength(31); // 31 of 2,935 rule-results are "fail"
    expect(f[0]).toMatchObject({ pluginId: 'oval-com.redhat.rhsa-def-20173315', severity: 'medium', port: null, host: { hostname: 'sample.system', ip: '192.168.94.166' } });
    expect(f[0]!.cves).toContain('CVE-2017-1000380');
    expect(findings(await load('openscap/ios-sample-v1.1.3.xccdf.xml', 'openscap'))).toHaveLength(1);
  });

  it('ClamAV log: detections and the scan summary', async () => {
    const ev = await load('clamav/clamav_allmatch.txt', 'clamav');
    expect(findings(ev)).toHaveLength(2);
    expect(findings(ev)[0]).toMatchObject({ pluginId: 'Generic.Placeholder.Gamma.UNOFFICIAL', severity: 'high', location: '/scan/targets/artifact-three.bin' });
    const scan = ev.find((e) => e.kind === 'malware');
    expect(scan?.kind === 'malware' && scan.scan).toMatchObject({ tool: 'clamav', filesScanned: 1, infected: 1, scannedAt: '2026-07-31T18:41:55Z' });
    const clean = await load('clamav/clamav_no_vuln.txt', 'clamav');
    expect(findings(clean)).toHaveLength(0);
    expect(clean.find((e) => e.kind === 'malware')).toMatchObject({ scan: { infected: 0 } });
  });

  it('Wazuh vulnerability detector (4.7 API and 4.8 indexer)', async () => {
    const f = findings(await load('wazuh/v4-8_many_findings.json', 'wazuh'));
    expect(f).toHaveLength(10);
    expect(f[0]).toMatchObject({ pluginId: 'CVE-2025-27558', severity: 'critical', port: null, host: { hostname: 'myhost0' }, cves: ['CVE-2025-27558'] });
    const e = findings(await load('wazuh/v4-7_one_finding_with_endpoint.json', 'wazuh'));
    expect(e[0]).toMatchObject({ host: { ip: '111.111.111.111', hostname: 'agent-1' }, severity: 'medium' });
    expect(findings(await load('wazuh/v4-7_many_findings.json', 'wazuh'))).toHaveLength(13);
  });
});

const text = (s: string) => ({ data: Buffer.from(s) });

describe('ZAP traditional JSON (no corpus sample: built from the report template fields)', () => {
  it('reads sites and alerts with string codes', async () => {
    const report = JSON.stringify({
      '@programName': 'ZAP', '@version': '2.16.1', '@generated': 'Thu, 26 Nov 2026 01:00:00', created: '2026-11-26T01:00:00Z',
      site: [{ '@name': 'https://dichvucong.gialai.gov.vn', '@host': 'dichvucong.gialai.gov.vn', '@port': '443', '@ssl': 'true', alerts: [
        { pluginid: '10038', alertRef: '10038-1', alert: 'Content Security Policy (CSP) Header Not Set', name: 'CSP', riskcode: '2', confidence: '3', desc: '<p>CSP</p>', instances: [{ uri: 'https://dichvucong.gialai.gov.vn/', method: 'GET' }], count: '1', solution: '<p>Set it</p>', cweid: '693', wascid: '15' },
      ] }],
    });
    const ev = await readAllEvents(text(report), 'zap_json');
    expect(findings(ev)[0]).toMatchObject({ pluginId: '10038', severity: 'medium', port: 443, host: { hostname: 'dichvucong.gialai.gov.vn' }, cwes: [693], solution: 'Set it' });
    expect(detectFormat(report, 'zap.json')).toBe('zap_json');
  });
});

describe('hostile and malformed reports are refused with the reason and line', () => {
  const refuse = async (src: { data: Buffer }, format: ScanFormat) => {
    try {
      await readAllEvents(src, format);
    } catch (err) {
      expect(err).toBeInstanceOf(ScanImportError);
      return err as ScanImportError;
    }
    throw new Error('accepted a hostile report');
  };

  it('billion laughs (internal DTD entities)', async () => {
    const lol = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n<NessusClientData_v2>&lol3;</NessusClientData_v2>`;
    const e = await refuse(text(lol), 'nessus');
    expect(e.reason).toBe('xml_doctype');
    expect(e.line).toBe(6);
  });

  it('external entity (XXE)', async () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "file:///etc/passwd">\n<nmaprun>&xxe;</nmaprun>`;
    expect((await refuse(text(xxe), 'nmap')).reason).toBe('xml_doctype');
    // Without a DOCTYPE an entity reference is simply undefined.
    const undef = `<?xml version="1.0"?>\n<nmaprun>\n<host>&xxe;</host></nmaprun>`;
    const e = await refuse(text(undef), 'nmap');
    expect(e.reason).toBe('xml_malformed');
    expect(e.line).toBe(3);
  });

  it('a DOCTYPE that never closes is refused within the prolog budget', async () => {
    const big = `<?xml version="1.0"?>\n<!DOCTYPE x [\n${'<!-- padding -->\n'.repeat(200_000)}`;
    expect((await refuse(text(big), 'nessus')).reason).toBe('xml_prolog');
  });

  it('a gzip that claims 2 GB is refused before inflating anything', async () => {
    const gz = gzipSync(Buffer.from('<NessusClientData_v2/>'));
    gz.writeUInt32LE(0x80000000, gz.length - 4); // ISIZE = 2 GiB
    expect((await refuse({ data: gz }, 'nessus')).reason).toBe('gzip_too_large');
  });

  it('a gzip bomb that lies about its size is stopped by the expansion ratio', async () => {
    const gz = gzipSync(Buffer.concat([Buffer.from('<NessusClientData_v2><Report>'), Buffer.alloc(40 * 1024 * 1024, 0x20)]));
    gz.writeUInt32LE(1000, gz.length - 4);
    expect((await refuse({ data: gz }, 'nessus')).reason).toBe('gzip_ratio');
  });

  it('a gzip within bounds is read', async () => {
    const ev = await readAllEvents({ data: gzipSync(Buffer.from('<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="22"><state state="open"/></port></ports></host></nmaprun>')) }, 'nmap');
    expect(findings(ev)).toHaveLength(1);
  });

  it('malformed XML and JSON name the line', async () => {
    const e = await refuse(text('<NessusClientData_v2>\n<Report>\n<ReportHost name="a">\n</Report>'), 'nessus');
    expect(e.reason).toBe('xml_malformed');
    expect(e.line).toBe(4);
    const j = await refuse(text('{\n"Results": [\n{"Target": "x",\n "Vulnerabilities": [ {"VulnerabilityID": "CVE-1" ,, } ]}]}'), 'trivy');
    expect(j.reason).toBe('json_malformed');
    expect(j.line).toBe(4);
    const l = await refuse(text('{"template-id":"a","info":{}}\n{"template-id": oops}\n'), 'nuclei');
    expect(l.line).toBe(2);
  });

  it('one oversized item is refused, not buffered without end', async () => {
    const huge = `{"Results":[{"Target":"x","Vulnerabilities":[{"VulnerabilityID":"CVE-2024-1","Description":"${'a'.repeat(2000)}"}]}]}`;
    const e = await (async () => {
      try {
        await readAllEvents(text(huge), 'trivy', { maxBytes: 1 << 30, maxGzipRatio: 200, maxElementChars: 1000, maxPrologBytes: 65536 });
      } catch (err) {
        return err as ScanImportError;
      }
      return null;
    })();
    expect(e?.reason).toBe('element_too_large');
  });
});

describe('CVSS vectors', () => {
  it('parses v3.1 and computes the base score (FIRST calculator values)', () => {
    expect(parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')?.baseScore).toBe(9.8);
    expect(parseCvss('CVSS:3.0/AV:N/AC:H/PR:L/UI:N/S:U/C:N/I:L/A:N')?.baseScore).toBe(3.1);
    expect(parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')?.baseScore).toBe(6.1);
  });
  it('parses v4.0 metrics and refuses broken vectors', () => {
    const v = parseCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N');
    expect(v).toMatchObject({ version: '4.0', metrics: { AV: 'N', VC: 'H' } });
    expect(parseCvss('CVSS:3.1/AV:X/AC:L')).toBeNull();
    expect(parseCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBeNull();
  });
});
