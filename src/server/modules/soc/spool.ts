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
 * Format of a segment `NNNNNNNN.spool`: repeated [u32 length][u32 crc32][record body]. A torn tail (crash
 * mid-write, never acknowledged) fails its length or CRC and is cut off at recovery. Two body formats are read:
 * - binary (written since 2026-11-26, first byte 0x01): [u8 1][u8 kind][f64 t][u16 |x|][u16 |s| or 0xFFFF for
 *   null][u16 |p| or 0xFFFF][x][s][p][u16 |id|][id][d], strings in UTF-8, `d` to the end of the body;
 * - JSON (before; the record object, so its first byte is `{`), still read after an upgrade.
 * A stream's frames are copied into the binary form as received (no JSON of the message, no text decoding at
 * reception), and a durable record is decoded only when the pipeline takes it: the queue holds small handles
 * on the spooled bytes, not the records' strings (issue 6 ingest target: queued records lived long enough to be
 * promoted to V8's old space).
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

/** What all records of one stream read share (everything but the id and the message). */
export type SpoolMeta = Pick<SpoolRecord, 't' | 'k' | 's' | 'p' | 'x'>;

export interface SpooledRecord {
  /** The record (decoded from the spooled bytes at each access: read it once). */
  readonly rec: SpoolRecord;
  /** Position just after this record. */
  readonly pos: SpoolPosition;
}

const HEADER = 8;
const SEGMENT_BYTES = 64 * 1024 * 1024;
/** First byte of a binary body (a JSON body starts with `{`). */
const BINARY = 0x01;
const JSON_OPEN = 0x7b;
const KINDS: readonly SpoolRecord['k'][] = ['syslog', 'text', 'json'];
const NULL_LENGTH = 0xffff;
/** Fixed part of a binary body before its strings: marker, kind, t, three lengths. */
const FIXED = 16;
/** Longest id `appendFrames` takes (ASCII: the ids it makes are UUIDs). */
const MAX_FRAME_ID = 64;

/**
 * The part of a binary body shared by records with the same meta: [1][kind][t][|x|][|s|][|p|][x][s][p]. The last
 * one is kept (the records of one append share it).
 */
let lastMeta: { t: number; k: string; s: string | null; p: string | null; x: string; bytes: Buffer } | null = null;
function metaBytes(m: SpoolMeta): Buffer {
  if (lastMeta && lastMeta.t === m.t && lastMeta.k === m.k && lastMeta.s === m.s && lastMeta.p === m.p && lastMeta.x === m.x) return lastMeta.bytes;
  const kind = KINDS.indexOf(m.k);
  if (kind < 0) throw new Error(`spool: unknown record kind ${m.k}`);
  const x = Buffer.from(m.x, 'utf8');
  const sb = m.s === null ? null : Buffer.from(m.s, 'utf8');
  const pb = m.p === null ? null : Buffer.from(m.p, 'utf8');
  for (const b of [x, sb, pb]) if (b && b.length >= NULL_LENGTH) throw new Error('spool: record field too long');
  const bytes = Buffer.alloc(FIXED + x.length + (sb?.length ?? 0) + (pb?.length ?? 0));
  bytes[0] = BINARY;
  bytes[1] = kind;
  bytes.writeDoubleLE(m.t, 2);
  bytes.writeUInt16LE(x.length, 10);
  bytes.writeUInt16LE(sb ? sb.length : NULL_LENGTH, 12);
  bytes.writeUInt16LE(pb ? pb.length : NULL_LENGTH, 14);
  let o = FIXED;
  o += x.copy(bytes, o);
  if (sb) o += sb.copy(bytes, o);
  if (pb) pb.copy(bytes, o);
  lastMeta = { t: m.t, k: m.k, s: m.s, p: m.p, x: m.x, bytes };
  return bytes;
}

/** A body's record (binary or JSON, see the format above). */
function decodeBody(b: Buffer, start: number, end: number): SpoolRecord {
  if (b[start] === JSON_OPEN) return JSON.parse(b.toString('utf8', start, end)) as SpoolRecord;
  if (b[start] !== BINARY) throw new Error(`spool: unknown record format ${b[start]}`);
  const k = KINDS[b[start + 1]!];
  if (!k) throw new Error(`spool: unknown record kind ${b[start + 1]}`);
  const t = b.readDoubleLE(start + 2);
  const xLen = b.readUInt16LE(start + 10);
  const sLen = b.readUInt16LE(start + 12);
  const pLen = b.readUInt16LE(start + 14);
  let o = start + FIXED;
  const x = b.toString('utf8', o, (o += xLen));
  let s: string | null = null;
  if (sLen !== NULL_LENGTH) s = b.toString('utf8', o, (o += sLen));
  let p: string | null = null;
  if (pLen !== NULL_LENGTH) p = b.toString('utf8', o, (o += pLen));
  const idLen = b.readUInt16LE(o);
  o += 2;
  const id = b.toString('utf8', o, (o += idLen));
  return { id, t, k, s, p, x, d: b.toString('utf8', o, end) };
}

/** A durable record: where its body lies in the bytes that were written (or read back), and its position. */
class DurableRecord implements SpooledRecord {
  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly segment: number,
    private readonly offset: number,
  ) {}

  get rec(): SpoolRecord {
    return decodeBody(this.bytes, this.start, this.end);
  }

  get pos(): SpoolPosition {
    return { segment: this.segment, offset: this.offset };
  }
}

/** Record headers, then the length and CRC of each body (bodies at `ends[i-1]` + HEADER … `ends[i]`). */
function seal(buf: Buffer, ends: number[]): void {
  let start = 0;
  for (const end of ends) {
    buf.writeUInt32LE(end - start - HEADER, start);
    buf.writeUInt32LE(crc32(buf.subarray(start + HEADER, end)), start + 4);
    start = end;
  }
}

function segName(n: number): string {
  return `${String(n).padStart(8, '0')}.spool`;
}

export class Spool {
  private fh: FileHandle | null = null;
  private segment = 1;
  private size = 0;
  /** encoded appends not yet written, and the end of each record in each of them, in order */
  private pending: Buffer[] = [];
  private pendingEnds: number[][] = [];
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
    // One buffer per append (every record's header and body written into it), not two per record.
    let bound = 0;
    for (const r of records) bound += HEADER + metaBytes(r).length + 2 + 3 * r.id.length + 3 * r.d.length; // UTF-8: ≤ 3 bytes per UTF-16 unit
    const buf = Buffer.allocUnsafe(bound);
    const ends: number[] = [];
    let off = 0;
    for (const r of records) {
      let o = off + HEADER;
      o += metaBytes(r).copy(buf, o);
      const idLen = buf.write(r.id, o + 2, 'utf8');
      if (idLen >= NULL_LENGTH) throw new Error('spool: record id too long');
      buf.writeUInt16LE(idLen, o);
      o += 2 + idLen;
      o += buf.write(r.d, o, 'utf8');
      ends.push((off = o));
    }
    seal(buf, ends);
    // the durable records keep this buffer until they are stored: not three times the size they need
    return this.enqueue(off * 2 < bound ? Buffer.from(buf.subarray(0, off)) : buf.subarray(0, off), ends);
  }

  /**
   * Append the frames of one stream read as records sharing `meta`, each with a new id; resolves once they are
   * fsynced. The frames' bytes are copied as they are (the message is decoded from UTF-8 when the record is read).
   */
  appendFrames(meta: SpoolMeta, frames: readonly Buffer[], id: (t: number) => string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool closed'));
    if (frames.length === 0) return Promise.resolve();
    const head = metaBytes(meta);
    let bound = 0;
    for (const f of frames) bound += HEADER + head.length + 2 + MAX_FRAME_ID + f.length;
    const buf = Buffer.allocUnsafe(bound);
    const ends: number[] = [];
    let off = 0;
    for (const f of frames) {
      let o = off + HEADER;
      o += head.copy(buf, o);
      const text = id(meta.t);
      if (text.length > MAX_FRAME_ID) throw new Error('spool: record id too long');
      const idLen = buf.write(text, o + 2, 'latin1'); // ASCII (UUIDs)
      buf.writeUInt16LE(idLen, o);
      o += 2 + idLen;
      o += f.copy(buf, o);
      ends.push((off = o));
    }
    seal(buf, ends);
    return this.enqueue(buf.subarray(0, off), ends);
  }

  private enqueue(buf: Buffer, ends: number[]): Promise<void> {
    this.pending.push(buf);
    this.pendingEnds.push(ends);
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
      const endsOf = this.pendingEnds;
      const waiters = this.waiters;
      this.pending = [];
      this.pendingEnds = [];
      this.waiters = [];
      try {
        if (this.size >= SEGMENT_BYTES) await this.rotate();
        const fh = this.fh!;
        const data = bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
        await fh.write(data, 0, data.length, this.size);
        await fh.datasync();
        const out: SpooledRecord[] = [];
        let base = this.size;
        let count = 0;
        for (let b = 0; b < bufs.length; b++) {
          const buf = bufs[b]!;
          let start = 0;
          for (const end of endsOf[b]!) {
            out.push(new DurableRecord(buf, start + HEADER, end, this.segment, base + end));
            start = end;
          }
          base += buf.length;
          count += endsOf[b]!.length;
        }
        this.size = base;
        this.stats.spooled += count;
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
      yield new DurableRecord(buf, rel + HEADER, rel + HEADER + len, segment, pos);
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
