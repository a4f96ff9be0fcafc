import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startKhien, type KhienServer } from './harness.js';

/**
 * Detection rules in a real browser, in Vietnamese: the rules page lists Khiên's own Sigma rules (and SigmaHQ's
 * when the corpus is present) with each rule's author, filters by logsource and level, enables in bulk, and
 * adds a false-positive filter to a rule. Screenshots go to docs/screenshots/ (5x-…).
 */
const SHOTS = join(process.cwd(), 'docs', 'screenshots');
const NEW_PASSWORD = 'Sông Ba chảy về, 27 cánh đồng lúa!';

let server: KhienServer;
let browser: Browser;
let page: Page;
let totpSecret = '';
let lastTotpStep = -1;

async function freshTotp(): Promise<string> {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(totpSecret) });
  const step = Math.max(TOTP.counter({ period: 30 }), lastTotpStep + 1);
  while (step > TOTP.counter({ period: 30 }) + 1) await page.waitForTimeout(1000);
  lastTotpStep = step;
  return totp.generate({ timestamp: step * 30_000 + 1000 });
}

async function shot(name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false, style: '.mantine-Notifications-root { display: none !important; }' });
}

async function pickOption(testId: string, label: string | RegExp): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label }).first().click();
}

async function firstLogin(): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByTestId('login-username').fill(server.username);
  await page.getByTestId('login-password').fill(server.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('password-new').waitFor();
  await page.getByTestId('password-current').fill(server.password);
  await page.getByTestId('password-new').fill(NEW_PASSWORD);
  await page.getByTestId('password-confirm').fill(NEW_PASSWORD);
  await page.getByTestId('password-submit').click();
  const secretEl = page.getByTestId('totp-secret');
  await secretEl.waitFor();
  totpSecret = (await secretEl.getAttribute('data-secret')) ?? '';
  await page.getByTestId('totp-confirm-code').fill(await freshTotp());
  await page.getByTestId('totp-confirm-submit').click();
  await page.getByTestId('recovery-codes').waitFor();
  await page.getByText('Tôi đã lưu mã khôi phục').click();
  await page.getByTestId('recovery-continue').click();
  await page.waitForURL(`${server.url}/`);
}

describe('detection rules e2e', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startKhien();
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the rules with their authors and filters by source, logsource and level', async () => {
    await firstLogin();
    expect(await page.getByTestId('nav-socRules').innerText()).toBe('Quy tắc phát hiện');
    await page.getByTestId('nav-socRules').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Quy tắc phát hiện');
    await page.getByTestId('rule-row').first().waitFor();
    await pickOption('rules-source', 'Khiên');
    await expect.poll(() => page.getByText('SSH Brute Force From One Source Address').count()).toBe(1);
    // the Detection Rule License needs the author wherever a rule is shown
    // read all rows in one snapshot: the list re-renders when the source filter's query returns
    await expect
      .poll(async () => {
        const texts = await page.getByTestId('rule-row').allInnerTexts();
        return texts.length >= 9 && texts.every((t) => t.includes('Khiên contributors'));
      })
      .toBe(true);
    await shot('50-quy-tac-khien');
    if (server.output().includes('Quy tắc SigmaHQ')) {
      await page.getByTestId('rules-source').click();
      await page.getByRole('option', { name: 'SigmaHQ' }).click();
      await pickOption('rules-product', /^windows \(/);
      await pickOption('rules-category', /^process_creation \(/);
      await pickOption('rules-level', 'Nghiêm trọng');
      await expect.poll(async () => (await page.getByTestId('rule-row').count()) > 0).toBe(true);
      expect(await page.getByTestId('rule-row').first().innerText()).toMatch(/Nghiêm trọng/);
      await shot('51-quy-tac-sigmahq-loc');
    }
  });

  it('disables and re-enables the filtered rules in bulk', async () => {
    await page.getByTestId('rules-enabled').click();
    await page.getByRole('option', { name: 'Đang bật' }).click();
    await page.getByTestId('rule-row').first().waitFor();
    const before = Number((await page.getByText(/quy tắc khớp bộ lọc$/).innerText()).replace(/\D/g, ''));
    expect(before).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Tắt tất cả \d+ theo bộ lọc/ }).click();
    await expect.poll(() => page.getByText('Không có quy tắc nào khớp bộ lọc.').count()).toBe(1);
    await page.getByTestId('rules-enabled').click();
    await page.getByRole('option', { name: 'Đang tắt' }).click();
    await expect.poll(async () => Number((await page.getByText(/quy tắc khớp bộ lọc$/).innerText()).replace(/\D/g, ''))).toBeGreaterThanOrEqual(before);
    await page.getByTestId('bulk-enable-filter').click();
    await expect.poll(() => page.getByText('Không có quy tắc nào khớp bộ lọc.').count()).toBe(1);
  });

  it('adds a false-positive filter to a rule and shows it', async () => {
    await page.goto(`${server.url}/soc/rules`);
    await pickOption('rules-source', 'Khiên');
    await page.getByTestId('rules-search').fill('Disabled Or Leaver');
    await expect.poll(() => page.getByTestId('rule-row').count()).toBe(1);
    await page.getByTestId('rule-open').first().click();
    const drawer = page.getByTestId('rule-drawer');
    await drawer.waitFor();
    expect(await drawer.innerText()).toContain('Tác giả: Khiên contributors');
    await page.getByTestId('filter-field').first().fill('user.name');
    await page.getByTestId('filter-value').first().fill('svc_backup*');
    await page.getByTestId('filter-note').fill('Tài khoản sao lưu dùng chung đã được phê duyệt');
    await page.getByTestId('filter-submit').click();
    await expect.poll(() => page.getByTestId('filter-row').count()).toBe(1);
    expect(await page.getByTestId('filter-row').innerText()).toContain('user.name = svc_backup*');
    await shot('52-quy-tac-bo-loc-bao-dong-gia');
  });
});
