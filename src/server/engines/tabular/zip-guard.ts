import { inflateRawSync } from 'node:zlib';

/**
 * A small, pure reader of a ZIP central directory (APPNOTE.TXT §4.3.12–4.3.16). It reads only the directory,
 * never inflates anything, so the declared uncompressed sizes of an XLSX can be checked before a parser
 * expands them: a zip bomb (a few KB that inflate to GBs) is refused up front.
 */

export interface ZipEntryInfo {
  name: string;
  /** 0 = stored, 8 = deflate; anything else is refused by the size check. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export class ZipGuardError extends Error {
  constructor(
    readonly reason: 'not_zip' | 'zip64' | 'too_many_entries' | 'too_large' | 'ratio' | 'corrupt',
    message: string,
  ) {
    super(message);
    this.name = 'ZipGuardError';
  }
}

export interface ZipLimits {
  maxEntries: number;
  maxTotalUncompressed: number;
  /** Largest allowed uncompressed/compressed ratio of one entry (XML compresses ~10–30×; bombs ~1000×). */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 2000, maxTotalUncompressed: 150 * 1024 * 1024, maxRatio: 200 };

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;

/** True when the buffer starts with a local file header (`PK\x03\x04`). */
export function looksLikeZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

/** List the entries of the central directory. Throws ZipGuardError on a malformed or ZIP64 archive. */
export function readZipDirectory(input: Uint8Array): ZipEntryInfo[] {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (!looksLikeZip(buf) || buf.length < 22) throw new ZipGuardError('not_zip', 'not a ZIP archive');
  // The end-of-central-directory record is in the last 22 + 65535 (max comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipGuardError('corrupt', 'end of central directory not found');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipGuardError('zip64', 'ZIP64 archives are not accepted');
  }
  if (cdOffset + cdSize > buf.length) throw new ZipGuardError('corrupt', 'central directory outside the file');
  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CDH_SIG) throw new ZipGuardError('corrupt', 'bad central directory header');
    const compressedSize = buf.readUInt32LE(p + 20);
    const uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const method = buf.readUInt16LE(p + 10);
    const localHeaderOffset = buf.readUInt32LE(p + 42);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff) throw new ZipGuardError('zip64', 'ZIP64 entries are not accepted');
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Refuse an archive whose expansion exceeds the limits. The declared sizes are checked first; then every
 * entry is inflated once with Node's `maxOutputLength` set to its declared size, so an entry that lies about
 * its size (declares 1 KB, inflates to 10 GB) is stopped as soon as it exceeds what it declared.
 */
export function assertZipWithinLimits(input: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntryInfo[] {
  const entries = readZipDirectory(input);
  if (entries.length > limits.maxEntries) throw new ZipGuardError('too_many_entries', `${entries.length} entries`);
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.uncompressedSize > 1024 * 1024 && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxRatio) {
      throw new ZipGuardError('ratio', `entry ${e.name} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}×`);
    }
  }
  if (total > limits.maxTotalUncompressed) throw new ZipGuardError('too_large', `${total} bytes uncompressed`);
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  for (const e of entries) verifyEntrySize(buf, e);
  return entries;
}

/** Inflate one entry with its declared size as a hard output cap; throw if it would exceed it. */
function verifyEntrySize(buf: Buffer, e: ZipEntryInfo): void {
  const h = e.localHeaderOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== 0x04034b50) throw new ZipGuardError('corrupt', `bad local header for ${e.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (data.length !== e.compressedSize) throw new ZipGuardError('corrupt', `truncated entry ${e.name}`);
  if (e.method === 0) {
    if (e.compressedSize !== e.uncompressedSize) throw new ZipGuardError('corrupt', `stored entry ${e.name} size mismatch`);
    return;
  }
  if (e.method !== 8) throw new ZipGuardError('corrupt', `unsupported compression method ${e.method} for ${e.name}`);
  let out: Buffer;
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, e.uncompressedSize) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new ZipGuardError('too_large', `entry ${e.name} inflates beyond its declared ${e.uncompressedSize} bytes`);
    }
    throw new ZipGuardError('corrupt', `entry ${e.name}: ${(err as Error).message}`);
  }
  if (out.length !== e.uncompressedSize) throw new ZipGuardError('corrupt', `entry ${e.name} size mismatch`);
}
