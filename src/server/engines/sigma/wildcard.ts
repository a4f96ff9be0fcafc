/**
 * Sigma string values: `*` and `?` are wildcards; a backslash escapes `*`, `?` and itself, and is a plain
 * character before anything else (sigma-rules-specification.md v2.1 "Escaping"; the same reading as pySigma).
 */
export type Token = string | typeof STAR | typeof QMARK;
export const STAR = Symbol('*');
export const QMARK = Symbol('?');

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let acc = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      acc += c === '*' || c === '?' || c === '\\' ? c : `\\${c}`;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === '*' || c === '?') {
      if (acc) out.push(acc);
      acc = '';
      out.push(c === '*' ? STAR : QMARK);
    } else acc += c;
  }
  if (escaped) acc += '\\';
  if (acc) out.push(acc);
  return out;
}

export function hasWildcard(tokens: Token[]): boolean {
  return tokens.some((t) => typeof t !== 'string');
}

/** Join literal tokens back (only valid without wildcards). */
export function literalOf(tokens: Token[]): string {
  return tokens.map((t) => (typeof t === 'string' ? t : '')).join('');
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function tokensToRegexSource(tokens: Token[]): string {
  return tokens.map((t) => (t === STAR ? '[\\s\\S]*' : t === QMARK ? '[\\s\\S]' : escapeRegex(t))).join('');
}

/** Longest wildcard-free piece: what the literal index can key on. */
export function longestLiteral(tokens: Token[]): string {
  let best = '';
  for (const t of tokens) if (typeof t === 'string' && t.length > best.length) best = t;
  return best;
}
