import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { open as openAsync, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The durable spool: an append-only file of received records, written with fsync in batches (group commit).
 * A sender is acknowledged only once its records are in the spool after fsync (TCP/TLS: the socket is read
 * further only then; HTTP: the 200 is sent only then), so a crash — kill -9 included — never loses an
 * acknowledged record. The pipeline reads records in order and commits the spool position with the events it
 * stored (same database transaction); after a restart it resumes from that position, and a record stored twice
 * (stored, then crashed before the position was committed elsewhere) meets its first copy by event id.
 *
 * Format of a segment `NNNNNNNN.spool`: repeated [u32 length][u32 crc32][JSON record]. A torn tail (crash
 * mid-write, never acknowledged) fails its length or CRC and is cut off at recovery.
 */
export interface SpoolRecord {
  /** Event id assigned at reception (kept through replay, so duplicates are recognised). */
  id: string;
  /** Reception time, ms since epoch. */
  t: number;
  /** syslog | text | json */
  k: 'syslog' | 'text' | 'json';
  /** Source id when known at reception (HTTP key, file import), else null (mapped by host later). */
  s: string | null;
  /** Peer address. */
  p: string | null;
  /** Transport: udp | tcp | tls | http | file. */
  x: string;
  /** The raw message. */
  d: string;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpooledRecord {
  rec: SpoolRecord;
  /** Position just after this record. */
  pos: SpoolPosition;
}

const HEADER = 8;
const SEGMENT_BYTES = 64 * 1024 * 1024;

function segName(n: number): string {
  return `${String(n).padStart(8, '0')}.spool`;
}

export class Spool {
  private fh: FileHandle | null = null;
  private segment = 1;
  private size = 0;
  /** encoded appends not yet written, and the size in bytes of each record in them, in order */
  private pending: Buffer[] = [];
  private pendingSizes: number[] = [];
  private pendingRecords: SpoolRecord[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing = false;
  private closed = false;
  /** Called with every record once it is durable, in order, with its position. */
  onDurable: (records: SpooledRecord[]) => void = () => undefined;
  readonly stats = { spooled: 0, flushes: 0, bytes: 0 };

  constructor(readonly dir: string) {}

  /** Open the newest segment for appending (cutting off a torn tail). Returns the durable end position. */
  async open(): Promise<SpoolPosition> {
    mkdirSync(this.dir, { recursive: true });
    const segs = this.segments();
    this.segment = segs.length > 0 ? segs[segs.length - 1]! : 1;
    const path = join(this.dir, segName(this.segment));
    const valid = existsSync(path) ? scanValidLength(path) : 0;
    this.fh = await openAsync(path, existsSync(path) ? 'r+' : 'w+');
    await this.fh.truncate(valid);
    await this.fh.sync();
    this.size = valid;
    return { segment: this.segment, offset: valid };
  }

  /** Segment numbers present, ascending. */
  segments(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => /^\d{8}\.spool$/.test(f))
      .map((f) => Number(f.slice(0, 8)))
      .sort((a, b) => a - b);
  }

  /**
   * Append records; resolves once they are fsynced. Concurrent appends share one write + fsync (group commit),
   * so the cost of durability is paid per batch, not per record.
   */
  append(records: SpoolRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool closed'));
    if (records.length === 0) return Promise.resolve();
    // One buffer per append (every record's header and JSON written into it), not two per record.
    const texts = new Array<string>(records.length);
    let bound = 0;
    for (let i = 0; i < records.length; i++) {
      const t = JSON.stringify(records[i]);
      texts[i] = t;
      bound += HEADER + 3 * t.length; // UTF-8 needs at most 3 bytes per UTF-16 unit
    }
    const buf = Buffer.allocUnsafe(bound);
    let off = 0;
    for (let i = 0; i < texts.length; i++) {
      const len = buf.write(texts[i]!, off + HEADER, 'utf8');
      buf.writeUInt32LE(len, off);
      buf.writeUInt32LE(crc32(buf.subarray(off + HEADER, off + HEADER + len)), off + 4);
      off += HEADER + len;
      this.pendingSizes.push(HEADER + len);
      this.pendingRecords.push(records[i]!);
    }
    this.pending.push(buf.subarray(0, off));
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
    return p;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const bufs = this.pending;
      const sizes = this.pendingSizes;
      const records = this.pendingRecords;
      const waiters = this.waiters;
      this.pending = [];
      this.pendingSizes = [];
      this.pendingRecords = [];
      this.waiters = [];
      try {
        if (this.size >= SEGMENT_BYTES) await this.rotate();
        const fh = this.fh!;
        const data = bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
        await fh.write(data, 0, data.length, this.size);
        await fh.datasync();
        const out: SpooledRecord[] = [];
        let off = this.size;
        for (let i = 0; i < records.length; i++) {
          off += sizes[i]!;
          out.push({ rec: records[i]!, pos: { segment: this.segment, offset: off } });
        }
        this.size = off;
        this.stats.spooled += records.length;
        this.stats.flushes++;
        this.stats.bytes += data.length;
        for (const w of waiters) w.resolve();
        this.onDurable(out);
      } catch (err) {
        for (const w of waiters) w.reject(err as Error);
      }
    }
    this.flushing = false;
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.segment += 1;
    this.size = 0;
    this.fh = await openAsync(join(this.dir, segName(this.segment)), 'w+');
  }

  /** Records after `from` (exclusive) up to the durable end, in order: the replay after a restart. */
  *readFrom(from: SpoolPosition | null): Generator<SpooledRecord> {
    for (const seg of this.segments()) {
      if (from && seg < from.segment) continue;
      const path = join(this.dir, segName(seg));
      const start = from && seg === from.segment ? from.offset : 0;
      yield* readSegment(path, seg, start);
    }
  }

  /** Delete segments entirely before `pos` (already stored). */
  prune(pos: SpoolPosition): void {
    for (const seg of this.segments()) if (seg < pos.segment) rmSync(join(this.dir, segName(seg)), { force: true });
  }

  /** Wait for pending appends, then close. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    await this.fh?.close();
    this.fh = null;
  }
}

function* readSegment(path: string, segment: number, start: number): Generator<SpooledRecord> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let pos = start;
    const chunk = 4 * 1024 * 1024;
    let buf: Buffer = Buffer.alloc(0);
    let bufStart = pos;
    while (pos < size) {
      if (pos + HEADER > bufStart + buf.length) {
        ({ buf, bufStart } = refill(fd, pos, Math.max(chunk, HEADER), size));
      }
      const rel = pos - bufStart;
      if (rel + HEADER > buf.length) return;
      const len = buf.readUInt32LE(rel);
      const crc = buf.readUInt32LE(rel + 4);
      if (pos + HEADER + len > size) return; // torn tail
      if (rel + HEADER + len > buf.length) {
        ({ buf, bufStart } = refill(fd, pos, Math.max(chunk, HEADER + len), size));
        continue;
      }
      const body = buf.subarray(rel + HEADER, rel + HEADER + len);
      if (crc32(body) !== crc) return;
      pos += HEADER + len;
      yield { rec: JSON.parse(body.toString('utf8')) as SpoolRecord, pos: { segment, offset: pos } };
    }
  } finally {
    closeSync(fd);
  }
}

function refill(fd: number, pos: number, want: number, size: number): { buf: Buffer; bufStart: number } {
  // (typed loosely: Buffer<ArrayBufferLike>)
  const n = Math.min(want, size - pos);
  const buf = Buffer.alloc(n);
  readSync(fd, buf, 0, n, pos);
  return { buf, bufStart: pos };
}

/** Length of the valid prefix of a segment (records whose length and CRC check out). */
function scanValidLength(path: string): number {
  if (statSync(path).size === 0) return 0;
  let end = 0;
  for (const r of readSegment(path, 0, 0)) end = r.pos.offset;
  return end;
}
