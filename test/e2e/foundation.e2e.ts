import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startKhien, type KhienServer } from './harness.js';

/**
 * The foundation flow in a real browser, in Vietnamese: first login with the one-time password, forced
 * password change, TOTP enrolment, logout and login again with password + TOTP, an org unit, a people import
 * with a bad row, and English. Screenshots of each main page go to docs/screenshots/.
 */
const SHOTS = join(process.cwd(), 'docs', 'screenshots');
const NEW_PASSWORD = 'Tím mộc lan, 48 ngọn đèn xanh!';

let server: KhienServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let totpSecret = '';
let lastTotpStep = -1;
let recoveryCode = '';

/** A TOTP code for a step not used before (a code is single-use); waits for the next step when needed. */
async function freshTotp(): Promise<string> {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(totpSecret) });
  // The server accepts the current step and one step either side, but never the same step twice.
  let step = Math.max(TOTP.counter({ period: 30 }), lastTotpStep + 1);
  while (step > TOTP.counter({ period: 30 }) + 1) await page.waitForTimeout(1000);
  lastTotpStep = step;
  return totp.generate({ timestamp: step * 30_000 + 1000 });
}

async function shot(name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400); // let Mantine transitions settle
  // Toasts are hidden so they do not cover the page being documented.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false, style: '.mantine-Notifications-root { display: none !important; }' });
}

async function pickOption(testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

async function passwordAndMfaStage() {
  return page.getByTestId('login-step-title').getAttribute('data-step');
}

describe('foundation e2e', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startKhien();
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('first login: one-time password → new password → TOTP enrolment → recovery codes → dashboard', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL('**/login');
    await expect.poll(() => page.getByRole('heading', { name: 'Đăng nhập' }).isVisible()).toBe(true);
    await shot('01-dang-nhap');

    await page.getByTestId('login-username').fill(server.username);
    await page.getByTestId('login-password').fill(server.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(passwordAndMfaStage).toBe('password_change');

    // A password that breaks the policy is refused with the server's Vietnamese message.
    await page.getByTestId('password-current').fill(server.password);
    await page.getByTestId('password-new').fill(`${server.username}-1234567890`);
    await page.getByTestId('password-confirm').fill(`${server.username}-1234567890`);
    await page.getByTestId('password-submit').click();
    await expect.poll(() => page.getByTestId('error-alert').isVisible()).toBe(true);
    expect(await page.getByTestId('error-alert').innerText()).toMatch(/[àáảãạăâđèéêìíòóôơùúưỳý]/i);

    await page.getByTestId('password-new').fill(NEW_PASSWORD);
    await page.getByTestId('password-confirm').fill(NEW_PASSWORD);
    await page.getByTestId('password-submit').click();
    await expect.poll(passwordAndMfaStage).toBe('mfa_enrolment');

    const secretEl = page.getByTestId('totp-secret');
    await secretEl.waitFor();
    totpSecret = (await secretEl.getAttribute('data-secret')) ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]+=*$/);
    expect((await secretEl.innerText()).replace(/\s/g, '')).toBe(totpSecret);
    expect(await page.getByTestId('totp-qr').locator('svg').count()).toBe(1);
    await shot('02-dang-ky-totp');

    await page.getByTestId('totp-confirm-code').fill(await freshTotp());
    await page.getByTestId('totp-confirm-submit').click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = await page.getByTestId('recovery-code').allInnerTexts();
    expect(codes.length).toBeGreaterThanOrEqual(5);
    recoveryCode = codes[0]!.trim();
    expect(await page.getByTestId('recovery-continue').isDisabled()).toBe(true);
    await page.getByText('Tôi đã lưu mã khôi phục').click();
    await page.getByTestId('recovery-continue').click();

    await page.waitForURL(`${server.url}/`);
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Tổng quan');
    await page.getByTestId('dashboard-metrics').waitFor();
    expect(await page.getByTestId('user-name').innerText()).not.toBe('');
    // Built modules are links; modules not built yet are in the menu, disabled, marked as coming.
    expect(await page.getByTestId('nav-socAlerts').innerText()).toContain('Cảnh báo');
    const intel = page.getByTestId('nav-intel');
    expect(await intel.innerText()).toContain('Tình báo mối đe doạ');
    expect(await intel.innerText()).toContain('Sắp có');
    expect(await intel.getAttribute('data-disabled')).toBe('true');
    await shot('03-tong-quan');
  });

  it('logs out and back in with password + TOTP', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.waitForURL('**/login');
    await page.getByTestId('login-username').fill(server.username);
    await page.getByTestId('login-password').fill(NEW_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect.poll(passwordAndMfaStage).toBe('mfa');
    await shot('04-xac-thuc-da-yeu-to');
    await page.getByTestId('mfa-totp-code').fill(await freshTotp());
    await page.getByTestId('mfa-totp-submit').click();
    await page.waitForURL(`${server.url}/`);
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Tổng quan');
  });

  it('creates org units, merges one into the other and shows the lineage', async () => {
    await page.getByTestId('nav-orgUnits').click();
    await page.getByTestId('unit-tree').waitFor();
    const create = async (code: string, name: string, type: string) => {
      await page.getByTestId('unit-create').click();
      await page.getByTestId('unit-code').fill(code);
      await page.getByTestId('unit-name-input').fill(name);
      await pickOption('unit-type', type);
      // Both units existed since the province was formed; the merger (today) must come after that.
      await page.getByTestId('unit-valid-from').fill('01/07/2025');
      await page.getByTestId('unit-create-submit').click();
      await page.getByTestId('unit-create-form').waitFor({ state: 'detached' });
    };
    await create('E2E-GSATTT', 'Trung tâm Giám sát an toàn thông tin (E2E)', 'Cơ quan');
    await create('E2E-CNTT', 'Trung tâm Công nghệ thông tin (E2E)', 'Đơn vị trực thuộc');
    await page.getByTestId('unit-filter').fill('(E2E)');
    await expect.poll(() => page.getByTestId('unit-name').count()).toBe(2);

    // Merge the IT centre into the monitoring centre, with the decision that ordered it.
    await page.getByTestId('unit-name').filter({ hasText: 'Trung tâm Công nghệ thông tin (E2E)' }).click();
    await page.getByTestId('unit-merge').click();
    await pickOption('merge-into', 'Trung tâm Giám sát an toàn thông tin (E2E)');
    await page.getByTestId('merge-decision').fill('Quyết định số 2468/QĐ-UBND');
    await page.getByTestId('merge-submit').click();
    await page.getByTestId('merge-form').waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');

    const former = page.locator('[data-testid="unit-row"][data-current="false"]');
    await expect.poll(() => former.count()).toBe(1);
    expect(await former.getByTestId('merged-note').innerText()).toMatch(
      /^Đã sáp nhập vào Trung tâm Giám sát an toàn thông tin \(E2E\) từ \d{2}\/\d{2}\/\d{4} theo Quyết định số 2468\/QĐ-UBND$/,
    );
    await former.getByTestId('unit-name').click();
    await page.getByTestId('successor-chain').waitFor();
    expect(await page.getByTestId('successor-chain').innerText()).toContain('Trung tâm Giám sát an toàn thông tin (E2E)');
    await shot('06-don-vi-sap-nhap');
    await page.keyboard.press('Escape');
    // "Which units ceased on the merger day?" — the merger was recorded for today (Vietnam time).
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    await page.getByTestId('ceased-date').fill(today);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(async () => (await page.getByTestId('ceased-table').isVisible()) && page.getByTestId('ceased-table').innerText()).toContain(
      'Trung tâm Công nghệ thông tin (E2E)',
    );
    await page.getByTestId('unit-filter').fill('');
    await shot('05-don-vi');
  });

  it('imports a people CSV and shows the row-numbered error for the bad row', async () => {
    await page.getByTestId('nav-people').click();
    await page.getByTestId('person-row').first().waitFor();
    expect(await page.getByTestId('person-status').first().innerText()).toMatch(/Đang công tác|Nghỉ hưu|Chuyển công tác|Tạm nghỉ|Thôi việc|Từ trần/);
    await shot('07-can-bo');

    await page.getByTestId('people-import-open').click();
    const csv = [
      'ho_ten,cccd,ngay_sinh,gioi_tinh,ma_don_vi,chuc_vu,trang_thai',
      'Nguyễn Thị Hồng Nhung,064190001234,12/03/1990,Nữ,E2E-GSATTT,Chuyên viên,Đang công tác',
      'Rơ Mah Khoa,12345,01/01/1988,Nam,E2E-GSATTT,Chuyên viên,Đang công tác',
    ].join('\n');
    await page.locator('input[type="file"]').setInputFiles({ name: 'can-bo.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    const text = await errors.innerText();
    expect(text).toMatch(/Dòng 3, cột /);
    expect(text).not.toMatch(/Dòng 2,/);
    await shot('08-can-bo-loi-nhap');
    await page.keyboard.press('Escape');

    // Folded search is done by the server: without diacritics finds names with them.
    await page.getByTestId('people-search').fill('nguyen');
    await expect.poll(async () => (await page.getByTestId('person-row').first().innerText()).toLowerCase()).toContain('nguyễn');
    await page.getByTestId('person-row').first().getByRole('link').click();
    await page.getByTestId('status-change-form').waitFor();
    await shot('09-can-bo-chi-tiet');

    // Record a retirement; the new status shows on the page and in the history.
    const historyBefore = await page.getByTestId('person-history').locator('.mantine-Timeline-item').count();
    await pickOption('status-change-status', 'Nghỉ hưu');
    await page.getByTestId('status-change-decision').fill('Quyết định số 15/QĐ-SNV');
    await page.getByTestId('status-change-submit').click();
    await expect.poll(() => page.getByTestId('person-status').first().innerText()).toBe('Nghỉ hưu');
    await expect.poll(() => page.getByTestId('person-history').locator('.mantine-Timeline-item').count()).toBe(historyBefore + 1);
  });

  it('shows users, audit log and my account', async () => {
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-row').first().waitFor();

    // A new user gets a one-time password, shown once; then a role at a unit.
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-username').fill('rmah.khoa');
    await page.getByTestId('user-display-name').fill('Rơ Mah Khoa');
    await pickOption('user-create-unit', 'Trung tâm Giám sát an toàn thông tin (E2E)');
    await page.getByTestId('user-create-submit').click();
    expect((await page.getByTestId('initial-password').innerText()).length).toBeGreaterThanOrEqual(12);
    await page.getByRole('button', { name: 'Xong' }).click();
    await page.getByTestId('user-row').filter({ hasText: 'rmah.khoa' }).getByRole('button', { name: 'Rơ Mah Khoa' }).click();
    await pickOption('grant-role', 'Chuyên viên SOC');
    await pickOption('grant-unit', 'Trung tâm Giám sát an toàn thông tin (E2E)');
    await page.getByTestId('grant-submit').click();
    await expect.poll(() => page.getByTestId('grant-table').innerText()).toContain('Chuyên viên SOC');
    await shot('10b-nguoi-dung-phan-quyen');
    await page.keyboard.press('Escape');
    await shot('10-nguoi-dung');

    // A demo official forgot their password and lost their phone: the admin issues a new one-time password.
    await page.getByTestId('user-row').filter({ hasText: 'quynhon.canbo' }).getByTestId('user-actions').click();
    await page.getByTestId('user-reset').click();
    await page.getByTestId('reset-reason').fill('Quên mật khẩu và mất điện thoại; đã đối chiếu CCCD trực tiếp');
    await page.getByTestId('reset-mfa').check();
    await page.getByTestId('reset-submit').click();
    expect((await page.getByTestId('reset-password').innerText()).length).toBeGreaterThanOrEqual(12);
    await shot('10c-cap-lai-mat-khau');
    await page.getByRole('button', { name: 'Xong' }).click();

    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-table').innerText()).toContain('Đăng nhập');
    await shot('11-nhat-ky-kiem-toan');

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Tài khoản của tôi' }).click();
    await page.getByTestId('my-sessions').waitFor();
    await expect.poll(() => page.getByTestId('totp-status').innerText()).toBe('Đã bật');

    // A passkey, with Chromium's virtual authenticator standing in for the device's.
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.getByTestId('passkey-name').fill('Máy tính văn phòng');
    await page.getByTestId('passkey-register').click();
    await expect.poll(() => page.getByTestId('passkey-table').innerText()).toContain('Máy tính văn phòng');
    await shot('12-tai-khoan');

    // Sign in again with password + passkey.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.waitForURL('**/login');
    await page.getByTestId('login-username').fill(server.username);
    await page.getByTestId('login-password').fill(NEW_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect.poll(passwordAndMfaStage).toBe('mfa');
    await page.getByTestId('mfa-passkey-tab').click();
    await page.getByTestId('mfa-passkey-submit').click();
    // Back to the page the user signed out from.
    await page.waitForURL(`${server.url}/account`);
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Tài khoản của tôi');
  });

  it('switches to English, and the choice is kept on the user', async () => {
    await page.getByTestId('nav-dashboard').click();
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/locale') && r.request().method() === 'PUT');
    await page.getByTestId('language-switch').getByText('EN').click();
    expect((await saved).ok()).toBe(true);
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Overview');
    expect(await page.getByTestId('nav-orgUnits').innerText()).toBe('Units');
    expect(await page.getByTestId('nav-intel').innerText()).toContain('Soon');
    await shot('13-overview-en');
    await page.getByTestId('nav-orgUnits').click();
    await page.getByTestId('unit-tree').waitFor();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Units');
    await shot('14-units-en');

    // Recovery code path: a fresh browser, English from the user's saved locale after sign-in.
    const other = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1440, height: 900 } });
    const p2 = await other.newPage();
    await p2.goto(`${server.url}/login`);
    await p2.getByTestId('login-username').fill(server.username);
    await p2.getByTestId('login-password').fill(NEW_PASSWORD);
    await p2.getByTestId('login-submit').click();
    await p2.getByTestId('mfa-recovery-tab').click();
    await p2.getByTestId('mfa-recovery-code').fill(recoveryCode);
    await p2.getByTestId('mfa-recovery-submit').click();
    await p2.waitForURL(`${server.url}/`);
    await expect.poll(() => p2.getByTestId('page-title').innerText()).toBe('Overview');
    await other.close();
  });
});
