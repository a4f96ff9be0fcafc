/**
 * The one key order both sides are read in, so a merge-join can walk them together. Databases are asked
 * to sort the same way: text keys by code point (= UTF-8 byte order: `COLLATE "C"` on PostgreSQL,
 * `CAST(… AS BINARY)` on MariaDB/MySQL, BINARY on SQLite), numeric keys numerically. Every stream is
 * checked against this order as it is read, so a database that sorts differently fails loudly instead of
 * producing false missing/extra rows.
 */

export type KeyKind = 'number' | 'text';

/** Compare two strings by Unicode code point (UTF-16 code units differ from it only around surrogates). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Compare canonical decimal strings (`-12.5`, `7`, `0.25`) numerically; anything else by code point. */
export function compareDecimals(a: string, b: string): number {
  const na = a.startsWith('-');
  const nb = b.startsWith('-');
  if (na !== nb) return na ? -1 : 1;
  const abs = compareAbs(na ? a.slice(1) : a, nb ? b.slice(1) : b);
  return na ? -abs : abs;
}

function compareAbs(a: string, b: string): number {
  const ap = a.indexOf('.');
  const bp = b.indexOf('.');
  const al = ap < 0 ? a.length : ap;
  const bl = bp < 0 ? b.length : bp;
  if (al !== bl) return al < bl ? -1 : 1; // canonical decimals have no leading zeros
  return a === b ? 0 : a < b ? -1 : 1; // same integer length: the strings compare digit by digit, '.' < digits
}

/** A comparator over canonical key tuples, one kind per key column. NULL keys are rejected before this. */
export function keyComparator(kinds: readonly KeyKind[]): (a: readonly string[], b: readonly string[]) => number {
  return (a, b) => {
    for (let i = 0; i < kinds.length; i++) {
      const c = kinds[i] === 'number' ? compareDecimals(a[i]!, b[i]!) : compareCodePoints(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return 0;
  };
}
