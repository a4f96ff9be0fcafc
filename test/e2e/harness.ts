import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** A running `khien start` on a throw-away SQLite database, with the one-time admin login it printed. */
export interface KhienServer {
  url: string;
  /** The server's SQLite database file. */
  dbFile: string;
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
  return { url, dbFile: join(dir, 'khien.db'), username: user[1]!, password: login[1]!, output: () => out, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KHIEN_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** Where every spec writes the screenshots that document the UI (docs/screenshots/NN-….png). */
export const SHOTS = join(process.cwd(), 'docs', 'screenshots');

/**
 * One spec's browser session against its own `khien start`: the Vietnamese-locale page, and the steps every
 * spec repeats (first login with password change and TOTP enrolment, fresh TOTP codes, option pickers,
 * screenshots). Each spec opens one in `beforeAll` and closes it in `afterAll`.
 */
export interface E2eSession {
  server: KhienServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The admin's TOTP secret once `firstLogin` has enrolled it. */
  totpSecret: string;
  /** A TOTP code the server has not seen yet (it refuses a step used before; waits for the next step when needed). */
  freshTotp(): Promise<string>;
  /** The printed one-time password → a new password → TOTP enrolment → recovery codes saved → the dashboard. */
  firstLogin(newPassword: string): Promise<void>;
  /** A screenshot of the viewport once the network is idle and transitions settled; toasts hidden. */
  shot(name: string, settleMs?: number): Promise<void>;
  /** Open a Mantine select by its test id (optionally typing to filter) and click the option with that label. */
  pickOption(testId: string, label: string | RegExp, opts?: { typed?: string; exact?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function openSession(opts: { acceptDownloads?: boolean; timeoutMs?: number } = {}): Promise<E2eSession> {
  mkdirSync(SHOTS, { recursive: true });
  const server = await startKhien();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
      viewport: { width: 1440, height: 900 },
      acceptDownloads: opts.acceptDownloads ?? false,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(opts.timeoutMs ?? 30_000);
    let lastTotpStep = -1;
    const session: E2eSession = {
      server,
      browser,
      context,
      page,
      totpSecret: '',
      async freshTotp() {
        const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(session.totpSecret) });
        // The server accepts the current step and one either side, but never the same step twice.
        const step = Math.max(TOTP.counter({ period: 30 }), lastTotpStep + 1);
        while (step > TOTP.counter({ period: 30 }) + 1) await page.waitForTimeout(1000);
        lastTotpStep = step;
        return totp.generate({ timestamp: step * 30_000 + 1000 });
      },
      async firstLogin(newPassword) {
        await page.goto(`${server.url}/login`);
        await page.getByTestId('login-username').fill(server.username);
        await page.getByTestId('login-password').fill(server.password);
        await page.getByTestId('login-submit').click();
        await page.getByTestId('password-new').waitFor();
        await page.getByTestId('password-current').fill(server.password);
        await page.getByTestId('password-new').fill(newPassword);
        await page.getByTestId('password-confirm').fill(newPassword);
        await page.getByTestId('password-submit').click();
        const secretEl = page.getByTestId('totp-secret');
        await secretEl.waitFor();
        session.totpSecret = (await secretEl.getAttribute('data-secret')) ?? '';
        await page.getByTestId('totp-confirm-code').fill(await session.freshTotp());
        await page.getByTestId('totp-confirm-submit').click();
        await page.getByTestId('recovery-codes').waitFor();
        await page.getByText('Tôi đã lưu mã khôi phục').click();
        await page.getByTestId('recovery-continue').click();
        await page.waitForURL(`${server.url}/`);
        await page.getByTestId('page-title').waitFor();
      },
      async shot(name, settleMs = 400) {
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(settleMs); // let Mantine transitions settle
        await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false, style: '.mantine-Notifications-root { display: none !important; }' });
      },
      async pickOption(testId, label, o = {}) {
        const input = page.getByTestId(testId);
        await input.click();
        if (o.typed) await input.fill(o.typed);
        await page.getByRole('option', { name: label, exact: o.exact ?? typeof label === 'string' }).first().click();
      },
      async close() {
        await browser?.close();
        await server.stop();
      },
    };
    return session;
  } catch (err) {
    await browser?.close();
    await server.stop();
    throw err;
  }
}
