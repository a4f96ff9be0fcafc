import { describe, expect, it } from 'vitest';
import { compileDetector, createCorrelator, parseRules, type KhienEvent } from './index.js';

function detector(yaml: string, opts?: Parameters<typeof compileDetector>[1]) {
  const parsed = parseRules([{ path: 't.yml', text: yaml }]);
  const d = compileDetector(parsed, opts);
  return { parsed, d, hits: (e: KhienEvent) => d.match(e).map((m) => m.rule.id) };
}

const rule = (detection: string, logsource = 'product: windows\n  category: process_creation') => `
title: T
id: r1
status: test
author: Tester
level: high
logsource:
  ${logsource}
detection:
${detection}
`;

const proc = (fields: KhienEvent): KhienEvent => ({ 'khien.logsource.product': 'windows', 'khien.logsource.category': 'process_creation', ...fields });

describe('sigma basics', () => {
  it('matches equality, contains, startswith, endswith case-insensitively', () => {
    const { d, hits } = detector(
      rule(`  sel:
    Image|endswith: '\\cmd.exe'
    CommandLine|contains: 'whoami'
    ParentImage|startswith: 'C:\\Windows\\'
    User: 'NT AUTHORITY\\SYSTEM'
  condition: sel`),
    );
    expect(d.issues).toEqual([]);
    const ev = proc({ Image: 'C:\\Windows\\System32\\CMD.EXE', CommandLine: 'cmd /c WHOAMI /all', ParentImage: 'c:\\windows\\explorer.exe', User: 'nt authority\\system' });
    expect(hits(ev)).toEqual(['r1']);
    expect(hits({ ...ev, CommandLine: 'cmd /c dir' })).toEqual([]);
    expect(d.match(ev)[0]!.matched).toMatchObject({ Image: 'C:\\Windows\\System32\\CMD.EXE' });
  });

  it('honours logsource: a process_creation rule ignores other categories', () => {
    const { hits } = detector(rule(`  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel`));
    expect(hits({ 'khien.logsource.product': 'windows', 'khien.logsource.category': 'file_event', Image: 'x\\cmd.exe' })).toEqual([]);
    // Sysmon EventID 1 and Security 4688 are process_creation even without khien.logsource.category
    expect(hits({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'x\\cmd.exe' })).toEqual(['r1']);
    expect(hits({ Channel: 'Security', EventID: 4688, NewProcessName: 'x\\cmd.exe' })).toEqual(['r1']);
  });

  it('evaluates and/or/not with precedence and parentheses, 1 of / all of', () => {
    const { hits } = detector(
      rule(`  sel_a:
    CommandLine|contains: 'alpha'
  sel_b:
    CommandLine|contains: 'bravo'
  filter:
    User: 'admin'
  condition: 1 of sel_* and not filter or (all of sel_* and filter)`),
    );
    expect(hits(proc({ CommandLine: 'alpha', User: 'bob' }))).toEqual(['r1']);
    expect(hits(proc({ CommandLine: 'alpha', User: 'admin' }))).toEqual([]);
    expect(hits(proc({ CommandLine: 'alpha bravo', User: 'admin' }))).toEqual(['r1']);
    expect(hits(proc({ CommandLine: 'charlie', User: 'bob' }))).toEqual([]);
  });

  it('searches keywords in message', () => {
    const { hits } = detector(
      `title: K
id: k1
logsource:
  product: linux
  service: sshd
detection:
  keywords:
    - 'unexpected internal error'
    - 'error in libcrypto'
  condition: keywords
`,
    );
    const ev: KhienEvent = { 'khien.logsource.product': 'linux', 'khien.logsource.service': 'sshd', message: 'sshd[1]: fatal: Unexpected internal error' };
    expect(hits(ev)).toEqual(['k1']);
    expect(hits({ ...ev, message: 'Accepted password' })).toEqual([]);
  });

  it('reports obsolete aggregation conditions as an unsupported feature', () => {
    const { d } = detector(rule(`  sel:\n    EventID: 4625\n  condition: sel | count() by User > 5`));
    expect(d.issues).toEqual([expect.objectContaining({ ruleId: 'r1', feature: 'aggregation' })]);
  });

  it('correlates event_count per group within the timespan', () => {
    const parsed = parseRules([
      {
        path: 'c.yml',
        text: `title: fail
id: f1
name: ssh_fail
logsource: { product: linux, service: sshd }
detection:
  sel: { event.outcome: failure }
  condition: sel
---
title: brute
id: c1
correlation:
  type: event_count
  rules: [ssh_fail]
  group-by: [source.ip]
  timespan: 5m
  condition: { gte: 3 }
`,
      },
    ]);
    const d = compileDetector(parsed);
    const c = createCorrelator(parsed, d);
    const ev = (i: number, ip: string, sec: number): KhienEvent => ({
      '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, sec)).toISOString(),
      'event.id': `e${i}`,
      'khien.logsource.product': 'linux',
      'khien.logsource.service': 'sshd',
      'event.outcome': 'failure',
      'source.ip': ip,
    });
    const fired = [ev(1, '1.1.1.1', 0), ev(2, '2.2.2.2', 1), ev(3, '1.1.1.1', 2), ev(4, '1.1.1.1', 3)].flatMap((e) => c.push(e, d.match(e)));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ group: { 'source.ip': '1.1.1.1' }, eventIds: ['e1', 'e3', 'e4'], value: 3 });
    expect(parsed.detections[0]!.info.correlationOnly).toBe(true);
  });
});
