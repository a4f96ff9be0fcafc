import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpooledRecord, type SpoolRecord } from './spool.js';

/**
 * The spool's record format (spool.ts): binary bodies since 2026-11-26, JSON bodies before. Records read back
 * exactly as appended, whichever way they were appended (records, or a stream read's frames); a segment written
 * by the JSON format is still replayed after an upgrade; a torn tail is cut off.
 */
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'khien-spool-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function jsonRecord(rec: SpoolRecord): Buffer {
  const body = Buffer.from(JSON.stringify(rec), 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

const records: SpoolRecord[] = [
  { id: 'a1', t: 1_764_000_000_123, k: 'syslog', s: null, p: '10.0.0.5', x: 'udp', d: '<38>1 2026-11-25T00:00:00Z srv sshd 1 - - Failed password for root' },
  { id: 'hash-ß-đ', t: 1_764_000_000_124, k: 'json', s: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', p: null, x: 'http', d: '{"message":"Đăng nhập thất bại","event.id":"x"}' },
  { id: 'c3', t: 1_764_000_000_125, k: 'text', s: 'src', p: '::1', x: 'file', d: '' },
];

describe('spool records', () => {
  it('reads back what was appended, as records and as frames, with increasing positions', async () => {
    const spool = new Spool(dir);
    await spool.open();
    const durable: SpooledRecord[] = [];
    spool.onDurable = (r) => durable.push(...r);
    await spool.append(records);
    let n = 0;
    const frames = [Buffer.from('<13>1 - h app - - một'), Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xff, 0x41])]; // the second is not UTF-8
    await spool.appendFrames({ t: 1_764_000_000_200, k: 'syslog', s: null, p: '192.0.2.1', x: 'tcp' }, frames, () => `f${n++}`);
    await spool.close();

    const expected: SpoolRecord[] = [
      ...records,
      { id: 'f0', t: 1_764_000_000_200, k: 'syslog', s: null, p: '192.0.2.1', x: 'tcp', d: '<13>1 - h app - - một' },
      { id: 'f1', t: 1_764_000_000_200, k: 'syslog', s: null, p: '192.0.2.1', x: 'tcp', d: frames[1]!.toString('utf8') },
    ];
    expect(durable.map((r) => r.rec)).toEqual(expected);
    const again = new Spool(dir);
    const end = await again.open();
    const read = [...again.readFrom(null)];
    expect(read.map((r) => r.rec)).toEqual(expected);
    expect(read.map((r) => r.pos)).toEqual(durable.map((r) => r.pos));
    expect(read[read.length - 1]!.pos).toEqual(end);
    const offsets = read.map((r) => r.pos.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    // from a position: only what follows it
    expect([...again.readFrom(read[1]!.pos)].map((r) => r.rec.id)).toEqual(['c3', 'f0', 'f1']);
    await again.close();
  });

  it('replays a segment written in the JSON format, then appends binary records after it', async () => {
    writeFileSync(join(dir, '00000001.spool'), Buffer.concat([jsonRecord(records[0]!), jsonRecord(records[1]!)]));
    const spool = new Spool(dir);
    await spool.open();
    await spool.append([records[2]!]);
    await spool.close();
    const again = new Spool(dir);
    await again.open();
    expect([...again.readFrom(null)].map((r) => r.rec)).toEqual(records);
    await again.close();
  });

  it('cuts off a torn tail at open', async () => {
    const spool = new Spool(dir);
    await spool.open();
    await spool.append(records.slice(0, 2));
    await spool.close();
    const file = join(dir, '00000001.spool');
    const size = statSync(file).size;
    appendFileSync(file, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 1, 0])); // a header and the start of a body
    const again = new Spool(dir);
    expect(await again.open()).toEqual({ segment: 1, offset: size });
    expect([...again.readFrom(null)].map((r) => r.rec.id)).toEqual(['a1', 'hash-ß-đ']);
    await again.close();
  });
});
