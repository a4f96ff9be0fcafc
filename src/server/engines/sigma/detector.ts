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
import { MIN_LITERAL, type Ctx, type NeedAtom, type Test } from './values.js';

interface CompiledRule {
  idx: number;
  info: RuleInfo;
  key: string;
  test: Test;
  /** Literal atoms, one of which must occur for a match; null = always evaluate. */
  need: NeedAtom[] | null;
  fields: string[];
  getters: [string, FieldGetter][];
  filters: Test[];
}

/** 4-character gram of lowercase text as a small integer (7 bits per char; collisions only add candidates). */
const GRAM_MASK = 0xfffffff;
function gramAt(s: string, i: number): number {
  return (((s.charCodeAt(i) & 0x7f) << 21) | ((s.charCodeAt(i + 1) & 0x7f) << 14) | ((s.charCodeAt(i + 2) & 0x7f) << 7) | (s.charCodeAt(i + 3) & 0x7f)) & GRAM_MASK;
}

interface FieldIndex {
  field: string;
  get: FieldGetter;
  grams: Map<number, number[]>;
}

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
 * inside a bucket, indexed by a 4-character gram of a literal the rule cannot match without (chosen as the
 * rarest gram of the rule's most selective literal set), so an event is only tested against rules whose
 * literal appears in it. Rules without such a literal (negations, regexes, numbers, short values) are always
 * tested within their logsource bucket.
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
        need: c.need && c.need.every((a) => a.lit.length >= MIN_LITERAL) ? c.need : null,
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
    for (const a of r.need ?? []) {
      const seen = new Set<number>();
      for (let i = 0; i + 4 <= a.lit.length; i++) seen.add(gramAt(a.lit, i));
      for (const g of seen) freq.set(g, (freq.get(g) ?? 0) + 1);
    }
  }
  const rarest = (lit: string): number => {
    let best = gramAt(lit, 0);
    let bf = Infinity;
    for (let i = 0; i + 4 <= lit.length; i++) {
      const g = gramAt(lit, i);
      const f = freq.get(g) ?? 0;
      if (f < bf) {
        bf = f;
        best = g;
      }
    }
    return best;
  };
  const atomGrams = new Map<CompiledRule, { field: string; gram: number }[]>();
  for (const r of rules) if (r.need) atomGrams.set(r, r.need.map((a) => ({ field: a.field, gram: rarest(a.lit) })));

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
    const always: CompiledRule[] = [];
    const idx = new Map<string, FieldIndex>();
    for (const k of keys) {
      for (const r of byKey.get(k) ?? []) {
        const ag = atomGrams.get(r);
        if (!ag) {
          always.push(r);
          continue;
        }
        for (const { field, gram } of ag) {
          let fi = idx.get(field);
          if (!fi) idx.set(field, (fi = { field, get: fieldGetter(field), grams: new Map() }));
          const list = fi.grams.get(gram);
          if (!list) fi.grams.set(gram, [r.idx]);
          else if (list[list.length - 1] !== r.idx) list.push(r.idx);
        }
      }
    }
    b = { always, indexes: [...idx.values()] };
    if (buckets.size > 10_000) buckets.clear();
    buckets.set(sig, b);
    return b;
  };

  const stamp = new Int32Array(rules.length);
  let epoch = 0;
  const candidates: CompiledRule[] = [];
  const ctx: Ctx = { e: {}, lc: new Map() };

  const scan = (fi: FieldIndex, text: string) => {
    const s = ctx.lc.get(text) ?? text.toLowerCase();
    ctx.lc.set(text, s);
    const n = s.length;
    if (n < 4) return;
    let g = gramAt(s, 0);
    for (let i = 0; ; ) {
      const hit = fi.grams.get(g);
      if (hit !== undefined) {
        for (const ri of hit) {
          if (stamp[ri] !== epoch) {
            stamp[ri] = epoch;
            candidates.push(rules[ri]!);
          }
        }
      }
      if (++i + 4 > n) break;
      g = ((g << 7) | (s.charCodeAt(i + 3) & 0x7f)) & GRAM_MASK;
    }
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
      ctx.lc.clear();
      epoch = (epoch + 1) | 0;
      if (epoch === 0) {
        stamp.fill(0);
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
