import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Config } from '../../core/config.js';
import { newId } from '../../db/columns.js';
import { SyslogFramer } from '../../engines/logparse/index.js';
import type { SocRuntime } from './soc.runtime.js';

/**
 * Syslog listeners: UDP (RFC 5426), TCP (RFC 6587, octet counting or LF/NUL framing, detected per frame) and
 * TLS (RFC 5425, port 6514 by default, octet counting; optional client-certificate authentication).
 *
 * Acknowledgement on a stream is flow control: after each chunk the socket is paused until the chunk's
 * messages are in the spool after fsync, and stays paused while the pipeline is over its high-water mark, so a
 * sender is never ahead of what is durable by more than what sits in the kernel's socket buffers (which the
 * sender itself has not been told are delivered). UDP has no acknowledgement: datagrams beyond the hard queue
 * limit are dropped and counted, and drops by the kernel are read from /proc/net/udp.
 */
export interface ListenerPorts {
  udp: number | null;
  tcp: number | null;
  tls: number | null;
}

export interface Listeners {
  ports: ListenerPorts;
  close(): Promise<void>;
}

type StreamSocket = net.Socket | tls.TLSSocket;

/** Bytes read from a stream socket ahead of the spool at most (the socket's readable buffer). */
export const STREAM_READ_WINDOW = 1024 * 1024;

function handleStream(rt: SocRuntime, socket: StreamSocket, transport: 'tcp' | 'tls', maxBytes: number): void {
  const framer = new SyslogFramer(maxBytes, false); // views: appendFrames copies them into the spool at once
  const peer = socket.remoteAddress?.replace(/^::ffff:/, '') ?? null;
  rt.metrics.connections++;
  let busy = false;
  let ended = false;
  // Paused-mode reading: everything buffered is taken at once, spooled with one fsync, and only then is the
  // socket read again — the socket reads at most its buffer (STREAM_READ_WINDOW) ahead of what is durable.
  const drain = (): void => {
    if (busy) return;
    const frames: Buffer[] = [];
    const before = framer.stats.truncated;
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) for (const f of framer.push(chunk)) frames.push(f);
    if (ended) for (const f of framer.end()) frames.push(f);
    rt.metrics.truncated += framer.stats.truncated - before;
    if (frames.length === 0) return;
    busy = true;
    rt.metrics.received[transport] += frames.length;
    // the frames' bytes go to the spool as they are (spool.ts: decoded when the pipeline takes them)
    rt.appendFrames({ t: Date.now(), k: 'syslog', s: null, p: peer, x: transport }, frames)
      .then(() => rt.whenNotOverloaded())
      .then(() => {
        busy = false;
        if (!socket.destroyed) drain();
      })
      .catch(() => {
        socket.destroy(); // not durable: the sender must not think it was delivered
      });
  };
  socket.on('readable', drain);
  socket.on('end', () => {
    ended = true;
    drain();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    rt.metrics.connections--;
  });
  socket.setKeepAlive(true, 60_000);
}

/** UDP socket drops counted by the kernel for our port (the `drops` column of /proc/net/udp{,6}). */
function kernelUdpDrops(port: number): number {
  let total = 0;
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length > 12 && cols[1]!.endsWith(`:${hex}`)) total += Number(cols[cols.length - 1]) || 0;
      }
    } catch {
      // not Linux: no kernel counter
    }
  }
  return total;
}

/**
 * Start the listeners configured (a port of -1 disables one; 0 picks a free port, for tests). A listener that
 * cannot bind (port taken) is reported through `onError` and left out; the others run.
 */
export async function startListeners(rt: SocRuntime, cfg: Config['syslog'], onError: (transport: string, err: Error) => void = (t, e) => { throw Object.assign(e, { transport: t }); }): Promise<Listeners> {
  const closers: Array<() => Promise<void>> = [];
  const ports: ListenerPorts = { udp: null, tcp: null, tls: null };
  const host = cfg.host;

  const guarded = async (transport: string, start: () => Promise<void>) => {
    try {
      await start();
    } catch (err) {
      onError(transport, err as Error);
    }
  };

  if (cfg.udpPort >= 0) await guarded('udp', async () => {
    const sock = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    sock.on('message', (msg, rinfo) => {
      rt.metrics.received.udp++;
      if (rt.udpShouldDrop()) {
        rt.metrics.droppedUdp++;
        return;
      }
      const t = Date.now();
      const text = msg.subarray(0, cfg.maxMessageBytes).toString('utf8').replace(/[\r\n\0]+$/, '');
      if (msg.length > cfg.maxMessageBytes) rt.metrics.truncated++;
      rt.append([{ id: newId(t), t, k: 'syslog', s: null, p: rinfo.address.replace(/^::ffff:/, ''), x: 'udp', d: text }]).catch(() => {
        rt.metrics.droppedUdp++;
      });
    });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(cfg.udpPort, host, () => resolve());
    });
    sock.on('error', () => undefined);
    ports.udp = sock.address().port;
    const base = kernelUdpDrops(ports.udp);
    const timer = setInterval(() => {
      rt.metrics.udpKernelDrops = kernelUdpDrops(ports.udp!) - base;
    }, 5000);
    timer.unref();
    closers.push(async () => {
      clearInterval(timer);
      await new Promise<void>((r) => sock.close(() => r()));
    });
  });

  const listen = async (server: net.Server, port: number): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const sockets = new Set<net.Socket>();
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    closers.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
    return (server.address() as net.AddressInfo).port;
  };

  if (cfg.tcpPort >= 0) await guarded('tcp', async () => {
    const server = net.createServer({ highWaterMark: STREAM_READ_WINDOW }, (s) => handleStream(rt, s, 'tcp', cfg.maxMessageBytes));
    ports.tcp = await listen(server, cfg.tcpPort);
  });

  if (cfg.tlsPort >= 0 && cfg.tlsCert && cfg.tlsKey) await guarded('tls', async () => {
    const ca = cfg.tlsCa ? readFileSync(cfg.tlsCa) : undefined;
    const server = tls.createServer(
      {
        cert: readFileSync(cfg.tlsCert!),
        key: readFileSync(cfg.tlsKey!),
        ca,
        requestCert: !!ca,
        rejectUnauthorized: !!ca,
        minVersion: 'TLSv1.2', // RFC 9662 (updates RFC 5425): TLS 1.2 or later
        highWaterMark: STREAM_READ_WINDOW,
      },
      (s) => handleStream(rt, s, 'tls', cfg.maxMessageBytes),
    );
    server.on('tlsClientError', () => undefined);
    ports.tls = await listen(server, cfg.tlsPort);
  });

  return {
    ports,
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
