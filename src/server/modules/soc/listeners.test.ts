import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { isCi } from '../../core/config.js';
import { type Listeners, startListeners } from './listeners.js';
import { type SocRuntime, socRuntimeOf } from './soc.runtime.js';

/**
 * Syslog listeners with real senders: raw TCP (both framings), UDP, TLS (RFC 5425) and a real rsyslogd
 * (Debian) started by the test on its own configuration and ports, forwarding over TCP (octet counting) and
 * over TLS (gtls driver) to Khiên.
 */
const RSYSLOGD = '/usr/sbin/rsyslogd';
const haveRsyslog = existsSync(RSYSLOGD) && ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so'].some(existsSync);
if (!haveRsyslog && isCi()) throw new Error('rsyslogd with the gtls driver (rsyslog-gnutls) is required under CI');

let ctx: TestContext;
let rt: SocRuntime;
let listeners: Listeners;
let dir: string;

async function storedWith(text: string): Promise<{ message: string; host: string | null; fields_json: string }[]> {
  return ctx.db.selectFrom('soc_events').select(['message', 'host', 'fields_json']).where('message', 'like', `%${text}%`).execute();
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  ctx = await createTestContext();
  await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  rt = socRuntimeOf(ctx.db)!;
  await rt.sources.load(ctx.db);
  dir = mkdtempSync(join(tmpdir(), 'khien-syslog-'));
  // A self-signed server certificate for the TLS listener (RFC 5425), made with openssl like an operator would.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  listeners = await startListeners(rt, {
    host: '127.0.0.1', udpPort: 0, tcpPort: 0, tlsPort: 0, tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem'), tlsCa: undefined, maxMessageBytes: 8192,
  });
});
afterAll(async () => {
  await listeners?.close();
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('syslog listeners', () => {
  it('TCP: octet-counted and LF-framed messages on one connection, split at arbitrary points', async () => {
    const m1 = '<38>1 2026-11-25T10:00:00+07:00 gw-stttt sshd 811 - - Failed password for root from 203.0.113.7 port 4242 ssh2 [tcp-octet]';
    const m2 = '<38>Nov 25 10:00:01 gw-stttt sshd[811]: Accepted password for quantri from 10.0.0.5 port 50000 ssh2 [tcp-lf]';
    const data = Buffer.from(`${Buffer.byteLength(m1)} ${m1}${m2}\n`);
    const sock = net.connect(listeners.ports.tcp!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    for (let i = 0; i < data.length; i += 11) {
      sock.write(data.subarray(i, i + 11));
      await new Promise((r) => setTimeout(r, 1));
    }
    sock.end();
    const rows = await waitFor(() => storedWith('[tcp-'), (r) => r.length === 2);
    expect(rows.map((r) => r.message).sort()).toEqual([m1.slice(m1.indexOf('Failed')), m2.slice(m2.indexOf('Accepted'))].sort());
    const failed = JSON.parse(rows.find((r) => r.message.startsWith('Failed'))!.fields_json);
    expect(failed).toMatchObject({ 'source.ip': '203.0.113.7', 'user.name': 'root', 'khien.transport': 'tcp', 'log.syslog.format': '5424' });
  });

  it('UDP datagrams are stored and counted', async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.send('<86>Nov 25 10:02:00 db01 sudo: hoanglm : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/ls [udp]', listeners.ports.udp!, '127.0.0.1', () => r()));
    s.close();
    const rows = await waitFor(() => storedWith('[udp]'), (r) => r.length === 1);
    expect(rows[0]!.host).toBe('db01');
    expect(rt.metrics.received.udp).toBeGreaterThanOrEqual(1);
  });

  it('TLS (RFC 5425): octet-counted messages over TLS 1.2+', async () => {
    const m = '<13>1 2026-11-25T03:00:00Z fw01 kernel - - - blocked connection [tls-direct]';
    const sock = tls.connect({ port: listeners.ports.tls!, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise((r) => sock.once('secureConnect', r));
    expect(['TLSv1.2', 'TLSv1.3']).toContain(sock.getProtocol());
    sock.end(`${Buffer.byteLength(m)} ${m}`);
    const rows = await waitFor(() => storedWith('[tls-direct]'), (r) => r.length === 1);
    expect(JSON.parse(rows[0]!.fields_json)['khien.transport']).toBe('tls');
  });
});

describe.skipIf(!haveRsyslog)('a real rsyslogd forwards to Khiên', () => {
  let child: ChildProcess;
  let inputPort: number;

  beforeAll(async () => {
    inputPort = await freePort();
    const work = join(dir, 'rsyslog-work');
    execFileSync('mkdir', ['-p', work]);
    const conf = `
global(workDirectory="${work}" defaultNetstreamDriverCAFile="${join(dir, 'cert.pem')}")
module(load="imtcp")
input(type="imtcp" port="${inputPort}" address="127.0.0.1" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="${listeners.ports.tcp}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
  action(type="omfwd" target="127.0.0.1" port="${listeners.ports.tls}" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost" template="RSYSLOG_SyslogProtocol23Format")
}
`;
    writeFileSync(join(dir, 'rsyslog.conf'), conf);
    // -n: foreground (a child of the test), -i: its own pid file, -f: its own config; no privileged ports used.
    child = spawn(RSYSLOGD, ['-n', '-i', join(dir, 'rsyslog.pid'), '-f', join(dir, 'rsyslog.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d) => (err += d));
    for (let i = 0; i < 100; i++) {
      if (await canConnect(inputPort)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`rsyslogd did not start: ${err}`);
  });
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('messages sent to rsyslog arrive over TCP (octet counting) and over TLS, parsed as RFC 5424', async () => {
    const sock = net.connect(inputPort, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const lines = Array.from({ length: 20 }, (_, i) => `<38>Nov 25 10:10:${String(i).padStart(2, '0')} web-dvc sshd[900]: Failed password for invalid user admin${i} from 198.51.100.${i} port 40${i} ssh2 [rsyslog-${i}]`);
    sock.end(`${lines.join('\n')}\n`);
    const rows = await waitFor(() => storedWith('[rsyslog-'), (r) => r.length >= 40, 30_000);
    const byTransport = new Map<string, number>();
    for (const r of rows) {
      const f = JSON.parse(r.fields_json);
      byTransport.set(f['khien.transport'], (byTransport.get(f['khien.transport']) ?? 0) + 1);
      expect(f).toMatchObject({ 'log.syslog.format': '5424', 'host.name': 'web-dvc', 'process.name': 'sshd', 'event.outcome': 'failure' });
    }
    expect(Object.fromEntries(byTransport)).toEqual({ tcp: 20, tls: 20 });
    const one = JSON.parse(rows.find((r) => r.message.includes('[rsyslog-7]'))!.fields_json);
    expect(one).toMatchObject({ 'user.name': 'admin7', 'source.ip': '198.51.100.7' });
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
