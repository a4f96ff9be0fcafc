import type { AccountResult, Candidate, CorrelationRule, CorrelationWeights, ReconcileAccount, ReconcilePerson, ReconcileUnit } from './account-reconcile.js';
import type { Roster, UnitHit } from './roster.js';

/**
 * Weighted correlation of one account with the roster (the `unlinked`/`disputed`/`linked` decision when
 * neither a manual link nor the citizen ID settles it). Rules and weights: see `CorrelationWeights`.
 *
 * Speed (10^6 accounts in one run): the people an account may belong to are gathered in reusable typed
 * arrays (position, score, rule bits), a per-person stamp says in O(1) whether someone is already scored, and
 * the rules of a candidate are one shared frozen array per combination of rule bits. A rule is only ever added
 * after the rules of earlier stages (e-mail, name, username, then unit and date of birth), so the bits give
 * back exactly the order in which they were pushed one by one before. The three best candidates are kept by
 * insertion instead of sorting every candidate.
 */

/** Above this many people sharing a username key or name, the key alone cannot pick anyone (see below). */
export const AMBIGUOUS_USERNAME = 16;

const EMAIL = 1;
const FULL_NAME = 2;
const USERNAME = 4;
const UNIT = 8;
const DATE_OF_BIRTH = 16;
const RULE_BITS: readonly CorrelationRule[] = ['email', 'full_name', 'username', 'unit', 'date_of_birth'];
/** Rule bits → the rules in stage order; shared and frozen (a million results must not each own one). */
const RULES_OF: readonly (readonly CorrelationRule[])[] = Array.from({ length: 32 }, (_, m) => Object.freeze(RULE_BITS.filter((_r, b) => (m & (1 << b)) !== 0)));

export const NONE: readonly never[] = Object.freeze([]);
export const MANUAL: readonly CorrelationRule[] = Object.freeze(['manual']);
export const CITIZEN: readonly CorrelationRule[] = Object.freeze(['citizen_id']);

/**
 * A score read from the Float64Array, as a small integer when it is one (not −0): V8 would otherwise store it in
 * each result as a boxed heap number, a million more objects for the garbage collector.
 */
function tagged(x: number): number {
  const i = x | 0;
  return i === x && (i !== 0 || 1 / x > 0) ? i : x;
}

export class Correlator {
  /** Roster position of the owner findings should look at after `correlate` (−1: none). */
  owner = -1;
  private n = 0;
  private who = new Int32Array(32);
  private score = new Float64Array(32);
  private bits = new Uint8Array(32);
  /**
   * Four integers per person, side by side so that looking at a person costs one cache line, not four: the
   * stamp of the account that last scored them, their slot in the arrays above, their unit number and their
   * name term (the last two copied from the roster).
   */
  private readonly person: Int32Array;
  private stamp = 0;
  private excluded: Set<string> | undefined;

  constructor(
    private readonly roster: Roster<ReconcilePerson, ReconcileUnit>,
    private readonly w: CorrelationWeights,
  ) {
    const n = roster.people.length;
    this.person = new Int32Array(n * 4);
    for (let i = 0; i < n; i++) {
      this.person[i * 4 + 2] = roster.personUnit[i]!;
      this.person[i * 4 + 3] = roster.nameTerm[i]!;
    }
  }

  /** Score person `i` by `rule` (once per rule), unless a manual decision ruled them out. */
  private add(i: number, rule: number, weight: number): void {
    if (this.excluded?.has(this.roster.ids[i]!)) return;
    const p = i * 4;
    if (this.person[p] === this.stamp) {
      const s = this.person[p + 1]!;
      if ((this.bits[s]! & rule) === 0) {
        this.score[s]! += weight;
        this.bits[s]! |= rule;
      }
      return;
    }
    if (this.n === this.who.length) this.grow();
    const s = this.n++;
    this.person[p] = this.stamp;
    this.person[p + 1] = s;
    this.who[s] = i;
    this.score[s] = weight;
    this.bits[s] = rule;
  }

  /** Score everyone known by term `t` (name or username key) whose unit is `unit`. */
  private addInUnit(t: number, unit: number, rule: number, weight: number): void {
    if (t < 0) return;
    const r = this.roster;
    const end = r.unitEnd(t);
    for (let j = r.unitFrom(t, unit); j < end && r.unitAt(j) === unit; j++) this.add(r.personAt(j), rule, weight);
  }

  private grow(): void {
    const size = this.who.length * 2;
    const who = new Int32Array(size);
    const score = new Float64Array(size);
    const bits = new Uint8Array(size);
    who.set(this.who);
    score.set(this.score);
    bits.set(this.bits);
    this.who = who;
    this.score = score;
    this.bits = bits;
  }

  /** Whether slot `x` ranks before slot `y`: higher score first, then the smaller person id. */
  private before(x: number, y: number): boolean {
    const d = this.score[y]! - this.score[x]!;
    if (d) return d < 0;
    const ids = this.roster.ids;
    return ids[this.who[x]!]! < ids[this.who[y]!]!;
  }

  private candidate(s: number): Candidate {
    return { personId: this.roster.ids[this.who[s]!]!, score: tagged(this.score[s]!), rules: RULES_OF[this.bits[s]!]! };
  }

  /**
   * The situation of account `a` (number `index`) by weighted correlation; `excluded`: people ruled out by hand;
   * `username`: `Roster.username` of its username, `unit`: `Roster.unitOf` of its unit text (looked up once by the caller).
   */
  correlate(a: ReconcileAccount, index: number, excluded: Set<string> | undefined, username: number, unit: UnitHit<ReconcileUnit> | null): AccountResult {
    const r = this.roster;
    const w = this.w;
    this.excluded = excluded;
    this.n = 0;
    if (++this.stamp === 0x7fffffff) {
      for (let p = 0; p < this.person.length; p += 4) this.person[p] = 0;
      this.stamp = 1;
    }
    if (a.email) {
      const hit = r.byEmail.get(a.email.toLowerCase());
      if (typeof hit === 'number') this.add(hit, EMAIL, w.email);
      else if (hit) for (const i of hit) this.add(i, EMAIL, w.email);
    }
    const name = r.displayName(a.displayName);
    // The list the account is ambiguous on: people sharing its common name (0) or its common username key (1).
    let ambiguousList = 0;
    let ambiguousCount = 0;
    let ambiguousFrom = 0;
    let ambiguousRule = USERNAME;
    const byName = r.nameCount(name);
    if (byName <= AMBIGUOUS_USERNAME) {
      for (let j = r.nameFrom(Math.max(name, 0)), end = j + byName; j < end; j++) this.add(r.nameAt(j), FULL_NAME, w.fullName);
    } else {
      // A common name (dozens of namesakes in a province): same treatment as a common username key.
      for (let s = 0; s < this.n; s++) if (this.person[this.who[s]! * 4 + 3] === name) this.add(this.who[s]!, FULL_NAME, w.fullName);
      if (unit) {
        this.addInUnit(name, unit.no, FULL_NAME, w.fullName);
        if (unit.successorNo !== unit.no) this.addInUnit(name, unit.successorNo, FULL_NAME, w.fullName);
      }
      if (w.fullName >= w.candidateThreshold) {
        ambiguousList = 0;
        ambiguousFrom = r.nameFrom(name);
        ambiguousCount = byName;
        ambiguousRule = FULL_NAME;
      }
    }
    const user = (username >> 1) - 1;
    const byKey = r.keyCount(user);
    if (byKey <= AMBIGUOUS_USERNAME) {
      for (let j = r.keyFrom(Math.max(user, 0)), end = j + byKey; j < end; j++) this.add(r.keyAt(j), USERNAME, w.username);
    } else {
      // Above the threshold a key only adds weight to people found otherwise or within the account's unit;
      // the other namesakes count as ties (keeps each account at a few look-ups, never a scan of hundreds).
      // Namesakes share their keys: the answer for the previous person's name is reused.
      let lastName = -1;
      let lastHas = false;
      for (let s = 0; s < this.n; s++) {
        const name = this.person[this.who[s]! * 4 + 3]!;
        if (name !== lastName) {
          lastName = name;
          lastHas = r.nameHasKey(name, user);
        }
        if ((this.bits[s]! & USERNAME) === 0 && lastHas) {
          this.score[s]! += w.username;
          this.bits[s]! |= USERNAME;
        }
      }
      if (unit) {
        this.addInUnit(user, unit.no, USERNAME, w.username);
        if (unit.successorNo !== unit.no) this.addInUnit(user, unit.successorNo, USERNAME, w.username);
      }
      if (w.username >= w.candidateThreshold && byKey > ambiguousCount) {
        ambiguousList = 1;
        ambiguousFrom = r.keyFrom(user);
        ambiguousCount = byKey;
        ambiguousRule = USERNAME;
      }
    }

    // Unit and date of birth, then the candidates at or above the threshold: their number, the best score and
    // how many reach it. Person ids are compared only when candidates are listed (disputed, unlinked): most
    // accounts are linked to a unique best, and comparing ids means reading scattered strings.
    let count = 0;
    let best = 0;
    let bestSlot = -1;
    let atBest = 0;
    const people = r.people;
    for (let s = 0; s < this.n; s++) {
      const i = this.who[s]!;
      if (unit) {
        const u = this.person[i * 4 + 2];
        if (u === unit.no || u === unit.successorNo) {
          this.score[s]! += w.unit;
          this.bits[s]! |= UNIT;
        }
      }
      if (a.dateOfBirth && people[i]!.dateOfBirth === a.dateOfBirth) {
        this.score[s]! += w.dateOfBirth;
        this.bits[s]! |= DATE_OF_BIRTH;
      }
      const score = this.score[s]!;
      if (score >= w.candidateThreshold) {
        count++;
        if (bestSlot < 0 || score > best) {
          best = score;
          bestSlot = s;
          atBest = 1;
        } else if (score === best) atBest++;
      }
    }

    // People matched by the ambiguous name or key alone, not scored above: they count as rivals.
    let others = 0;
    if (ambiguousCount > 0) {
      let withRule = 0;
      for (let s = 0; s < this.n; s++) if ((this.bits[s]! & ambiguousRule) !== 0) withRule++;
      others = Math.max(0, ambiguousCount - withRule);
    }
    this.owner = -1;
    if (count === 0 && others > 0) {
      const weight = ambiguousRule === FULL_NAME ? w.fullName : w.username;
      const rules = RULES_OF[ambiguousRule]!;
      // A few of them for review: the first of the list (as far as 3 past the people scored) not scored.
      const top: Candidate[] = [];
      for (let j = ambiguousFrom, end = ambiguousFrom + Math.min(ambiguousCount, 3 + this.n); j < end && top.length < 3; j++) {
        const i = ambiguousList === 0 ? r.nameAt(j) : r.keyAt(j);
        if (this.person[i * 4] === this.stamp) continue;
        if (top.length === 0 && others === 1) this.owner = r.ownerOf[i]!;
        top.push({ personId: r.ids[i]!, score: weight, rules });
      }
      return { index, situation: others === 1 ? 'unlinked' : 'disputed', personId: others === 1 ? top[0]!.personId : null, linkedPersonIds: NONE, score: weight, rules, candidates: top };
    }
    if (count === 0) return { index, situation: 'unmatched', personId: null, linkedPersonIds: NONE, score: 0, rules: NONE, candidates: NONE };
    best = tagged(best);
    const rivals = count - 1 + others;
    const weakest = ambiguousCount > 0 && ambiguousRule === FULL_NAME ? w.fullName : w.username;
    const tied = atBest > 1 || (others > 0 && best === weakest);
    if (tied || (rivals > 0 && best < w.linkThreshold)) {
      const top = this.top(w.candidateThreshold);
      return { index, situation: 'disputed', personId: null, linkedPersonIds: NONE, score: best, rules: top[0]!.rules, candidates: top };
    }
    // Not tied: the best is the only candidate with the best score.
    this.owner = r.ownerOf[this.who[bestSlot]!]!;
    const personId = r.ids[this.who[bestSlot]!]!;
    const rules = RULES_OF[this.bits[bestSlot]!]!;
    if (best >= w.linkThreshold) {
      return { index, situation: 'linked', personId, linkedPersonIds: NONE, score: best, rules, candidates: NONE };
    }
    return { index, situation: 'unlinked', personId, linkedPersonIds: NONE, score: best, rules, candidates: this.top(w.candidateThreshold) };
  }

  /** The three best candidates in order (score, then person id), by insertion: no sort of all of them. */
  private top(threshold: number): Candidate[] {
    let b0 = -1;
    let b1 = -1;
    let b2 = -1;
    for (let s = 0; s < this.n; s++) {
      if (!(this.score[s]! >= threshold)) continue;
      if (b0 < 0 || this.before(s, b0)) {
        b2 = b1;
        b1 = b0;
        b0 = s;
      } else if (b1 < 0 || this.before(s, b1)) {
        b2 = b1;
        b1 = s;
      } else if (b2 < 0 || this.before(s, b2)) b2 = s;
    }
    const top = [this.candidate(b0)];
    if (b1 >= 0) top.push(this.candidate(b1));
    if (b2 >= 0) top.push(this.candidate(b2));
    return top;
  }
}
