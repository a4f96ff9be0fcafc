import { inCidr, parseCidr, parseIp } from './cidr.js';
import { fieldGetter, KEYWORD_FIELD, type FieldGetter } from './fields.js';
import { SigmaFeatureError, type EventValue, type KhienEvent } from './types.js';
import { hasWildcard, literalOf, longestLiteral, STAR, tokenize, tokensToRegexSource, type Token } from './wildcard.js';

/** Per-event evaluation context, reused across events (no allocation besides the lowercase cache). */
export interface Ctx {
  e: KhienEvent;
  lc: Map<string, string>;
}

export function lower(ctx: Ctx, s: string): string {
  let l = ctx.lc.get(s);
  if (l === undefined) {
    l = s.toLowerCase();
    ctx.lc.set(s, l);
  }
  return l;
}

export type Test = (ctx: Ctx) => boolean;

/** A literal the event must contain (lowercase, ≥ MIN_LITERAL chars) in `field` for a matcher to be true. */
export interface NeedAtom {
  field: string;
  lit: string;
}
/** Any one of the atoms must be present; null = cannot be indexed (the rule is always evaluated). */
export type Need = NeedAtom[] | null;
export const MIN_LITERAL = 4;

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

/**
 * Many plain lowercase literals of one field and mode, tested in one pass over the (lowercased) value: a Set for
 * equality, and for contains/startswith/endswith a table keyed by the literal's first (last) two code units, so a
 * value is scanned once instead of once per literal (SigmaHQ has rules with hundreds of values).
 */
function multiLiteral(mode: Mode, lits: string[]): (lower: string) => boolean {
  if (mode === 'eq') {
    const set = new Set(lits);
    return (v) => set.has(v);
  }
  const single = new Set<number>();
  const pairs = new Map<number, string[]>();
  let minLen = Infinity;
  for (const l of lits) {
    if (l.length === 0) return () => true;
    minLen = Math.min(minLen, l.length);
    if (l.length === 1) {
      single.add(l.charCodeAt(0));
      continue;
    }
    const key = mode === 'endswith' ? l.charCodeAt(l.length - 2) * 65536 + l.charCodeAt(l.length - 1) : l.charCodeAt(0) * 65536 + l.charCodeAt(1);
    const list = pairs.get(key);
    if (list) list.push(l);
    else pairs.set(key, [l]);
  }
  if (mode === 'startswith') {
    return (v) => {
      if (v.length < minLen) return false;
      if (single.has(v.charCodeAt(0))) return true;
      const list = pairs.get(v.charCodeAt(0) * 65536 + v.charCodeAt(1));
      if (list) for (const l of list) if (v.startsWith(l)) return true;
      return false;
    };
  }
  if (mode === 'endswith') {
    return (v) => {
      const n = v.length;
      if (n < minLen) return false;
      if (single.has(v.charCodeAt(n - 1))) return true;
      const list = pairs.get(v.charCodeAt(n - 2) * 65536 + v.charCodeAt(n - 1));
      if (list) for (const l of list) if (v.endsWith(l)) return true;
      return false;
    };
  }
  // first code units that can start a literal: a byte table rejects most positions without a Map lookup
  const starts = new Uint8Array(65536);
  for (const c of single) starts[c] = 2;
  for (const key of pairs.keys()) starts[Math.floor(key / 65536)] ||= 1;
  return (v) => {
    const n = v.length;
    if (n < minLen) return false;
    for (let i = 0; i < n; i++) {
      const c0 = v.charCodeAt(i);
      const s0 = starts[c0]!;
      if (s0 === 0) continue;
      if (s0 === 2) return true;
      const list = pairs.get(c0 * 65536 + v.charCodeAt(i + 1));
      if (list) for (const l of list) if (v.startsWith(l, i)) return true;
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
      return (ctx: Ctx) => anyScalar(get(ctx.e), (s) => re.test(s));
    });
    test = combine(tests, all);
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
        // any one value's literals suffice: take the value with the longest shortest literal
        let best: string[] | null = null;
        for (const pv of perValue) {
          if (pv.lits.every((l) => l.length >= MIN_LITERAL)) {
            const min = Math.min(...pv.lits.map((l) => l.length));
            if (!best || min > Math.min(...best.map((l) => l.length))) best = pv.lits;
          }
        }
        need = best ? best.map((lit) => ({ field, lit })) : null;
      } else {
        const lits = perValue.flatMap((pv) => pv.lits);
        need = lits.every((l) => l.length >= MIN_LITERAL) ? lits.map((lit) => ({ field, lit })) : null;
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
