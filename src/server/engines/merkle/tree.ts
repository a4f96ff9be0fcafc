import { EMPTY_ROOT, EMPTY_ROOT_HEX, hashEquals, nodeHash, nodeHashHex, splitPoint } from './hash.js';

/**
 * Merkle tree head and proofs over a list of leaf hashes, following RFC 6962 §2.1 (MTH, PATH, PROOF) and the
 * verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. Leaves are given already hashed (leafHash), so
 * callers that keep only leaf hashes (pruned entries) can still produce every proof.
 */

/** Source of leaf hashes by index: an array, or a store-backed accessor. */
export type Leaves = readonly Buffer[];

/** MTH(D[start:end]) — the root of the leaves in [start, end). */
export function rootOfRange(leaves: Leaves, start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[start]!;
  // Perfect subtrees are folded with a compact range: O(n) time, O(log n) memory.
  const range = new CompactRange();
  for (let i = start; i < end; i++) range.append(leaves[i]!);
  return range.root();
}

/** MTH(D[n]) over all given leaves. */
export function rootOf(leaves: Leaves): Buffer {
  return rootOfRange(leaves, 0, leaves.length);
}

/** PATH(m, D[0:n]) — the audit path of leaf m in the tree of the first n leaves (RFC 6962 §2.1.1). */
export function inclusionProof(leaves: Leaves, index: number, size: number = leaves.length): Buffer[] {
  if (!(index >= 0 && index < size && size <= leaves.length)) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const path: Buffer[] = [];
  const walk = (m: number, start: number, n: number): void => {
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, k);
      path.push(rootOfRange(leaves, start + k, start + n));
    } else {
      walk(m - k, start + k, n - k);
      path.push(rootOfRange(leaves, start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[n]) — consistency proof from the tree of size m to the tree of size n (RFC 6962 §2.1.2). */
export function consistencyProof(leaves: Leaves, m: number, n: number = leaves.length): Buffer[] {
  if (!(m >= 0 && m <= n && n <= leaves.length)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  const proof: Buffer[] = [];
  const sub = (mm: number, start: number, nn: number, complete: boolean): void => {
    if (mm === nn) {
      if (!complete) proof.push(rootOfRange(leaves, start, start + nn));
      return;
    }
    const k = splitPoint(nn);
    if (mm <= k) {
      sub(mm, start, k, complete);
      proof.push(rootOfRange(leaves, start + k, start + nn));
    } else {
      sub(mm - k, start + k, nn - k, false);
      proof.push(rootOfRange(leaves, start, start + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2: does `proof` show that `leaf` is at `index` in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashEquals(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (size1, root1) is a prefix of (size2, root2)? */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 >= 0 && size1 <= size2)) return false;
  if (size1 === size2) return proof.length === 0 && hashEquals(root1, root2);
  if (size1 === 0) return proof.length === 0 && hashEquals(root1, EMPTY_ROOT);
  if (proof.length === 0) return false;
  // If size1 is an exact power of two, the old root is itself a node of the new tree and is not sent.
  const path: Uint8Array[] = isPow2(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) { fn = half(fn); sn = half(sn); }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashEquals(fr, root1) && hashEquals(sr, root2);
}

function isPow2(x: number): boolean {
  if (x < 1) return false;
  while (x > 1) {
    if (odd(x)) return false;
    x = half(x);
  }
  return true;
}

/**
 * A compact range [0, size): the roots of the perfect subtrees that make up the tree, largest first
 * (at most log2(n)+1 hashes). Append and root are O(log n); this is what the sequencer keeps in memory and
 * what verification streams leaves through.
 */
export class CompactRange {
  private readonly hashes: Buffer[] = [];
  private readonly sizes: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    let h = leaf;
    let s = 1;
    // Merge equal-sized perfect subtrees from the right, like binary carry.
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === s) {
      h = nodeHash(this.hashes.pop()!, h);
      this.sizes.pop();
      s *= 2;
    }
    this.hashes.push(h);
    this.sizes.push(s);
    this.count++;
  }

  /** MTH of the leaves appended so far: the subtree roots folded right to left. */
  root(): Buffer {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let r = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) r = nodeHash(this.hashes[i]!, r);
    return r;
  }

  /** The subtree roots and their sizes (to persist and resume the range). */
  snapshot(): { size: number; hashes: string[] } {
    return { size: this.count, hashes: this.hashes.map((h) => h.toString('base64')) };
  }

  /** Rebuild from `snapshot()`: the subtree sizes follow from the binary digits of size. */
  static restore(state: { size: number; hashes: string[] }): CompactRange {
    const r = new CompactRange();
    const sizes: number[] = [];
    let rest = state.size;
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(1, rest))); bit >= 1; bit /= 2) {
      if (rest >= bit) {
        sizes.push(bit);
        rest -= bit;
      }
    }
    if (state.size === 0) sizes.length = 0;
    if (sizes.length !== state.hashes.length) throw new Error('compact range: size and hash count disagree');
    r.sizes.push(...sizes);
    r.hashes.push(...state.hashes.map((h) => Buffer.from(h, 'base64')));
    r.count = state.size;
    return r;
  }
}

/**
 * A compact range over hex hashes, for verification: the same binary-carry folding as CompactRange, plus
 * appending a whole perfect subtree by its root (RFC 6962 §2.1: when the tree so far has a multiple of 2^k
 * leaves, the next 2^k leaves form one node of the tree, whichever way they were hashed). This is what lets
 * verification hash disjoint, aligned leaf ranges independently (e.g. on worker threads) and combine only their
 * roots.
 */
export class HexCompactRange {
  private readonly hashes: string[] = [];
  private readonly sizes: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Append a perfect subtree of `leaves` leaves (a power of two) with root `rootHex`; the range size must be a multiple of `leaves`. */
  appendSubtree(rootHex: string, leaves: number): void {
    if (!(leaves >= 1 && Number.isSafeInteger(leaves) && (leaves & (leaves - 1)) === 0) || this.count % leaves !== 0) {
      throw new RangeError(`compact range: a subtree of ${leaves} leaves cannot start at leaf ${this.count}`);
    }
    this.push(rootHex, leaves);
  }

  /** Append every subtree of another range (which must start where this one ends, aligned). */
  appendRange(other: { hashes: readonly string[]; sizes: readonly number[] }): void {
    for (let i = 0; i < other.hashes.length; i++) this.appendSubtree(other.hashes[i]!, other.sizes[i]!);
  }

  private push(h: string, leaves: number): void {
    let s = leaves;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === s) {
      h = nodeHashHex(this.hashes.pop()!, h);
      this.sizes.pop();
      s *= 2;
    }
    this.hashes.push(h);
    this.sizes.push(s);
    this.count += leaves;
  }

  /**
   * MTH of the leaves appended so far, folded right to left. With `tail` (the right fold of the leaves that follow,
   * as returned by another range's root()), the MTH of this range followed by those leaves: folding is sequential
   * from the right, so the two parts can be folded separately.
   */
  root(tail?: string): string {
    let i = this.hashes.length - 1;
    let r = tail;
    if (r === undefined) {
      if (i < 0) return EMPTY_ROOT_HEX;
      r = this.hashes[i--]!;
    }
    for (; i >= 0; i--) r = nodeHashHex(this.hashes[i]!, r);
    return r;
  }

  /** The subtree roots and sizes, largest first. */
  snapshot(): { hashes: string[]; sizes: number[] } {
    return { hashes: [...this.hashes], sizes: [...this.sizes] };
  }
}
