import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type E2eSession, type KhienServer } from './harness.js';

/**
 * Vulnerability management in a real browser, in Vietnamese: the demo's findings list, upload a Nessus report
 * naming a demo server (GL-TTDL-WEB01, 10.20.9.11, which serves the commune websites) and an unknown host, see
 * the finding on the right systems with its KEV flag, accept the risk; then the remediation dashboard and the
 * malware-scan coverage. Screenshots go to docs/screenshots/ (7x-…).
 */
const NEW_PASSWORD = 'Sông Ba chảy về, 27 cánh đồng lúa!';
const TITLE = 'Apache Log4j < 2.15.0 RCE (Log4Shell) – E2E';

let s: E2eSession;
let server: KhienServer;
let page: Page;
const shot = (name: string) => s.shot(name, 600);
const firstLogin = () => s.firstLogin(NEW_PASSWORD);
let dir = '';

function nessusReport(): string {
  const item = `<ReportItem port="8080" svc_name="www" protocol="tcp" severity="4" pluginID="156860" pluginName="${TITLE.replace('<', '&lt;')}" pluginFamily="Web Servers">` +
    '<synopsis>Máy chủ dùng Log4j có lỗ hổng thực thi mã từ xa.</synopsis><description>Chuỗi ${jndi:ldap://…} trong dữ liệu được ghi nhật ký dẫn tới thực thi mã.</description>' +
    '<solution>Nâng cấp Apache Log4j lên 2.17.1.</solution><cve>CVE-2021-44228</cve><cvss3_vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H</cvss3_vector><cvss3_base_score>10.0</cvss3_base_score>' +
    '<plugin_output>log4j-core-2.14.1.jar</plugin_output></ReportItem>';
  return `<?xml version="1.0" ?>\n<NessusClientData_v2><Report name="E2E">` +
    `<ReportHost name="10.20.9.11"><HostProperties><tag name="host-ip">10.20.9.11</tag><tag name="host-fqdn">gl-web01.gialai.gov.vn</tag></HostProperties>${item}</ReportHost>` +
    `<ReportHost name="10.20.8.250"><HostProperties><tag name="host-ip">10.20.8.250</tag><tag name="host-fqdn">may-la-e2e.local</tag></HostProperties>${item}</ReportHost>` +
    '</Report></NessusClientData_v2>\n';
}

describe('vulnerability management e2e', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'khien-e2e-vuln-'));
    s = await openSession({ timeoutMs: 45_000 });
    ({ server, page } = s);
  });

  afterAll(async () => {
    // On failure, the last page state helps more than the timeout message.
    await page?.screenshot({ path: join(tmpdir(), 'khien-vuln-e2e-last.png') }).catch(() => undefined);
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the demo findings, KEV first', async () => {
    await firstLogin();
    expect(await page.getByTestId('nav-vulns').innerText()).toBe('Lỗ hổng');
    await page.getByTestId('nav-vulns').click();
    await page.getByTestId('vuln-row').first().waitFor();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe('Lỗ hổng');
    await expect.poll(() => page.getByTestId('vuln-kev').count()).toBeGreaterThan(0);
    await shot('70-lo-hong-danh-sach');
  });

  it('uploads a Nessus report and shows the finding on the right systems', async () => {
    await page.getByTestId('vuln-go-upload').click();
    const file = join(dir, 'quet-e2e.nessus');
    writeFileSync(file, nessusReport());
    await page.getByTestId('vuln-upload-file').click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('vuln-upload-file').click();
    await (await chooser).setFiles(file);
    const unit = page.getByTestId('vuln-upload-unit');
    await unit.click();
    await unit.fill('chuyển đổi số');
    await page.getByRole('option').first().click();
    await page.getByTestId('vuln-upload-submit').click();
    const result = page.getByTestId('vuln-upload-result');
    await result.waitFor();
    expect(await result.innerText()).toContain('1 máy chưa khớp tài sản');
    await expect.poll(() => page.getByTestId('vuln-unmatched').innerText()).toContain('may-la-e2e.local');
    await shot('71-nhap-bao-cao-quet');

    await page.goto(`${server.url}/vulns`);
    await page.getByTestId('vuln-search').fill('E2E');
    await expect.poll(() => page.getByTestId('vuln-row').count()).toBe(2);
    const matched = page.getByTestId('vuln-row').filter({ hasText: 'gl-web01' });
    expect(await matched.getByTestId('vuln-systems').innerText()).toMatch(/Trang thông tin điện tử/);
    expect(await matched.getByTestId('vuln-kev').count()).toBe(1);
  });

  it('accepts the risk with an approver, a reason and an expiry', async () => {
    await page.getByTestId('vuln-row').filter({ hasText: 'gl-web01' }).getByTestId('vuln-open').click();
    await page.getByTestId('finding-facts').waitFor();
    await expect.poll(() => page.getByTestId('page-title').innerText()).toBe(TITLE);
    expect(await page.getByTestId('finding-systems').innerText()).toMatch(/Trang thông tin điện tử/);
    await page.getByTestId('finding-accept').click();
    await page.getByTestId('accept-approver').fill('Giám đốc Trung tâm Chuyển đổi số');
    await page.getByTestId('decision-reason').fill('Máy chủ chỉ mở trong mạng nội bộ sau tường lửa ứng dụng; nâng cấp Log4j theo kế hoạch tuần tới.');
    const expires = new Date(Date.now() + 14 * 86400_000);
    await page.getByTestId('accept-expires').fill(`${String(expires.getDate()).padStart(2, '0')}/${String(expires.getMonth() + 1).padStart(2, '0')}/${expires.getFullYear()}`);
    await page.getByTestId('decision-submit').click();
    await page.getByTestId('finding-decision').waitFor();
    expect(await page.getByTestId('finding-decision').innerText()).toContain('Giám đốc Trung tâm Chuyển đổi số');
    await expect.poll(() => page.getByTestId('finding-history').innerText()).toContain('Chấp nhận rủi ro');
    await shot('72-chap-nhan-rui-ro');
  });

  it('shows the remediation dashboard and the malware-scan coverage', async () => {
    await page.getByTestId('nav-vulnDashboard').click();
    await page.getByTestId('chart-burn').locator('svg').first().waitFor();
    await expect.poll(() => page.getByTestId('dash-units').locator('tbody tr').count()).toBeGreaterThan(0);
    await shot('73-bang-dieu-khien-khac-phuc');
    await page.getByTestId('nav-malwareCoverage').click();
    await page.getByTestId('cov-assets').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('cov-phases').innerText()).toContain('Trước hợp nhất');
    await shot('74-do-phu-quet-ma-doc');
  });
});
