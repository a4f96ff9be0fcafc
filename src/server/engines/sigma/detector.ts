import { compileDetection } from './condition.js';
import { fieldGetter, type FieldGetter } from './fields.js';
import { eventLogsource, eventLogsourceKeys, logsourceSignature, ruleLogsourceKey } from './logsource.js';
import {
  SigmaFeatureError,
  type Detector,
  type DetectorOptions,
  type EventValue,
  type KhienEvent,
  type ParsedRules,
  type RuleFilter,
  type RuleInfo,
  type RuleMatch,
  type SigmaLoadIssue,
} from './types.js';
import { LowerCache, lower, MIN_LITERAL, type Ctx, type NeedAtom, type Test } from './values.js';

interface CompiledRule {
  idx: number;
  info: RuleInfo;
  key: string;
  test: Test;
  /** Clauses of literal atoms (CNF) that must all hold for a match; null = always evaluate. */
  need: NeedAtom[][] | null;
  fields: string[];
  getters: [string, FieldGetter][];
  filters: Test[];
}

/**
 * Index keys. A literal of 4 or more characters is keyed on one 4-character gram (its rarest), shorter literals on
 * themselves; 7 bits per character of the lowercased text, non-ASCII characters as 0 (their collisions only cost
 * a verification; a key of ASCII characters other than NUL identifies them exactly). Keys of the
 * k-grams (k < 4) live below 2^23, keys of 4-grams at 2^28 and above, so one Map holds both.
 */
const GRAM_MASK = 0xfffffff;
const KEY4 = 0x10000000;
const SHORT_MASK = [0, 0x7f, 0x3fff, 0x1fffff];
function gramAt(s: string, i: number, k: number): number {
  let g = 0;
  for (let j = 0; j < k; j++) g = (g << 7) | code7(s.charCodeAt(i + j));
  return g;
}
/** 7-bit code of a character: ASCII as itself, everything else 0 (so a key of ASCII characters is exact). */
function code7(c: number): number {
  return c > 0x7f ? 0 : c;
}
function keyOf(gram: number, k: number): number {
  return k === 4 ? (gram & GRAM_MASK) | KEY4 : (gram & SHORT_MASK[k]!) | (k << 21);
}
/** Bloom bit of a key in a field's 65,536-bit filter, so most text positions cost no Map lookup. */
function bloomBit(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 16;
}

/** One literal under an index key, with every (rule, clause) that needs it: the text is checked once per literal. */
interface Entry {
  lit: string;
  /** where the literal starts, counted back from the key's last character */
  back: number;
  /** the key alone proves the literal (it is the whole literal, in ASCII): no check of the text needed */
  exact: boolean;
  rules: number[];
  bits: number[];
  /** per (rule, clause): the hit mask of all the rule's clauses in this bucket (the rule is then a candidate) */
  full: number[];
}

interface FieldIndex {
  field: string;
  get: FieldGetter;
  map: Map<number, Entry[]>;
  bloom: Int32Array;
  /** bit k-1 set when the field has literals keyed on k characters */
  ks: number;
  /**
   * Scan results of recent values (raw text → the literals found in it): field values recur across events
   * (image paths, command lines, user agents), and a value's literals depend only on the value and this index,
   * so a recurring value costs one Map lookup instead of a pass over its characters. Bounded; values longer
   * than MEMO_MAX_CHARS are always scanned.
   */
  memo: Map<string, Entry[]>;
}

/** Longest value whose scan result is remembered, and how many values each field remembers. */
const MEMO_MAX_CHARS = 512;
const MEMO_ENTRIES = 4096;
const NO_ENTRIES: Entry[] = [];

interface Bucket {
  always: CompiledRule[];
  indexes: FieldIndex[];
}

function filterTests(rule: RuleInfo, filters: RuleFilter[] | undefined, placeholders: Record<string, string[]> | undefined): Test[] {
  if (!filters?.length) return [];
  return filters.map((f, i) => {
    let detection = f.detection;
    if (!detection && f.fields) detection = { filter: f.fields, condition: 'filter' };
    if (!detection) throw new SigmaFeatureError('filter', `filter ${f.id ?? i} of rule ${rule.id} is empty`);
    return compileDetection(detection, { placeholders }).test;
  });
}

/** Validate an FP filter alone (for the rules API): throws SigmaFeatureError with the reason. */
export function checkFilter(filter: RuleFilter): void {
  const detection = filter.detection ?? (filter.fields ? { filter: filter.fields, condition: 'filter' } : undefined);
  if (!detection) throw new SigmaFeatureError('filter', 'filter has neither fields nor detection');
  compileDetection(detection, {});
}

/**
 * Compile parsed rules into a detector. Each rule becomes one closure tree; rules are bucketed by logsource and,
 * inside a bucket, indexed by the literals the rule cannot match without (values.ts Need: up to MAX_CLAUSES
 * clauses, each a set of alternative literals in one field). One pass over each indexed field of the event finds
 * the literals present (a Bloom filter, then the Map of keys, then an exact check of the literal), and a rule is
 * tested only when every one of its clauses was seen. Rules without such literals (negation-only, numbers,
 * CIDR, fieldref) are tested for every event of their logsource.
 */
export function compileDetector(parsed: ParsedRules, opts: DetectorOptions = {}): Detector {
  const issues: SigmaLoadIssue[] = [...parsed.issues];
  const rules: CompiledRule[] = [];
  for (const d of parsed.detections) {
    if (opts.enabled && !opts.enabled(d.info)) continue;
    try {
      const c = compileDetection(d.detection, { placeholders: opts.placeholders });
      const fields = [...new Set(c.fields)];
      rules.push({
        idx: rules.length,
        info: d.info,
        key: ruleLogsourceKey(d.info.logsource),
        test: c.test,
        need: c.need && c.need.length > 0 && c.need.length <= 31 && c.need.every((cl) => cl.length > 0 && cl.every((a) => a.lit.length >= MIN_LITERAL)) ? c.need : null,
        fields,
        getters: fields.map((f) => [f, fieldGetter(f)]),
        filters: filterTests(d.info, opts.filters?.[d.info.id], opts.placeholders),
      });
    } catch (e) {
      if (!(e instanceof SigmaFeatureError)) throw e;
      issues.push({ path: d.info.path ?? '', ruleId: d.info.id, feature: e.feature, message: e.message });
    }
  }

  // Gram frequency over all literals, so each literal is keyed on its rarest gram.
  const freq = new Map<number, number>();
  for (const r of rules) {
    for (const clause of r.need ?? []) {
      for (const a of clause) {
        const seen = new Set<number>();
        for (let i = 0; i + 4 <= a.lit.length; i++) seen.add(gramAt(a.lit, i, 4));
        for (const g of seen) freq.set(g, (freq.get(g) ?? 0) + 1);
      }
    }
  }
  /** Index key of a literal and the distance from the key's last character back to the literal's start. */
  const keyFor = (lit: string): { key: number; back: number; k: number } => {
    if (lit.length < 4) return { key: keyOf(gramAt(lit, 0, lit.length), lit.length), back: lit.length - 1, k: lit.length };
    let best = 0;
    let bf = Infinity;
    for (let i = 0; i + 4 <= lit.length; i++) {
      const f = freq.get(gramAt(lit, i, 4)) ?? 0;
      if (f < bf) {
        bf = f;
        best = i;
      }
    }
    return { key: keyOf(gramAt(lit, best, 4), 4), back: best + 3, k: 4 };
  };

  const byKey = new Map<string, CompiledRule[]>();
  for (const r of rules) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }

  const buckets = new Map<string, Bucket>();
  const bucketFor = (e: KhienEvent): Bucket => {
    const sig = logsourceSignature(e);
    let b = buckets.get(sig);
    if (b) return b;
    const keys = eventLogsourceKeys(eventLogsource(e));
    // Fields whose value every event of this bucket shares (the signature includes them): Channel and EventID of
    // a Windows event. A clause on these fields alone is decided here, once: never true → the rule cannot match
    // an event of the bucket and is left out; always true → the clause is dropped. A Security event is then
    // indexed only on the fields of rules for its own EventID instead of on those of every Security rule.
    const fixed = new Map<string, string>();
    const eid = e.EventID;
    if (typeof e.Channel === 'string' && (typeof eid === 'number' || typeof eid === 'string')) {
      fixed.set('Channel', e.Channel.toLowerCase());
      fixed.set('EventID', String(eid).toLowerCase());
    }
    const always: CompiledRule[] = [];
    const idx = new Map<string, FieldIndex>();
    for (const k of keys) {
      for (const r of byKey.get(k) ?? []) {
        if (!r.need || opts.index === false) {
          always.push(r);
          continue;
        }
        const need: NeedAtom[][] = [];
        let possible = true;
        for (const clause of r.need) {
          if (fixed.size > 0 && clause.every((a) => fixed.has(a.field))) {
            if (!clause.some((a) => fixed.get(a.field)!.includes(a.lit))) possible = false;
          } else need.push(clause);
        }
        if (!possible) continue;
        if (need.length === 0) {
          always.push(r);
          continue;
        }
        const fullMask = (1 << need.length) - 1;
        const added = new Set<string>();
        need.forEach((clause, c) => {
          for (const { field, lit } of clause) {
            const dedup = `${c}\u0000${field}\u0000${lit}`;
            if (added.has(dedup)) continue;
            added.add(dedup);
            let fi = idx.get(field);
            if (!fi) idx.set(field, (fi = { field, get: fieldGetter(field), map: new Map(), bloom: new Int32Array(2048), ks: 0, memo: new Map() }));
            const { key, back, k: kk } = keyFor(lit);
            fi.ks |= 1 << (kk - 1);
            const h = bloomBit(key);
            fi.bloom[h >>> 5]! |= 1 << (h & 31);
            let list = fi.map.get(key);
            if (!list) fi.map.set(key, (list = []));
            let entry = list.find((x) => x.lit === lit);
            if (!entry) list.push((entry = { lit, back, exact: lit.length <= 4 && /^[\x01-\x7f]*$/.test(lit), rules: [], bits: [], full: [] }));
            entry.rules.push(r.idx);
            entry.bits.push(1 << c);
            entry.full.push(fullMask);
          }
        });
      }
    }
    b = { always, indexes: [...idx.values()] };
    if (buckets.size > 10_000) buckets.clear();
    buckets.set(sig, b);
    return b;
  };

  const hitEpoch = new Int32Array(rules.length);
  const hitMask = new Int32Array(rules.length);
  let epoch = 0;
  const candidates: CompiledRule[] = [];
  const ctx: Ctx = { e: {}, lc: new LowerCache() };

  /** Count a found literal for every (rule, clause) that needs it; a rule whose clauses are all seen is a candidate. */
  const hit = (en: Entry) => {
    const rs = en.rules;
    for (let j = 0; j < rs.length; j++) {
      const ri = rs[j]!;
      const bit = en.bits[j]!;
      let m: number;
      if (hitEpoch[ri] !== epoch) {
        hitEpoch[ri] = epoch;
        m = bit;
      } else {
        m = hitMask[ri]!;
        if (m & bit) continue;
        m |= bit;
      }
      hitMask[ri] = m;
      if (m === en.full[j]) candidates.push(rules[ri]!);
    }
  };

  /** literals found by the current scan (for the memo), or null when the value is not remembered */
  let found: Entry[] | null = null;
  const probe = (fi: FieldIndex, key: number, s: string, end: number) => {
    const h = bloomBit(key);
    if (((fi.bloom[h >>> 5]! >>> (h & 31)) & 1) === 0) return;
    const list = fi.map.get(key);
    if (list === undefined) return;
    for (const en of list) {
      const start = end - en.back;
      if (!en.exact && (start < 0 || !s.startsWith(en.lit, start))) continue;
      if (found !== null && !found.includes(en)) found.push(en);
      hit(en);
    }
  };

  const scanText = (fi: FieldIndex, s: string) => {
    const n = s.length;
    const ks = fi.ks;
    let g = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      g = ((g << 7) | (c > 0x7f ? 0 : c)) & GRAM_MASK;
      if (ks & 8 && i >= 3) probe(fi, g | KEY4, s, i);
      if (ks & 4 && i >= 2) probe(fi, (g & 0x1fffff) | (3 << 21), s, i);
      if (ks & 2 && i >= 1) probe(fi, (g & 0x3fff) | (2 << 21), s, i);
      if (ks & 1) probe(fi, (g & 0x7f) | (1 << 21), s, i);
    }
  };

  const scan = (fi: FieldIndex, text: string) => {
    if (text.length > MEMO_MAX_CHARS) {
      scanText(fi, lower(ctx, text));
      return;
    }
    const known = fi.memo.get(text);
    if (known !== undefined) {
      for (let i = 0; i < known.length; i++) hit(known[i]!);
      return;
    }
    found = [];
    scanText(fi, lower(ctx, text));
    if (fi.memo.size >= MEMO_ENTRIES) fi.memo.clear();
    fi.memo.set(text, found.length === 0 ? NO_ENTRIES : found);
    found = null;
  };

  const matched = (r: CompiledRule, e: KhienEvent): Record<string, EventValue> => {
    const out: Record<string, EventValue> = {};
    for (const [f, get] of r.getters) {
      const v = get(e);
      if (v !== undefined) out[f] = v;
    }
    return out;
  };

  const evaluate = (r: CompiledRule, out: RuleMatch[]) => {
    if (!r.test(ctx)) return;
    for (const f of r.filters) if (f(ctx)) return;
    out.push({ rule: r.info, matched: matched(r, ctx.e) });
  };

  return {
    rules: rules.map((r) => r.info),
    issues,
    match(event: KhienEvent): RuleMatch[] {
      const out: RuleMatch[] = [];
      const b = bucketFor(event);
      ctx.e = event;
      ctx.lc.nextEvent();
      epoch = (epoch + 1) | 0;
      if (epoch === 0) {
        hitEpoch.fill(0);
        epoch = 1;
      }
      candidates.length = 0;
      for (const fi of b.indexes) {
        const v = fi.get(event);
        if (v === undefined || v === null) continue;
        if (typeof v === 'string') scan(fi, v);
        else if (typeof v === 'number' || typeof v === 'boolean') scan(fi, String(v));
        else for (const x of v) scan(fi, String(x));
      }
      for (const r of b.always) evaluate(r, out);
      for (const r of candidates) evaluate(r, out);
      ctx.e = {};
      return out;
    },
  };
}
