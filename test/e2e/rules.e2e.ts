import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * Detection rules in a real browser, in Vietnamese: the rules page lists Khiên's own Sigma rules (and SigmaHQ's
 * when the corpus is present) with each rule's author, filters by logsource and level, enables in bulk, and
 * adds a false-positive filter to a rule. Screenshots go to docs/screenshots/ (5x-…).
 */
const NEW_PASSWORD = 'Sông Ba chảy về, 27 cánh đồng lúa!';

let s: E2eSession;
let server: KhienServer;
let page: Page;
const shot = (name: string) => s.shot(name);
const firstLogin = () => s.firstLogin(NEW_PASSWORD);
const pickOption = (testId: string, label: string | RegExp) => s.pickOption(testId, label, { exact: false });

describe('detection rules e2e', () => {
  beforeAll(async () => {
    s = await openSession();
    ({ server, page } = s);
  });

  afterAll(async () => {
    await s?.close();
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
      // the list re-renders when the level filter's query returns: wait until every row shown has that level
      await expect
        .poll(async () => {
          const texts = await page.getByTestId('rule-row').allInnerTexts();
          return texts.length > 0 && texts.every((t) => t.includes('Nghiêm trọng'));
        })
        .toBe(true);
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
