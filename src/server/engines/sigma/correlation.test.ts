import { describe, expect, it } from 'vitest';
import { compileDetector, createCorrelator, parseRules, type KhienEvent } from './index.js';

const base = `title: login
id: b1
name: login
logsource: { product: test }
detection:
  sel: { action: login }
  condition: sel
---
title: download
id: b2
name: download
logsource: { product: test }
detection:
  sel: { action: download }
  condition: sel
`;

function setup(correlation: string) {
  const parsed = parseRules([{ path: 'c.yml', text: `${base}---\ntitle: corr\nid: c1\nlevel: high\ncorrelation:\n${correlation}` }]);
  expect(parsed.issues).toEqual([]);
  const d = compileDetector(parsed);
  const c = createCorrelator(parsed, d);
  let n = 0;
  const push = (sec: number, fields: KhienEvent) => {
    const e: KhienEvent = { '@timestamp': new Date(Date.UTC(2026, 10, 25, 0, 0, sec)).toISOString(), 'event.id': `e${++n}`, 'khien.logsource.product': 'test', ...fields };
    return c.push(e, d.match(e));
  };
  return { c, d, push, parsed };
}

describe('Sigma v2.1 correlation types', () => {
  it('event_count: sliding window, per group, resets after firing', () => {
    const { push } = setup(`  type: event_count\n  rules: [login]\n  group-by: [user]\n  timespan: 10s\n  condition: { gte: 3 }\n`);
    expect(push(0, { action: 'login', user: 'a' })).toEqual([]);
    expect(push(5, { action: 'login', user: 'a' })).toEqual([]);
    expect(push(11, { action: 'login', user: 'a' })).toEqual([]); // the first fell out of the 10 s window
    expect(push(12, { action: 'login', user: 'b' })).toEqual([]);
    const hit = push(13, { action: 'login', user: 'a' });
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatchObject({ group: { user: 'a' }, value: 3, eventIds: ['e2', 'e3', 'e5'], firstSeen: '2026-11-25T00:00:05.000Z', lastSeen: '2026-11-25T00:00:13.000Z' });
    expect(push(14, { action: 'login', user: 'a' })).toEqual([]);
  });

  it('value_count: distinct values of a field per group', () => {
    const { push } = setup(`  type: value_count\n  rules: [login]\n  group-by: [ip]\n  timespan: 1m\n  condition: { field: user, gte: 3 }\n`);
    push(0, { action: 'login', ip: '1.1.1.1', user: 'a' });
    push(1, { action: 'login', ip: '1.1.1.1', user: 'A' });
    expect(push(2, { action: 'login', ip: '1.1.1.1', user: 'b' })).toEqual([]);
    expect(push(3, { action: 'login', ip: '1.1.1.1', user: 'c' })[0]).toMatchObject({ value: 3 });
  });

  it('temporal: all referenced rules within the timespan, any order', () => {
    const { push } = setup(`  type: temporal\n  rules: [login, download]\n  group-by: [user]\n  timespan: 30s\n`);
    expect(push(0, { action: 'download', user: 'a' })).toEqual([]);
    expect(push(10, { action: 'login', user: 'b' })).toEqual([]);
    expect(push(20, { action: 'login', user: 'a' })).toHaveLength(1);
    expect(push(41, { action: 'download', user: 'b' })).toEqual([]); // b's login is 31 s old → outside
  });

  it('temporal_ordered: only in the given order', () => {
    const { push } = setup(`  type: temporal_ordered\n  rules: [login, download]\n  group-by: [user]\n  timespan: 30s\n`);
    expect(push(0, { action: 'download', user: 'a' })).toEqual([]);
    expect(push(1, { action: 'login', user: 'a' })).toEqual([]);
    expect(push(2, { action: 'download', user: 'a' })).toHaveLength(1);
  });

  it('value_sum, value_avg, value_percentile over a numeric field', () => {
    const sum = setup(`  type: value_sum\n  rules: [download]\n  group-by: [user]\n  timespan: 1h\n  condition: { field: bytes, gt: 1000 }\n`);
    sum.push(0, { action: 'download', user: 'a', bytes: 600 });
    expect(sum.push(1, { action: 'download', user: 'a', bytes: 500 })[0]).toMatchObject({ value: 1100 });
    const avg = setup(`  type: value_avg\n  rules: [download]\n  group-by: [user]\n  timespan: 1h\n  condition: { field: bytes, gte: 100 }\n`);
    expect(avg.push(0, { action: 'download', user: 'a', bytes: 50 })).toEqual([]);
    expect(avg.push(1, { action: 'download', user: 'a', bytes: 150 })[0]).toMatchObject({ value: 100 });
    const pct = setup(`  type: value_percentile\n  rules: [download]\n  group-by: [user]\n  timespan: 1h\n  condition: { field: bytes, percentile: 90, gt: 500 }\n`);
    for (let i = 1; i <= 9; i++) expect(pct.push(i, { action: 'download', user: 'a', bytes: i * 10 })).toEqual([]);
    expect(pct.push(10, { action: 'download', user: 'a', bytes: 5000 })).toEqual([]); // p90 of 10 values is the 9th = 90
    expect(pct.push(11, { action: 'download', user: 'a', bytes: 6000 })[0]).toMatchObject({ value: 5000 });
  });

  it('aliases group differently named fields of each rule', () => {
    const { push } = setup(`  type: temporal\n  rules: [login, download]\n  group-by: [who]\n  aliases:\n    who:\n      login: user\n      download: account\n  timespan: 1m\n`);
    push(0, { action: 'login', user: 'nva' });
    expect(push(1, { action: 'download', account: 'nva' })[0]).toMatchObject({ group: { who: 'nva' } });
  });

  it('chains correlations (an event_count feeding a temporal_ordered), as in the spec example', () => {
    const parsed = parseRules([
      {
        path: 'chain.yml',
        text: `${base}---
title: many
id: c0
name: many_logins
correlation: { type: event_count, rules: [login], group-by: [user], timespan: 1m, condition: { gte: 2 } }
---
title: many then download
id: c1
correlation: { type: temporal_ordered, rules: [many_logins, download], group-by: [user], timespan: 5m }
`,
      },
    ]);
    const d = compileDetector(parsed);
    const c = createCorrelator(parsed, d);
    const ev = (sec: number, action: string): KhienEvent => ({ '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, sec)).toISOString(), 'khien.logsource.product': 'test', action, user: 'x', 'event.id': `e${sec}` });
    const out = [ev(0, 'download'), ev(1, 'login'), ev(2, 'login'), ev(3, 'download')].flatMap((e) => c.push(e, d.match(e)).map((h) => h.rule.id));
    expect(out).toEqual(['c0', 'c1']);
    expect(parsed.rules.find((r) => r.id === 'c0')!.correlationOnly).toBe(true);
  });

  it('exports and imports state (a partition moved to another worker continues counting)', () => {
    const a = setup(`  type: event_count\n  rules: [login]\n  group-by: [user]\n  timespan: 1m\n  condition: { gte: 3 }\n`);
    a.push(0, { action: 'login', user: 'a' });
    a.push(1, { action: 'login', user: 'a' });
    const state = JSON.parse(JSON.stringify(a.c.exportState()));
    const b = setup(`  type: event_count\n  rules: [login]\n  group-by: [user]\n  timespan: 1m\n  condition: { gte: 3 }\n`);
    b.c.importState(state);
    const ev: KhienEvent = { '@timestamp': '2026-11-25T00:00:02.000Z', 'khien.logsource.product': 'test', action: 'login', user: 'a', 'event.id': 'x' };
    expect(b.c.partitionKeys(ev, b.d.match(ev))).toEqual(['c1|["a"]']);
    expect(b.c.push(ev, b.d.match(ev))).toHaveLength(1);
  });

  it('scale-out: feeds only accepted groups, and a restored state continues exactly like the original', () => {
    const spec = `  type: event_count\n  rules: [login]\n  group-by: [user]\n  timespan: 1m\n  condition: { gte: 3 }\n`;
    const only = setup(spec);
    const ev = (sec: number, user: string): KhienEvent => ({ '@timestamp': new Date(Date.UTC(2026, 10, 25, 0, 0, sec)).toISOString(), 'event.id': `${user}${sec}`, 'khien.logsource.product': 'test', action: 'login', user });
    const acceptA = (key: string) => key === '["a"]';
    const fired: string[] = [];
    for (let s = 0; s < 6; s++) for (const u of ['a', 'b']) fired.push(...only.c.push(ev(s, u), only.d.match(ev(s, u)), acceptA).map((h) => h.groupKey));
    expect(fired).toEqual(['["a"]', '["a"]']); // b's logins were not this partition's
    // Uninterrupted run vs. a run exported and imported half-way (a partition moved to another worker).
    const whole = setup(spec);
    const first = setup(spec);
    const hitsWhole: string[] = [];
    const hitsMoved: string[] = [];
    const events = Array.from({ length: 40 }, (_, i) => ev(i * 7, i % 3 === 0 ? 'a' : 'b'));
    for (const e of events) hitsWhole.push(...whole.c.push(e, whole.d.match(e)).map((h) => `${h.groupKey}@${h.lastSeen}`));
    for (const e of events.slice(0, 20)) hitsMoved.push(...first.c.push(e, first.d.match(e)).map((h) => `${h.groupKey}@${h.lastSeen}`));
    const second = setup(spec);
    second.c.importState(JSON.parse(JSON.stringify(first.c.exportState())));
    for (const e of events.slice(20)) hitsMoved.push(...second.c.push(e, second.d.match(e)).map((h) => `${h.groupKey}@${h.lastSeen}`));
    expect(hitsMoved).toEqual(hitsWhole);
    expect(hitsWhole.length).toBeGreaterThan(3);
  });

  it('rejects malformed correlations with the reason', () => {
    const p = parseRules([{ path: 'x.yml', text: 'title: x\nid: x1\ncorrelation: { type: event_count, rules: [a], group-by: [u], timespan: 5 parsecs, condition: { gte: 1 } }\n' }]);
    expect(p.issues[0]).toMatchObject({ ruleId: 'x1', feature: 'correlation' });
    const q = parseRules([{ path: 'y.yml', text: 'title: y\nid: y1\ncorrelation: { type: value_sum, rules: [a], group-by: [u], timespan: 5m, condition: { gte: 1 } }\n' }]);
    expect(q.issues[0]).toMatchObject({ feature: 'correlation', message: 'value_sum needs condition.field' });
  });
});
