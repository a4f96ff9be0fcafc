import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * Account governance in a real browser, in Vietnamese: the MFA coverage card on the dashboard, importing a CSV
 * export of a system's accounts (mapping its columns, saving the mapping, seeing the snapshot diff and the
 * findings), deciding in an access review campaign (a revoke becomes a revocation task), and the accounts of one
 * official across systems. Screenshots go to docs/screenshots/ (3x-…).
 */
const NEW_PASSWORD = 'Biển Hồ mùa nước lên, 2026 tài khoản sạch!';
const SYSTEM = 'GL-CTTDT';
const CSV = [
  'Tài khoản,Họ và tên,Email,Đơn vị,Nhóm quyền,Là quản trị viên,Trạng thái,Đăng nhập cuối,MFA',
  'admin,Quản trị cổng,,Văn phòng UBND tỉnh,Quản trị hệ thống,có,hoạt động,20/11/2026,không',
  'bientap01,Biên tập viên 01,,Văn phòng UBND tỉnh,Biên tập,không,hoạt động,24/11/2026,có',
  'ctv.tinbai,Cộng tác viên tin bài,,Sở Văn hoá và Thể thao Bình Định,Biên tập,không,hoạt động,02/08/2026,không',
  'pv.nguyenha,Phóng viên Nguyễn Hà,,Văn phòng UBND tỉnh,Đăng tin,không,khoá,01/03/2026,không',
].join('\n');

let s: E2eSession;
let server: KhienServer;
let page: Page;
const shot = (name: string) => s.shot(name);
const firstLogin = () => s.firstLogin(NEW_PASSWORD);
const pickOption = (testId: string, label: string | RegExp, typed?: string) => s.pickOption(testId, label, { typed });

/** First login with the one-time password: new password, TOTP enrolment, recovery codes, dashboard. */

describe('accounts e2e', () => {
  let csvPath = '';
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'khien-acc-'));
    csvPath = join(dir, 'cttdt-tai-khoan.csv');
    writeFileSync(csvPath, CSV, 'utf8');
    s = await openSession({ timeoutMs: 30_000 });
    ({ server, page } = s);
  });

  afterAll(async () => {
    await s?.close();
    if (csvPath) rmSync(join(csvPath, '..'), { recursive: true, force: true });
  });

  it('shows MFA coverage on the dashboard', async () => {
    await firstLogin();
    const card = page.getByTestId('mfa-coverage');
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Tỷ lệ tài khoản có xác thực đa yếu tố/);
    expect(await page.getByTestId('nav-accounts').innerText()).toBe('Tài khoản');
    await card.scrollIntoViewIfNeeded();
    await shot('30-tong-quan-mfa');
  });

  it('imports a CSV export: maps its columns, saves the mapping, shows the diff and findings', async () => {
    await page.goto(`${server.url}/accounts?tab=import`);
    await pickOption('import-system', new RegExp(`^${SYSTEM} — `), SYSTEM);
    // A new source is named here; a system that already has one (the demo's) reuses it with its saved mapping.
    const nameInput = page.getByTestId('import-source-name');
    await Promise.race([nameInput.waitFor(), page.getByTestId('import-source').waitFor()]);
    if (await nameInput.isVisible()) await nameInput.fill('Danh sách tài khoản Cổng TTĐT (xuất tháng 11)');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('import-file').click();
    await (await chooser).setFiles(csvPath);
    await page.getByTestId('import-mapping').waitFor();
    // Guessed from the headers: Tài khoản → username, Họ và tên → display name, Email, Đơn vị, Nhóm quyền, Trạng thái, MFA.
    expect(await page.getByTestId('map-username').inputValue()).toBe('Tài khoản');
    expect(await page.getByTestId('map-display_name').inputValue()).toBe('Họ và tên');
    expect(await page.getByTestId('map-mfa').inputValue()).toBe('MFA');
    expect(await page.getByTestId('map-last_login').inputValue()).toBe('Đăng nhập cuối');
    // A column the guess does not know is mapped by hand.
    expect(await page.getByTestId('map-privileged').inputValue()).toBe('');
    await pickOption('map-privileged', 'Là quản trị viên');
    await shot('31-nhap-tai-khoan-anh-xa');
    await page.getByTestId('import-run').click();
    const result = page.getByTestId('import-snapshot');
    await result.waitFor();
    expect(await result.innerText()).toMatch(/Đã nhập 4 tài khoản và đối soát xong/);
    const findings = await page.getByTestId('import-findings').innerText();
    expect(findings).toMatch(/Dùng chung: 1/);
    expect(findings).toMatch(/Quản trị không có MFA: 1/);
    expect(findings).toMatch(/Không có chủ/);
    await shot('32-nhap-tai-khoan-ket-qua');
    await page.getByTestId('import-show-findings').click();
    await page.getByTestId('findings-table').waitFor();
    await expect.poll(async () => (await page.getByTestId('findings-table').innerText()).includes('ctv.tinbai')).toBe(true);
    expect(await page.getByTestId('findings-table').innerText()).toMatch(/Lâu không đăng nhập/);
    await shot('33-phat-hien-tai-khoan');
  });

  it('the saved mapping is reused: a second import shows what changed', async () => {
    await page.goto(`${server.url}/accounts?tab=import`);
    await pickOption('import-system', new RegExp(`^${SYSTEM} — `), SYSTEM);
    await page.getByTestId('import-source').waitFor();
    const second = CSV.replace('bientap01,Biên tập viên 01,,Văn phòng UBND tỉnh,Biên tập,không,hoạt động', 'bientap01,Biên tập viên 01,,Văn phòng UBND tỉnh,Biên tập|Duyệt tin,không,hoạt động');
    const path2 = join(csvPath, '..', 'cttdt-tai-khoan-2.csv');
    writeFileSync(path2, second.split('\n').filter((l) => !l.startsWith('ctv.tinbai')).join('\n'), 'utf8');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('import-file').click();
    await (await chooser).setFiles(path2);
    await page.getByTestId('import-mapping').waitFor();
    expect(await page.getByTestId('map-privileged').inputValue()).toBe('Là quản trị viên');
    await page.getByTestId('import-run').click();
    const diff = page.getByTestId('import-diff');
    await diff.waitFor();
    const text = await diff.innerText();
    expect(text).toMatch(/Mất 1: ctv\.tinbai/);
    expect(text).toMatch(/Thay đổi 1: bientap01 \(Nhóm quyền\)/);
  });

  it('decides in a review campaign: a revoke becomes a revocation task', async () => {
    await page.goto(`${server.url}/accounts?tab=reviews`);
    await page.getByRole('button', { name: 'Tạo đợt rà soát' }).click();
    await page.getByTestId('campaign-name').fill('Rà soát tài khoản Cổng thông tin điện tử tỉnh');
    await pickOption('campaign-unit', /^VP-UBND — /, 'VP-UBND');
    await pickOption('campaign-systems', new RegExp(`^${SYSTEM} — `), SYSTEM);
    await page.keyboard.press('Escape');
    await page.getByText('Một giai đoạn', { exact: true }).click();
    await page.getByTestId('campaign-start').click();
    await page.getByTestId('review-admin').waitFor();
    await page.getByTestId('review-comment-admin').fill('Tài khoản quản trị dùng chung, không bật MFA: khoá và cấp tài khoản riêng.');
    await page.getByTestId('decide-revoke-admin').click();
    await page.getByTestId('decide-accept-bientap01').click();
    // Both items decided: the one-stage campaign closes and nothing is left to review.
    await expect.poll(() => page.getByTestId('review-bientap01').count()).toBe(0);
    const cards = page.getByTestId('campaign-card');
    await expect.poll(async () => (await cards.allInnerTexts()).some((c) => /Thu hồi: 1/.test(c) && /Chấp nhận: 1/.test(c))).toBe(true);
    await shot('34-ra-soat-quyen');
    await page.getByTestId('tab-tasks').click();
    // The demo campaign's tasks are listed too, the early ones overdue and escalated; ours is on this system.
    await expect.poll(async () => (await page.getByTestId('tasks-table').innerText()).includes('Quá hạn, đã báo lãnh đạo')).toBe(true);
    await pickOption('tasks-system', new RegExp(`^${SYSTEM} — `), SYSTEM);
    const task = page.getByTestId('task-admin').filter({ hasText: SYSTEM });
    await task.waitFor();
    expect(await task.innerText()).toMatch(/Thu hồi/);
    expect(await task.innerText()).toMatch(/Đang chờ thực hiện/);
    await shot('35-viec-thu-hoi');
  });

  it('shows every account of one official across systems on the person page', async () => {
    await page.goto(`${server.url}/accounts?tab=findings`);
    await pickOption('findings-kind', 'Cán bộ đã nghỉ');
    const link = page.getByTestId('findings-table').getByRole('link').first();
    await link.waitFor();
    await link.click();
    const section = page.getByTestId('person-accounts');
    await section.waitFor();
    await expect.poll(async () => (await section.innerText()).includes('Cán bộ đã nghỉ')).toBe(true);
    await section.scrollIntoViewIfNeeded();
    await shot('36-tai-khoan-cua-can-bo');
  });
});
