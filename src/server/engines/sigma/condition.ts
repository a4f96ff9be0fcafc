import { compileFieldItem, MIN_LITERAL, type CompileOptions, type CompiledItem, type Ctx, type Need, type NeedAtom, type Test } from './values.js';
import { SigmaFeatureError } from './types.js';

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** At most this many clauses are kept per rule (one bit each in the detector's per-event hit mask). */
export const MAX_CLAUSES = 4;

/** Fewer alternatives and longer literals make a clause more selective. */
function clauseScore(c: NeedAtom[]): number {
  let min = Infinity;
  for (const a of c) if (a.lit.length < min) min = a.lit.length;
  return Math.min(min, 12) * 4 - Math.log2(c.length);
}

function keepBest(clauses: NeedAtom[][]): NeedAtom[][] {
  const seen = new Set<string>();
  const uniq = clauses.filter((c) => {
    const k = c.map((a) => `${a.field}\u0000${a.lit}`).sort().join('\u0001');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  uniq.sort((x, y) => clauseScore(y) - clauseScore(x));
  // Besides the most selective clause, only clauses of literals keyed on a full 4-character gram are worth their
  // index work: a clause like "-a" or " " is present in most command lines and would be verified at every hit.
  return [uniq[0]!, ...uniq.slice(1).filter((c) => c.every((a) => a.lit.length >= 4))].slice(0, MAX_CLAUSES);
}

/** AND of children: every child's clauses must hold (the most selective MAX_CLAUSES are kept). */
export function needAnd(needs: Need[]): Need {
  const clauses: NeedAtom[][] = [];
  for (const n of needs) if (n) clauses.push(...n);
  return clauses.length ? keepBest(clauses) : null;
}

/**
 * OR of children: (A ∧ B) ∨ (C ∧ D) = (A ∨ C) ∧ (A ∨ D) ∧ (B ∨ C) ∧ (B ∨ D) while that stays within MAX_CLAUSES;
 * otherwise each child is reduced to its most selective clause and their union is the one clause.
 */
export function needOr(needs: Need[]): Need {
  if (needs.length === 0) return null;
  for (const n of needs) if (!n || n.length === 0) return null;
  const ns = needs as NeedAtom[][][];
  if (ns.length === 1) return ns[0]!;
  let product = 1;
  for (const n of ns) product *= n.length;
  if (product <= MAX_CLAUSES) {
    let acc: NeedAtom[][] = [[]];
    for (const n of ns) acc = acc.flatMap((c) => n.map((d) => [...c, ...d]));
    return keepBest(acc);
  }
  const union: NeedAtom[] = [];
  for (const n of ns) union.push(...[...n].sort((x, y) => clauseScore(y) - clauseScore(x))[0]!);
  return [union];
}

function and(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return (ctx) => a(ctx) && b(ctx);
  }
  return (ctx) => {
    for (const t of tests) if (!t(ctx)) return false;
    return true;
  };
}

function or(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!;
  return (ctx) => {
    for (const t of tests) if (t(ctx)) return true;
    return false;
  };
}

/** Compile one search identifier's value: map (AND), list of maps (OR), list of keywords (OR over message). */
export function compileSearch(name: string, value: unknown, opts: CompileOptions): CompiledItem {
  if (isMap(value)) {
    const items = Object.entries(value).map(([k, v]) => compileFieldItem(k, v, opts));
    if (items.length === 0) throw new SigmaFeatureError('detection', `search identifier ${name} is an empty map`);
    // cheap tests first: plain equality before regexes is not knowable here; keep the rule's order
    return { test: and(items.map((i) => i.test)), need: needAnd(items.map((i) => i.need)), fields: items.flatMap((i) => i.fields) };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaFeatureError('detection', `search identifier ${name} is an empty list`);
    const maps = value.filter(isMap);
    const scalars = value.filter((v) => !isMap(v));
    const parts: CompiledItem[] = maps.map((m, i) => compileSearch(`${name}[${i}]`, m, opts));
    if (scalars.length) {
      if (scalars.some((s) => s === null || typeof s === 'object')) throw new SigmaFeatureError('detection', `search identifier ${name}: unsupported keyword value`);
      parts.push(compileFieldItem('|contains', scalars, opts));
    }
    return { test: or(parts.map((p) => p.test)), need: needOr(parts.map((p) => p.need)), fields: parts.flatMap((p) => p.fields) };
  }
  if (typeof value === 'string' || typeof value === 'number') return compileFieldItem('|contains', [value], opts);
  throw new SigmaFeatureError('detection', `search identifier ${name} has an unsupported value`);
}

// ---- condition expressions (sigma-rules-specification.md v2.1 "Condition"; precedence or < and < not < x of < ()) ----

type Tok = { t: 'lp' } | { t: 'rp' } | { t: 'and' } | { t: 'or' } | { t: 'not' } | { t: 'of'; q: number | 'all' } | { t: 'id'; v: string };

function lex(cond: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  const words: string[] = [];
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(cond))) {
    words.push(m[1]!);
    end = re.lastIndex;
  }
  if (cond.slice(end).trim()) throw new SigmaFeatureError('condition', `cannot read condition "${cond}"`);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const lw = w.toLowerCase();
    if (w === '(') out.push({ t: 'lp' });
    else if (w === ')') out.push({ t: 'rp' });
    else if (lw === 'and') out.push({ t: 'and' });
    else if (lw === 'or') out.push({ t: 'or' });
    else if (lw === 'not') out.push({ t: 'not' });
    else if (w === '|') throw new SigmaFeatureError('aggregation', 'Sigma v1 aggregation ("| count() …") is obsolete; use a correlation rule');
    else if (lw === 'near') throw new SigmaFeatureError('near', 'the "near" operator is obsolete; use a temporal correlation rule');
    else if ((lw === 'all' || lw === 'any' || /^\d+$/.test(lw)) && words[i + 1]?.toLowerCase() === 'of') {
      out.push({ t: 'of', q: lw === 'all' ? 'all' : lw === 'any' ? 1 : Number(lw) });
      i++;
    } else out.push({ t: 'id', v: w });
  }
  return out;
}

export interface SearchTable {
  get(name: string): CompiledItem | undefined;
  names(): string[];
}

function patternNames(pattern: string, table: SearchTable): string[] {
  if (pattern === 'them') return table.names().filter((n) => !n.startsWith('_'));
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return table.names().filter((n) => re.test(n));
}

/** Parse and compile a condition into a test plus the literals any match needs (for the index). */
export function compileCondition(cond: string, table: SearchTable): CompiledItem {
  const toks = lex(cond);
  let pos = 0;
  const peek = () => toks[pos];
  const fields = new Set<string>();

  function orExpr(): CompiledItem {
    const parts = [andExpr()];
    while (peek()?.t === 'or') {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { test: or(parts.map((p) => p.test)), need: needOr(parts.map((p) => p.need)), fields: [] };
  }
  function andExpr(): CompiledItem {
    const parts = [notExpr()];
    while (peek()?.t === 'and') {
      pos++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : { test: and(parts.map((p) => p.test)), need: needAnd(parts.map((p) => p.need)), fields: [] };
  }
  function notExpr(): CompiledItem {
    if (peek()?.t === 'not') {
      pos++;
      const inner = notExpr();
      const t = inner.test;
      return { test: (ctx: Ctx) => !t(ctx), need: null, fields: [] };
    }
    return primary();
  }
  function primary(): CompiledItem {
    const tok = toks[pos++];
    if (!tok) throw new SigmaFeatureError('condition', `condition "${cond}" ends early`);
    if (tok.t === 'lp') {
      const inner = orExpr();
      if (toks[pos++]?.t !== 'rp') throw new SigmaFeatureError('condition', `condition "${cond}": missing ")"`);
      return inner;
    }
    if (tok.t === 'of') {
      const target = toks[pos++];
      if (target?.t !== 'id') throw new SigmaFeatureError('condition', `condition "${cond}": "of" needs a name pattern`);
      const names = patternNames(target.v, table);
      if (names.length === 0) throw new SigmaFeatureError('condition', `condition "${cond}": no search identifier matches ${target.v}`);
      const items = names.map((n) => table.get(n)!);
      items.forEach((i) => i.fields.forEach((f) => fields.add(f)));
      if (tok.q === 'all') return { test: and(items.map((i) => i.test)), need: needAnd(items.map((i) => i.need)), fields: [] };
      if (tok.q === 1) return { test: or(items.map((i) => i.test)), need: needOr(items.map((i) => i.need)), fields: [] };
      const q = tok.q;
      const tests = items.map((i) => i.test);
      return {
        test: (ctx) => {
          let n = 0;
          for (const t of tests) if (t(ctx) && ++n >= q) return true;
          return false;
        },
        need: null,
        fields: [],
      };
    }
    if (tok.t === 'id') {
      const item = table.get(tok.v);
      if (!item) throw new SigmaFeatureError('condition', `condition "${cond}" names unknown search identifier ${tok.v}`);
      item.fields.forEach((f) => fields.add(f));
      return item;
    }
    throw new SigmaFeatureError('condition', `condition "${cond}": unexpected ${tok.t}`);
  }
  const out = orExpr();
  if (pos < toks.length) throw new SigmaFeatureError('condition', `condition "${cond}": unexpected text after position ${pos}`);
  return { test: out.test, need: out.need, fields: [...fields] };
}

/** Compile a whole Sigma `detection` block (one or several conditions; a list of conditions is an OR). */
export function compileDetection(detection: Record<string, unknown>, opts: CompileOptions): CompiledItem {
  const compiled = new Map<string, CompiledItem>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    compiled.set(name, compileSearch(name, value, opts));
  }
  if (detection.timeframe !== undefined) throw new SigmaFeatureError('timeframe', 'detection timeframe (Sigma v1 aggregation) is obsolete; use a correlation rule');
  const table: SearchTable = { get: (n) => compiled.get(n), names: () => [...compiled.keys()] };
  const conds = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  const items = conds.map((c) => {
    if (typeof c !== 'string') throw new SigmaFeatureError('condition', 'condition must be a string');
    return compileCondition(c, table);
  });
  if (items.length === 1) return items[0]!;
  return { test: or(items.map((i) => i.test)), need: needOr(items.map((i) => i.need)), fields: [...new Set(items.flatMap((i) => i.fields))] };
}

export { MIN_LITERAL };
