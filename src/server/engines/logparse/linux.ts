import type { KhienEvent } from '../../../contracts/events.js';

/**
 * Linux authentication messages → ECS-style fields. Formats as OpenSSH, sudo, su and Linux-PAM write them
 * (loghub OpenSSH/Linux corpora, research/soc.md §4.1). The line itself stays in `message` for Sigma keyword
 * rules; these add `event.action`, `event.outcome`, `user.name`, `source.ip`, `source.port` … so correlation
 * rules can group by them.
 */
type Fields = KhienEvent;

const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const IPV6 = String.raw`[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+`;
const IP = `(${IPV4}|${IPV6})`;
const IP_ONLY = new RegExp(`^${IP}$`);

const SSHD: Array<[RegExp, (m: RegExpExecArray) => Fields]> = [
  [
    new RegExp(String.raw`^Failed (password|publickey|keyboard-interactive/pam|none) for (invalid user )?(.*?) from ${IP} port (\d+)`),
    (m) => ({ 'event.action': 'ssh_login', 'event.outcome': 'failure', 'khien.ssh.method': m[1]!, 'khien.ssh.invalid_user': m[2] !== undefined, 'user.name': m[3]!, 'source.ip': m[4]!, 'source.port': Number(m[5]) }),
  ],
  [
    new RegExp(String.raw`^Accepted (password|publickey|keyboard-interactive/pam|gssapi-with-mic|hostbased) for (\S+) from ${IP} port (\d+)`),
    (m) => ({ 'event.action': 'ssh_login', 'event.outcome': 'success', 'khien.ssh.method': m[1]!, 'user.name': m[2]!, 'source.ip': m[3]!, 'source.port': Number(m[4]) }),
  ],
  [
    new RegExp(String.raw`^Invalid user (.*?) from ${IP}(?: port (\d+))?`),
    (m) => ({ 'event.action': 'ssh_invalid_user', 'event.outcome': 'failure', 'khien.ssh.invalid_user': true, 'user.name': m[1]!, 'source.ip': m[2]!, ...(m[3] ? { 'source.port': Number(m[3]) } : {}) }),
  ],
  [
    new RegExp(String.raw`^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(\S+) from ${IP} port (\d+)`),
    (m) => ({ 'event.action': 'ssh_max_auth_tries', 'event.outcome': 'failure', 'user.name': m[2]!, 'source.ip': m[3]!, 'source.port': Number(m[4]) }),
  ],
  [
    new RegExp(String.raw`^reverse mapping checking getaddrinfo for (\S+) \[${IP}\] failed`),
    (m) => ({ 'event.action': 'ssh_reverse_mapping_failed', 'source.domain': m[1]!, 'source.ip': m[2]! }),
  ],
  [
    new RegExp(String.raw`^(?:Connection closed|Disconnected) by (?:(?:invalid |authenticating )?user (\S+) )?${IP}(?: port (\d+))?`),
    (m) => ({ 'event.action': 'ssh_disconnect', 'source.ip': m[2]!, ...(m[1] ? { 'user.name': m[1] } : {}), ...(m[3] ? { 'source.port': Number(m[3]) } : {}) }),
  ],
  [
    new RegExp(String.raw`^Received disconnect from ${IP}(?: port (\d+))?`),
    (m) => ({ 'event.action': 'ssh_disconnect', 'source.ip': m[1]!, ...(m[2] ? { 'source.port': Number(m[2]) } : {}) }),
  ],
  [
    new RegExp(String.raw`^Did not receive identification string from ${IP}`),
    (m) => ({ 'event.action': 'ssh_no_identification', 'source.ip': m[1]! }),
  ],
  [
    /^Disconnecting: Too many authentication failures(?: for (\S+))?/,
    (m) => ({ 'event.action': 'ssh_max_auth_tries', 'event.outcome': 'failure', ...(m[1] ? { 'user.name': m[1] } : {}) }),
  ],
];

/** `message repeated N times: [ inner ]` (rsyslog's repeated-message reduction). */
const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;

/** sshd messages. */
export function parseSshd(msg: string): Fields {
  let text = msg;
  let repeat: Fields | null = null;
  const r = msg.startsWith('message repeated ') ? REPEATED.exec(msg) : null;
  if (r) {
    repeat = { 'khien.repeat_count': Number(r[1]) };
    text = r[2]!;
  }
  // (the fields object is copied only to add the repeat count)
  if (text.startsWith('pam_unix(') || text.startsWith('pam_')) {
    const pam = parsePam(text, 'sshd');
    return repeat ? { ...pam, ...repeat } : pam;
  }
  for (const [re, make] of SSHD) {
    const m = re.exec(text);
    if (m) return repeat ? { ...make(m), ...repeat } : make(m);
  }
  return repeat ?? {};
}

/**
 * Linux-PAM messages: `pam_unix(sshd:auth): authentication failure; logname= uid=0 … rhost=1.2.3.4  user=root`,
 * `pam_unix(su:session): session opened for user root by alice(uid=1000)`, and the old form where syslog's TAG
 * carried the module (`sshd(pam_unix)[19939]: authentication failure; …`) — then `service` comes from the TAG.
 */
export function parsePam(msg: string, service?: string | null): Fields {
  const out: Fields = {};
  let text = msg;
  const head = /^(pam_[a-z_]+)\(([^:)]+):([a-z]+)\): /.exec(msg);
  if (head) {
    out['khien.pam.module'] = head[1]!;
    out['khien.pam.service'] = head[2]!;
    out['khien.pam.type'] = head[3]!;
    text = msg.slice(head[0].length);
  } else if (service) {
    out['khien.pam.service'] = service;
  }
  if (text.startsWith('authentication failure')) {
    out['event.action'] = 'pam_auth';
    out['event.outcome'] = 'failure';
    const kv = keyValues(text.slice(text.indexOf(';') + 1));
    if (kv.user) out['user.name'] = kv.user;
    if (kv.ruser) out['khien.pam.ruser'] = kv.ruser;
    if (kv.rhost) {
      if (IP_ONLY.test(kv.rhost)) out['source.ip'] = kv.rhost;
      else out['source.domain'] = kv.rhost;
    }
    if (kv.tty) out['khien.pam.tty'] = kv.tty;
    return out;
  }
  let m = /^session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: by (\S*?)(?:\(uid=(\d+)\))?)?$/.exec(text);
  if (m) {
    out['event.action'] = m[1] === 'opened' ? 'session_opened' : 'session_closed';
    out['event.outcome'] = 'success';
    out['user.name'] = m[2]!;
    if (m[3]) out['user.effective.name'] = m[3];
    return out;
  }
  m = /^check pass; user unknown/.exec(text);
  if (m) {
    out['event.action'] = 'pam_auth';
    out['event.outcome'] = 'failure';
    out['khien.pam.user_unknown'] = true;
    return out;
  }
  m = /^(\d+) more authentication failures?; .*$/.exec(text);
  if (m) {
    out['event.action'] = 'pam_auth';
    out['event.outcome'] = 'failure';
    out['khien.repeat_count'] = Number(m[1]);
    const kv = keyValues(text.slice(text.indexOf(';') + 1));
    if (kv.user) out['user.name'] = kv.user;
    if (kv.rhost && new RegExp(`^${IP}$`).test(kv.rhost)) out['source.ip'] = kv.rhost;
  }
  return out;
}

const KEY_VALUE = /(\w+)=(\S*)/g;
function keyValues(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  KEY_VALUE.lastIndex = 0;
  for (let m = KEY_VALUE.exec(s); m !== null; m = KEY_VALUE.exec(s)) if (m[2]) out[m[1]!] = m[2];
  return out;
}

/**
 * sudo: `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`,
 * `alice : 3 incorrect password attempts ; TTY=…`, `alice : user NOT in sudoers ; TTY=…`.
 */
export function parseSudo(msg: string): Fields {
  if (msg.startsWith('pam_')) return parsePam(msg, 'sudo');
  const m = /^\s*(\S+) : (?:(.*?) ; )?TTY=(\S+) ; PWD=(.*?) ; USER=(\S+) ;(?: GROUP=\S+ ;)?(?: ENV=.*? ;)? COMMAND=(.*)$/.exec(msg);
  if (!m) return {};
  const problem = m[2];
  const out: Fields = {
    'event.action': 'sudo',
    'user.name': m[1]!,
    'khien.sudo.tty': m[3]!,
    'khien.sudo.pwd': m[4]!,
    'user.effective.name': m[5]!,
    'process.command_line': m[6]!,
    'event.outcome': problem ? 'failure' : 'success',
  };
  if (problem) out['khien.sudo.problem'] = problem;
  const exe = m[6]!.split(' ')[0];
  if (exe) out['process.executable'] = exe;
  return out;
}

/** su: `(to root) alice on pts/0`, `FAILED SU (to root) alice on pts/0`. */
export function parseSu(msg: string): Fields {
  if (msg.startsWith('pam_')) return parsePam(msg, 'su');
  const m = /^(FAILED SU |Successful su |)\(to (\S+)\) (\S+) on (\S+)/.exec(msg);
  if (!m) return {};
  return { 'event.action': 'su', 'event.outcome': m[1] === 'FAILED SU ' ? 'failure' : 'success', 'user.effective.name': m[2]!, 'user.name': m[3]! };
}

/** Which Sigma `service` a Linux program's lines belong to (SigmaHQ linux logsources: sshd, sudo, auth, cron, syslog). */
export function linuxService(app: string | null): string {
  switch (app) {
    case 'sshd':
      return 'sshd';
    case 'sudo':
      return 'sudo';
    case 'su':
    case 'login':
    case 'passwd':
    case 'useradd':
    case 'userdel':
    case 'usermod':
    case 'groupadd':
    case 'chpasswd':
    case 'systemd-logind':
      return 'auth';
    case 'CRON':
    case 'cron':
    case 'crond':
      return 'cron';
    case 'vsftpd':
      return 'vsftpd';
    default:
      return 'syslog';
  }
}

/** Fields for a Linux program's message (dispatch by syslog APP-NAME / TAG). */
export function parseLinuxProgram(app: string | null, subsystem: string | null, msg: string): Fields {
  if (subsystem && subsystem.startsWith('pam_')) return parsePam(msg, app);
  switch (app) {
    case 'sshd':
      return parseSshd(msg);
    case 'sudo':
      return parseSudo(msg);
    case 'su':
      return parseSu(msg);
    default:
      return msg.startsWith('pam_') ? parsePam(msg, app) : {};
  }
}
