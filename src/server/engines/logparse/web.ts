import type { KhienEvent } from '../../../contracts/events.js';

/**
 * Web server logs → ECS-style fields (and, through the Sigma engine's aliases, SigmaHQ's webserver fields
 * `c-uri`, `cs-method`, `sc-status`, `c-useragent`).
 * - Apache/Nginx access logs, Common and Combined Log Format:
 *   `1.2.3.4 - user [10/Oct/2026:13:55:36 +0700] "GET /a?x=1 HTTP/1.1" 200 2326 "referer" "agent"`.
 * - Apache error log `[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] text` and
 *   Nginx error log `2026/11/25 10:00:00 [error] 12#0: *1 text, client: 1.2.3.4, server: …`.
 */
const ACCESS = /^(\S+) (\S+) (\S+) \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

function unescape(s: string): string {
  return s.replace(/\\(["\\])/g, '$1');
}

/** Parse an access-log line; null when the line is not one. `@timestamp` comes from the line. */
export function parseAccessLog(line: string, product: 'apache' | 'nginx' = 'apache'): KhienEvent | null {
  const m = ACCESS.exec(line);
  if (!m) return null;
  const month = MONTHS[m[5]!];
  if (month === undefined) return null;
  const zone = m[10]!;
  const offset = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const t = Date.UTC(Number(m[6]), month, Number(m[4]), Number(m[7]), Number(m[8]), Number(m[9])) - offset * 60_000;
  const request = unescape(m[11]!);
  const out: KhienEvent = {
    '@timestamp': new Date(t).toISOString(),
    'source.ip': m[1]!,
    'khien.logsource.product': product,
    'khien.logsource.category': 'webserver',
    'khien.logsource.service': 'access',
    'event.action': 'http_request',
  };
  if (m[3] !== '-') out['user.name'] = m[3]!;
  const parts = request.split(' ');
  if (parts.length >= 2) {
    out['http.request.method'] = parts[0]!;
    const url = parts.slice(1, parts.length >= 3 ? -1 : undefined).join(' ');
    out['url.original'] = url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    out['url.path'] = path;
    if (q >= 0) out['url.query'] = url.slice(q + 1);
    const dot = path.lastIndexOf('.');
    if (dot > path.lastIndexOf('/')) out['url.extension'] = path.slice(dot + 1).toLowerCase();
    if (parts.length >= 3) out['http.version'] = parts[parts.length - 1]!.replace(/^HTTP\//, '');
  } else {
    out['url.original'] = request;
  }
  if (m[12] !== '-') {
    const status = Number(m[12]);
    out['http.response.status_code'] = status;
    out['event.outcome'] = status >= 400 ? 'failure' : 'success';
  }
  if (m[13] !== '-') out['http.response.body.bytes'] = Number(m[13]);
  if (m[14] !== undefined && m[14] !== '-') out['http.request.referrer'] = unescape(m[14]);
  if (m[15] !== undefined && m[15] !== '-') out['user_agent.original'] = unescape(m[15]);
  return out;
}

const APACHE_ERROR = /^\[(?:[A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4})\] \[(?:[\w]+:)?(\w+)\](?: \[pid \d+(?::tid \d+)?\])?(?: \[client ([^\]:]+|\[[^\]]+\])(?::\d+)?\])? ?(.*)$/;
const NGINX_ERROR = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*?)(?:, client: ([^,]+))?(?:, server: [^,]*)?(?:, request: "([^"]*)")?.*$/;

/** Parse an Apache or Nginx error-log line (local time of the server: `tzOffsetMinutes`). */
export function parseErrorLog(line: string, tzOffsetMinutes = 420): KhienEvent | null {
  let m = APACHE_ERROR.exec(line);
  if (m) {
    const month = MONTHS[m[1]!];
    if (month === undefined) return null;
    const t = Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) - tzOffsetMinutes * 60_000;
    const out: KhienEvent = {
      '@timestamp': new Date(t).toISOString(),
      'log.level': m[7]!,
      'khien.logsource.product': 'apache',
      'khien.logsource.category': 'webserver',
      'khien.logsource.service': 'error',
      'khien.message_text': m[9]!,
    };
    if (m[8]) out['source.ip'] = m[8].replace(/^\[|\]$/g, '');
    return out;
  }
  m = NGINX_ERROR.exec(line);
  if (m) {
    const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) - tzOffsetMinutes * 60_000;
    const out: KhienEvent = {
      '@timestamp': new Date(t).toISOString(),
      'log.level': m[7]!,
      'khien.logsource.product': 'nginx',
      'khien.logsource.category': 'webserver',
      'khien.logsource.service': 'error',
      'khien.message_text': m[8]!,
    };
    if (m[9]) out['source.ip'] = m[9].trim();
    if (m[10]) {
      const [method, url] = m[10].split(' ');
      if (method) out['http.request.method'] = method;
      if (url) out['url.original'] = url;
    }
    return out;
  }
  return null;
}
