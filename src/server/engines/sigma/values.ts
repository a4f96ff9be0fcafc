import { inCidr, parseCidr, parseIp } from './cidr.js';
import { fieldGetter, KEYWORD_FIELD, type FieldGetter } from './fields.js';
import { SigmaFeatureError, type EventValue, type KhienEvent } from './types.js';
import { hasWildcard, literalOf, longestLiteral, STAR, tokenize, tokensToRegexSource, type Token } from './wildcard.js';

/**
 * Lowercased copies of event strings. Field values repeat heavily across events (image paths, companies, user
 * names, user agents), so short strings are kept across events in a bounded map: most lookups then cost a hash
 * of the string and no allocation. Long strings (messages, scripts) are only remembered for the current event.
 */
export class LowerCache {
  private readonly short = new Map<string, string>();
  private readonly longKeys: string[] = [];
  private readonly longValues: string[] = [];
  static readonly SHORT_MAX = 256;
  static readonly ENTRIES = 16_384;

  get(s: string): string {
    if (s.length <= LowerCache.SHORT_MAX) {
      let l = this.short.get(s);
      if (l === undefined) {
        l = s.toLowerCase();
        if (this.short.size >= LowerCache.ENTRIES) this.short.clear();
        this.short.set(s, l);
      }
      return l;
    }
    const keys = this.longKeys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === s) return this.longValues[i]!;
    const l = s.toLowerCase();
    keys.push(s);
    this.longValues.push(l);
    return l;
  }

  /** Forget the long strings of the previous event. */
  nextEvent(): void {
    this.longKeys.length = 0;
    this.longValues.length = 0;
  }
}

/** Evaluation context, reused across events: the event and the lowercase cache. */
export interface Ctx {
  e: KhienEvent;
  lc: LowerCache;
}

export function lower(ctx: Ctx, s: string): string {
  return ctx.lc.get(s);
}

export type Test = (ctx: Ctx) => boolean;

/** A literal the event must contain (lowercase, ≥ MIN_LITERAL chars) in `field` for a matcher to be true. */
export interface NeedAtom {
  field: string;
  lit: string;
}
/**
 * What an event needs for a matcher to be true, in conjunctive normal form: every clause must hold, and a clause
 * holds when any one of its atoms (a lowercase literal inside a field's lowercased value) is present. null = no
 * such literal is known (negations, numbers, CIDR, fieldref, …): the rule is evaluated for every event of its
 * logsource. The index of the detector only ever uses this to skip rules that cannot match, so a Need may be
 * weaker than the matcher but never stronger.
 */
export type Need = NeedAtom[][] | null;
export const MIN_LITERAL = 1;

export interface CompiledItem {
  test: Test;
  need: Need;
  fields: string[];
}

export interface CompileOptions {
  placeholders?: Record<string, string[]>;
}

const MATCH_MODS = new Set(['contains', 'startswith', 'endswith']);
const TRANSFORM_MODS = new Set(['wide', 'utf16le', 'utf16be', 'utf16', 'base64', 'base64offset', 'windash', 'expand']);
const NUM_MODS = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_MODS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const OTHER_MODS = new Set(['all', 're', 'i', 'm', 's', 'ignorecase', 'multiline', 'dotall', 'cidr', 'exists', 'fieldref', 'cased', 'neq']);

/** Intermediate value during transformations: text, or bytes after a UTF-16 encoding (latin1 string). */
interface Val {
  s: string;
  bytes: boolean;
}

function toBuffer(v: Val): Buffer {
  return Buffer.from(v.s, v.bytes ? 'latin1' : 'utf8');
}

function utf16(v: Val, be: boolean, bom: boolean): Val {
  const le = Buffer.from(v.s, 'utf16le');
  let out = le;
  if (be) {
    out = Buffer.from(le);
    out.swap16();
  }
  if (bom) out = Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), out]);
  return { s: out.toString('latin1'), bytes: true };
}

/** The three shifted encodings whose inner part appears in any base64 text containing the value. */
function base64offset(v: Val): Val[] {
  const buf = toBuffer(v);
  const start = [0, 2, 3];
  const endCut = [0, 3, 2];
  const out: Val[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), buf]).toString('base64');
    const cut = endCut[(buf.length + i) % 3]!;
    out.push({ s: enc.slice(start[i], cut ? enc.length - cut : enc.length), bytes: false });
  }
  return out;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** windash: an option dash/slash at the start of a word may be any of the five dash characters. */
function windash(v: Val): Val[] {
  if (!/(^|[^\w])[-/]\w/.test(v.s)) return [v];
  return DASHES.map((d) => ({ s: v.s.replace(/(^|[^\w])[-/](?=\w)/g, `$1${d}`), bytes: v.bytes }));
}

function expand(v: Val, placeholders: Record<string, string[]> | undefined): Val[] {
  const names = [...v.s.matchAll(/%([A-Za-z0-9_]+)%/g)].map((m) => m[1]!);
  let out: string[] = [v.s];
  for (const name of new Set(names)) {
    const values = placeholders?.[name];
    if (!values || values.length === 0) throw new SigmaFeatureError('expand', `placeholder %${name}% has no configured values`);
    out = out.flatMap((s) => values.map((x) => s.split(`%${name}%`).join(x)));
  }
  return out.map((s) => ({ s, bytes: v.bytes }));
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Apply `fn` to every scalar of an event value (arrays: any element). */
function anyScalar(v: EventValue | undefined, fn: (s: string) => boolean): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return fn(v);
  if (typeof v === 'number' || typeof v === 'boolean') return fn(String(v));
  for (const x of v) if (fn(typeof x === 'string' ? x : String(x))) return true;
  return false;
}

/** anyScalar without a closure per call: `t(raw, ctx)` on every scalar. */
function anyScalarCtx(v: EventValue | undefined, t: (raw: string, ctx: Ctx) => boolean, ctx: Ctx): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return t(v, ctx);
  if (typeof v === 'number' || typeof v === 'boolean') return t(String(v), ctx);
  for (const x of v) if (t(typeof x === 'string' ? x : String(x), ctx)) return true;
  return false;
}

type Mode = 'eq' | 'contains' | 'startswith' | 'endswith';

/** K-character key of `s` from `i` (7 bits per character, non-ASCII as 0; collisions are settled by a string check). */
function keyAt(s: string, i: number, k: number): number {
  let g = 0;
  for (let j = 0; j < k; j++) {
    const c = s.charCodeAt(i + j);
    g = (g << 7) | (c > 0x7f ? 0 : c);
  }
  return g;
}

/**
 * Many plain lowercase literals of one field and mode, tested in one pass over the (lowercased) value: a Set for
 * equality; for startswith/endswith a Map keyed by the first/last K characters (K = the shortest literal's length,
 * at most 4), so one lookup finds the few literals worth comparing; for contains the same key is rolled along the
 * value behind a small byte table (SigmaHQ has rules with hundreds of values, many sharing ".exe" endings).
 */
function multiLiteral(mode: Mode, lits: string[]): (lower: string) => boolean {
  if (mode === 'eq') {
    const set = new Set(lits);
    return (v) => set.has(v);
  }
  let minLen = Infinity;
  for (const l of lits) minLen = Math.min(minLen, l.length);
  if (minLen === 0) return () => true;
  if (mode === 'contains' && lits.length <= 4) {
    // a few literals: the engine's native substring search is faster than a scan in JavaScript
    return (v) => {
      if (v.length < minLen) return false;
      for (const l of lits) if (v.includes(l)) return true;
      return false;
    };
  }
  const k = Math.min(minLen, 4);
  const byKey = new Map<number, string[]>();
  for (const l of lits) {
    const key = keyAt(l, mode === 'endswith' ? l.length - k : 0, k);
    const list = byKey.get(key);
    if (list) list.push(l);
    else byKey.set(key, [l]);
  }
  if (mode === 'startswith') {
    return (v) => {
      if (v.length < minLen) return false;
      const list = byKey.get(keyAt(v, 0, k));
      if (list) for (const l of list) if (v.startsWith(l)) return true;
      return false;
    };
  }
  if (mode === 'endswith') {
    return (v) => {
      if (v.length < minLen) return false;
      const list = byKey.get(keyAt(v, v.length - k, k));
      if (list) for (const l of list) if (v.endsWith(l)) return true;
      return false;
    };
  }
  const table = new Uint8Array(4096);
  for (const key of byKey.keys()) table[Math.imul(key, 0x9e3779b1) >>> 20] = 1;
  const mask = k === 4 ? 0xfffffff : (1 << (7 * k)) - 1;
  return (v) => {
    const n = v.length;
    if (n < minLen) return false;
    let g = 0;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      g = ((g << 7) | (c > 0x7f ? 0 : c)) & mask;
      if (i < k - 1 || table[Math.imul(g, 0x9e3779b1) >>> 20] === 0) continue;
      const list = byKey.get(g);
      if (list) for (const l of list) if (v.startsWith(l, i - k + 1)) return true;
    }
    return false;
  };
}

/** Normalise `*x*`, `x*`, `*x` in equality mode into contains/startswith/endswith on a plain literal. */
function simplify(tokens: Token[], mode: Mode): { tokens: Token[]; mode: Mode } {
  if (mode !== 'eq') return { tokens, mode };
  const n = tokens.length;
  const inner = (a: number, b: number) => tokens.slice(a, b);
  if (n >= 3 && tokens[0] === STAR && tokens[n - 1] === STAR && !hasWildcard(inner(1, n - 1))) return { tokens: inner(1, n - 1), mode: 'contains' };
  if (n >= 2 && tokens[n - 1] === STAR && !hasWildcard(inner(0, n - 1))) return { tokens: inner(0, n - 1), mode: 'startswith' };
  if (n >= 2 && tokens[0] === STAR && !hasWildcard(inner(1, n))) return { tokens: inner(1, n), mode: 'endswith' };
  return { tokens, mode };
}

type StrTest = (raw: string, ctx: Ctx) => boolean;

function stringTest(pattern: string, mode: Mode, cased: boolean): { t: StrTest; lit: string; plain?: string; mode: Mode } {
  const s = simplify(tokenize(pattern), mode);
  const lit = longestLiteral(s.tokens).toLowerCase();
  if (!hasWildcard(s.tokens)) {
    const plain = literalOf(s.tokens).toLowerCase();
    const r = stringTestPlain(s.tokens, s.mode, cased, lit);
    return cased ? r : { ...r, plain };
  }
  const body = tokensToRegexSource(cased ? s.tokens : s.tokens.map((t) => (typeof t === 'string' ? t.toLowerCase() : t)));
  const src = s.mode === 'eq' ? `^${body}$` : s.mode === 'startswith' ? `^${body}` : s.mode === 'endswith' ? `${body}$` : body;
  const re = new RegExp(src);
  return { t: cased ? (raw) => re.test(raw) : (raw, ctx) => re.test(lower(ctx, raw)), lit, mode: s.mode };
}

function stringTestPlain(tokens: Token[], mode: Mode, cased: boolean, lit: string): { t: StrTest; lit: string; mode: Mode } {
  const s = { tokens, mode };
  {
    const L = cased ? literalOf(s.tokens) : literalOf(s.tokens).toLowerCase();
    const get = cased ? (raw: string) => raw : (raw: string, ctx: Ctx) => lower(ctx, raw);
    switch (s.mode) {
      case 'eq':
        return { t: (raw, ctx) => raw.length === L.length && get(raw, ctx) === L, lit, mode };
      case 'contains':
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).includes(L), lit, mode };
      case 'startswith':
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).startsWith(L), lit, mode };
      case 'endswith':
        return { t: (raw, ctx) => raw.length >= L.length && get(raw, ctx).endsWith(L), lit, mode };
    }
  }
}

function compileRegex(pattern: string, flags: string): RegExp {
  let p = pattern;
  let f = flags;
  // PCRE inline flags at the start, e.g. (?i) — JavaScript only takes them as RegExp flags.
  const inline = /^\(\?([imsx]+)\)/.exec(p);
  if (inline) {
    if (inline[1]!.includes('x')) throw new SigmaFeatureError('re', 'regular expression flag x (extended) is not supported');
    for (const c of inline[1]!) if (!f.includes(c)) f += c;
    p = p.slice(inline[0].length);
  }
  if (/\(\?[<]?[=!]/.test(p) === false && /\(\?P</.test(p)) p = p.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(p, f);
  } catch (e) {
    throw new SigmaFeatureError('re', `regular expression not valid in JavaScript: ${(e as Error).message}`);
  }
}

const REGEX_CLASS_ESCAPES = new Set('dDwWsSbBcxuUpPk0123456789nrtfv');

/**
 * Literals one of which any match of the regular expression `pattern` must contain (lowercased, so they also
 * hold for case-insensitive patterns), or null when none is certain. Conservative reading of the pattern:
 * alternation at the top level gives one literal per branch; inside a branch the longest run of plain characters
 * outside groups and classes, where a character followed by `?`, `*` or `{0` does not count. Only used to skip
 * rules (values.ts Need); the regular expression itself decides the match.
 */
export function regexLiterals(pattern: string): string[] | null {
  let p = pattern;
  const inline = /^\(\?[imsx]+\)/.exec(p);
  if (inline) p = p.slice(inline[0].length);
  const branches: string[] = [];
  let best = '';
  let run = '';
  let depth = 0;
  const endRun = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const d = p[i + 1];
      if (d === undefined) return null;
      i++;
      if (depth > 0) continue;
      if (REGEX_CLASS_ESCAPES.has(d)) {
        endRun();
        // skip what belongs to the escape (\xHH, \uHHHH, \u{…}, \p{…}, \k<…>, \cX, \12) so it never joins a run
        if (d === 'x') i += 2;
        else if (d === 'u') i = p[i + 1] === '{' ? p.indexOf('}', i) : i + 4;
        else if (d === 'p' || d === 'P') i = p[i + 1] === '{' ? p.indexOf('}', i) : i;
        else if (d === 'k') i = p[i + 1] === '<' ? p.indexOf('>', i) : i;
        else if (d === 'c') i += 1;
        else if (d >= '0' && d <= '9') while (p[i + 1]! >= '0' && p[i + 1]! <= '9') i++;
        if (i < 0) return null;
        continue;
      }
      run += d;
    } else if (c === '[') {
      // skip the class (a ']' right after '[' or '[^' is literal)
      let j = i + 1;
      if (p[j] === '^') j++;
      if (p[j] === ']') j++;
      for (; j < p.length && p[j] !== ']'; j++) if (p[j] === '\\') j++;
      if (j >= p.length) return null;
      i = j;
      if (depth === 0) endRun();
      continue;
    } else if (c === '(') {
      depth++;
      if (depth === 1) endRun();
      continue;
    } else if (c === ')') {
      depth--;
      if (depth < 0) return null;
      continue;
    } else if (depth > 0) continue;
    else if (c === '|') {
      endRun();
      if (!best) return null;
      branches.push(best);
      best = '';
      continue;
    } else if (c === '.' || c === '^' || c === '$') {
      endRun();
      continue;
    } else if (c === '?' || c === '*' || c === '+' || c === '{') {
      // the quantified character is optional (?, *, {0…) or repeated: it ends the run either way
      const optional = c === '?' || c === '*' || (c === '{' && /^\{0*,|^\{0+\}|^\{0+,/.test(p.slice(i)));
      if (optional) run = run.slice(0, -1);
      endRun();
      if (c === '{') {
        const close = p.indexOf('}', i);
        if (close < 0) return null;
        i = close;
      }
      if (p[i + 1] === '?' || p[i + 1] === '+') i++;
      continue;
    } else run += c;
  }
  if (depth !== 0) return null;
  endRun();
  if (!best) return null;
  branches.push(best);
  return branches.map((b) => b.toLowerCase());
}

/**
 * A lower bound of the length (UTF-16 code units) of any match of `pattern` (JavaScript regular expression
 * without the u flag): alternation takes its shortest branch, quantifiers their minimum count; assertions,
 * back-references and anything unusual count 0. Never more than the true minimum.
 */
export function regexMinLength(pattern: string): number {
  let p = pattern;
  const inline = /^\(\?[imsx]+\)/.exec(p);
  if (inline) p = p.slice(inline[0].length);
  let i = 0;
  const alt = (): number => {
    let best = seq();
    while (p[i] === '|') {
      i++;
      best = Math.min(best, seq());
    }
    return best;
  };
  const seq = (): number => {
    let total = 0;
    while (i < p.length && p[i] !== '|' && p[i] !== ')') {
      let atom = 0;
      const c = p[i]!;
      if (c === '(') {
        i++;
        let zero = false;
        if (p[i] === '?') {
          // (?: …) counts; lookarounds (?= ?! ?<= ?<!) are zero-width; (?<name> …) counts
          if (p[i + 1] === ':') i += 2;
          else if (p[i + 1] === '=' || p[i + 1] === '!') (zero = true), (i += 2);
          else if (p[i + 1] === '<' && (p[i + 2] === '=' || p[i + 2] === '!')) (zero = true), (i += 3);
          else if (p[i + 1] === '<') i = p.indexOf('>', i) + 1;
          else return 0;
        }
        const inner = alt();
        if (p[i] !== ')') return 0;
        i++;
        atom = zero ? 0 : inner;
      } else if (c === '[') {
        let j = i + 1;
        if (p[j] === '^') j++;
        if (p[j] === ']') j++;
        for (; j < p.length && p[j] !== ']'; j++) if (p[j] === '\\') j++;
        i = j + 1;
        atom = 1;
      } else if (c === '\\') {
        const d = p[i + 1] ?? '';
        i += 2;
        if (d === 'b' || d === 'B') atom = 0;
        else if (d >= '1' && d <= '9') {
          // back-reference (possibly empty), digits included
          while (p[i]! >= '0' && p[i]! <= '9') i++;
          atom = 0;
        } else if (d === 'k') {
          if (p[i] === '<') i = p.indexOf('>', i) + 1;
          if (i <= 0) return 0;
          atom = 0;
        } else if (d === 'u' && p[i] === '{') return 0;
        else {
          atom = 1;
          if (d === 'x') i += 2;
          else if (d === 'u') i += 4;
          else if (d === 'c') i += 1;
          else if ((d === 'p' || d === 'P') && p[i] === '{') i = p.indexOf('}', i) + 1;
        }
      } else if (c === '^' || c === '$') {
        i++;
        atom = 0;
      } else {
        i++;
        atom = 1;
      }
      // quantifier
      const q = p[i];
      let times = 1;
      let quantified = false;
      if (q === '*' || q === '?') (times = 0), (quantified = true), i++;
      else if (q === '+') (quantified = true), i++;
      else if (q === '{') {
        const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i));
        if (m) {
          times = Number(m[1]);
          quantified = true;
          i += m[0].length;
        }
      }
      // lazy or possessive suffix of a quantifier
      if (quantified && (p[i] === '?' || p[i] === '+')) i++;
      total += atom * times;
    }
    return total;
  };
  const n = alt();
  return i < p.length || !Number.isFinite(n) || n < 0 ? 0 : n;
}

function numberOf(s: string): number {
  return s.trim() === '' ? NaN : Number(s);
}

function timePart(raw: string, unit: string): number {
  const t = Date.parse(raw);
  if (Number.isNaN(t)) return NaN;
  const d = new Date(t);
  switch (unit) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    default: {
      // ISO week number
      const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const dow = day.getUTCDay() || 7;
      day.setUTCDate(day.getUTCDate() + 4 - dow);
      const y0 = Date.UTC(day.getUTCFullYear(), 0, 1);
      return Math.ceil(((day.getTime() - y0) / 86400e3 + 1) / 7);
    }
  }
}

/**
 * Compile one detection map entry `field|mod1|mod2: value(s)` (sigma-appendix-modifiers.md v2.1). The empty
 * field (key `|mods`) or `keywords` is a full-text search over `message`.
 */
export function compileFieldItem(key: string, value: unknown, opts: CompileOptions): CompiledItem {
  const [rawField = '', ...mods] = key.split('|');
  const keyword = rawField === '';
  const field = keyword ? KEYWORD_FIELD : rawField;
  const get: FieldGetter = fieldGetter(field);
  for (const m of mods) {
    if (!MATCH_MODS.has(m) && !TRANSFORM_MODS.has(m) && !NUM_MODS.has(m) && !TIME_MODS.has(m) && !OTHER_MODS.has(m)) {
      throw new SigmaFeatureError(`modifier:${m}`, `unknown modifier "${m}" on ${key}`);
    }
  }
  const has = (m: string) => mods.includes(m);
  const values: unknown[] = Array.isArray(value) ? value : [value];
  const all = has('all');
  const neq = has('neq');
  const cased = has('cased');
  let mode: Mode = keyword ? 'contains' : 'eq';
  for (const m of mods) if (MATCH_MODS.has(m)) mode = m as Mode;

  let test: Test;
  let need: Need = null;

  if (has('exists')) {
    const want = value === true || value === 'true' || value === 'yes';
    test = (ctx) => {
      const v = get(ctx.e);
      return (v !== undefined && v !== null) === want;
    };
  } else if (has('fieldref')) {
    const refs = values.map((v) => scalarString(v)).filter((v): v is string => v !== undefined);
    const tests = refs.map((r) => {
      const other = fieldGetter(r);
      return (ctx: Ctx) => {
        const o = other(ctx.e);
        const os = scalarString(o);
        if (os === undefined) return false;
        const cmp = cased ? os : lower(ctx, os);
        return anyScalar(get(ctx.e), (s) => {
          const v = cased ? s : lower(ctx, s);
          return mode === 'eq' ? v === cmp : mode === 'contains' ? v.includes(cmp) : mode === 'startswith' ? v.startsWith(cmp) : v.endsWith(cmp);
        });
      };
    });
    test = combine(tests, all);
  } else if (mods.some((m) => NUM_MODS.has(m) || TIME_MODS.has(m))) {
    const op = mods.find((m) => NUM_MODS.has(m));
    const unit = mods.find((m) => TIME_MODS.has(m));
    const tests = values.map((v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new SigmaFeatureError(`modifier:${op ?? unit}`, `${key}: ${String(v)} is not a number`);
      return (ctx: Ctx) =>
        anyScalar(get(ctx.e), (s) => {
          const x = unit ? timePart(s, unit) : numberOf(s);
          if (Number.isNaN(x)) return false;
          switch (op) {
            case 'lt':
              return x < n;
            case 'lte':
              return x <= n;
            case 'gt':
              return x > n;
            case 'gte':
              return x >= n;
            default:
              return x === n;
          }
        });
    });
    test = combine(tests, all);
  } else if (has('cidr')) {
    const nets = values.map((v) => {
      const c = parseCidr(String(v));
      if (!c) throw new SigmaFeatureError('modifier:cidr', `${key}: "${String(v)}" is not a CIDR network`);
      return c;
    });
    test = (ctx) =>
      anyScalar(get(ctx.e), (s) => {
        const ip = parseIp(s);
        if (!ip) return false;
        for (const n of nets) if (inCidr(ip, n)) return true;
        return false;
      });
  } else if (has('re')) {
    let flags = '';
    if (has('i') || has('ignorecase')) flags += 'i';
    if (has('m') || has('multiline')) flags += 'm';
    if (has('s') || has('dotall')) flags += 's';
    const tests = values.map((v) => {
      const re = compileRegex(String(v), flags);
      // a value shorter than any match cannot match: saves running e.g. '.{1000,}' at every position
      const min = regexMinLength(String(v));
      return (ctx: Ctx) => anyScalarCtx(get(ctx.e), (s) => s.length >= min && re.test(s), ctx);
    });
    test = combine(tests, all);
    const lits = values.map((v) => regexLiterals(String(v)));
    if (all) {
      const clauses = lits.filter((l): l is string[] => l !== null).map((l) => l.map((lit) => ({ field, lit })));
      need = clauses.length ? clauses : null;
    } else if (lits.every((l) => l !== null)) need = [lits.flat().map((lit) => ({ field, lit }))];
  } else {
    // String matching, after the transformation chain.
    const perValue: { t: StrTest; lits: string[] }[] = [];
    /** plain (wildcard-free, case-insensitive) literals, gathered into one multi-literal test per mode */
    const plainLits: { lit: string; mode: Mode }[] = [];
    let hasNull = false;
    for (const v of values) {
      if (v === null) {
        hasNull = true;
        continue;
      }
      const s0 = scalarString(v);
      if (s0 === undefined) throw new SigmaFeatureError('value', `${key}: unsupported value type ${typeof v}`);
      let vals: Val[] = [{ s: s0, bytes: false }];
      for (const m of mods) {
        if (m === 'wide' || m === 'utf16le') vals = vals.map((x) => utf16(x, false, false));
        else if (m === 'utf16be') vals = vals.map((x) => utf16(x, true, false));
        else if (m === 'utf16') vals = vals.map((x) => utf16(x, false, true));
        else if (m === 'base64') vals = vals.map((x) => ({ s: toBuffer(x).toString('base64'), bytes: false }));
        else if (m === 'base64offset') vals = vals.flatMap((x) => base64offset(x));
        else if (m === 'windash') vals = vals.flatMap((x) => windash(x));
        else if (m === 'expand') vals = vals.flatMap((x) => expand(x, opts.placeholders));
      }
      const encoded = mods.some((m) => m === 'base64' || m === 'base64offset');
      const variants = vals.map((x) => {
        // Encoded values are matched literally: a '*' produced by an encoding is not a wildcard.
        const pattern = encoded || x.bytes ? x.s.replace(/[\\*?]/g, '\\$&') : x.s;
        return stringTest(pattern, mode, cased || encoded);
      });
      if (!all && !cased && !encoded && variants.every((x) => x.plain !== undefined)) {
        for (const x of variants) plainLits.push({ lit: x.plain!, mode: x.mode });
        continue;
      }
      const ts = variants.map((x) => x.t);
      perValue.push({
        t: ts.length === 1 ? ts[0]! : (raw, ctx) => ts.some((t) => t(raw, ctx)),
        lits: variants.map((x) => x.lit),
      });
    }
    for (const m of ['eq', 'contains', 'startswith', 'endswith'] as const) {
      const lits = plainLits.filter((p) => p.mode === m).map((p) => p.lit);
      if (lits.length === 0) continue;
      let t: StrTest;
      if (lits.length === 1) {
        const L = lits[0]!;
        t =
          m === 'eq'
            ? (raw, ctx) => raw.length === L.length && lower(ctx, raw) === L
            : m === 'contains'
              ? (raw, ctx) => raw.length >= L.length && lower(ctx, raw).includes(L)
              : m === 'startswith'
                ? (raw, ctx) => raw.length >= L.length && lower(ctx, raw).startsWith(L)
                : (raw, ctx) => raw.length >= L.length && lower(ctx, raw).endsWith(L);
      } else {
        const multi = multiLiteral(m, lits);
        t = (raw, ctx) => multi(lower(ctx, raw));
      }
      perValue.push({ t, lits });
    }
    const strTests = perValue.map(({ t }) => (ctx: Ctx) => anyScalarCtx(get(ctx.e), t, ctx));
    if (hasNull) {
      if (all) throw new SigmaFeatureError('value', `${key}: null inside an |all list`);
      strTests.push((ctx) => {
        const v = get(ctx.e);
        return v === undefined || v === null;
      });
    }
    test = strTests.length === 0 ? () => false : combine(strTests, all);
    if (!hasNull && !neq && perValue.length > 0) {
      if (all) {
        // every value must match: each value's literals (any of its encoded variants) form one clause
        const clauses = perValue.filter((pv) => pv.lits.every((l) => l.length >= MIN_LITERAL)).map((pv) => pv.lits.map((lit) => ({ field, lit })));
        need = clauses.length ? clauses : null;
      } else {
        const lits = perValue.flatMap((pv) => pv.lits);
        need = lits.every((l) => l.length >= MIN_LITERAL) ? [lits.map((lit) => ({ field, lit }))] : null;
      }
    }
  }
  if (neq) {
    const inner = test;
    test = (ctx) => {
      const v = get(ctx.e);
      return v !== undefined && v !== null && !inner(ctx);
    };
    need = null;
  }
  return { test, need, fields: [field] };
}

function combine(tests: Test[], all: boolean): Test {
  if (tests.length === 1) return tests[0]!;
  if (all) return (ctx) => tests.every((t) => t(ctx));
  return (ctx) => tests.some((t) => t(ctx));
}
