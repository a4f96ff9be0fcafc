import { hash } from 'node:crypto';

/**
 * Canonical text of a cell, so that a value survives a migration "unchanged" when only its spelling
 * changed: whitespace, Unicode composition, number formatting, date formatting, boolean spelling.
 * A canonical value is a string, or null for SQL NULL (and, by default, for the empty string).
 */

export interface NormaliseOptions {
  /**
   * Treat the empty string (after trimming) as NULL. Default true: CSV/XLSX exports cannot tell NULL from
   * empty, so a database NULL exported to CSV must still compare equal. Set false to count NULL → '' as a change.
   */
  emptyIsNull: boolean;
  /** Accept `1,5` (Vietnamese decimal comma) as the number 1.5. Default false: `1,5` stays text. */
  decimalComma: boolean;
  /** UTC offset assumed for timestamps without a zone (`+07:00` for Vietnam); default `+00:00`. */
  assumeTimezone: string;
}

export const DEFAULT_NORMALISE: NormaliseOptions = { emptyIsNull: true, decimalComma: false, assumeTimezone: '+00:00' };

const NUMBER = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const NUMBER_COMMA = /^([+-]?)(\d+),(\d+)$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const VN_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/;
const ISO_TS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Minutes east of UTC for `Z`, `+07`, `+0700`, `+07:00`. */
export function offsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z' || zone === '+00' || zone === '+00:00') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) throw new Error(`invalid UTC offset ${zone}`);
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -v : v;
}

/** Canonical decimal text: no exponent, no leading zeros, no trailing fractional zeros, `-0` → `0`. */
export function canonicalDecimal(sign: string, intPart: string, frac: string, exp: number): string {
  let digits = intPart + frac;
  let point = intPart.length + exp; // position of the decimal point inside `digits`
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let i = digits.slice(0, point).replace(/^0+/, '') || '0';
  const f = digits.slice(point).replace(/0+$/, '');
  const text = f ? `${i}.${f}` : i;
  if (text === '0') return '0';
  i = sign === '-' ? '-' : '';
  return i + text;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS[mo - 1]! + (leap ? 1 : 0);
}

/**
 * A date and optional time → `yyyy-MM-dd` (no time, or exactly midnight UTC) or `yyyy-MM-ddTHH:mm:ss[.f]Z`.
 * Midnight collapses to the date so a DATE column and a midnight TIMESTAMP/Excel date compare equal.
 */
function canonicalInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string, zone: string | undefined, opts: NormaliseOptions): string | undefined {
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 60) return undefined;
  const off = offsetMinutes(zone ?? opts.assumeTimezone);
  if (off !== 0 || s === 60) {
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - off * 60_000);
    [y, mo, d, h, mi, s] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  }
  const f = frac.replace(/0+$/, '');
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (h === 0 && mi === 0 && s === 0 && !f) return date;
  return `${date}T${pad(h)}:${pad(mi)}:${pad(s)}${f ? `.${f}` : ''}Z`;
}

/** Whitespace other than single spaces: only then is the collapsing regex run (the common cell has none). */
const ODD_SPACE = /\s\s|[^\S ]/;
const ASCII = /^[\x20-\x7e]*$/;

/** Canonical form of a string cell (see the module comment for the rules and their order). */
export function normaliseText(raw: string, opts: NormaliseOptions = DEFAULT_NORMALISE): string | null {
  let s = (ODD_SPACE.test(raw) ? raw.replace(/\s+/g, ' ') : raw).trim();
  if (!ASCII.test(s)) s = s.normalize('NFC');
  if (s === '') return opts.emptyIsNull ? null : '';
  if (s.length <= 5) {
    const lower = s.toLowerCase();
    if (lower === 'true' || lower === 't') return '1';
    if (lower === 'false' || lower === 'f') return '0';
  }
  // Numbers and dates start with a digit or a sign; everything else is text and skips the patterns below.
  const c = s.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return s;
  let m = NUMBER.exec(s);
  // "007" or "0905123456" keep their leading zeros: they are codes, and a migration that strips them (as
  // Excel does) changed the data. "0" and "0.5" are still numbers.
  if (m && !(m[2]!.length > 1 && m[2]!.startsWith('0'))) return canonicalDecimal(m[1]!, m[2]!, m[3] ?? '', Number(m[4] ?? 0));
  if (opts.decimalComma) {
    m = NUMBER_COMMA.exec(s);
    if (m && !(m[2]!.length > 1 && m[2]!.startsWith('0'))) return canonicalDecimal(m[1]!, m[2]!, m[3]!, 0);
  }
  m = ISO_DATE.exec(s);
  if (m) return canonicalInstant(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, '', 'Z', opts) ?? s;
  m = VN_DATE.exec(s);
  if (m) {
    return canonicalInstant(Number(m[3]), Number(m[2]), Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), m[7] ?? '', m[4] === undefined ? 'Z' : undefined, opts) ?? s;
  }
  m = ISO_TS.exec(s);
  if (m) {
    return canonicalInstant(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), m[7] ?? '', m[8], opts) ?? s;
  }
  return s;
}

/**
 * Canonical form of any driver value: strings go through `normaliseText`; numbers, bigints, booleans, Dates
 * (instants → UTC), Buffers (hex) and JSON objects get the same canonical text a string spelling would.
 */
export function normaliseValue(v: unknown, opts: NormaliseOptions = DEFAULT_NORMALISE): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return normaliseText(v, opts);
  if (typeof v === 'number') return Number.isFinite(v) ? normaliseText(String(v), opts) : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    return normaliseText(v.toISOString(), opts);
  }
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  return normaliseText(JSON.stringify(v), opts);
}

/**
 * SHA-256 of a row's canonical values. SHA-256 rather than a faster non-cryptographic 128-bit hash: it is
 * hardware-accelerated on current x86 (SHA-NI), costs under a microsecond per row one-shot, and no crafted
 * target row can collide with its source to hide a change. Values are length-prefixed so that
 * ("a b", "c") and ("a", "b c") hash differently, and NULL differs from every string.
 */
export function rowHash(values: readonly (string | null)[]): string {
  let text = '';
  for (const v of values) text += v === null ? '\u0000N;' : `${v.length}:${v};`;
  return hash('sha256', text, 'base64');
}
