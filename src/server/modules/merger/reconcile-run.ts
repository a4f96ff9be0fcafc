import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { DatasetSpec } from '../../../contracts/reconcile.js';
import { MAX_UPLOAD_BYTES } from '../../app.js';
import type { Actor } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { AppError, ValidationError } from '../../core/errors.js';
import { reconcile } from '../../engines/reconcile/index.js';
import { attachReconciliation, taskContext } from './merger.service.js';

/** Two exported files and the declared key/columns, as the page sends them. */
export interface ReconcileUpload {
  source: { fileName: string; data: Buffer };
  target: { fileName: string; data: Buffer };
  key: string[];
  columns: string[];
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Read `source` and `target` file parts and the `key` / `columns` fields (comma-separated) of a multipart
 * request. Each file is bounded by MAX_UPLOAD_BYTES.
 */
export async function readReconcileUpload(req: FastifyRequest): Promise<ReconcileUpload> {
  if (!req.isMultipart()) throw new ValidationError('reconcile.no_files', 'Cần gửi hai tệp nguồn và đích (multipart/form-data).');
  const files: Partial<Record<'source' | 'target', { fileName: string; data: Buffer }>> = {};
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts({ limits: { files: 2, fileSize: MAX_UPLOAD_BYTES, fields: 10 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'source' && part.fieldname !== 'target') {
          await part.toBuffer();
          throw new ValidationError('reconcile.bad_part', `Trường tệp không hợp lệ: ${part.fieldname} (cần source và target).`, { field: part.fieldname });
        }
        files[part.fieldname] = { fileName: (part.filename || part.fieldname).replace(/[\\/\r\n]/g, '_').slice(0, 200), data: await part.toBuffer() };
      } else {
        fields[part.fieldname] = String(part.value).slice(0, 2000);
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('import.too_large', 413, `Tệp vượt quá giới hạn ${Math.round(MAX_UPLOAD_BYTES / 1024 / 1024)} MB.`);
    }
    throw err;
  }
  if (!files.source || !files.target) {
    throw new ValidationError('reconcile.no_files', 'Cần cả tệp nguồn (source) và tệp đích (target).', { field: files.source ? 'target' : 'source' });
  }
  const key = list(fields.key);
  if (key.length === 0) throw new ValidationError('reconcile.no_key', 'Cần khai báo cột khoá (key).', { field: 'key' });
  return { source: files.source, target: files.target, key, columns: list(fields.columns) };
}

function kindOf(fileName: string, field: string): 'csv' | 'xlsx' {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new ValidationError('reconcile.file_type', `Tệp ${fileName}: chỉ nhận CSV hoặc XLSX.`, { field });
}

/**
 * Compare two uploaded exports (CSV/XLSX) with the reconcile engine and attach the report to a merger task as
 * evidence. Only files are accepted from the web: comparing live databases needs connection strings, which
 * stay with operators on the command line (`khien reconcile`), not in a browser form.
 */
export async function runUploadedReconciliation(deps: Pick<AppDeps, 'db' | 'clock'>, actor: Actor, taskId: string, upload: ReconcileUpload) {
  await taskContext(deps, actor, taskId); // permission first: no work for someone who may not attach
  const dir = await mkdtemp(join(tmpdir(), 'khien-reconcile-'));
  try {
    const side = async (name: 'source' | 'target'): Promise<DatasetSpec> => {
      const f = upload[name];
      const kind = kindOf(f.fileName, name);
      const path = join(dir, `${name}.${kind}`);
      await writeFile(path, f.data, { mode: 0o600 });
      return { kind, path, key: upload.key, columns: upload.columns, label: f.fileName };
    };
    const report = await reconcile(await side('source'), await side('target'));
    return attachReconciliation(deps, actor, taskId, { sourceDescription: upload.source.fileName, targetDescription: upload.target.fileName, report });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
