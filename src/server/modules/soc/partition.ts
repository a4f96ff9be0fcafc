import type { KhienEvent } from '../../../contracts/events.js';
import type { RuleMatch } from '../../engines/sigma/index.js';

/**
 * Scale-out partitioning (issue 6 item 7): an event goes to partition hash(group key) mod N, where the group
 * key is the JSON array of the group-by values of a correlation it feeds (e.g. `["45.142.120.33"]` for the
 * rules grouped by source.ip). Correlations grouped by the same fields share keys, so all of one attacker's
 * events meet in one partition whichever rule they feed. An event feeding no correlation goes by its id
 * (spreads the load). An event feeding groups of several partitions is sent to each: the lowest partition
 * is its primary copy (stored once, single-event alerts), the others carry a correlation-only copy.
 */
export function partitionOf(key: string, partitions: number): number {
  // FNV-1a, 32 bit: stable across processes and versions (never Math.random or a per-process seed).
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** The group key inside a correlator partition key `<correlation rule id>|<group key>`. */
export function groupKeyOf(partitionKey: string): string {
  const i = partitionKey.indexOf('|');
  return i < 0 ? partitionKey : partitionKey.slice(i + 1);
}

export interface Route {
  /** Partitions the event is sent to, ascending; the first carries the primary copy. */
  partitions: number[];
}

/** Where an event goes, from the correlator's partition keys of its matches. */
export function routeEvent(event: KhienEvent, partitionKeys: (e: KhienEvent, m: RuleMatch[]) => string[], matches: RuleMatch[], partitions: number): Route {
  const set = new Set<number>();
  for (const k of partitionKeys(event, matches)) set.add(partitionOf(groupKeyOf(k), partitions));
  if (set.size === 0) set.add(partitionOf(String(event['event.id'] ?? ''), partitions));
  return { partitions: [...set].sort((a, b) => a - b) };
}
