import { isGenericUsername, normalizeUsername, usernameKeys } from './patterns.js';

/**
 * The roster and unit indexes of one reconciliation run, built once so that correlating an account costs a few
 * hash look-ups on the account's own strings and otherwise only reads of small integer arrays.
 *
 * Layout: every folded name and every username key of every person is interned as a small integer (a "term";
 * names and keys share one numbering, so a one-word name equal to someone's key is the same term, as it was
 * when both were plain strings). Per term, three lists of people in compressed-row form (one offsets array,
 * one flat list): people whose username keys include the term, people whose folded name is the term, and
 * people having the term as name or key sorted by unit, so "people known as `hungnv` in unit 17" is a binary
 * search in a short run of integers instead of a hash look-up in a map of 1.4 million entries. Per person,
 * the unit number and the name term sit in typed arrays (400 KB each for 100,000 people), which the hot loop
 * reads instead of chasing person objects across the heap.
 */

export interface RosterPerson {
  id: string;
  nameFolded: string;
  citizenIdHash?: string | null;
  email?: string | null;
  unitId: string;
}

export interface RosterUnit {
  id: string;
  code: string;
  nameFolded: string;
  mergedIntoId?: string | null;
  mergedOn?: string | null;
}

/** What an account's free-text unit resolves to, memoised per distinct text. */
export interface UnitHit<U extends RosterUnit> {
  unit: U;
  /** Unit numbers of the unit itself and of its current successor (equal when it was not merged). */
  no: number;
  successorNo: number;
}

const ASCII_RE = /^[\x20-\x7e]*$/;

/** Lower case, diacritics removed (đ → d), runs of white space as one space, trimmed. */
export function folded(s: string | null | undefined): string {
  if (!s) return '';
  // Fast path: plain ASCII needs no Unicode decomposition (most exports).
  if (ASCII_RE.test(s)) return s.toLowerCase().replace(/\s+/g, ' ').trim();
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Offsets + flat list: the people of term `t` are `list[start[t] .. start[t + 1])`, in roster order. */
function compressedRows(termCount: number, count: Int32Array): Int32Array {
  const start = new Int32Array(termCount + 1);
  for (let t = 0; t < termCount; t++) start[t + 1] = start[t]! + count[t]!;
  return start;
}

export class Roster<P extends RosterPerson, U extends RosterUnit> {
  readonly personIndex = new Map<string, number>();
  /**
   * For each roster position, the position `personIndex` gives for that person's id (the last person of that
   * id), or −1 for an empty id: the owner the findings look at.
   */
  readonly ownerOf: Int32Array;
  readonly byCitizen = new Map<string, number>();
  /** Lower-cased e-mail → roster position, or positions when several people share it. */
  readonly byEmail = new Map<string, number | number[]>();
  readonly unitById = new Map<string, U>();
  readonly unitByText = new Map<string, U>();
  /** Unit id → small integer: the units first, then any unit only a person names. */
  readonly unitNos = new Map<string, number>();
  /** Per person: id (a dense array, so taking an id reads no person object), unit number and name term. */
  readonly ids: string[];
  readonly personUnit: Int32Array;
  readonly nameTerm: Int32Array;
  /** Per name term: the username keys of that name, as terms (while building; then `nameKeyStart`/`nameKeyList`). */
  private readonly keysOfName: Int32Array[] = [];
  private readonly nameKeyStart: Int32Array;
  private readonly nameKeyList: Int32Array;
  private readonly terms = new Map<string, number>();
  private readonly keyStart: Int32Array;
  private readonly keyList: Int32Array;
  private readonly nameStart: Int32Array;
  private readonly nameList: Int32Array;
  private readonly tuStart: Int32Array;
  private readonly tuList: Int32Array;
  private readonly tuUnit: Int32Array;

  constructor(readonly people: readonly P[], units: readonly U[]) {
    const n = people.length;
    for (const u of units) this.unitNo(u.id);
    this.ids = new Array<string>(n);
    this.personUnit = new Int32Array(n);
    this.nameTerm = new Int32Array(n);
    this.ownerOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = people[i]!;
      this.ids[i] = p.id;
      this.personIndex.set(p.id, i);
      if (p.citizenIdHash) this.byCitizen.set(p.citizenIdHash, i);
      if (p.email) {
        const k = p.email.toLowerCase();
        const prev = this.byEmail.get(k);
        if (prev === undefined) this.byEmail.set(k, i);
        else if (typeof prev === 'number') this.byEmail.set(k, [prev, i]);
        else prev.push(i);
      }
      this.personUnit[i] = this.unitNo(p.unitId);
      const t = this.termOf(p.nameFolded);
      this.nameTerm[i] = t;
      if (this.keysOfName[t] === undefined) this.keysOfName[t] = Int32Array.from(usernameKeys(p.nameFolded), (k) => this.termOf(k));
    }
    // Ids are unique in a real roster (then each person is their own owner); otherwise the last of an id wins.
    const unique = this.personIndex.size === n;
    for (let i = 0; i < n; i++) this.ownerOf[i] = !people[i]!.id ? -1 : unique ? i : this.personIndex.get(people[i]!.id)!;
    for (const u of units) {
      this.unitById.set(u.id, u);
      this.unitByText.set(u.nameFolded, u);
      this.unitByText.set(u.code.toLowerCase(), u);
    }

    // Three compressed-row lists over the terms: count, offsets, fill.
    const terms = this.terms.size;
    const keyCount = new Int32Array(terms);
    const nameCount = new Int32Array(terms);
    const tuCount = new Int32Array(terms);
    for (let i = 0; i < n; i++) {
      const t = this.nameTerm[i]!;
      nameCount[t]!++;
      tuCount[t]!++;
      for (const k of this.keysOfName[t]!) {
        keyCount[k]!++;
        tuCount[k]!++;
      }
    }
    this.keyStart = compressedRows(terms, keyCount);
    this.nameStart = compressedRows(terms, nameCount);
    this.tuStart = compressedRows(terms, tuCount);
    this.keyList = new Int32Array(this.keyStart[terms]!);
    this.nameList = new Int32Array(this.nameStart[terms]!);
    this.tuList = new Int32Array(this.tuStart[terms]!);
    this.tuUnit = new Int32Array(this.tuStart[terms]!);
    const keyAt = this.keyStart.slice(0, terms);
    const nameAt = this.nameStart.slice(0, terms);
    for (let i = 0; i < n; i++) {
      const t = this.nameTerm[i]!;
      this.nameList[nameAt[t]!++] = i;
      for (const k of this.keysOfName[t]!) this.keyList[keyAt[k]!++] = i;
    }
    // The keys of each name, flat: keys of name term `t` are `nameKeyList[nameKeyStart[t] .. nameKeyStart[t + 1])`.
    const keysPerName = new Int32Array(terms);
    for (let t = 0; t < terms; t++) keysPerName[t] = this.keysOfName[t]?.length ?? 0;
    this.nameKeyStart = compressedRows(terms, keysPerName);
    this.nameKeyList = new Int32Array(this.nameKeyStart[terms]!);
    for (let t = 0; t < terms; t++) if (this.keysOfName[t]) this.nameKeyList.set(this.keysOfName[t]!, this.nameKeyStart[t]!);
    // The by-unit lists are filled in (unit, roster position) order, a stable counting sort on the unit.
    const unitCount = new Int32Array(this.unitNos.size + 1);
    for (let i = 0; i < n; i++) unitCount[this.personUnit[i]! + 1]!++;
    for (let u = 1; u < unitCount.length; u++) unitCount[u]! += unitCount[u - 1]!;
    const byUnit = new Int32Array(n);
    for (let i = 0; i < n; i++) byUnit[unitCount[this.personUnit[i]!]!++] = i;
    const tuAt = this.tuStart.slice(0, terms);
    for (let j = 0; j < n; j++) {
      const i = byUnit[j]!;
      const t = this.nameTerm[i]!;
      const u = this.personUnit[i]!;
      this.tuUnit[tuAt[t]!] = u;
      this.tuList[tuAt[t]!++] = i;
      for (const k of this.keysOfName[t]!) {
        this.tuUnit[tuAt[k]!] = u;
        this.tuList[tuAt[k]!++] = i;
      }
    }
  }

  private termOf(s: string): number {
    let t = this.terms.get(s);
    if (t === undefined) this.terms.set(s, (t = this.terms.size));
    return t;
  }

  private unitNo(unitId: string): number {
    let no = this.unitNos.get(unitId);
    if (no === undefined) this.unitNos.set(unitId, (no = this.unitNos.size));
    return no;
  }

  /** The term of a string, −1 when no person has it as name or username key. */
  term(s: string): number {
    return this.terms.get(s) ?? -1;
  }

  /** People whose username keys include term `t`: positions `keyFrom(t) .. keyFrom(t) + keyCount(t)`. */
  keyCount(t: number): number {
    return t < 0 ? 0 : this.keyStart[t + 1]! - this.keyStart[t]!;
  }

  keyFrom(t: number): number {
    return this.keyStart[t]!;
  }

  keyAt(j: number): number {
    return this.keyList[j]!;
  }

  nameCount(t: number): number {
    return t < 0 ? 0 : this.nameStart[t + 1]! - this.nameStart[t]!;
  }

  nameFrom(t: number): number {
    return this.nameStart[t]!;
  }

  nameAt(j: number): number {
    return this.nameList[j]!;
  }

  /** Whether the username keys of the name with term `name` include term `t`. */
  nameHasKey(name: number, t: number): boolean {
    if (t < 0) return false;
    for (let j = this.nameKeyStart[name]!, end = this.nameKeyStart[name + 1]!; j < end; j++) if (this.nameKeyList[j] === t) return true;
    return false;
  }

  /**
   * The first position in the by-unit list of term `t` holding unit `unit`; the run continues while
   * `unitAt(j) === unit` and `j < unitEnd(t)`.
   */
  unitFrom(t: number, unit: number): number {
    let lo = this.tuStart[t]!;
    let hi = this.tuStart[t + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tuUnit[mid]! < unit) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  unitEnd(t: number): number {
    return this.tuStart[t + 1]!;
  }

  unitAt(j: number): number {
    return this.tuUnit[j]!;
  }

  personAt(j: number): number {
    return this.tuList[j]!;
  }

  /** The unit that now carries this unit's work: follows mergers to the end of the chain. */
  successor(unitId: string): U | undefined {
    let u = this.unitById.get(unitId);
    for (let i = 0; i < 10 && u?.mergedIntoId; i++) u = this.unitById.get(u.mergedIntoId) ?? u;
    return u;
  }

  private readonly unitMemo = new Map<string, UnitHit<U> | null>();

  /** The unit a free-text unit names (by folded name or code), with its successor; memoised per text. */
  unitOf(text: string | null | undefined): UnitHit<U> | null {
    if (!text) return null;
    let hit = this.unitMemo.get(text);
    if (hit === undefined) {
      const t = folded(text);
      const unit = t ? this.unitByText.get(t) : undefined;
      hit = unit ? { unit, no: this.unitNos.get(unit.id)!, successorNo: this.unitNos.get(this.successor(unit.id)?.id ?? unit.id)! } : null;
      this.unitMemo.set(text, hit);
    }
    return hit;
  }

  private readonly usernameMemo = new Map<string, number>();

  /**
   * An account name's normalised form as a term (−1 when no person has it) and whether it is a generic name,
   * packed as `(term + 1) × 2 + generic`; memoised, since one official's username recurs on every system.
   */
  username(username: string): number {
    let packed = this.usernameMemo.get(username);
    if (packed === undefined) {
      packed = (this.term(normalizeUsername(username)) + 1) * 2 + (isGenericUsername(username) ? 1 : 0);
      this.usernameMemo.set(username, packed);
    }
    return packed;
  }

  private readonly nameMemo = new Map<string, number>();

  /** A display name folded, as a term (−1 when empty or nobody's name or key); memoised per distinct text. */
  displayName(name: string | null | undefined): number {
    if (!name) return -1;
    let t = this.nameMemo.get(name);
    if (t === undefined) {
      const f = folded(name);
      this.nameMemo.set(name, (t = f ? this.term(f) : -1));
    }
    return t;
  }
}
