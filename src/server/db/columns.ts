import { randomFillSync } from 'node:crypto';

/**
 * Portable column conventions, chosen once for SQLite and PostgreSQL alike:
 * - ids: application-made UUIDv7 text (time-ordered, so B-tree inserts stay local);
 * - instants: ISO-8601 UTC text with milliseconds (`2026-11-25T19:17:41.123Z`), which sorts as text;
 * - calendar dates: `YYYY-MM-DD` text;
 * - booleans: integer 0/1;
 * - JSON documents: text.
 * No database enums and no dialect defaults: values come from the application.
 */

let lastMs = 0;
let seq = 0;
// Random bytes drawn 4 KiB at a time (as crypto.randomUUID caches its entropy): one randomBytes call per id was
// 3 % of a bulk scan import's profile.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function random(n: number): number {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}
/** An id's text is written here as 36 ASCII bytes and read back as one flat string (no chain of concatenations). */
const idText = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** The millisecond whose 12 hex digits idText holds (ids of one millisecond share them). */
let idTextMs = -1;

function putHex(at: number, byte: number): void {
  idText[at] = HEX_DIGITS[byte >> 4]!;
  idText[at + 1] = HEX_DIGITS[byte & 15]!;
}

/** A UUIDv7 (RFC 9562 §5.7) with a 12-bit counter in rand_a so ids made in one millisecond stay ordered. */
export function newId(now: number = Date.now()): string {
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1; // counter wrapped: borrow the next millisecond
    now = lastMs;
  } else {
    lastMs = now;
    const r = random(2);
    seq = ((pool[r]! << 8) | pool[r + 1]!) & 0x7ff; // random start, leaves headroom for the counter
  }
  const r = random(8); // rand_b: bytes 8..15 of the id, the variant in the top two bits of the first
  if (now !== idTextMs) {
    // unix_ts_ms, 48 bits: hex digits 0–7, a dash, digits 8–11
    let v = now;
    for (let d = 11; d >= 0; d--) {
      idText[d < 8 ? d : d + 1] = HEX_DIGITS[v % 16]!;
      v = Math.floor(v / 16);
    }
    idTextMs = now;
  }
  putHex(14, 0x70 | (seq >> 8));
  putHex(16, seq & 0xff);
  putHex(19, 0x80 | (pool[r]! & 0x3f));
  putHex(21, pool[r + 1]!);
  for (let i = 0; i < 6; i++) putHex(24 + 2 * i, pool[r + 2 + i]!);
  return idText.toString('latin1', 0, 36);
}

/** The current instant in the stored form. */
export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}

export function toBool(v: number | boolean | null | undefined): boolean {
  return v === 1 || v === true;
}

export function fromBool(v: boolean): 0 | 1 {
  return v ? 1 : 0;
}

export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null | undefined): T | null {
  return text ? (JSON.parse(text) as T) : null;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a calendar date `YYYY-MM-DD` (real day of a real month). */
export function isIsoDate(v: string): boolean {
  if (!DATE_RE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
