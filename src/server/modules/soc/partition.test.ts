import { describe, expect, it } from 'vitest';
import type { KhienEvent, RuleMatch } from '../../engines/sigma/index.js';
import { groupKeyOf, partitionOf, routeEvent } from './partition.js';

describe('scale-out partitioning', () => {
  it('is stable, spreads keys, and sends one attacker to one partition whichever correlation the event feeds', () => {
    expect(partitionOf('["45.142.120.33"]', 8)).toBe(partitionOf('["45.142.120.33"]', 8));
    const used = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(`["10.0.${i >> 8}.${i & 255}"]`, 8)));
    expect(used.size).toBe(8);
    // Brute force and repeated failures both group by source.ip: same group key, same partition.
    const keys = () => ['bf-rule|["45.142.120.33"]', 'repeat-rule|["45.142.120.33"]'];
    const e: KhienEvent = { 'event.id': 'x1', 'source.ip': '45.142.120.33' };
    expect(routeEvent(e, keys, [] as RuleMatch[], 8).partitions).toEqual([partitionOf('["45.142.120.33"]', 8)]);
    expect(groupKeyOf('bf-rule|["a|b"]')).toBe('["a|b"]');
  });

  it('routes an event feeding no correlation by its id, and one feeding groups of two partitions to both', () => {
    const e: KhienEvent = { 'event.id': 'evt-7' };
    expect(routeEvent(e, () => [], [], 8).partitions).toEqual([partitionOf('evt-7', 8)]);
    const a = 'k0';
    let b = 'k1';
    for (let i = 2; partitionOf(`["${a}"]`, 4) === partitionOf(`["${b}"]`, 4); i++) b = `k${i}`;
    const both = routeEvent(e, () => [`r1|["${a}"]`, `r2|["${b}"]`], [], 4).partitions;
    expect(both).toEqual([partitionOf(`["${a}"]`, 4), partitionOf(`["${b}"]`, 4)].sort((x, y) => x - y));
  });
});
