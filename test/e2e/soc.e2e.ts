import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * The SOC analyst's flow in a real browser, in Vietnamese, on the demo province: the alert queue shows the SSH
 * brute force that the demo day's logs raised (through the real pipeline and Khiên's Sigma rules), the analyst
 * opens it, sees the rule's author, the system and the failed logins behind it, and acknowledges it; then
 * searches events. Screenshots: docs/screenshots/6x-*.png.
 */
const NEW_PASSWORD = 'Sông Ba chảy về, 27 cánh đồng lúa!';
const BRUTE_FORCE = 'SSH Brute Force From One Source Address';

let s: E2eSession;
let server: KhienServer;
let page: Page;
const shot = (name: string) => s.shot(name);
const firstLogin = () => s.firstLogin(NEW_PASSWORD);

describe('SOC e2e', () => {
  beforeAll(async () => {
    s = await openSession({ timeoutMs: 20_000 });
    ({ server, page } = s);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('the analyst sees the brute-force alert in the queue', async () => {
    await firstLogin();
    expect(await page.getByTestId('nav-socAlerts').innerText()).toBe('Cảnh báo');
    await page.getByTestId('nav-socAlerts').click();
    await page.waitForURL(`${server.url}/soc/alerts`);
    await page.getByTestId('alert-row').first().waitFor();
    const row = page.getByTestId('alert-row').filter({ hasText: BRUTE_FORCE });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('45.142.120.33');
    expect(await row.innerText()).toContain('Cổng Dịch vụ công tỉnh Gia Lai');
    expect(await row.innerText()).toContain('Khiên contributors');
    await shot('60-soc-alert-queue');
  });

  it('opens the alert with its events, the rule author and MITRE ATT&CK', async () => {
    await page.getByTestId('alert-row').filter({ hasText: BRUTE_FORCE }).getByRole('link').click();
    await page.waitForURL(/\/soc\/alerts\/[0-9a-f-]+$/);
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe(BRUTE_FORCE);
    expect(await page.getByTestId('rule-author').innerText()).toBe('Khiên contributors');
    await expect.poll(() => page.getByTestId('event-row').count()).toBeGreaterThanOrEqual(10);
    const first = await page.getByTestId('event-row').first().innerText();
    expect(first).toContain('45.142.120.33');
    expect(first).toMatch(/Failed password/);
    expect(await page.getByText('MITRE ATT&CK T1110.001').count()).toBe(1);
    await page.getByTestId('event-row').first().click();
    await page.getByText('"source.ip": "45.142.120.33"').first().waitFor();
    await shot('61-soc-alert-events');
  });

  it('acknowledges the alert', async () => {
    await page.getByLabel('Ghi chú (ghi vào nhật ký kiểm toán)').fill('Đã chặn 45.142.120.33 trên tường lửa trung tâm dữ liệu.');
    await page.getByTestId('ack-alert').click();
    await expect.poll(() => page.getByTestId('alert-status').first().innerText()).toBe('Đã tiếp nhận');
    await shot('62-soc-alert-acknowledged');
    await page.goto(`${server.url}/soc/alerts`);
    const row = page.getByTestId('alert-row').filter({ hasText: BRUTE_FORCE });
    await expect.poll(async () => (await row.count()) > 0 && (await row.innerText()).includes('Đã tiếp nhận')).toBe(true);
  });

  it('searches events without diacritics and by field', async () => {
    await page.getByTestId('nav-socEvents').click();
    await page.waitForURL(`${server.url}/soc/events`);
    await page.getByTestId('event-q').fill('failed password 45.142.120.33');
    await expect.poll(async () => (await page.getByTestId('event-row').count()) > 0 && (await page.getByTestId('event-row').first().innerText()).includes('45.142.120.33')).toBe(true);
    await shot('63-soc-event-search');
  });
});
