import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrator.js';
import { scratchDatabase } from '../../../../test/support/scratch-db.js';

/**
 * Crash test: a real `khien serve` process receives N syslog messages over TCP and is killed with SIGKILL
 * mid-stream. After a restart, every message it had acknowledged (durably spooled — the point after which
 * it reads further from the socket, logged at debug level) is stored exactly once, and nothing else appears.
 */
const N = 100_000;
const REPO = new URL('../../../../', import.meta.url).pathname;

let dir: string;
let url: string;
let handle: DatabaseHandle;
let dropDb: () => Promise<void> = async () => undefined;
let child: ChildProcess | null = null;
let port: number;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Start `khien serve`; resolves when its listeners are up. `onSpooled` sees every acknowledged count. */
function startServer(onSpooled: (n: number) => void): Promise<ChildProcess> {
  const env = {
    ...process.env, KHIEN_DATABASE_URL: url, KHIEN_DATA_DIR: dir, KHIEN_PORT: '0', KHIEN_SYSLOG_TCP_PORT: String(port), KHIEN_SYSLOG_UDP_PORT: '-1',
    KHIEN_SYSLOG_TLS_PORT: '-1', KHIEN_LOG_LEVEL: 'debug', KHIEN_AUDIT_LOG_SEQUENCE_MS: '0', KHIEN_WEB_DIR: join(dir, 'no-web'),
  };
  const c = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/server/main.ts'), 'serve'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  c.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 60_000);
    c.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.includes('soc: spooled')) {
          const m = /"spooled":(\d+)/.exec(line);
          if (m) onSpooled(Number(m[1]));
        } else if (line.includes('syslog listeners ready')) {
          clearTimeout(timer);
          resolve(c);
        }
      }
    });
    c.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

async function storedSeqs(): Promise<number[]> {
  const rows = await handle.db.selectFrom('soc_events').select('message').where('message', 'like', 'crash-test seq=%').execute();
  return rows.map((r) => Number(r.message.slice('crash-test seq='.length)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'khien-crash-'));
  const scratch = await scratchDatabase({ dir, prefix: 'khien_crash' });
  url = scratch.url;
  dropDb = scratch.drop;
  handle = openDatabase(url);
  await migrateToLatest(handle.db, handle.dialect);
  port = await freePort();
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await handle?.close();
  await dropDb();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety of syslog over TCP', () => {
  it(`kill -9 mid-stream: every acknowledged message of ${N} is stored exactly once after restart`, async () => {
    let acked = 0;
    child = await startServer((n) => (acked = Math.max(acked, n)));
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.on('error', () => undefined); // the server dies under it
    let killedAt = -1;
    // Paced in chunks of 200 lines so the kill lands while the stream is still flowing.
    for (let i = 0; i < N; i += 200) {
      let chunk = '';
      for (let j = i; j < Math.min(N, i + 200); j++) chunk += `<13>Nov 25 10:00:00 crash-host app: crash-test seq=${j}\n`;
      if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
      await new Promise((r) => setTimeout(r, 2));
      if (acked >= N / 4) {
        killedAt = acked;
        child.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
        break;
      }
    }
    if (killedAt < 0) {
      // Everything is in the server's socket buffers already: kill it once a quarter has been acknowledged.
      while (acked < N / 4) await new Promise((r) => setTimeout(r, 5));
      killedAt = acked;
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    sock.destroy();
    expect(killedAt, 'the server must have been killed mid-stream').toBeGreaterThan(0);
    const ackedBeforeKill = acked;
    expect(ackedBeforeKill).toBeLessThan(N);

    child = await startServer(() => undefined);
    let seqs = await storedSeqs();
    for (let stable = 0, last = -1, t = 0; t < 600 && stable < 10; t++) {
      await new Promise((r) => setTimeout(r, 100));
      seqs = await storedSeqs();
      stable = seqs.length === last && seqs.length >= ackedBeforeKill ? stable + 1 : 0;
      last = seqs.length;
    }
    const unique = new Set(seqs);
    expect(unique.size, 'no message stored twice').toBe(seqs.length);
    for (let i = 0; i < ackedBeforeKill; i++) if (!unique.has(i)) throw new Error(`acknowledged message seq=${i} was lost (acked ${ackedBeforeKill})`);
    expect(Math.max(...seqs)).toBeLessThan(N);
    console.log(`crash test: ${ackedBeforeKill} acknowledged before kill -9, ${seqs.length} stored after restart, 0 duplicates`);
  }, 180_000);
});
