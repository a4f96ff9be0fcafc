import type { FastifyRequest } from 'fastify';
import { MAX_UPLOAD_BYTES } from '../../app.js';
import { AppError, ValidationError } from '../../core/errors.js';

/** An uploaded file as the services see it: a name for messages and the bytes (bounded by MAX_UPLOAD_BYTES). */
export interface Upload {
  fileName: string;
  data: Buffer;
}

/** Read the single file part of a multipart request (the size limit is enforced by @fastify/multipart). */
export async function readUpload(req: FastifyRequest): Promise<Upload> {
  if (!req.isMultipart()) throw new ValidationError('import.no_file', 'Cần gửi tệp CSV hoặc XLSX (multipart/form-data).');
  const part = await req.file();
  if (!part) throw new ValidationError('import.no_file', 'Cần gửi tệp CSV hoặc XLSX (multipart/form-data).');
  const fileName = (part.filename || 'tep-tai-len').replace(/[\\/\r\n]/g, '_').slice(0, 200);
  let data: Buffer;
  try {
    data = await part.toBuffer();
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('import.too_large', 413, `Tệp ${fileName} vượt quá giới hạn ${Math.round(MAX_UPLOAD_BYTES / 1024 / 1024)} MB.`, { details: { file: fileName, maxBytes: MAX_UPLOAD_BYTES } });
    }
    throw err;
  }
  return { fileName, data };
}
