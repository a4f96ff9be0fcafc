import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** A running `khien start` on a throw-away SQLite database, with the one-time admin login it printed. */
export interface KhienServer {
  url: string;
  username: string;
  password: string;
  output: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startKhien(): Promise<KhienServer> {
  const dir = mkdtempSync(join(tmpdir(), 'khien-e2e-'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/khien.js', 'start'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      KHIEN_DATA_DIR: dir,
      KHIEN_DATABASE_URL: `sqlite:${join(dir, 'khien.db')}`,
      KHIEN_PORT: String(port),
      KHIEN_PUBLIC_URL: url,
      KHIEN_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 110_000;
  let login: RegExpExecArray | null = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`khien start exited with ${child.exitCode}:\n${out}`);
    login = /Mật khẩu dùng một lần:\s*(\S+)/.exec(out);
    if (login) {
      try {
        // 127.0.0.1: the server listens on IPv4 loopback, and Node may resolve `localhost` to ::1 first.
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const user = /Tên đăng nhập:\s*(\S+)/.exec(out);
  if (!login || !user) {
    await stop();
    throw new Error(`no one-time admin login in the output of khien start:\n${out}`);
  }
  return { url, username: user[1]!, password: login[1]!, output: () => out, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KHIEN_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}
