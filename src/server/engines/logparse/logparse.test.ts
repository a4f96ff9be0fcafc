import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCi } from '../../core/config.js';
import { normaliseJsonLine, normaliseSyslogLine, normaliseTextLine, parseSyslog, SyslogFramer } from './index.js';

const RECV = Date.parse('2026-11-25T03:00:00Z');
const ctx = { receivedAt: RECV, peerIp: '10.1.2.3' };
const corpus = process.env.KHIEN_CORPUS_DIR ?? '../shared/data';
const loghub = join(corpus, 'logs/loghub');
const haveLoghub = existsSync(join(loghub, 'OpenSSH/OpenSSH_2k.log'));
if (!haveLoghub && isCi()) throw new Error(`loghub corpus missing under ${loghub} (KHIEN_CORPUS_DIR)`);

describe('syslog framing (RFC 6587)', () => {
  it('reads octet-counted frames split across chunks, and LF/NUL/CRLF framed lines', () => {
    const f = new SyslogFramer();
    const m1 = '<34>1 2026-11-25T10:00:00+07:00 web01 sshd 12 - - Failed password for root from 1.2.3.4 port 22 ssh2';
    const m2 = '<13>Nov 25 10:00:01 web01 sudo: a line\nwith a newline inside (octet counting allows it)';
    const stream = Buffer.from(`${Buffer.byteLength(m1)} ${m1}${Buffer.byteLength(m2)} ${m2}`);
    const out: string[] = [];
    for (let i = 0; i < stream.length; i += 7) out.push(...f.push(stream.subarray(i, i + 7)).map(String));
    expect(out).toEqual([m1, m2]);
    expect(f.stats.octetCounted).toBe(2);
    // frames as views of the pushed bytes (the SOC listener's mode): the same frames
    const v = new SyslogFramer(64 * 1024, false);
    const views: string[] = [];
    for (let i = 0; i < stream.length; i += 7) views.push(...v.push(stream.subarray(i, i + 7)).map(String));
    expect(views).toEqual([m1, m2]);

    const g = new SyslogFramer();
    const lines = g.push(Buffer.from('<13>Nov 25 10:00:00 h a: one\n<13>Nov 25 10:00:00 h a: two\r\n<13>Nov 25 10:00:00 h a: three\0<13>Nov 25 10:00:00 h a: fou'));
    expect(lines.map(String)).toEqual(['<13>Nov 25 10:00:00 h a: one', '<13>Nov 25 10:00:00 h a: two', '<13>Nov 25 10:00:00 h a: three']);
    expect(g.end().map(String)).toEqual(['<13>Nov 25 10:00:00 h a: fou']);
  });

  it('a line starting with digits but no "<" after the count is newline-framed; oversized frames are truncated and counted', () => {
    const f = new SyslogFramer(32);
    expect(f.push(Buffer.from('12 apples and pears\n')).map(String)).toEqual(['12 apples and pears']);
    const big = `<13>${'x'.repeat(100)}`;
    const out = f.push(Buffer.from(`${big.length} ${big}<13>ok\n`)).map(String);
    expect(out).toEqual([big.slice(0, 32), '<13>ok']);
    expect(f.stats.truncated).toBe(1);
    const g = new SyslogFramer(16);
    expect(g.push(Buffer.from(`<13>${'y'.repeat(40)}\n<13>next\n`)).map(String)).toEqual([`<13>${'y'.repeat(12)}`, '<13>next']);
  });
});

describe('syslog parsing (RFC 5424, RFC 3164 and real-world deviations)', () => {
  it('RFC 5424 with structured data, escapes and BOM', () => {
    const r = parseSyslog('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ication"][x@1 a="\\]"] \uFEFFAn application event', { receivedAt: RECV });
    expect(r).toMatchObject({ format: '5424', facility: 20, severity: 5, timestamp: '2003-10-11T22:14:15.003Z', hostname: 'mymachine.example.com', appName: 'evntslog', procId: null, msgId: 'ID47', msg: 'An application event' });
    expect(r.structuredData).toEqual({ 'exampleSDID@32473': { iut: '3', eventSource: 'Appl"ication' }, 'x@1': { a: ']' } });
    expect(parseSyslog('<34>1 2026-11-25T10:00:00.5+07:00 h app 1 - -', { receivedAt: RECV }).timestamp).toBe('2026-11-25T03:00:00.500Z');
  });

  it('timestamps of one second (its text is reused) keep their own milliseconds, zone and sender offset', () => {
    const at = (ts: string, tz?: number) => parseSyslog(`<34>1 ${ts} h app 1 - -`, { receivedAt: RECV, tzOffsetMinutes: tz }).timestamp;
    expect(at('2026-11-25T10:00:59.001+07:00')).toBe('2026-11-25T03:00:59.001Z');
    expect(at('2026-11-25T10:00:59.999999+07:00')).toBe('2026-11-25T03:00:59.999Z');
    expect(at('2026-11-25T10:00:59+07:00')).toBe('2026-11-25T03:00:59.000Z');
    expect(at('2026-11-25T10:00:59.5Z')).toBe('2026-11-25T10:00:59.500Z');
    expect(at('2026-11-25T10:00:59.25')).toBe('2026-11-25T03:00:59.250Z'); // no zone: the sender's offset (default +07:00)
    expect(at('2026-11-25T10:00:59.25', 0)).toBe('2026-11-25T10:00:59.250Z');
    expect(at('2026-02-29T23:59:60.5Z')).toBe('2026-03-02T00:00:00.500Z'); // out of range: normalised as before
  });

  it('RFC 3164 without year (local time +07:00), without hostname, sshd(pam_unix)[pid], without PRI', () => {
    const a = parseSyslog('<38>Nov 24 23:59:58 gw01 sshd[811]: Accepted publickey for an from 10.0.0.5 port 50000 ssh2', { receivedAt: RECV });
    expect(a).toMatchObject({ format: '3164', facility: 4, severity: 6, timestamp: '2026-11-24T16:59:58.000Z', hostname: 'gw01', appName: 'sshd', procId: '811' });
    const b = parseSyslog('<13>Dec 10 06:55:46 sshd[24200]: Invalid user webmaster from 173.234.31.186', { receivedAt: Date.parse('2027-01-02T00:00:00Z') });
    expect(b).toMatchObject({ hostname: null, appName: 'sshd', procId: '24200', timestamp: '2026-12-09T23:55:46.000Z' }); // December line received in January: last year
    const c = parseSyslog('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4', { receivedAt: RECV });
    expect(c).toMatchObject({ pri: 13, hostname: 'combo', appName: 'sshd', subsystem: 'pam_unix', procId: '19939', msg: 'authentication failure; rhost=218.188.2.4' });
    const d = parseSyslog('<86>2026-11-25T09:59:00.123456+07:00 db01 sudo: x', { receivedAt: RECV });
    expect(d).toMatchObject({ format: '3164', hostname: 'db01', appName: 'sudo', timestamp: '2026-11-25T02:59:00.123Z' });
  });
});

describe('program parsers → KhienEvent', () => {
  it('sshd failures, successes, invalid users, repeated messages', () => {
    const f = normaliseSyslogLine('<38>Nov 25 09:00:00 web01 sshd[1]: Failed password for invalid user admin from 203.0.113.9 port 40022 ssh2', ctx);
    expect(f).toMatchObject({ 'host.name': 'web01', 'process.name': 'sshd', 'event.action': 'ssh_login', 'event.outcome': 'failure', 'user.name': 'admin', 'source.ip': '203.0.113.9', 'source.port': 40022, 'khien.logsource.product': 'linux', 'khien.logsource.service': 'sshd' });
    expect(f.message).toBe('Failed password for invalid user admin from 203.0.113.9 port 40022 ssh2');
    const s = normaliseSyslogLine('<38>Nov 25 09:00:01 web01 sshd[1]: Accepted password for quantri from 2001:db8::7 port 2222 ssh2', ctx);
    expect(s).toMatchObject({ 'event.outcome': 'success', 'user.name': 'quantri', 'source.ip': '2001:db8::7' });
    const r = normaliseSyslogLine('<38>Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]', ctx);
    expect(r).toMatchObject({ 'khien.repeat_count': 5, 'user.name': 'root', 'source.ip': '5.36.59.76', 'event.outcome': 'failure' });
  });

  it('PAM (both forms), sudo, su; missing hostname falls back to the sender address', () => {
    const p = normaliseSyslogLine('Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root', ctx);
    expect(p).toMatchObject({ 'event.action': 'pam_auth', 'event.outcome': 'failure', 'user.name': 'root', 'source.domain': '220-135-151-1.hinet-ip.hinet.net', 'khien.pam.service': 'sshd' });
    const q = normaliseSyslogLine('<86>Nov 25 10:00:00 db01 sshd[5]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.4  user=oracle', ctx);
    expect(q).toMatchObject({ 'khien.pam.module': 'pam_unix', 'khien.pam.type': 'auth', 'source.ip': '198.51.100.4', 'user.name': 'oracle' });
    const sudo = normaliseSyslogLine('<85>Nov 25 10:01:00 db01 sudo:   hoanglm : TTY=pts/0 ; PWD=/home/hoanglm ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow', ctx);
    expect(sudo).toMatchObject({ 'user.name': 'hoanglm', 'user.effective.name': 'root', 'process.command_line': '/usr/bin/cat /etc/shadow', 'process.executable': '/usr/bin/cat', 'event.outcome': 'success', 'khien.logsource.service': 'sudo' });
    const bad = normaliseSyslogLine('<85>Nov 25 10:01:00 db01 sudo: trung : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash', ctx);
    expect(bad).toMatchObject({ 'event.outcome': 'failure', 'khien.sudo.problem': '3 incorrect password attempts' });
    const su = normaliseSyslogLine('<86>Nov 25 10:02:00 su[77]: pam_unix(su:session): session opened for user root by hoanglm(uid=1000)', ctx);
    expect(su).toMatchObject({ 'host.name': '10.1.2.3', 'event.action': 'session_opened', 'user.name': 'root', 'user.effective.name': 'hoanglm', 'khien.logsource.service': 'auth' });
  });

  it('Apache/Nginx access and error logs', () => {
    const a = normaliseTextLine('203.0.113.50 - - [25/Nov/2026:10:15:32 +0700] "GET /index.php?id=1%27%20UNION%20SELECT HTTP/1.1" 404 512 "-" "sqlmap/1.8"', ctx);
    expect(a).toMatchObject({ '@timestamp': '2026-11-25T03:15:32.000Z', 'source.ip': '203.0.113.50', 'http.request.method': 'GET', 'url.path': '/index.php', 'url.query': 'id=1%27%20UNION%20SELECT', 'url.extension': 'php', 'http.response.status_code': 404, 'user_agent.original': 'sqlmap/1.8', 'khien.logsource.category': 'webserver' });
    const n = normaliseSyslogLine('<190>Nov 25 10:15:33 portal nginx: 203.0.113.50 - - [25/Nov/2026:10:15:33 +0700] "POST /login HTTP/1.1" 401 12 "-" "curl/8"', ctx);
    expect(n).toMatchObject({ 'khien.logsource.product': 'nginx', 'http.response.status_code': 401, 'host.name': 'portal' });
    const e = normaliseTextLine('[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6', ctx);
    expect(e).toMatchObject({ 'log.level': 'error', 'khien.logsource.product': 'apache', '@timestamp': '2005-12-03T21:47:44.000Z' });
  });

  it('Windows: EVTX JSON, Winlogbeat and Wazuh alerts keep EventData names and add ECS fields', () => {
    const evtx = normaliseJsonLine(JSON.stringify({ Event: { System: { EventID: 4625, Channel: 'Security', Computer: 'DC01.gialai.gov.vn', TimeCreated: { '#attributes': { SystemTime: '2026-11-25T02:00:00.123Z' } } }, EventData: { TargetUserName: 'administrator', IpAddress: '10.8.0.7', LogonType: 3 } } }), ctx);
    expect(evtx).toMatchObject({ EventID: 4625, Channel: 'Security', TargetUserName: 'administrator', LogonType: 3, 'host.name': 'DC01.gialai.gov.vn', 'user.name': 'administrator', 'source.ip': '10.8.0.7', 'event.code': '4625', 'event.action': 'logon', 'event.outcome': 'failure', 'khien.logsource.product': 'windows', 'khien.logsource.service': 'security', '@timestamp': '2026-11-25T02:00:00.123Z' });
    const wlb = normaliseJsonLine(JSON.stringify({ '@timestamp': '2026-11-25T02:01:00Z', host: { name: 'PC-KT-01' }, winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: 1, computer_name: 'PC-KT-01', event_data: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', ParentImage: 'C:\\Windows\\explorer.exe' } }, message: 'Process Create' }), ctx);
    expect(wlb).toMatchObject({ EventID: 1, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', 'process.command_line': 'cmd.exe /c whoami', 'khien.logsource.category': 'process_creation', 'khien.logsource.service': 'sysmon', message: 'Process Create', 'host.name': 'PC-KT-01' });
    const wz = normaliseJsonLine(JSON.stringify({ timestamp: '2026-11-25T09:02:00.000+0700', rule: { id: '60122', level: 5, description: 'Logon failure' }, agent: { id: '003', name: 'SRV-MC-01', ip: '10.20.1.5' }, data: { win: { system: { eventID: '4625', channel: 'Security', computer: 'SRV-MC-01' }, eventdata: { targetUserName: 'ketoan', ipAddress: '10.20.9.9', logonType: '10' } } } }), ctx);
    expect(wz).toMatchObject({ EventID: 4625, TargetUserName: 'ketoan', LogonType: '10', 'source.ip': '10.20.9.9', 'khien.wazuh.rule_id': '60122', '@timestamp': '2026-11-25T02:02:00.000Z', 'event.outcome': 'failure' });
    const wzLinux = normaliseJsonLine(JSON.stringify({ timestamp: '2026-11-25T09:03:00.000+0700', rule: { id: '5710' }, agent: { name: 'web01' }, full_log: 'Nov 25 09:03:00 web01 sshd[9]: Failed password for invalid user test from 198.51.100.1 port 1 ssh2' }), ctx);
    expect(wzLinux).toMatchObject({ 'user.name': 'test', 'source.ip': '198.51.100.1', 'khien.wazuh.rule_id': '5710', 'khien.logsource.service': 'sshd' });
    expect(() => normaliseJsonLine('[1,2]', ctx)).toThrow(/đối tượng JSON/);
  });
});

describe.skipIf(!haveLoghub)('loghub corpora (real logs)', () => {
  it('OpenSSH_2k: every line parses; 520 "Failed password" lines become failed ssh logins with user and IP', () => {
    const lines = readFileSync(join(loghub, 'OpenSSH/OpenSSH_2k.log'), 'utf8').split('\n').filter(Boolean);
    const events = lines.map((l) => normaliseTextLine(l, { receivedAt: Date.parse('2026-12-31T00:00:00Z') }));
    expect(events.every((e) => e['host.name'] === 'LabSZ' && e['process.name'] === 'sshd' && e['@timestamp']?.toString().startsWith('2026-12-'))).toBe(true);
    const failed = events.filter((e) => e['event.action'] === 'ssh_login' && e['event.outcome'] === 'failure' && !e['khien.repeat_count']);
    const failedLines = lines.filter((l) => /sshd\[\d+\]: Failed (password|none) for/.test(l)).length;
    expect(failedLines).toBe(520 - 2 + 4); // grep: 520 contain "Failed password" (2 inside "message repeated"), 4 "Failed none"
    expect(failed.length).toBe(failedLines);
    expect(failed.every((e) => typeof e['source.ip'] === 'string' && typeof e['user.name'] === 'string')).toBe(true);
    const parsed = events.filter((e) => e['event.action'] !== undefined).length;
    console.log(`loghub OpenSSH: ${lines.length} lines, ${parsed} with an action, ${failed.length} failed passwords`);
    expect(parsed / lines.length).toBeGreaterThan(0.9);
  });

  it('Linux_2k: sshd(pam_unix) lines carry PAM fields; Apache_2k error log parses', () => {
    const lines = readFileSync(join(loghub, 'Linux/Linux_2k.log'), 'utf8').split('\n').filter(Boolean);
    const events = lines.map((l) => normaliseTextLine(l, { receivedAt: Date.parse('2026-12-31T00:00:00Z') }));
    const pam = events.filter((e) => e['khien.syslog.subsystem'] === 'pam_unix' && e['process.name'] === 'sshd');
    expect(pam.length).toBeGreaterThan(100);
    expect(pam.filter((e) => e['event.action'] === 'pam_auth').length).toBeGreaterThan(100);
    expect(events.every((e) => e['host.name'] === 'combo')).toBe(true);
    const apache = readFileSync(join(loghub, 'Apache/Apache_2k.log'), 'utf8').split('\n').filter(Boolean);
    expect(apache.map((l) => normaliseTextLine(l, ctx)).filter((e) => e['log.level'] !== undefined).length).toBe(apache.length);
  });
});
