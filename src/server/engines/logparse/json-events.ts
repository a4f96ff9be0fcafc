import type { EventValue, KhienEvent } from '../../../contracts/events.js';

/**
 * JSON inputs → KhienEvent. Recognised shapes:
 * - EVTX exported as JSON (evtx_dump / SigmaHQ regression_data: `Event.System`, `Event.EventData`);
 * - Winlogbeat / Elastic Common Schema (`winlog.channel`, `winlog.event_id`, `winlog.event_data`, `host.name`);
 * - Wazuh `alerts.json` (`agent`, `rule`, `full_log`, `data.win.system`, `data.win.eventdata` in lowerCamelCase);
 * - anything else: nested objects flattened to dotted keys (ECS JSON lines, Khiên's own events).
 * Windows EventData fields keep their original names (`TargetUserName`, `Image`, …) and ECS fields are added
 * (SOC-INTERFACE.md), so SigmaHQ rules and Khiên's cross-platform rules both match.
 */
export type JsonShape = 'evtx' | 'winlogbeat' | 'wazuh' | 'ecs';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(v: unknown): EventValue | undefined {
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v as (string | number)[];
  return undefined;
}

/** Flatten nested objects to dotted keys (`{a:{b:1}}` → `{'a.b':1}`); arrays of scalars are kept, others JSON. */
export function flatten(obj: Obj, prefix = '', out: KhienEvent = {}, depth = 0): KhienEvent {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const s = scalar(v);
    if (s !== undefined) out[key] = s;
    else if (isObj(v) && depth < 8) flatten(v, key, out, depth + 1);
    else out[key] = JSON.stringify(v);
  }
  return out;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (isObj(v) && '#text' in v) return text(v['#text']);
  return undefined;
}

function attr(v: unknown, name: string): string | undefined {
  if (isObj(v) && isObj(v['#attributes'])) return text(v['#attributes'][name]);
  return undefined;
}

/** Channel → Sigma service (the Sigma engine also derives it from `Channel`). */
function windowsService(channel: string): string {
  const c = channel.toLowerCase();
  if (c === 'security') return 'security';
  if (c === 'system') return 'system';
  if (c === 'application') return 'application';
  if (c === 'microsoft-windows-sysmon/operational') return 'sysmon';
  if (c.includes('powershell')) return 'powershell';
  return c.replace(/^microsoft-windows-/, '').split('/')[0] ?? c;
}

const LOGON_TYPES = new Set([4624, 4625, 4648, 4771, 4776]);

/** ECS fields derived from a Windows event's EventData (names as Sysmon / the Security log write them). */
function windowsEcs(e: KhienEvent, eventId: number, channel: string): void {
  const service = windowsService(channel);
  e['khien.logsource.product'] = 'windows';
  e['khien.logsource.service'] = service;
  e['event.code'] = String(eventId);
  if ((service === 'sysmon' && eventId === 1) || (service === 'security' && eventId === 4688)) e['khien.logsource.category'] = 'process_creation';
  const s = (k: string) => {
    const v = e[k];
    return typeof v === 'string' && v !== '-' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const user = s('TargetUserName') ?? s('User') ?? s('SubjectUserName');
  if (user && e['user.name'] === undefined) e['user.name'] = user.includes('\\') ? user.split('\\').pop()! : user;
  const domain = s('TargetDomainName') ?? s('SubjectDomainName');
  if (domain && e['user.domain'] === undefined) e['user.domain'] = domain;
  const ip = s('IpAddress') ?? s('SourceIp') ?? s('ClientAddress');
  if (ip && e['source.ip'] === undefined) e['source.ip'] = ip.replace(/^::ffff:/, '');
  const image = s('Image') ?? s('NewProcessName');
  if (image) e['process.executable'] = image;
  const cmd = s('CommandLine');
  if (cmd) e['process.command_line'] = cmd;
  const parent = s('ParentImage') ?? s('ParentProcessName');
  if (parent) e['process.parent.executable'] = parent;
  if (service === 'security' && LOGON_TYPES.has(eventId)) {
    e['event.action'] = 'logon';
    e['event.outcome'] = eventId === 4625 || eventId === 4771 ? 'failure' : 'success';
    if (eventId === 4776) e['event.outcome'] = s('Status') === '0x0' ? 'success' : 'failure';
  }
}

function evtx(o: Obj, raw: string): KhienEvent {
  const ev = o.Event as Obj;
  const sys = (isObj(ev.System) ? ev.System : {}) as Obj;
  const e: KhienEvent = {};
  const eventId = Number(text(sys.EventID) ?? NaN);
  const channel = text(sys.Channel) ?? '';
  e.EventID = eventId;
  e.Channel = channel;
  const computer = text(sys.Computer);
  if (computer) {
    e.Computer = computer;
    e['host.name'] = computer;
  }
  const provider = attr(sys.Provider, 'Name');
  if (provider) e.Provider_Name = provider;
  const rec = text(sys.EventRecordID);
  if (rec) e.EventRecordID = Number(rec);
  const time = attr(sys.TimeCreated, 'SystemTime');
  if (time && !Number.isNaN(Date.parse(time))) e['@timestamp'] = new Date(Date.parse(time)).toISOString();
  const level = text(sys.Level);
  if (level) e.Level = Number(level);
  const uid = attr(sys.Security, 'UserID');
  if (uid) e.Security_UserID = uid;
  const data = ev.EventData;
  if (isObj(data)) {
    if (Array.isArray(data.Data)) {
      for (const d of data.Data) {
        const name = attr(d, 'Name');
        if (name) e[name] = text(d) ?? null;
      }
    } else {
      for (const [k, v] of Object.entries(data)) {
        if (k === '#attributes') continue;
        const sv = scalar(v) ?? text(v);
        if (sv !== undefined) e[k] = sv;
      }
    }
  }
  if (isObj(ev.UserData)) flattenLeaves(ev.UserData, e);
  windowsEcs(e, eventId, channel);
  e.message = raw;
  return e;
}

function flattenLeaves(o: Obj, out: KhienEvent): void {
  for (const [k, v] of Object.entries(o)) {
    if (k === '#attributes') continue;
    const s = scalar(v);
    if (s !== undefined) out[k] = s;
    else if (isObj(v)) flattenLeaves(v, out);
  }
}

function winlogbeat(o: Obj, raw: string): KhienEvent {
  const winlog = o.winlog as Obj;
  const e = flatten(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'winlog')));
  const eventId = Number(winlog.event_id ?? (o.event as Obj | undefined)?.code ?? NaN);
  const channel = String(winlog.channel ?? '');
  e.EventID = eventId;
  e.Channel = channel;
  if (winlog.computer_name) {
    e.Computer = String(winlog.computer_name);
    if (e['host.name'] === undefined) e['host.name'] = String(winlog.computer_name);
  }
  if (winlog.provider_name) e.Provider_Name = String(winlog.provider_name);
  if (winlog.record_id !== undefined) e.EventRecordID = Number(winlog.record_id);
  for (const part of ['event_data', 'user_data'] as const) {
    const d = winlog[part];
    if (isObj(d)) for (const [k, v] of Object.entries(d)) {
      const sv = scalar(v);
      if (sv !== undefined) e[k] = sv;
    }
  }
  windowsEcs(e, eventId, channel);
  if (typeof e.message !== 'string') e.message = raw;
  return e;
}

/** Wazuh lowerCamelCases Windows EventData names (`targetUserName`): restore the original PascalCase. */
function pascal(k: string): string {
  return k.length > 0 ? k[0]!.toUpperCase() + k.slice(1) : k;
}

function wazuh(o: Obj, raw: string): { event: KhienEvent; fullLog?: string } {
  const e: KhienEvent = {};
  const ts = typeof o.timestamp === 'string' ? Date.parse(o.timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
  if (!Number.isNaN(ts)) e['@timestamp'] = new Date(ts).toISOString();
  const agent = isObj(o.agent) ? o.agent : {};
  if (agent.name) e['host.name'] = String(agent.name);
  if (agent.ip) e['host.ip'] = String(agent.ip);
  if (o.id) e['khien.wazuh.alert_id'] = String(o.id);
  const rule = isObj(o.rule) ? o.rule : {};
  if (rule.id) e['khien.wazuh.rule_id'] = String(rule.id);
  if (rule.description) e['khien.wazuh.rule_description'] = String(rule.description);
  if (rule.level !== undefined) e['khien.wazuh.rule_level'] = Number(rule.level);
  const data = isObj(o.data) ? o.data : {};
  const win = isObj(data.win) ? data.win : null;
  if (win) {
    const sys = isObj(win.system) ? win.system : {};
    const eventId = Number(sys.eventID ?? NaN);
    const channel = String(sys.channel ?? '');
    e.EventID = eventId;
    e.Channel = channel;
    if (sys.computer) {
      e.Computer = String(sys.computer);
      e['host.name'] = String(sys.computer);
    }
    if (sys.providerName) e.Provider_Name = String(sys.providerName);
    if (sys.systemTime && !Number.isNaN(Date.parse(String(sys.systemTime)))) e['@timestamp'] = new Date(Date.parse(String(sys.systemTime))).toISOString();
    const ed = isObj(win.eventdata) ? win.eventdata : {};
    for (const [k, v] of Object.entries(ed)) {
      const sv = scalar(v);
      if (sv !== undefined) e[pascal(k)] = sv;
    }
    windowsEcs(e, eventId, channel);
    e.message = typeof o.full_log === 'string' ? o.full_log : raw;
    return { event: e };
  }
  if (data.srcip) e['source.ip'] = String(data.srcip);
  if (data.srcuser ?? data.dstuser) e['user.name'] = String(data.srcuser ?? data.dstuser);
  return { event: e, fullLog: typeof o.full_log === 'string' ? o.full_log : undefined };
}

/** Which shape a parsed JSON object has. */
export function jsonShape(o: Obj): JsonShape {
  if (isObj(o.Event) && isObj((o.Event as Obj).System)) return 'evtx';
  if (isObj(o.winlog)) return 'winlogbeat';
  if (isObj(o.rule) && isObj(o.agent) && ('full_log' in o || 'data' in o || 'decoder' in o)) return 'wazuh';
  return 'ecs';
}

export interface JsonNormalised {
  event: KhienEvent;
  shape: JsonShape;
  /** Wazuh alerts of text logs: the original line, to be parsed as syslog by the caller. */
  fullLog?: string;
}

/** Normalise one JSON object. `raw` is its text (kept as `message` when the object has none). */
export function normaliseJsonObject(o: Obj, raw: string): JsonNormalised {
  const shape = jsonShape(o);
  switch (shape) {
    case 'evtx':
      return { event: evtx(o, raw), shape };
    case 'winlogbeat':
      return { event: winlogbeat(o, raw), shape };
    case 'wazuh': {
      const w = wazuh(o, raw);
      return { event: w.event, shape, fullLog: w.fullLog };
    }
    default: {
      const e = flatten(o);
      if (typeof e.timestamp === 'string' && e['@timestamp'] === undefined) e['@timestamp'] = e.timestamp;
      if (typeof e['@timestamp'] === 'string') {
        const t = Date.parse(e['@timestamp']);
        if (!Number.isNaN(t)) e['@timestamp'] = new Date(t).toISOString();
        else delete e['@timestamp'];
      }
      if (typeof e.message !== 'string') e.message = raw;
      return { event: e, shape };
    }
  }
}
