import { existsSync } from 'node:fs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';

let ctx: TestContext;
let soc: TestUser;
let other: TestUser;
let caseId: string;
let number: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'UBND-GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  const unit = await insertUnit(ctx, { code: 'STTTT', name: 'Sở Khoa học và Công nghệ', parentId: root.id });
  const b = await insertUnit(ctx, { code: 'SNV', name: 'Sở Nội vụ', parentId: root.id });
  soc = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'soc_analyst', unitId: unit.id }] });
  other = await insertUserWithSession(ctx, { unitId: b.id, grants: [{ role: 'police', unitId: b.id }] });
  const c = (await ctx.app.inject({ method: 'POST', url: '/api/v1/cases', headers: soc.headers, payload: {
    title: 'Mã độc tống tiền trên máy chủ VNPT-iOffice', description: 'Phát hiện phần mở rộng .lockbit trên ổ dữ liệu.', category: 'ransomware', severity: 'critical', unitId: unit.id,
    affected: { systemIds: [], assetIds: [], unitIds: [], people: '312 cán bộ không truy cập được văn bản' },
  } })).json();
  caseId = c.id;
  number = c.number;
  await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/observables`, headers: soc.headers, payload: { type: 'hash', value: 'A'.repeat(64) } });
  await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/classify`, headers: soc.headers, payload: { reportable: true, regime: 'nd331' } });
  await ctx.app.inject({ method: 'PATCH', url: `/api/v1/case-tasks/${c.tasks[0].id}`, headers: soc.headers, payload: { status: 'done' } });
});
afterAll(async () => ctx?.close());

async function docxText(buf: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(buf);
  const xml = await zip.file('word/document.xml')!.async('string');
  return xml.split('</w:p>').map((p) => [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')).join('\n');
}

describe('incident reports', () => {
  it('the initial notice is a DOCX in administrative format, filled from the case, and meets its clock', async () => {
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/reports`, headers: soc.headers, payload: { kind: 'initial_notice' } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'initial_notice', format: 'docx', number: '01/BC-STTTT' });
    const dl = await ctx.app.inject({ method: 'GET', url: `/api/v1/case-reports/${r.json().id}/download`, headers: soc.headers });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-disposition']).toContain(`bao-cao-ban-dau-${number}.docx`);
    const text = await docxText(dl.rawPayload);
    const lines = text.split('\n');
    expect(lines).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(lines).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(lines).toContain('UBND TỈNH GIA LAI');
    expect(lines).toContain('SỞ KHOA HỌC VÀ CÔNG NGHỆ');
    expect(lines).toContain('Số: 01/BC-STTTT');
    expect(text).toMatch(/Gia Lai, ngày \d{2} tháng \d{2} năm \d{4}/);
    expect(lines).toContain('BÁO CÁO BAN ĐẦU');
    expect(text).toContain('Sự cố an toàn thông tin mạng: Mã độc tống tiền trên máy chủ VNPT-iOffice');
    expect(text).toContain(`Mã sự cố: ${number}`);
    expect(text).toContain('Loại sự cố: Mã độc tống tiền');
    expect(text).toContain('Mức độ: Nghiêm trọng');
    expect(text).toContain('312 cán bộ không truy cập được văn bản');
    expect(text).toContain(`hash: ${'a'.repeat(64)}`);
    expect(text).toContain('- Xác minh dấu hiệu mã hoá, ghi nhận thư đòi tiền chuộc và phần mở rộng tệp'); // done step
    expect(text).toContain('Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ Công an');
    expect(lines).toContain('Nơi nhận:');
    expect(lines).toContain('THỦ TRƯỞNG ĐƠN VỊ');
    const page = (await ctx.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}`, headers: soc.headers })).json();
    expect(page.clocks.find((k: { kind: string }) => k.kind === 'initial_notice').state).toBe('met');
    expect(page.reports).toHaveLength(1);
    // Another unit's police officer cannot download it.
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/case-reports/${r.json().id}/download`, headers: other.headers })).statusCode).toBe(403);
  });

  it('the closing report needs the case resolved; numbers follow on', async () => {
    const early = await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/reports`, headers: soc.headers, payload: { kind: 'closing_report' } });
    expect(early.statusCode).toBe(409);
    await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/phase`, headers: soc.headers, payload: { phase: 'post_incident' } });
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/reports`, headers: soc.headers, payload: { kind: 'closing_report' } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().number).toBe('02/BC-STTTT'); // the refused attempt took no number
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))('the same report prints to PDF with Chromium', async () => {
    const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/reports`, headers: soc.headers, payload: { kind: 'initial_notice', format: 'pdf' } });
    expect(r.statusCode, r.body).toBe(201);
    const dl = await ctx.app.inject({ method: 'GET', url: `/api/v1/case-reports/${r.json().id}/download`, headers: soc.headers });
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(dl.rawPayload.length).toBeGreaterThan(10_000);
  }, 60_000);
});
