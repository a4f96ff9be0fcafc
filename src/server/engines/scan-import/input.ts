import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DEFAULT_SCAN_LIMITS, type ScanLimits, ScanImportError } from './types.js';

/** Where a report comes from: a file on disk (uploads are spooled to a temp file) or bytes in memory. */
export type ReportSource = { path: string } | { data: Uint8Array };

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * The uncompressed size a gzip member claims in its trailer (ISIZE, RFC 1952 §2.3.1: size mod 2^32). Read
 * before inflating anything, so a small file claiming gigabytes is refused at once.
 */
async function gzipClaim(source: ReportSource): Promise<{ isGzip: boolean; claimed: number; compressed: number }> {
  if ('data' in source) {
    const d = source.data;
    const isGzip = d.length >= 18 && d[0] === GZIP_MAGIC_0 && d[1] === GZIP_MAGIC_1;
    const claimed = isGzip ? Buffer.from(d.buffer, d.byteOffset, d.byteLength).readUInt32LE(d.length - 4) : 0;
    return { isGzip, claimed, compressed: d.length };
  }
  const fh = await open(source.path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    const isGzip = size >= 18 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
    if (!isGzip) return { isGzip, claimed: 0, compressed: size };
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    return { isGzip, claimed: tail.readUInt32LE(0), compressed: size };
  } finally {
    await fh.close();
  }
}

function rawChunks(source: ReportSource): AsyncIterable<Uint8Array> {
  if ('data' in source) {
    const d = source.data;
    return (async function* () {
      for (let i = 0; i < d.length; i += 1 << 16) yield d.subarray(i, Math.min(d.length, i + (1 << 16)));
    })();
  }
  return createReadStream(source.path, { highWaterMark: 1 << 16 });
}

/**
 * The report as UTF-8 text chunks (≈64 KB), gunzipped when it is gzip, with the size and expansion bounds
 * enforced while streaming: memory stays at one chunk whatever the file size. A gzip whose trailer claims more
 * than `maxBytes`, that inflates beyond it, or that expands more than `maxGzipRatio`× is refused.
 */
export async function* reportText(source: ReportSource, limits: ScanLimits = DEFAULT_SCAN_LIMITS): AsyncGenerator<string> {
  const gz = await gzipClaim(source);
  if (gz.isGzip && gz.claimed > limits.maxBytes) {
    throw new ScanImportError('gzip_too_large', `Tệp nén khai báo ${gz.claimed} byte sau giải nén, vượt giới hạn ${limits.maxBytes} byte.`);
  }
  if (!gz.isGzip && gz.compressed > limits.maxBytes) {
    throw new ScanImportError('too_large', `Tệp ${gz.compressed} byte vượt giới hạn ${limits.maxBytes} byte.`);
  }
  let stream: AsyncIterable<Uint8Array> = rawChunks(source);
  let gunzip: ReturnType<typeof createGunzip> | null = null;
  if (gz.isGzip) {
    gunzip = createGunzip();
    stream = Readable.from(stream).pipe(gunzip);
  }
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let total = 0;
  let first = true;
  try {
    for await (const chunk of stream) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) throw new ScanImportError('too_large', `Nội dung vượt giới hạn ${limits.maxBytes} byte sau giải nén.`);
      if (gunzip && total > 16 * 1024 * 1024 && total / Math.max(1, gunzip.bytesWritten) > limits.maxGzipRatio) {
        throw new ScanImportError('gzip_ratio', `Tệp nén giãn hơn ${limits.maxGzipRatio} lần (nghi bom giải nén).`);
      }
      let text = decoder.decode(chunk, { stream: true });
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      if (text) yield text;
    }
  } catch (err) {
    if (err instanceof ScanImportError) throw err;
    throw new ScanImportError('unreadable', `Không đọc được tệp: ${(err as Error).message}`);
  } finally {
    gunzip?.destroy();
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The first `n` characters of a report (after gunzip), for format detection. */
export async function reportHead(source: ReportSource, n = 4096, limits: ScanLimits = DEFAULT_SCAN_LIMITS): Promise<string> {
  let head = '';
  const it = reportText(source, limits);
  try {
    for await (const t of it) {
      head += t;
      if (head.length >= n) break;
    }
  } finally {
    await it.return(undefined);
  }
  return head.slice(0, n);
}
