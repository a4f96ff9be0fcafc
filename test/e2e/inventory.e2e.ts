import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../src/contracts/reconcile.js';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * The inventory and merger flow in a real browser, in Vietnamese: register a system whose facts make the level
 * advisor propose level 3 (personal data of 150.000 people), read the reasons, confirm the level, plan the
 * merger, add a task, attach a reconciliation report and see its counts; then one page in English.
 * Screenshots go to docs/screenshots/ (20-…).
 */
const NEW_PASSWORD = 'Sông Ba chảy về, 27 cánh đồng lúa!';
const SYSTEM_NAME = 'Hệ thống quản lý hồ sơ sức khoẻ điện tử (E2E)';
const TASK_TITLE = 'Đối soát dữ liệu hồ sơ sức khoẻ sau khi chuyển đổi';
/** The name after editing; it keeps SYSTEM_NAME so later steps still find the system by it. */
const EDITED_NAME = `${SYSTEM_NAME} – Sở Y tế quản lý`;
const ASSET_NAME = 'Máy chủ ứng dụng hồ sơ sức khoẻ (E2E)';

let s: E2eSession;
let server: KhienServer;
let page: Page;
const shot = (name: string) => s.shot(name);
const firstLogin = () => s.firstLogin(NEW_PASSWORD);
const pickOption = (testId: string, label: string | RegExp, typed?: string) => s.pickOption(testId, label, { typed });

/** A report in the shape `khien reconcile` writes (src/contracts/reconcile.ts): 2 missing, 1 extra, 1 changed. */
function reconcileReport(): ReconcileReport {
  const counts = { equal: 149_996, missing: 2, extra: 1, changed: 1 };
  return {
    outcome: 'different',
    mode: 'rows',
    source: { label: 'CSV ho_so_suc_khoe_binhdinh.csv (trước hợp nhất)', kind: 'csv', rowsRead: counts.equal + counts.missing + counts.changed },
    target: { label: 'PostgreSQL hssk_gialai.ho_so (sau hợp nhất)', kind: 'postgres', rowsRead: counts.equal + counts.extra + counts.changed },
    counts,
    samples: {
      missing: [{ ma_ho_so: 'BD-2025-000117' }, { ma_ho_so: 'BD-2025-004512' }],
      extra: [{ ma_ho_so: 'GL-2025-900001' }],
      changed: [{ key: { ma_ho_so: 'BD-2025-000342' }, columns: [{ column: 'ho_ten', source: 'Nguyễn Thị Thuỷ', target: 'Nguyen Thi Thuy' }] }],
    },
    ranges: { compared: 0, skipped: 0, rowsSkipped: 0 },
    keyColumns: ['ma_ho_so'],
    comparedColumns: ['ho_ten', 'ngay_sinh', 'ma_the_bhyt'],
    normalisation: { rowHash: 'sha256', emptyIsNull: true, decimalComma: false, assumeTimezone: 'Asia/Ho_Chi_Minh' },
    startedAt: '2026-11-20T02:00:00.000Z',
    finishedAt: '2026-11-20T02:00:41.000Z',
    durationMs: 41_000,
  };
}

/** First login with the one-time password: new password, TOTP enrolment, recovery codes, dashboard. */
describe('inventory e2e', () => {
  beforeAll(async () => {
    s = await openSession({ timeoutMs: 20_000 });
    ({ server, page } = s);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('signs in and shows the inventory summary on the dashboard', async () => {
    await firstLogin();
    expect(await page.getByTestId('nav-systems').innerText()).toBe('Hệ thống thông tin');
    expect(await page.getByTestId('nav-systems').getAttribute('data-disabled')).toBeNull();
    expect(await page.getByTestId('nav-assets').innerText()).toBe('Tài sản');
    expect(await page.getByTestId('nav-merger').innerText()).toBe('Phương án hợp nhất');
    const card = page.getByTestId('inventory-summary');
    await card.waitFor();
    // The demo province has ~150 systems; the card shows the server's count, not an estimate.
    expect(Number((await page.getByTestId('summary-total').innerText()).replace(/\D/g, ''))).toBeGreaterThanOrEqual(100);
    await card.scrollIntoViewIfNeeded();
    await shot('26-tong-quan-he-thong');
  });

  it('lists the catalogue with both regimes and filters by transition state', async () => {
    await page.getByTestId('nav-systems').click();
    await page.getByTestId('system-row').first().waitFor();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Hệ thống thông tin');
    expect(await page.getByTestId('level-nd85').first().innerText()).toMatch(/^NĐ 85 · /);
    expect(await page.getByTestId('level-nd331').first().innerText()).toMatch(/^NĐ 331 · /);
    await pickOption('systems-transition-filter', 'Chưa phân loại theo NĐ 331 (mới có cấp độ theo NĐ 85)');
    await expect.poll(async () => (await page.getByTestId('transition').allInnerTexts()).every((s) => s.includes('Chưa phân loại theo NĐ 331'))).toBe(true);
    expect(await page.getByTestId('transition').first().innerText()).toMatch(/còn [\d.]+ ngày đến 01\/07\/2027/);
    await shot('20-he-thong');
    await page.getByTestId('systems-transition-filter').click();
    await page.keyboard.press('Escape');
  });

  it('rejects an inventory workbook with a bad row, by sheet, row and column', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Hệ thống');
    sheet.addRow(['Mã hệ thống', 'Tên hệ thống', 'Loại hệ thống', 'Mã đơn vị chủ quản']);
    sheet.addRow(['E2E-LOI', 'Hệ thống nhập thử có lỗi', 'Loại không có trong danh mục', 'KHONG-CO-DON-VI']);
    const buffer = Buffer.from(await book.xlsx.writeBuffer());
    await page.getByTestId('inventory-import-open').click();
    await page.locator('input[type="file"]').setInputFiles({
      name: 'danh-muc-loi.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer,
    });
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    const rows = await page.getByTestId('import-error-row').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.startsWith('Hệ thống'))).toBe(true);
    expect(rows.join('\n')).toMatch(/Dòng 2, cột /);
    await shot('28-he-thong-loi-nhap');
    await page.keyboard.press('Escape');
  });

  it('registers a system, shows the proposed level 3 with its reasons and confirms it', async () => {
    await page.goto(`${server.url}/systems`);
    await page.getByTestId('system-create').click();
    await page.getByTestId('system-code').fill('E2E-HSSK');
    await page.getByTestId('system-name').fill(SYSTEM_NAME);
    await page.getByTestId('system-purpose').fill('Quản lý hồ sơ sức khoẻ điện tử của người dân toàn tỉnh, kết nối LGSP.');
    await pickOption('system-type', 'Phục vụ người dân, doanh nghiệp');
    await pickOption('system-owner-unit', /^Sở Y tế/, 'Sở Y tế');
    await page.getByTestId('system-personal').click();
    await page.getByTestId('system-personal-subjects').fill('150000');
    await page.getByTestId('system-lgsp').click();
    await page.locator('.mantine-Modal-content').evaluate((el) => el.scrollTo(0, 0));
    await shot('29-dang-ky-he-thong');
    await page.getByTestId('system-create-submit').click();
    await page.waitForURL(/\/systems\/[^/]+$/);
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe(SYSTEM_NAME);

    const proposal = page.getByTestId('level-proposal');
    await proposal.waitFor();
    expect(await proposal.getAttribute('data-level')).toBe('3');
    expect(await proposal.innerText()).toContain('Đề xuất cấp độ theo NĐ 331/2026: Cấp độ 3');
    const reasons = await page.getByTestId('level-reason').allInnerTexts();
    expect(reasons.length).toBeGreaterThanOrEqual(1);
    expect(reasons.join('\n')).toMatch(/Cấp độ 3/);
    expect(reasons.join('\n')).toMatch(/100[.,]?000|dữ liệu cá nhân/i);
    expect(await page.getByTestId('transition-alert').innerText()).toContain('01/07/2027');
    await shot('21-he-thong-chi-tiet');

    // An override without a justification is refused in the form.
    await page.getByTestId('level-decision-mode').getByText('Chọn cấp độ khác').click();
    await page.getByTestId('level-override-level').fill('2');
    await page.getByTestId('level-decision-submit').click();
    expect(await page.getByTestId('level-decision-error').innerText()).toContain('tối thiểu 20 ký tự');
    // Confirm the proposal.
    await page.getByTestId('level-decision-mode').getByText('Đồng ý với đề xuất (Cấp độ 3)').click();
    await page.getByTestId('level-dossier').fill('HS-E2E-01/SYT');
    await page.getByTestId('level-decision-submit').click();
    await expect.poll(() => page.getByTestId('recorded-nd331').getAttribute('data-level')).toBe('3');
    await expect.poll(() => page.getByTestId('level-decision').first().innerText()).toContain('Đồng ý đề xuất');
  });

  it('plans the merger, adds a task and attaches a reconciliation result', async () => {
    await page.getByTestId('tab-merger').click();
    await pickOption('plan-disposition', 'Giữ làm hệ thống sau hợp nhất');
    await page.getByTestId('plan-submit').click();
    await page.getByTestId('plan-facts').waitFor();
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(5);

    await page.getByTestId('task-add').click();
    await page.getByTestId('task-title').fill(TASK_TITLE);
    await pickOption('task-checkpoint', 'Đã chuyển đổi dữ liệu');
    await page.getByTestId('task-assignee').fill('Rơ Châm Hiếu – Sở Y tế');
    await page.getByTestId('task-due').fill('15/12/2026');
    await page.getByTestId('task-submit').click();
    const row = page.getByTestId('task-row').filter({ hasText: TASK_TITLE });
    await row.waitFor();
    expect(await row.innerText()).toContain('15/12/2026');

    // Progress by status: the task is under way.
    await row.getByTestId('task-status-select').click();
    await page.getByRole('option', { name: 'Đang thực hiện', exact: true }).click();
    await expect.poll(() => row.getByTestId('task-status-select').inputValue()).toBe('Đang thực hiện');

    await row.getByTestId('task-attach').click();
    await page.getByTestId('reconciliation-mode').getByText('Đính kèm báo cáo JSON có sẵn').click();
    await page.getByTestId('reconciliation-json').fill('{"counts": 1}');
    await page.getByTestId('reconciliation-submit').click();
    expect(await page.getByTestId('reconciliation-problem').innerText()).toContain('Không phải báo cáo đối soát hợp lệ');
    await page.getByTestId('reconciliation-json').fill(JSON.stringify(reconcileReport(), null, 2));
    await page.getByTestId('reconciliation-submit').click();
    await page.getByTestId('reconciliation-form').waitFor({ state: 'detached' });
    await expect.poll(() => row.getByTestId('task-rec-count').innerText()).toBe('1');
    const rec = page.getByTestId('reconciliation').first();
    await rec.waitFor();
    expect(await rec.getAttribute('data-outcome')).toBe('different');
    expect(await rec.getByTestId('rec-missing').getAttribute('data-value')).toBe('2');
    expect(await rec.getByTestId('rec-extra').getAttribute('data-value')).toBe('1');
    expect(await rec.getByTestId('rec-changed').getAttribute('data-value')).toBe('1');
    expect(await rec.innerText()).toContain('BD-2025-000117');
    await page.getByTestId('tasks-table').scrollIntoViewIfNeeded();
    await shot('22-phuong-an-hop-nhat');
  });

  it('compares two exports in the browser: a missing row is found, a date or spacing written differently is no change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'khien-e2e-doi-soat-'));
    try {
      const source = join(dir, 'hssk-binh-dinh.csv');
      const target = join(dir, 'hssk-gia-lai.csv');
      writeFileSync(source, [
        'ma_ho_so,ho_ten,ngay_sinh',
        'BD-2025-000117,Nguyễn Thị Thuỷ,05/03/1980',
        'BD-2025-000342,Trần Văn Bình,12/11/1975',
        'BD-2025-004512,Lê Thị Cúc,01/01/1990',
        'BD-2025-006001,Rơ Mah Hồng,20/07/2001',
      ].join('\n') + '\n');
      writeFileSync(target, [
        'ma_ho_so,ho_ten,ngay_sinh',
        // Same person: ISO date and extra spaces in the name — equal after normalisation.
        'BD-2025-000117,  Nguyễn  Thị Thuỷ ,1980-03-05',
        'BD-2025-000342,Trần Văn Bình,1975-11-12',
        // BD-2025-004512 was not migrated; BD-2025-006001 has a different birth date.
        'BD-2025-006001,Rơ Mah Hồng,2001-07-21',
      ].join('\n') + '\n');
      const row = page.getByTestId('task-row').filter({ hasText: TASK_TITLE });
      await row.getByTestId('task-attach').click();
      await page.getByTestId('reconciliation-compare').waitFor();
      await page.getByTestId('reconciliation-run').click();
      expect(await page.getByTestId('reconciliation-problem').innerText()).toBe('Cần chọn cả tệp nguồn và tệp đích.');
      await page.getByTestId('reconciliation-source-input').setInputFiles(source);
      await page.getByTestId('reconciliation-target-input').setInputFiles(target);
      expect(await page.getByTestId('reconciliation-source-name').innerText()).toBe('hssk-binh-dinh.csv');
      await page.getByTestId('reconciliation-key').fill('ma_ho_so');
      await page.getByTestId('reconciliation-columns').fill('ho_ten, ngay_sinh');
      await shot('22b-doi-soat-hai-tep');
      await page.getByTestId('reconciliation-run').click();
      const result = page.getByTestId('reconciliation-result');
      await result.waitFor();
      const rec = result.getByTestId('reconciliation');
      expect(await rec.getAttribute('data-outcome')).toBe('different');
      expect(await rec.getByTestId('rec-equal').getAttribute('data-value')).toBe('2');
      expect(await rec.getByTestId('rec-missing').getAttribute('data-value')).toBe('1');
      expect(await rec.getByTestId('rec-extra').getAttribute('data-value')).toBe('0');
      expect(await rec.getByTestId('rec-changed').getAttribute('data-value')).toBe('1');
      expect(await rec.innerText()).toContain('BD-2025-004512');
      expect(await rec.innerText()).toContain('hssk-binh-dinh.csv');
      await shot('22c-ket-qua-doi-soat-hai-tep');
      await page.getByTestId('reconciliation-close').click();
      await page.getByTestId('reconciliation-form').waitFor({ state: 'detached' });
      await expect.poll(() => row.getByTestId('task-rec-count').innerText()).toBe('2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('edits the system: the registration form opens prefilled and the new name is shown', async () => {
    await page.getByTestId('system-edit').click();
    const name = page.getByTestId('system-name');
    await expect.poll(() => name.inputValue()).toBe(SYSTEM_NAME);
    expect(await page.getByTestId('system-code').inputValue()).toBe('E2E-HSSK');
    expect(await page.getByTestId('system-personal-subjects').inputValue()).toBe('150.000');
    await name.fill(EDITED_NAME);
    await page.locator('.mantine-Modal-content').evaluate((el) => el.scrollTo(0, 0));
    await shot('29b-sua-he-thong');
    await page.getByTestId('system-create-submit').click();
    await page.getByTestId('system-create-modal').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe(EDITED_NAME);
    // Deleting asks first; cancelling keeps the system.
    await page.getByTestId('system-delete').click();
    expect(await page.getByTestId('system-delete-modal').innerText()).toContain(`Xoá hệ thống «${EDITED_NAME}» (mã E2E-HSSK) khỏi danh mục?`);
    await shot('29c-xoa-he-thong');
    await page.getByTestId('system-delete-modal').getByRole('button', { name: 'Huỷ' }).click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe(EDITED_NAME);
  });

  it('creates an asset with its software and the system it serves', async () => {
    await page.getByTestId('nav-assets').click();
    await page.getByTestId('asset-row').first().waitFor();
    await page.getByTestId('asset-create').click();
    await page.getByTestId('asset-code').fill('E2E-SYT-APP-01');
    await page.getByTestId('asset-name').fill(ASSET_NAME);
    await pickOption('asset-kind', 'Máy chủ');
    await pickOption('asset-owner-unit', /^Sở Y tế/, 'Sở Y tế');
    await page.getByTestId('asset-hostname').fill('hssk-app-01');
    await page.getByTestId('asset-ips').fill('10.20.1.11, 10.20.1.12');
    await page.getByTestId('asset-os-name').fill('Ubuntu Server');
    await page.getByTestId('asset-os-version').fill('24.04 LTS');
    await page.getByTestId('software-add').click();
    await page.getByTestId('software-vendor').last().fill('PostgreSQL Global Development Group');
    await page.getByTestId('software-product').last().fill('PostgreSQL');
    await page.getByTestId('software-version').last().fill('16.4');
    await page.getByTestId('asset-systems').click();
    await page.getByTestId('asset-systems').fill('E2E-HSSK');
    await page.getByRole('option', { name: /E2E-HSSK/ }).first().click();
    await page.getByTestId('asset-name').click(); // closes the list
    await shot('24b-them-tai-san');
    await page.getByTestId('asset-submit').click();
    await page.getByTestId('asset-form-modal').waitFor({ state: 'detached' });
    const drawer = page.getByTestId('asset-drawer');
    await expect.poll(() => drawer.innerText()).toContain(ASSET_NAME);
    expect(await drawer.getByTestId('asset-software').innerText()).toContain('PostgreSQL');
    expect(await drawer.innerText()).toContain(`E2E-HSSK — ${EDITED_NAME}`);
    expect(await drawer.innerText()).toContain('10.20.1.11, 10.20.1.12');
    await page.keyboard.press('Escape');
  });

  it('shows assets and the merger overview with an unplanned outage', async () => {
    await page.getByTestId('nav-assets').click();
    await page.getByTestId('asset-row').first().waitFor();
    await page.getByTestId('asset-open').first().click();
    await page.getByTestId('asset-reuse-form').waitFor();
    await shot('24-tai-san');
    await page.keyboard.press('Escape');

    await page.getByTestId('nav-merger').click();
    await page.getByTestId('plan-row').first().waitFor();
    // Success toasts sit over the bottom-right of the page; let clicks pass through them.
    await page.addStyleTag({ content: '.mantine-Notifications-root, .mantine-Notifications-root * { pointer-events: none !important; }' });
    await shot('25-hop-nhat-tong-quan');
    // No plan selected: the unplanned stops of the whole province.
    const province = page.getByTestId('province-outages');
    await province.scrollIntoViewIfNeeded();
    expect(await province.innerText()).toContain('Gián đoạn ngoài kế hoạch trên toàn tỉnh');
    await shot('25b-gian-doan-toan-tinh');
    // Compare the former provinces: only plans of systems from the new province.
    await pickOption('plans-origin-filter', 'Tỉnh Gia Lai (mới)');
    await expect.poll(() => page.getByTestId('plan-row').filter({ hasText: SYSTEM_NAME }).count()).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('25c-hop-nhat-loc-nguon-goc');
    await page.getByTestId('plan-row').filter({ hasText: SYSTEM_NAME }).first().click();
    await page.getByTestId('merger-stops').waitFor();
    await page.getByTestId('window-title').fill('Chuyển đổi dữ liệu sang máy chủ Trung tâm dữ liệu tỉnh');
    await page.getByTestId('window-start').fill('05/12/2026 22:00');
    await page.getByTestId('window-end').fill('06/12/2026 04:00');
    await page.getByTestId('window-submit').click();
    await page.getByTestId('window-row').first().waitFor();
    // A stop inside the window is planned; one outside it is flagged.
    await page.getByTestId('outage-start').fill('05/12/2026 23:00');
    await page.getByTestId('outage-end-input').fill('06/12/2026 01:30');
    await page.getByTestId('outage-cause').fill('Chuyển đổi dữ liệu theo kế hoạch');
    await page.getByTestId('outage-submit').click();
    await expect.poll(() => page.getByTestId('outage-row').count()).toBe(1);
    // The form clears itself once the list has the new row: wait for that before typing the next outage.
    await expect.poll(() => page.getByTestId('outage-cause').inputValue()).toBe('');
    await page.getByTestId('outage-start').fill('10/12/2026 09:15');
    await page.getByTestId('outage-end-input').fill('10/12/2026 10:05');
    await page.getByTestId('outage-cause').fill('Mất kết nối cơ sở dữ liệu');
    await page.getByTestId('outage-submit').click();
    await expect.poll(() => page.getByTestId('outage-unplanned').count()).toBe(1);
    expect(await page.locator('[data-testid="outage-row"][data-planned="true"]').count()).toBe(1);
    await page.getByTestId('outages').scrollIntoViewIfNeeded();
    await shot('27-gian-doan-ngoai-ke-hoach');
  });

  it('shows the catalogue in English', async () => {
    await page.getByTestId('nav-systems').click();
    await page.getByTestId('system-row').first().waitFor();
    await page.getByTestId('language-switch').getByText('EN').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Information systems');
    expect(await page.getByTestId('level-nd331').first().innerText()).toMatch(/^Decree 331 · /);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('23-systems-en');
    // The advisor's reasons are worded in English too, with the system's own figures.
    await page.getByText(SYSTEM_NAME).first().click();
    await page.waitForURL(/\/systems\/[^/]+$/);
    await page.getByTestId('level-reason').first().waitFor();
    const reasons = (await page.getByTestId('level-reason').allInnerTexts()).join('\n');
    expect(reasons).toContain('Processes basic personal data of 150,000 data subjects (100,000 or more).');
    expect(reasons).not.toMatch(/dữ liệu cá nhân/);
    await page.getByTestId('nav-systems').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Information systems');
    // Leave the user in Vietnamese for anyone reusing the database.
    await page.getByTestId('language-switch').getByText('VI').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Hệ thống thông tin');
  });
});
