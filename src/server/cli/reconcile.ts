import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DatasetSpecSchema, type ReconcileReport } from '../../contracts/reconcile.js';
import { reconcile } from '../engines/reconcile/index.js';

/** The file `khien reconcile --spec` reads: both sides of the comparison. */
export const ReconcileSpecFileSchema = z.object({
  source: DatasetSpecSchema,
  target: DatasetSpecSchema,
  sampleSize: z.number().int().min(0).max(1000).optional(),
  decimalComma: z.boolean().optional(),
});

/** Parse the spec file, naming the file and the field on error. */
export function readSpecFile(path: string): z.infer<typeof ReconcileSpecFileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: không đọc được tệp JSON (${(err as Error).message})`);
  }
  const parsed = ReconcileSpecFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Run a comparison from a spec file, printing progress to stderr. */
export async function runReconcile(specPath: string, signal?: AbortSignal): Promise<ReconcileReport> {
  const spec = readSpecFile(specPath);
  return reconcile(spec.source, spec.target, {
    ...(spec.sampleSize !== undefined ? { sampleSize: spec.sampleSize } : {}),
    ...(spec.decimalComma !== undefined ? { normalise: { decimalComma: spec.decimalComma } } : {}),
    ...(signal ? { signal } : {}),
  });
}

/** A short Vietnamese summary of a report for the terminal. */
export function formatReport(r: ReconcileReport): string {
  const lines = [
    `Đối soát: ${r.source.label} → ${r.target.label} (${r.mode === 'range-hash' ? 'so khớp theo dải khoá trong CSDL' : 'so từng dòng'})`,
    `Kết quả: ${r.outcome === 'equal' ? 'KHỚP — không mất, không thừa, không sai khác' : 'CÓ KHÁC BIỆT'}`,
    `  Khớp: ${r.counts.equal}   Thiếu ở đích: ${r.counts.missing}   Thừa ở đích: ${r.counts.extra}   Khác nội dung: ${r.counts.changed}`,
    `  Dòng đã đọc: nguồn ${r.source.rowsRead}, đích ${r.target.rowsRead}`,
  ];
  const key = (k: Record<string, string | null>) => Object.entries(k).map(([c, v]) => `${c}=${v}`).join(', ');
  if (r.samples.missing.length) lines.push(`  Ví dụ thiếu: ${r.samples.missing.slice(0, 5).map(key).join(' | ')}`);
  if (r.samples.extra.length) lines.push(`  Ví dụ thừa: ${r.samples.extra.slice(0, 5).map(key).join(' | ')}`);
  for (const c of r.samples.changed.slice(0, 5)) {
    lines.push(`  Khác: ${key(c.key)}: ${c.columns.map((d) => `${d.column} "${d.source}" → "${d.target}"`).join('; ')}`);
  }
  return lines.join('\n');
}
