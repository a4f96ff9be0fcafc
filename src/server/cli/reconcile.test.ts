import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport, readSpecFile, runReconcile } from './reconcile.js';

const dir = mkdtempSync(join(tmpdir(), 'khien-reconcile-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('khien reconcile', () => {
  it('compares two exports from a spec file and reports the missing and changed rows', async () => {
    writeFileSync(join(dir, 'nguon.csv'), 'ma_ho_so,ho_ten,ngay_nop\nHS-001,Nguyễn Văn An,2025-06-30\nHS-002,Trần Thị Bình,2025-06-29\nHS-003,Lê Văn Cường,2025-06-28\n');
    writeFileSync(join(dir, 'dich.csv'), 'ma_ho_so,ho_ten,ngay_nop\nHS-001,  Nguyễn   Văn An ,30/06/2025\nHS-002,Trần Thị Bính,2025-06-29\n');
    const spec = join(dir, 'spec.json');
    const side = (file: string) => ({ kind: 'csv', path: join(dir, file), key: ['ma_ho_so'], columns: ['ho_ten', 'ngay_nop'] });
    writeFileSync(spec, JSON.stringify({ source: side('nguon.csv'), target: side('dich.csv') }));
    const report = await runReconcile(spec);
    expect(report.counts).toEqual({ equal: 1, missing: 1, extra: 0, changed: 1 });
    const text = formatReport(report);
    expect(text).toContain('CÓ KHÁC BIỆT');
    expect(text).toContain('ma_ho_so=HS-003');
    expect(text).toContain('ho_ten "Trần Thị Bình" → "Trần Thị Bính"');
  });

  it('names the spec file and the field that is wrong', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ source: { kind: 'oracle', key: ['id'], columns: [] }, target: {} }));
    expect(() => readSpecFile(bad)).toThrow(/bad\.json: source\.kind/);
  });
});
