import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';

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
  const data = await part.toBuffer();
  const fileName = (part.filename || 'tep-tai-len').replace(/[\\/\r\n]/g, '_').slice(0, 200);
  return { fileName, data };
}
