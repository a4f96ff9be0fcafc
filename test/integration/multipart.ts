import { randomBytes } from 'node:crypto';

/** A multipart/form-data body with one file part, for app.inject. */
export function multipartFile(fileName: string, data: Buffer | string, contentType = 'text/csv'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----khien${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
