import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * The SOC analyst's flow in a real browser, in Vietnamese, on the demo province: the alert queue shows the SSH
 * brute force that the demo day's logs raised (through the real pipeline and Khiên's Sigma rules), the analyst
 * opens it, sees the rule's author, the system and the failed logins behind it, and acknowledges it; then
 * searches events. On the sources page: the ingest's mode (single process here; a scale-out status as an ingest with
 * NATS reports it), and a source declared to carry access logs (create and edit). Screenshots:
 * docs/screenshots/6x-*.png.
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

  it('the sources page shows the ingest in single-process mode (no KHIEN_NATS_URL)', async () => {
    await page.getByTestId('nav-socSources').click();
    await page.waitForURL(`${server.url}/soc/sources`);
    await expect.poll(() => page.getByTestId('ingest-mode').innerText()).toBe('Chế độ một tiến trình');
    expect(await page.getByTestId('ingest-mode-help').innerText()).toContain('Chưa cấu hình KHIEN_NATS_URL');
    expect(await page.getByTestId('scaleout-workers').count()).toBe(0);
    await expect.poll(() => page.getByTestId('source-row').count()).toBeGreaterThanOrEqual(5);
    await shot('64-soc-sources-single-process');
  });

  it('declares a source as carrying access logs: the switch needs a system, on create and on edit', async () => {
    const NAME = 'Syslog một cửa cấp xã';
    await page.getByTestId('source-create').click();
    await page.getByTestId('source-name').fill(NAME);
    await s.pickOption('source-unit', 'UBND tỉnh Gia Lai');
    // Without a system the switch is off and disabled, and says why.
    expect(await page.getByTestId('source-access-log').isDisabled()).toBe(true);
    await page.getByText('Chọn hệ thống trước: bản ghi truy cập luôn thuộc hệ thống của nguồn.').waitFor();
    await s.pickOption('source-system', /^GL-IGATE-MCX — /, { typed: 'GL-IGATE-MCX' });
    await page.getByTestId('source-hosts').fill('motcua-xa01');
    await page.getByTestId('source-hosts').press('Enter');
    expect(await page.getByTestId('source-access-log').isDisabled()).toBe(false);
    await page.getByText(/Bật khi hệ thống gửi bản ghi đăng nhập, tra cứu qua syslog/).waitFor();
    await shot('65-soc-source-form-access-log');
    await page.getByTestId('source-save').click();
    const row = page.getByTestId('source-row').filter({ hasText: NAME });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Phân hệ một cửa điện tử cấp xã');
    expect(await row.getByTestId('source-access-log-badge').count()).toBe(0);

    // Edit: declare it as carrying access logs.
    await row.getByTestId('source-edit').click();
    await page.getByTestId('source-name').waitFor();
    expect(await page.getByTestId('source-access-log').isChecked()).toBe(false);
    await page.getByTestId('source-access-log').check();
    await page.getByTestId('source-save').click();
    await expect.poll(() => row.getByTestId('source-access-log-badge').count()).toBe(1);
    expect(await row.getByTestId('source-access-log-badge').innerText()).toBe('Nhật ký truy cập');
    // Reopened, the form shows the declaration; the API agrees.
    await row.getByTestId('source-edit').click();
    expect(await page.getByTestId('source-access-log').isChecked()).toBe(true);
    await page.keyboard.press('Escape');
    await row.scrollIntoViewIfNeeded();
    const listed = await page.evaluate(async () => (await (await fetch('/api/v1/soc/sources')).json()) as { items: { name: string; accessLog: boolean; hosts: string[] }[] });
    expect(listed.items.find((x) => x.name === NAME)).toMatchObject({ accessLog: true, hosts: ['motcua-xa01'] });
    await shot('66-soc-sources-access-log');
  });

  it('shows the scale-out status (stream, lag, workers, an unowned partition) as the ingest reports it', async () => {
    // The browser renders what GET /soc/metrics returns on an ingest with NATS; that API itself is tested against a
    // real NATS server with real ingest and worker processes (src/server/modules/soc/scale-out.test.ts). This spec's
    // server runs without NATS, so the response is substituted here.
    const real = await page.evaluate(async () => (await fetch('/api/v1/soc/metrics')).json());
    const now = new Date().toISOString();
    const worker = (n: number, partitions: number[]) => ({
      id: `detect-0${n}-4242${n}-a1b2c${n}`, host: `detect-0${n}`, at: now, partitions, processed: 120_000 * n, stored: 118_500 * n, duplicates: 12, correlations: 40,
      redelivered: n === 1 ? 350 : 0, replayed: 0, takeovers: n === 1 ? 2 : 0, fenced: 0,
    });
    await page.route('**/api/v1/soc/metrics', (route) => route.fulfill({
      json: {
        ...real, mode: 'scale_out', published: 240_000,
        scaleOut: {
          stream: 'KHIEN_SOC_EVENTS', partitions: 8, lag: 1_250, redelivered: 350, unowned: 1,
          partitionOwners: [0, 1, 2, 3, 4, 5, 6, 7].map((p) => ({ partition: p, owner: p === 7 ? null : worker(p < 4 ? 1 : 2, []).id, lag: p === 7 ? 1_200 : p === 2 ? 50 : 0 })),
          workers: [worker(1, [0, 1, 2, 3]), worker(2, [4, 5, 6])],
        },
      },
    }));
    await page.reload();
    await expect.poll(() => page.getByTestId('ingest-mode').innerText()).toBe('Chế độ mở rộng (NATS JetStream)');
    expect(await page.getByTestId('scaleout-stream').innerText()).toBe('KHIEN_SOC_EVENTS');
    expect(await page.getByTestId('scaleout-lag').innerText()).toMatch(/^1[.,]250$/);
    expect(await page.getByTestId('scaleout-worker-row').count()).toBe(2);
    expect(await page.getByTestId('scaleout-unowned-warning').innerText()).toContain('1 phân vùng chưa có worker nhận');
    expect(await page.getByTestId('scaleout-partitions').innerText()).toContain('P7 · chưa có · chờ 1.200');
    await shot('67-soc-sources-scale-out');
    await page.unroute('**/api/v1/soc/metrics');
  });
});
