import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/server/modules/audit/verify.service.js';
import { DEMO_CITIZEN_ID } from '../../src/server/modules/demo/demo-access-log.js';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * The auditor's flow over the look-up log of the demo (two former provinces' one-stop systems, four weeks):
 * search a citizen's look-ups by the CCCD, open one entry's inclusion proof (verified by the server and again
 * in the browser with WebCrypto), read the alerts the analytics raised, verify the whole log and export the
 * bundle for inspectors — which is then verified offline with no database. Screenshots: docs/screenshots/4x-*.png.
 */
const NEW_PASSWORD = 'Kiểm toán viên tra cứu dân cư, năm 2026!';

let s: E2eSession;
let server: KhienServer;
let page: Page;
const shot = (name: string) => s.shot(name);
const firstLogin = () => s.firstLogin(NEW_PASSWORD);
const tmp = mkdtempSync(join(tmpdir(), 'khien-e2e-audit-'));

describe('audit and look-up monitoring e2e', () => {
  beforeAll(async () => {
    s = await openSession({ acceptDownloads: true });
    ({ server, page } = s);
  });

  afterAll(async () => {
    await s?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('searches every look-up of a citizen by the CCCD typed in, and shows who made them', async () => {
    await firstLogin();
    await page.getByTestId('nav-accessLog').click();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Giám sát tra cứu Cơ sở dữ liệu quốc gia về dân cư');
    await page.getByTestId('search-citizen').fill(DEMO_CITIZEN_ID);
    await page.getByTestId('search-submit').click();
    await page.getByTestId('access-row').first().waitFor();
    // Three officials with dossier numbers, and the retired official's account without one.
    await expect.poll(async () => page.getByTestId('access-row').count()).toBe(4);
    expect(await page.getByTestId('search-total').innerText()).toBe('Tìm thấy 4 bản ghi');
    const rows = await page.getByTestId('access-row').allInnerTexts();
    expect(rows.every((r) => r.includes('052******345'))).toBe(true);
    expect(rows.some((r) => r.includes('nghihuu.bd'))).toBe(true);
    expect(await page.getByTestId('access-table').innerText()).not.toContain(DEMO_CITIZEN_ID);
    await shot('40-tra-cuu-cong-dan');
  });

  it('pages through the platform audit trail', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().waitFor();
    const pager = page.getByTestId('list-pager');
    const text = () => pager.getByTestId('list-pager-text').innerText();
    expect(await text()).toMatch(/^Trang 1\/\d+$/);
    const firstRow = await page.getByTestId('audit-row').first().innerText();
    await pager.getByRole('button', { name: '2', exact: true }).click();
    await expect.poll(text).toMatch(/^Trang 2\/\d+$/);
    await expect.poll(async () => page.getByTestId('audit-row').first().innerText()).not.toBe(firstRow);
    await page.getByTestId('nav-accessLog').click();
    await page.getByTestId('search-citizen').fill(DEMO_CITIZEN_ID);
    await page.getByTestId('search-submit').click();
    await page.getByTestId('access-row').first().waitFor();
  });

  it('opens an entry\'s inclusion proof, verified by the server and recomputed in the browser', async () => {
    // The sequencer and the checkpoint job run every few seconds after start: wait until the proof is available.
    const row = page.getByTestId('access-row').filter({ hasText: 'nghihuu.bd' });
    await expect.poll(async () => row.getByTestId('open-proof').isEnabled(), { timeout: 60_000 }).toBe(true);
    await row.getByTestId('open-proof').click();
    await page.getByTestId('proof-drawer').waitFor();
    await expect.poll(async () => page.getByTestId('proof-browser').innerText(), { timeout: 30_000 }).toBe('Trình duyệt tự kiểm tra: đã xác minh');
    expect(await page.getByTestId('proof-server').innerText()).toBe('Máy chủ: hợp lệ');
    expect(await page.getByTestId('proof-path').locator('tbody tr').count()).toBeGreaterThan(5);
    expect(await page.getByTestId('proof-drawer').innerText()).toContain('"t":"access_log"');
    await shot('41-bang-chung-merkle');
    await page.keyboard.press('Escape');
  });

  it('shows the official\'s activity and the alerts the analytics raised, with readable reasons', async () => {
    await page.getByTestId('access-row').filter({ hasText: 'nghihuu.bd' }).locator('a').first().click();
    await page.getByTestId('person-activity').waitFor();
    expect(await page.getByTestId('person-activity').innerText()).toContain('Hệ thống thông tin một cửa điện tử tỉnh Bình Định');
    await page.getByTestId('tab-alerts').click();
    await page.getByTestId('alert-row').first().waitFor();
    const text = await page.getByTestId('alerts-list').innerText();
    expect(text).toMatch(/đã nghỉ hưu từ \d{2}\/\d{2}\/\d{4}\) vẫn tra cứu/);
    expect(text).toContain('ngoài giờ làm việc');
    await shot('42-canh-bao-tra-cuu');
    // Escalating a new alert moves it out of the list of new alerts, into the escalated ones.
    const retiredAlerts = () => page.getByTestId('alert-row').filter({ hasText: 'đã nghỉ hưu' }).count();
    const before = await retiredAlerts();
    await page.getByTestId('alert-row').filter({ hasText: 'đã nghỉ hưu' }).first().getByRole('button', { name: 'Chuyển xử lý' }).click();
    await expect.poll(retiredAlerts).toBe(before - 1);
  });

  it('verifies the whole log and exports a bundle that verifies offline with no database', async () => {
    await page.getByTestId('tab-integrity').click();
    await page.getByTestId('verify-log').click();
    await page.getByTestId('verify-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('verify-result').innerText()).toContain('Nhật ký toàn vẹn');
    await shot('43-toan-ven-nhat-ky');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-bundle').click()]);
    expect(download.suggestedFilename()).toMatch(/^khien-audit-bundle-[\d-]+\.jsonl$/);
    const file = join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    const report = await verifyBundle(file);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.treeSize).toBeGreaterThan(10_000);
  });

  it('names an entry edited in the database file, with its position and a Vietnamese label', async () => {
    // Someone with write access to the database rewrites who made a sequenced audit entry (on SQLite the entry is
    // its stored encoding; the column shown is generated from it).
    const raw = new SQLite(server.dbFile);
    raw.pragma('busy_timeout = 5000');
    const target = raw.prepare("select e.seq, e.doc, l.leaf_index from audit_events e join audit_log_leaves l on l.source = 'audit_event' and l.source_seq = e.seq order by e.seq limit 1").get() as { seq: number; doc: string; leaf_index: number };
    raw.prepare("update audit_events set doc = json_set(doc, '$.actor_label', 'nguoi.khac') where seq = ?").run(target.seq);
    try {
      await page.getByTestId('verify-log').click();
      await expect.poll(async () => page.getByTestId('verify-finding').count(), { timeout: 120_000 }).toBe(1);
      const text = await page.getByTestId('verify-result').innerText();
      expect(text).toContain('Phát hiện 1 sai lệch');
      expect(text).toContain('Bản ghi bị sửa');
      expect(text).toContain(`leaf ${target.leaf_index}, seq ${target.seq}`);
      await shot('44-nhat-ky-bi-sua');
    } finally {
      raw.prepare('update audit_events set doc = ? where seq = ?').run(target.doc, target.seq);
      raw.close();
    }
    await page.getByTestId('verify-log').click();
    await expect.poll(async () => page.getByTestId('verify-finding').count(), { timeout: 120_000 }).toBe(0);
    await expect.poll(async () => page.getByTestId('verify-result').innerText()).toContain('Nhật ký toàn vẹn');
  });
});
