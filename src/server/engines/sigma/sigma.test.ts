import { describe, expect, it } from 'vitest';
import { compileDetector, createCorrelator, parseRules, type KhienEvent } from './index.js';
import { regexLiterals, regexMinLength } from './values.js';

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

describe('literal index', () => {
  it('reads the literals a regular expression needs, conservatively', () => {
    expect(regexLiterals('ipconfig\\s+/all')).toEqual(['ipconfig']);
    expect(regexLiterals('(?i)Foo[0-9]+bar')).toEqual(['foo']);
    expect(regexLiterals('abc|\\.exe$')).toEqual(['abc', '.exe']);
    expect(regexLiterals('abc?d')).toEqual(['ab']);
    expect(regexLiterals('ab{0,2}cde')).toEqual(['cde']);
    expect(regexLiterals('\\x41bc')).toEqual(['bc']);
    // nothing certain: alternation inside a group, a branch without a literal
    expect(regexLiterals('(a|b)')).toBeNull();
    expect(regexLiterals('abc|[0-9]+')).toBeNull();
  });

  it('bounds the shortest match of a regular expression from below', () => {
    expect(regexMinLength('.{1000,}')).toBe(1000);
    expect(regexMinLength('\\s[a-fA-F0-9]{64}\\s[a-fA-F0-9]{16}')).toBe(82);
    expect(regexMinLength('a|bcd')).toBe(1);
    expect(regexMinLength('(?=abc)x{2,5}?y')).toBe(3);
    expect(regexMinLength('(?<n>ab)\\k<n>')).toBe(2);
    expect(regexMinLength('[a-z]*')).toBe(0);
    // every pattern here matches a string of exactly its bound or more, never less
    for (const [p, s] of [['x{2,5}?y', 'xxy'], ['(ab|c)+d?', 'c'], ['\\x41\\u0041\\b', 'AA']] as const) {
      expect(new RegExp(p).test(s)).toBe(true);
      expect(regexMinLength(p)).toBeLessThanOrEqual(s.length);
    }
  });

  it('finds rules keyed on short literals, regex literals, |all values and several clauses, as testing every rule does', () => {
    const yaml = [
      rule(`  sel:\n    CommandLine|contains: ' -a'\n  condition: sel`).replace('id: r1', 'id: short'),
      rule(`  sel:\n    CommandLine|re|i: 'net\\s+user\\s+\\w+ /add'\n  condition: sel`).replace('id: r1', 'id: regex'),
      rule(`  sel:\n    CommandLine|contains|all: ['vssadmin', 'delete', 'shadows']\n  condition: sel`).replace('id: r1', 'id: all'),
      rule(`  img:\n    - Image|endswith: '\\\\rar.exe'\n    - OriginalFileName: 'WinRAR.exe'\n  cli:\n    CommandLine|contains: ' -hp'\n  condition: img and cli`).replace('id: r1', 'id: clauses'),
      rule(`  sel:\n    CommandLine|contains: 'Tệp tin'\n  condition: sel`).replace('id: r1', 'id: unicode'),
    ].join('\n---\n');
    const parsed = parseRules([{ path: 't.yml', text: yaml }]);
    const indexed = compileDetector(parsed);
    const all = compileDetector(parsed, { index: false });
    const events = [
      proc({ CommandLine: 'ls -a' }),
      proc({ CommandLine: 'NET  USER mallory /add' }),
      proc({ CommandLine: 'net user /add' }),
      proc({ CommandLine: 'vssadmin.exe Delete Shadows /all' }),
      proc({ CommandLine: 'vssadmin.exe list shadows' }),
      proc({ Image: 'C:\\Tools\\Rar.exe', CommandLine: 'rar a -hpSecret x.rar' }),
      proc({ Image: 'C:\\Tools\\7z.exe', OriginalFileName: 'WINRAR.EXE', CommandLine: 'x -hpS' }),
      proc({ Image: 'C:\\Tools\\Rar.exe', CommandLine: 'rar a x.rar' }),
      proc({ CommandLine: 'mở TỆP TIN báo cáo' }),
      proc({ CommandLine: 'mở tep tin báo cáo' }),
    ];
    const ids = (d: typeof indexed) => events.map((e) => d.match(e).map((m) => m.rule.id).sort().join(','));
    expect(ids(indexed)).toEqual(['short', 'regex', '', 'all', '', 'clauses', 'clauses', '', 'unicode', '']);
    expect(ids(indexed)).toEqual(ids(all));
  });
});
