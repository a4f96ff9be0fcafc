import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/server/core/config.js';
import { openDatabase } from '../src/server/db/database.js';
import { migrateToLatest } from '../src/server/db/migrator.js';
import { normaliseSyslogLine, SyslogFramer } from '../src/server/engines/logparse/index.js';
import { compileDetector, parseRules } from '../src/server/engines/sigma/index.js';
import { filesProvider, readRuleFiles } from '../src/server/modules/soc/detection.js';
import { startListeners } from '../src/server/modules/soc/listeners.js';
import { SocRuntime } from '../src/server/modules/soc/soc.runtime.js';

/**
 * `npm run bench -- ingest [events] [rounds=3]`: end-to-end syslog over TCP → frame → spool (fsync) → parse → Sigma
 * detect + correlate → store (SQLite file, WAL, FTS5 index) on one `khien` process, the sender in a separate
 * process writing octet-counted RFC 5424 frames over one connection.
 * Workload: the loghub OpenSSH_2k log (real sshd lines: failures, invalid users, PAM, disconnects) cycled to N
 * events (default 200,000), each re-wrapped as RFC 5424 with its own timestamp; rules: Khiên's rules
 * (data/sigma/khien, correlation included) plus SigmaHQ's Linux rules from the corpus.
 * Baseline in the same process: the same bytes over the same kind of TCP connection, only read and framed.
 * Stage figures (in-process, no I/O): parse only; parse + detect.
 * Target ≥ 40,000 events/s end-to-end on the 2-core machine.
 */
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');

function payload(n: number, corpus: string): { buf: Buffer; lines: string[] } {
  const src = readFileSync(join(corpus, 'logs/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter(Boolean);
  const parts: Buffer[] = [];
  const lines: string[] = [];
  const t0 = Date.parse('2026-11-25T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const l = src[i % src.length]!;
    const m = /^\w{3} +\d+ [\d:]+ (\S+) (\w+)\[(\d+)\]: (.*)$/.exec(l);
    const host = m?.[1] ?? 'labsz';
    const msg = `<38>1 ${new Date(t0 + i * 5).toISOString()} ${host} ${m?.[2] ?? 'sshd'} ${m?.[3] ?? '-'} - - ${m?.[4] ?? l}`;
    lines.push(msg);
    const b = Buffer.from(msg);
    parts.push(Buffer.from(`${b.length} `), b);
  }
  return { buf: Buffer.concat(parts), lines };
}

function sendFromChild(file: string, port: number): Promise<void> {
  const code = `const net=require('net'),fs=require('fs');const s=net.connect(${port},'127.0.0.1',()=>{fs.createReadStream(${JSON.stringify(file)},{highWaterMark:1<<20}).pipe(s)});s.on('close',()=>process.exit(0));s.on('error',e=>{console.error(e);process.exit(1)})`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', code], { stdio: 'inherit' });
    c.once('exit', (rc) => (rc === 0 ? resolve() : reject(new Error(`sender exited ${rc}`))));
  });
}

async function baselineFramingOnly(file: string, n: number): Promise<{ wall: number; cpu: number }> {
  let frames = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = net.createServer((s) => {
    const framer = new SyslogFramer(65536);
    s.on('data', (chunk: Buffer) => {
      frames += framer.push(chunk).length;
      if (frames >= n) done();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const t = performance.now();
  const c = cpuSeconds();
  await Promise.all([sendFromChild(file, port), finished]);
  const s = (performance.now() - t) / 1000;
  const cs = cpuSeconds() - c;
  server.close();
  return { wall: n / s, cpu: n / cs };
}

/**
 * CPU seconds of each thread of this process (Linux /proc/self/task/<tid>/stat utime + stime, in clock ticks of
 * 1/100 s): on two cores the end-to-end rate is bounded by the busiest thread, which wall time on a shared machine
 * cannot show. Empty elsewhere.
 */
function threadSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        out.set(tid, (Number(f[11]) + Number(f[12])) / 100);
      } catch {
        // the thread ended
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/** CPU time of this process (all its threads: main, libuv pool, GC), in seconds; the sender child is not included. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One end-to-end run on a new database and SOC runtime; returns events per second (wall). */
async function endToEnd(dbFile: string, dir: string, file: string, n: number, ruleFiles: ReturnType<typeof readRuleFiles>, base: { wall: number; cpu: number }, label: string): Promise<number> {
  const url = `sqlite:${dbFile}`;
  const handle = openDatabase(url);
  await migrateToLatest(handle.db, handle.dialect);
  const config = loadConfig({}, { dataDir: join(dir, label.replace(/\W+/g, '-')), logLevel: 'silent', databaseUrl: url });
  const log = { info: () => undefined, warn: (o: object, m: string) => console.warn(m, o), error: (o: object, m: string) => console.error(m, o), debug: () => undefined } as never;
  const rt = new SocRuntime({ db: handle.db, dialect: handle.dialect, config, log }, { ruleProvider: filesProvider(() => ruleFiles) });
  await rt.start();
  const listeners = await startListeners(rt, { host: '127.0.0.1', udpPort: -1, tcpPort: 0, tlsPort: -1, tlsCert: undefined, tlsKey: undefined, tlsCa: undefined, maxMessageBytes: 65536 });
  const t = performance.now();
  const c0 = cpuSeconds();
  const th0 = threadSeconds();
  await sendFromChild(file, listeners.ports.tcp!);
  const sentAt = performance.now();
  while (rt.metrics.stored < n) await new Promise((r) => setTimeout(r, 20));
  const s = (performance.now() - t) / 1000;
  const cpuS = cpuSeconds() - c0;
  const th1 = threadSeconds();
  const rate = n / s;
  console.log(`end-to-end syslog-TCP → spool → parse → detect → store (SQLite), ${label}: ${f0(rate)} events/s (${s.toFixed(2)} s; sender finished after ${((sentAt - t) / 1000).toFixed(2)} s); ${f0(n / cpuS)} events per CPU-second of the khien process (${cpuS.toFixed(2)} CPU-s)`);
  console.log(`  spool flushes (fsync): ${f0(rt.spool.stats.flushes)}, detected: ${f0(rt.metrics.detected)}, correlations: ${f0(rt.metrics.correlations)}, alerts opened: ${f0(rt.metrics.alertsOpened)}, back-pressure pauses: ${rt.metrics.pauses}`);
  if (th1.size > 0) {
    const used = [...th1].map(([tid, sec]) => ({ tid, sec: sec - (th0.get(tid) ?? 0) })).filter((x) => x.sec > 0);
    const main = used.find((x) => x.tid === String(process.pid))?.sec ?? 0;
    const others = used.filter((x) => x.tid !== String(process.pid)).sort((a, b) => b.sec - a.sec);
    const us = (sec: number) => ((sec / n) * 1e6).toFixed(1);
    // two cores: the main thread on one, every other thread of this process on the other (the sender not counted)
    const busiest = Math.max(main, others.reduce((a, x) => a + x.sec, 0));
    console.log(`  CPU per event by thread: main ${us(main)} µs; busiest other thread (the SQLite writer when it runs) ${us(others[0]?.sec ?? 0)} µs; the other ${others.length - 1} threads (GC helpers, libuv) ${us(others.slice(1).reduce((a, x) => a + x.sec, 0))} µs | two-core bound (main thread vs all the others, idle machine, sender not counted): ≈ ${f0(n / busiest)} events/s`);
  }
  console.log(`  ratio to baseline: wall ${(rate / base.wall).toFixed(3)}, per CPU-second ${(n / cpuS / base.cpu).toFixed(3)}`);
  await listeners.close();
  await rt.stop();
  await handle.close();
  return rate;
}

export async function run(): Promise<void> {
  const n = Number(process.argv[3] ?? 200_000);
  const rounds = Math.max(1, Number(process.argv[4] ?? 3));
  const corpus = process.env.KHIEN_CORPUS_DIR ?? '../shared/data';
  if (!existsSync(join(corpus, 'logs/loghub/OpenSSH/OpenSSH_2k.log'))) throw new Error(`loghub corpus not found under ${corpus} (KHIEN_CORPUS_DIR)`);
  const dir = mkdtempSync(join(tmpdir(), 'khien-bench-ingest-'));
  try {
    const { buf, lines } = payload(n, corpus);
    const file = join(dir, 'payload.bin');
    writeFileSync(file, buf);
    const ruleFiles = [...readRuleFiles(new URL('../data/sigma/khien', import.meta.url).pathname), ...readRuleFiles(join(corpus, 'sigma/rules/linux'))];
    const parsed = parseRules(ruleFiles);
    console.log(`workload: ${f0(n)} RFC 5424 messages (${(buf.length / 2 ** 20).toFixed(1)} MiB, loghub OpenSSH_2k cycled), rules: ${parsed.rules.length} (${parsed.correlations.length} correlation), ${parsed.issues.length} not loaded`);

    // Stage costs, in-process.
    const ctx = { receivedAt: Date.now(), peerIp: '127.0.0.1' };
    let t = performance.now();
    const evs = lines.slice(0, 50_000).map((l) => normaliseSyslogLine(l, ctx));
    const parseRate = evs.length / ((performance.now() - t) / 1000);
    const detector = compileDetector(parsed);
    t = performance.now();
    let matches = 0;
    for (const e of evs) matches += detector.match(e).length;
    const detectRate = evs.length / ((performance.now() - t) / 1000);
    console.log(`stage parse only: ${f0(parseRate)} events/s | detect only: ${f0(detectRate)} events/s (${f0(matches)} matches in 50,000)`);

    const base = await baselineFramingOnly(file, n);
    console.log(`baseline (same process, TCP read + framing only): ${f0(base.wall)} events/s wall, ${f0(base.cpu)} events per CPU-second`);

    // Several rounds, each on a new database and runtime: one run on two shared cores moves by ±10 %; the median
    // is the figure, every round is printed.
    const rates: number[] = [];
    for (let round = 1; round <= rounds; round++) rates.push(await endToEnd(join(dir, `bench-${round}.db`), dir, file, n, ruleFiles, base, `round ${round}/${rounds}`));
    const median = [...rates].sort((x, y) => x - y)[Math.floor(rates.length / 2)]!;
    console.log(`end-to-end median of ${rounds} rounds: ${f0(median)} events/s (rounds: ${rates.map(f0).join(', ')}) | target ≥ 40,000 events/s: ${median >= 40_000 ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
