import type { EventValue, KhienEvent } from './types.js';

/**
 * Flatten a Windows event rendered as JSON (`{ Event: { System, EventData | UserData } }`, the shape of
 * evtx_dump / SigmaHQ regression_data) into a Khiên event: System fields by name with XML attributes joined
 * by `_` (`Provider_Name`, `Security_UserID`; sigma-rules-specification.md "Windows XML fields"), EventData
 * fields by their Data Name, and the Khiên keys (`@timestamp`, `host.name`, `event.code`, logsource).
 */
export function flattenWindowsEvent(doc: unknown): KhienEvent {
  const root = (doc as { Event?: unknown })?.Event ?? doc;
  const ev: KhienEvent = {};
  const r = root as Record<string, unknown>;
  const sys = (r.System ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(sys)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const attrs = (o['#attributes'] ?? {}) as Record<string, unknown>;
      for (const [ak, av] of Object.entries(attrs)) setScalar(ev, `${k}_${ak}`, av);
      if ('#text' in o) setScalar(ev, k, o['#text']);
    } else setScalar(ev, k, v);
  }
  const data = (r.EventData ?? r.UserData) as unknown;
  if (data && typeof data === 'object') flattenData(ev, data as Record<string, unknown>);
  const time = ev.TimeCreated_SystemTime;
  if (typeof time === 'string') ev['@timestamp'] = new Date(Date.parse(time)).toISOString();
  if (typeof ev.Computer === 'string') ev['host.name'] = ev.Computer;
  if (ev.EventID !== undefined) ev['event.code'] = String(ev.EventID);
  ev['khien.logsource.product'] = 'windows';
  return ev;
}

function setScalar(ev: KhienEvent, k: string, v: unknown): void {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') ev[k] = v;
  else if (v === null) ev[k] = null;
}

function flattenData(ev: KhienEvent, data: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(data)) {
    if (k === '#attributes') continue;
    if (k === 'Data' && Array.isArray(v)) {
      // unnamed <Data> elements (classic PowerShell, some System events)
      const texts = v.map((x) => (typeof x === 'object' && x ? ((x as Record<string, unknown>)['#text'] ?? '') : x)).map(String);
      ev.Data = texts as EventValue;
      continue;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if ('#text' in o) setScalar(ev, k, o['#text']);
      else flattenData(ev, o);
    } else if (Array.isArray(v)) ev[k] = v.filter((x) => typeof x === 'string' || typeof x === 'number') as (string | number)[];
    else setScalar(ev, k, v);
    // Defender and other providers name data with spaces ("Threat Name"); SigmaHQ rules write ThreatName.
    const v2 = ev[k];
    if (k.includes(' ') && v2 !== undefined) ev[k.replace(/ /g, '')] = v2;
  }
}

/** Split text holding several concatenated JSON values (`{…}{…}` or one per line) into parsed values. */
export function parseConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
      continue;
    }
    if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth++ === 0) start = i;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error(`unbalanced JSON at offset ${i}`);
    }
  }
  if (depth !== 0) throw new Error('truncated JSON');
  return out;
}
