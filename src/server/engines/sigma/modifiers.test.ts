import { describe, expect, it } from 'vitest';
import { compileDetector, parseRules, type KhienEvent } from './index.js';

/** One rule over a generic logsource with the given detection; returns a matcher and the load issues. */
function rule(detection: string, opts?: Parameters<typeof compileDetector>[1]) {
  const text = `title: M\nid: m1\nlogsource:\n  product: test\ndetection:\n${detection}\n`;
  const d = compileDetector(parseRules([{ path: 'm.yml', text }]), opts);
  return { issues: d.issues, hit: (e: KhienEvent) => d.match({ 'khien.logsource.product': 'test', ...e }).length === 1 };
}
const sel = (lines: string) => `  sel:\n${lines}\n  condition: sel`;
const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');

describe('Sigma value modifiers (sigma-appendix-modifiers.md v2.1)', () => {
  it('contains / startswith / endswith / equality, case-insensitive; cased is case-sensitive', () => {
    const r = rule(sel(`    a|contains: 'MiD'\n    b|startswith: 'pre'\n    c|endswith: 'END'\n    d: 'Exact'`));
    expect(r.hit({ a: 'xmidx', b: 'PREfix', c: 'the end', d: 'exact' })).toBe(true);
    expect(r.hit({ a: 'xmidx', b: 'xpre', c: 'the end', d: 'exact' })).toBe(false);
    expect(r.hit({ a: 'xmidx', b: 'pre', c: 'the end', d: 'exactly' })).toBe(false);
    const c = rule(sel(`    a|cased: 'Admin'\n    b|contains|cased: 'Run'`));
    expect(c.hit({ a: 'Admin', b: 'xRunx' })).toBe(true);
    expect(c.hit({ a: 'admin', b: 'xRunx' })).toBe(false);
    expect(c.hit({ a: 'Admin', b: 'xrunx' })).toBe(false);
  });

  it('wildcards * and ? with escaping; lists are OR; |all is AND', () => {
    // a backslash before a wildcard is written \\* in YAML (escaped backslash, then the wildcard)
    const w = rule(sel(`    a: 'C:\\Windows\\\\*\\cmd?.exe'\n    b: 'lit\\*star'`));
    expect(w.hit({ a: 'c:\\windows\\system32\\cmd1.exe', b: 'lit*star' })).toBe(true);
    expect(w.hit({ a: 'c:\\windows\\system32\\cmd1.exe', b: 'litXstar' })).toBe(false);
    expect(w.hit({ a: 'c:\\windows\\system32\\cmd12.exe', b: 'lit*star' })).toBe(false);
    const l = rule(sel(`    a|contains:\n      - 'one'\n      - 'two'`));
    expect(l.hit({ a: 'xtwox' })).toBe(true);
    expect(l.hit({ a: 'three' })).toBe(false);
    const all = rule(sel(`    a|contains|all:\n      - 'one'\n      - 'two'`));
    expect(all.hit({ a: 'one two' })).toBe(true);
    expect(all.hit({ a: 'one' })).toBe(false);
  });

  it('null means the field is absent; empty string means empty; exists', () => {
    const n = rule(sel(`    a: null`));
    expect(n.hit({})).toBe(true);
    expect(n.hit({ a: null })).toBe(true);
    expect(n.hit({ a: 'x' })).toBe(false);
    const e = rule(sel(`    a: ''`));
    expect(e.hit({ a: '' })).toBe(true);
    expect(e.hit({})).toBe(false);
    const ex = rule(sel(`    a|exists: true\n    b|exists: false`));
    expect(ex.hit({ a: 1 })).toBe(true);
    expect(ex.hit({ a: 1, b: 2 })).toBe(false);
  });

  it('re with i/m/s flags (case-sensitive by default)', () => {
    expect(rule(sel(`    a|re: '^ab+c$'`)).hit({ a: 'abbbc' })).toBe(true);
    expect(rule(sel(`    a|re: '^ab+c$'`)).hit({ a: 'ABC' })).toBe(false);
    expect(rule(sel(`    a|re|i: '^ab+c$'`)).hit({ a: 'ABC' })).toBe(true);
    expect(rule(sel(`    a|re|m: '^two$'`)).hit({ a: 'one\ntwo' })).toBe(true);
    expect(rule(sel(`    a|re|s: 'one.two'`)).hit({ a: 'one\ntwo' })).toBe(true);
    expect(rule(sel(`    a|re: 'one.two'`)).hit({ a: 'one\ntwo' })).toBe(false);
    expect(rule(sel(`    a|re: '(?i)^ADMIN'`)).hit({ a: 'administrator' })).toBe(true);
    expect(rule(sel(`    a|re: '(unclosed'`)).issues[0]).toMatchObject({ ruleId: 'm1', feature: 're' });
  });

  it('base64 and base64offset (with contains), on UTF-8 and wide (UTF-16LE) text', () => {
    expect(rule(sel(`    a|base64: 'secret'`)).hit({ a: b64('secret') })).toBe(true);
    const off = rule(sel(`    a|base64offset|contains: 'http://'`));
    for (const prefix of ['', 'x', 'xy', 'xyz']) expect(off.hit({ a: b64(`${prefix}http://evil`) })).toBe(true);
    expect(off.hit({ a: b64('ftp://evil') })).toBe(false);
    const wide = rule(sel(`    a|wide|base64offset|contains: 'IEX'`));
    for (const prefix of ['', 'a', 'ab']) expect(wide.hit({ a: b64(`${prefix}IEX (New-Object)`, 'utf16le') })).toBe(true);
    expect(wide.hit({ a: b64('IEX (New-Object)') })).toBe(false);
  });

  it('utf16le / utf16be / utf16 (BOM) encodings', () => {
    expect(rule(sel(`    a|utf16le|base64: 'hi'`)).hit({ a: b64('hi', 'utf16le') })).toBe(true);
    const be = Buffer.from([0, 0x68, 0, 0x69]).toString('base64');
    expect(rule(sel(`    a|utf16be|base64: 'hi'`)).hit({ a: be })).toBe(true);
    const bom = Buffer.from([0xff, 0xfe, 0x68, 0, 0x69, 0]).toString('base64');
    expect(rule(sel(`    a|utf16|base64: 'hi'`)).hit({ a: bom })).toBe(true);
  });

  it('windash matches every dash variant of an option', () => {
    const r = rule(sel(`    a|windash|contains: ' -enc '`));
    for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) expect(r.hit({ a: `powershell ${d}enc AAAA` })).toBe(true);
    expect(r.hit({ a: 'powershell +enc AAAA' })).toBe(false);
  });

  it('cidr for IPv4 and IPv6', () => {
    const r = rule(sel(`    ip|cidr:\n      - '10.0.0.0/8'\n      - '192.168.1.0/24'\n      - '2001:db8::/32'\n      - 'fe80::/10'`));
    expect(r.hit({ ip: '10.1.2.3' })).toBe(true);
    expect(r.hit({ ip: '192.168.1.200' })).toBe(true);
    expect(r.hit({ ip: '192.168.2.1' })).toBe(false);
    expect(r.hit({ ip: '2001:db8:0:1::5' })).toBe(true);
    expect(r.hit({ ip: 'FE80::1%eth0' })).toBe(true);
    expect(r.hit({ ip: '2001:db9::1' })).toBe(false);
    expect(r.hit({ ip: 'not-an-ip' })).toBe(false);
    expect(rule(sel(`    ip|cidr: '10.0.0.0/33'`)).issues[0]).toMatchObject({ feature: 'modifier:cidr' });
  });

  it('numeric lt/lte/gt/gte and neq', () => {
    const r = rule(sel(`    n|gte: 10\n    m|lt: 5`));
    expect(r.hit({ n: 10, m: 4 })).toBe(true);
    expect(r.hit({ n: '11', m: '4.5' })).toBe(true);
    expect(r.hit({ n: 9, m: 4 })).toBe(false);
    expect(r.hit({ n: 10, m: 5 })).toBe(false);
    expect(rule(sel(`    n|gt: 1\n    n|lte: 3`)).hit({ n: 3 })).toBe(true);
    const neq = rule(sel(`    user|neq: 'SYSTEM'`));
    expect(neq.hit({ user: 'nva' })).toBe(true);
    expect(neq.hit({ user: 'system' })).toBe(false);
    expect(neq.hit({})).toBe(false);
  });

  it('fieldref compares two fields of the event (with neq)', () => {
    const r = rule(sel(`    SubjectUserName|fieldref: TargetUserName`));
    expect(r.hit({ SubjectUserName: 'NVA', TargetUserName: 'nva' })).toBe(true);
    expect(r.hit({ SubjectUserName: 'nva', TargetUserName: 'ttb' })).toBe(false);
    const n = rule(sel(`    SubjectUserName|fieldref|neq: TargetUserName`));
    expect(n.hit({ SubjectUserName: 'nva', TargetUserName: 'ttb' })).toBe(true);
  });

  it('expand resolves configured placeholders and rejects unknown ones', () => {
    const text = sel(`    TargetUserName|expand: '%Administrators%'`);
    expect(rule(text).issues[0]).toMatchObject({ feature: 'expand' });
    const r = rule(text, { placeholders: { Administrators: ['quantri*', 'admin'] } });
    expect(r.issues).toEqual([]);
    expect(r.hit({ TargetUserName: 'QuanTri01' })).toBe(true);
    expect(r.hit({ TargetUserName: 'admin' })).toBe(true);
    expect(r.hit({ TargetUserName: 'nva' })).toBe(false);
  });

  it('time modifiers take a part of a timestamp (UTC)', () => {
    const r = rule(sel(`    '@timestamp|hour|gte': 22`));
    expect(r.hit({ '@timestamp': '2026-11-25T23:10:00Z' })).toBe(true);
    expect(r.hit({ '@timestamp': '2026-11-25T08:10:00Z' })).toBe(false);
  });

  it('array event values match when any element does; numbers match as text', () => {
    const r = rule(sel(`    tags|contains: 'beta'\n    EventID: 4688`));
    expect(r.hit({ tags: ['alpha', 'xbetax'], EventID: 4688 })).toBe(true);
    expect(r.hit({ tags: ['alpha'], EventID: '4688' })).toBe(false);
  });

  it('conditions: 1 of x*, all of x*, 1 of them, all of them (ignoring _ names), nested parentheses', () => {
    const d = `  sel_a:\n    a: 1\n  sel_b:\n    b: 1\n  _helper:\n    c: 1\n  other:\n    d: 1\n`;
    const one = rule(`${d}  condition: 1 of sel_* and not other`);
    expect(one.hit({ b: 1 })).toBe(true);
    expect(one.hit({ b: 1, d: 1 })).toBe(false);
    expect(rule(`${d}  condition: all of sel_*`).hit({ a: 1 })).toBe(false);
    expect(rule(`${d}  condition: all of them`).hit({ a: 1, b: 1, d: 1 })).toBe(true);
    expect(rule(`${d}  condition: 1 of them`).hit({ c: 1 })).toBe(false);
    expect(rule(`${d}  condition: not (sel_a or (sel_b and other))`).hit({ b: 1 })).toBe(true);
    expect(rule(`${d}  condition: not (sel_a or (sel_b and other))`).hit({ b: 1, d: 1 })).toBe(false);
    // precedence: and binds tighter than or
    expect(rule(`${d}  condition: sel_a or sel_b and other`).hit({ a: 1 })).toBe(true);
    expect(rule(`${d}  condition: sel_a or sel_b and other`).hit({ b: 1 })).toBe(false);
    expect(rule(`${d}  condition: nope`).issues[0]).toMatchObject({ feature: 'condition' });
  });

  it('keyword lists search message; |all on keywords needs every word; a list of maps is OR', () => {
    const k = rule(`  kw:\n    '|all':\n      - 'failed'\n      - 'root'\n  condition: kw`);
    expect(k.hit({ message: 'Failed password for ROOT' })).toBe(true);
    expect(k.hit({ message: 'Failed password for nva' })).toBe(false);
    const maps = rule(`  sel:\n    - a: 1\n    - b: 2\n  condition: sel`);
    expect(maps.hit({ b: 2 })).toBe(true);
    expect(maps.hit({ a: 2 })).toBe(false);
  });
});
