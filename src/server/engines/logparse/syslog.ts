/**
 * Syslog message parsing: RFC 5424 (version 1) and RFC 3164 (BSD) with the deviations real senders show
 * (research/soc.md §5): no year and local time in BSD timestamps, RFC 3339 timestamps in BSD format
 * (rsyslog's forward format), a missing HOSTNAME (`<13>Dec 10 06:55:46 sshd[24200]: …`), tags like
 * `sshd(pam_unix)[19939]:`, no PRI at all (RFC 3164 §4.3.3: a relay assumes PRI 13), a UTF-8 BOM before the
 * RFC 5424 MSG.
 */
export interface SyslogRecord {
  format: '5424' | '3164';
  /** PRI = facility * 8 + severity; 13 (user.notice) when the sender sent none. */
  pri: number;
  facility: number;
  severity: number;
  /** ISO-8601 UTC. */
  timestamp: string;
  hostname: string | null;
  appName: string | null;
  /** `pam_unix` in `sshd(pam_unix)[pid]`. */
  subsystem: string | null;
  procId: string | null;
  msgId: string | null;
  /** RFC 5424 STRUCTURED-DATA: SD-ID → params. */
  structuredData: Record<string, Record<string, string>> | null;
  msg: string;
}

export interface SyslogParseOptions {
  /** Reception time (ms since epoch): fills a missing timestamp and the year of BSD timestamps. */
  receivedAt: number;
  /** Offset of the sender's local time from UTC in minutes for timestamps without zone (default +420, Việt Nam). */
  tzOffsetMinutes?: number;
}

export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const BSD_TS = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?: (\d{4}))?(?= |$)/;
const ISO_TS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?(?= |$)/;
// TAG: letters, digits and the usual punctuation of program names; `name(sub)[pid]:` or `name[pid]:` or `name:`.
const TAG = /^([A-Za-z0-9_.\/@-][A-Za-z0-9_.\/@:-]*?)(?:\(([^)\s]{1,64})\))?(?:\[([^\]\s]{1,32})\])?:(?: |$)/;

/** Parse one syslog message (without framing). Never throws: an unparsable line becomes a BSD record of text. */
export function parseSyslog(line: string, opts: SyslogParseOptions): SyslogRecord {
  const tz = opts.tzOffsetMinutes ?? 420;
  let pri = 13;
  let rest = line;
  const m = /^<(\d{1,3})>/.exec(line);
  if (m) {
    const p = Number(m[1]);
    if (p <= 191) {
      pri = p;
      rest = line.slice(m[0].length);
    }
  }
  if (rest.startsWith('1 ') && m) {
    const r = parse5424(rest.slice(2), pri, opts.receivedAt, tz);
    if (r) return r;
  }
  return parse3164(rest, pri, opts.receivedAt, tz);
}

function nil(v: string | undefined): string | null {
  return v === undefined || v === '-' || v === '' ? null : v;
}

function parse5424(s: string, pri: number, receivedAt: number, tz: number): SyslogRecord | null {
  // TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]   (RFC 5424 §6)
  const parts: string[] = [];
  let pos = 0;
  for (let k = 0; k < 5; k++) {
    const sp = s.indexOf(' ', pos);
    if (sp < 0) return null;
    parts.push(s.slice(pos, sp));
    pos = sp + 1;
  }
  const [ts, host, app, proc, msgid] = parts as [string, string, string, string, string];
  let sd: Record<string, Record<string, string>> | null = null;
  if (s[pos] === '-') {
    pos += 1;
  } else if (s[pos] === '[') {
    sd = {};
    while (s[pos] === '[') {
      const parsed = parseSdElement(s, pos);
      if (!parsed) return null;
      sd[parsed.id] = parsed.params;
      pos = parsed.end;
    }
  } else {
    return null;
  }
  let msg = s[pos] === ' ' ? s.slice(pos + 1) : s.slice(pos);
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1); // BOM (RFC 5424 §6.4)
  const time = ts === '-' ? null : isoTime(ts, receivedAt, tz);
  return {
    format: '5424',
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    timestamp: time ?? new Date(receivedAt).toISOString(),
    hostname: nil(host),
    appName: nil(app),
    subsystem: null,
    procId: nil(proc),
    msgId: nil(msgid),
    structuredData: sd,
    msg,
  };
}

function parseSdElement(s: string, start: number): { id: string; params: Record<string, string>; end: number } | null {
  // SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]";  SD-PARAM = PARAM-NAME "=" %d34 PARAM-VALUE %d34 (§6.3)
  let pos = start + 1;
  let idEnd = pos;
  while (idEnd < s.length && s[idEnd] !== ' ' && s[idEnd] !== ']') idEnd++;
  const id = s.slice(pos, idEnd);
  pos = idEnd;
  const params: Record<string, string> = {};
  while (pos < s.length && s[pos] === ' ') {
    pos++;
    const eq = s.indexOf('="', pos);
    if (eq < 0) return null;
    const name = s.slice(pos, eq);
    pos = eq + 2;
    let value = '';
    while (pos < s.length && s[pos] !== '"') {
      // Inside PARAM-VALUE, '"', '\' and ']' MUST be escaped with '\' (§6.3.3).
      if (s[pos] === '\\' && (s[pos + 1] === '"' || s[pos + 1] === '\\' || s[pos + 1] === ']')) {
        value += s[pos + 1];
        pos += 2;
      } else {
        value += s[pos];
        pos++;
      }
    }
    if (s[pos] !== '"') return null;
    pos++;
    params[name] = value;
  }
  if (s[pos] !== ']') return null;
  return { id, params, end: pos + 1 };
}

/** Milliseconds as the ISO text ends them: `.000Z` … `.999Z`. */
const MS_TEXT = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z`);
/** The last second converted (messages of one sender come many to a second): its key and ISO text up to the seconds. */
let secondKey = '';
let secondIso = '';

/** RFC 3339 / ISO timestamp → ISO UTC; a timestamp without zone is the sender's local time. */
function isoTime(ts: string, receivedAt: number, tz: number): string | null {
  const m = ISO_TS.exec(ts);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  // Zones are whole minutes, so the milliseconds never change the second: the second's text is reused.
  const key = zone ? `${y}${mo}${d}${h}${mi}${sec}${zone}` : `${y}${mo}${d}${h}${mi}${sec}@${tz}`;
  if (key === secondKey) return secondIso + MS_TEXT[ms]!;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number.isNaN(t)) return new Date(receivedAt).toISOString();
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const z = zone.slice(1).replace(':', '');
    t -= sign * (Number(z.slice(0, 2)) * 60 + Number(z.slice(2, 4))) * 60_000;
  } else if (!zone) {
    t -= tz * 60_000;
  }
  const iso = new Date(t).toISOString();
  if (iso.length !== 24) return new Date(t + ms).toISOString(); // years beyond 9999 (extended form): not cached
  secondKey = key;
  secondIso = iso.slice(0, 19);
  return secondIso + MS_TEXT[ms]!;
}

/**
 * A BSD timestamp has no year (RFC 3164 §4.1.2): take the reception year, or the previous year when that
 * would put the event more than a day in the future (December lines received in January).
 */
export function bsdTime(mon: string, day: number, h: number, mi: number, s: number, year: number | null, receivedAt: number, tz: number): string | null {
  const month = MONTHS[mon];
  if (month === undefined) return null;
  const recvYear = new Date(receivedAt + tz * 60_000).getUTCFullYear();
  let y = year ?? recvYear;
  let t = Date.UTC(y, month, day, h, mi, s) - tz * 60_000;
  if (year === null && t > receivedAt + 86_400_000) {
    y -= 1;
    t = Date.UTC(y, month, day, h, mi, s) - tz * 60_000;
  }
  return new Date(t).toISOString();
}

function parse3164(s: string, pri: number, receivedAt: number, tz: number): SyslogRecord {
  let rest = s;
  let timestamp: string | null = null;
  const bsd = BSD_TS.exec(rest);
  if (bsd) {
    timestamp = bsdTime(bsd[1]!, Number(bsd[2]), Number(bsd[3]), Number(bsd[4]), Number(bsd[5]), bsd[6] ? Number(bsd[6]) : null, receivedAt, tz);
    rest = rest.slice(bsd[0].length).replace(/^ /, '');
  } else {
    const iso = ISO_TS.exec(rest);
    if (iso) {
      timestamp = isoTime(iso[0], receivedAt, tz);
      rest = rest.slice(iso[0].length).replace(/^ /, '');
    }
  }
  let hostname: string | null = null;
  if (timestamp) {
    // HOSTNAME is missing when the first word is already the TAG (`sshd[24200]:`, `CRON:`).
    const sp = rest.indexOf(' ');
    const first = sp < 0 ? rest : rest.slice(0, sp);
    if (first.length > 0 && !first.endsWith(':') && !/^[^\s[]+\[[^\]]*\]:?$/.test(first)) {
      hostname = first;
      rest = sp < 0 ? '' : rest.slice(sp + 1);
    }
  }
  let appName: string | null = null;
  let subsystem: string | null = null;
  let procId: string | null = null;
  const tag = TAG.exec(rest);
  if (tag && tag[1]!.length <= 48) {
    appName = tag[1]!.replace(/:$/, '');
    subsystem = tag[2] ?? null;
    procId = tag[3] ?? null;
    rest = rest.slice(tag[0].length);
  }
  return {
    format: '3164',
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    timestamp: timestamp ?? new Date(receivedAt).toISOString(),
    hostname,
    appName,
    subsystem,
    procId,
    msgId: null,
    structuredData: null,
    msg: rest,
  };
}
