import type { KhienEvent } from '../../../contracts/events.js';
import { normaliseJsonObject } from './json-events.js';
import { linuxService, parseLinuxProgram } from './linux.js';
import { FACILITIES, parseSyslog, SEVERITIES, type SyslogRecord } from './syslog.js';
import { parseAccessLog, parseErrorLog } from './web.js';

/**
 * Log parsing engine (pure): framing, syslog (RFC 5424/3164), program parsers and JSON shapes → KhienEvent.
 * The SOC module does the I/O (sockets, files, spool) and sets `event.id` and the source/system enrichment.
 */
export { SyslogFramer, type FramerStats } from './framing.js';
export { parseSyslog, bsdTime, type SyslogRecord, type SyslogParseOptions } from './syslog.js';
export { parseSshd, parsePam, parseSudo, parseSu, parseLinuxProgram, linuxService } from './linux.js';
export { parseAccessLog, parseErrorLog } from './web.js';
export { normaliseJsonObject, flatten, jsonShape, type JsonShape, type JsonNormalised } from './json-events.js';

export interface NormaliseContext {
  /** Reception time, ms since epoch (fills missing timestamps and BSD years). */
  receivedAt: number;
  /** The sender's address (host name of a syslog line without HOSTNAME). */
  peerIp?: string | null;
  /** Sender's local time offset for timestamps without zone, minutes (default +420, Việt Nam). */
  tzOffsetMinutes?: number;
}

const WEB_APPS = new Set(['apache', 'apache2', 'httpd', 'nginx']);

/** A syslog record → KhienEvent: syslog fields, the program's parsed fields and the Sigma logsource. */
export function eventFromSyslog(rec: SyslogRecord, raw: string, ctx: NormaliseContext): KhienEvent {
  // Relays keep the space after a BSD TAG's colon in MSG (rsyslog's %msg%) and templates end in LF.
  const msg = rec.msg.trim();
  const e: KhienEvent = {
    '@timestamp': rec.timestamp,
    message: msg,
    'event.original': raw,
    'log.syslog.priority': rec.pri,
    'log.syslog.facility.name': FACILITIES[rec.facility] ?? String(rec.facility),
    'log.syslog.severity.name': SEVERITIES[rec.severity] ?? String(rec.severity),
    'log.syslog.format': rec.format,
  };
  const host = rec.hostname ?? ctx.peerIp ?? null;
  if (host) e['host.name'] = host;
  if (ctx.peerIp) e['log.source.address'] = ctx.peerIp;
  if (rec.appName) e['process.name'] = rec.appName;
  if (rec.procId) {
    const pid = Number(rec.procId);
    e['process.pid'] = Number.isInteger(pid) ? pid : rec.procId;
  }
  if (rec.subsystem) e['khien.syslog.subsystem'] = rec.subsystem;
  if (rec.msgId) e['log.syslog.msgid'] = rec.msgId;
  if (rec.structuredData) {
    for (const [id, params] of Object.entries(rec.structuredData)) {
      for (const [k, v] of Object.entries(params)) e[`log.syslog.structured_data.${id}.${k}`] = v;
    }
  }
  const app = rec.appName?.toLowerCase() ?? null;
  if (app && WEB_APPS.has(app)) {
    const product = app === 'nginx' ? 'nginx' : 'apache';
    const web = parseAccessLog(msg, product) ?? parseErrorLog(msg, ctx.tzOffsetMinutes);
    if (web) {
      const { '@timestamp': _t, ...fields } = web;
      return Object.assign(e, fields);
    }
  }
  e['khien.logsource.product'] = 'linux';
  e['khien.logsource.service'] = linuxService(rec.appName);
  return Object.assign(e, parseLinuxProgram(rec.appName, rec.subsystem, msg));
}

/** One syslog message (framing removed) → KhienEvent. */
export function normaliseSyslogLine(line: string, ctx: NormaliseContext): KhienEvent {
  const rec = parseSyslog(line, { receivedAt: ctx.receivedAt, tzOffsetMinutes: ctx.tzOffsetMinutes });
  return eventFromSyslog(rec, line, ctx);
}

/**
 * One line of a text log file: a web access or error log line, else a syslog line (with or without PRI,
 * as /var/log/auth.log writes them).
 */
export function normaliseTextLine(text: string, ctx: NormaliseContext): KhienEvent {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text; // files written on Windows (loghub's are CRLF)
  const access = parseAccessLog(line);
  if (access) return { ...access, message: line, 'event.original': line };
  const err = parseErrorLog(line, ctx.tzOffsetMinutes);
  if (err) return { ...err, message: line, 'event.original': line };
  return normaliseSyslogLine(line, ctx);
}

/** Thrown for a line that is not a JSON object (the import names file and line). */
export class JsonLineError extends Error {}

/** One JSON line (any recognised shape) → KhienEvent; `@timestamp` defaults to the reception time. */
export function normaliseJsonLine(line: string, ctx: NormaliseContext): KhienEvent {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new JsonLineError(`không phải JSON hợp lệ: ${(err as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new JsonLineError('mỗi dòng phải là một đối tượng JSON');
  return normaliseJsonValue(o as Record<string, unknown>, line, ctx);
}

/** A parsed JSON object → KhienEvent (used by the bulk endpoint, which receives parsed objects). */
export function normaliseJsonValue(o: Record<string, unknown>, raw: string, ctx: NormaliseContext): KhienEvent {
  const n = normaliseJsonObject(o, raw);
  let e = n.event;
  if (n.fullLog) {
    const parsed = normaliseTextLine(n.fullLog, ctx);
    e = { ...parsed, ...e, message: parsed.message ?? n.fullLog };
  }
  if (typeof e['@timestamp'] !== 'string') e['@timestamp'] = new Date(ctx.receivedAt).toISOString();
  return e;
}
