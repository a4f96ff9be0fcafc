import type { ReconcilePerson, ReconcileSystem, ReconcileUnit } from './account-reconcile.js';
import { folded, type Roster } from './roster.js';

/**
 * The per-person and per-system facts the findings of a reconciliation run need, computed once per run (or
 * once per distinct value) so that the loop over 10^6 accounts reads small integers instead of person objects
 * and folds no role name twice.
 */

const LEAVER_STATUS: Record<string, string> = { retired: 'đã nghỉ hưu', dismissed: 'đã thôi việc', deceased: 'đã từ trần' };

/** What the findings need of each person, two integers side by side instead of a read of the person object. */
export class PersonTraits {
  /** Per person: the leaver text number (0 = not a leaver) plus 256 when they may have left a unit; position number. */
  private readonly code: Int32Array;
  /** Leaver texts by number (LEAVER_STATUS of the status), 0 = none. */
  private readonly leaverTexts: (string | undefined)[] = [undefined];
  readonly positions: string[] = [];

  constructor(people: readonly ReconcilePerson[]) {
    const n = people.length;
    this.code = new Int32Array(n * 2);
    const leaverNo = new Map<string | undefined, number>([[undefined, 0]]);
    const positionNo = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const p = people[i]!;
      const text = LEAVER_STATUS[p.status];
      let leaver = leaverNo.get(text);
      if (leaver === undefined) {
        leaverNo.set(text, (leaver = this.leaverTexts.length));
        this.leaverTexts.push(text);
      }
      // Moved: former units recorded, or status `transferred`.
      const moved = (p.formerUnitIds?.length ?? 0) > 0 || p.status === 'transferred';
      const position = p.position ?? '';
      let no = positionNo.get(position);
      if (no === undefined) {
        positionNo.set(position, (no = this.positions.length));
        this.positions.push(position);
      }
      this.code[i * 2] = leaver + (moved ? 256 : 0);
      this.code[i * 2 + 1] = no;
    }
  }

  /** LEAVER_STATUS of the person's status (the text of a leaver), else undefined. */
  leaver(i: number): string | undefined {
    return this.leaverTexts[this.code[i * 2]! & 255];
  }

  /** Whether the person may have left a unit: former units recorded, or status `transferred`. */
  moved(i: number): boolean {
    return this.code[i * 2]! >= 256;
  }

  position(i: number): number {
    return this.code[i * 2 + 1]!;
  }
}

/** One system's rules for the findings, with memos of its role checks (a few dozen distinct roles per run). */
export class SystemRules {
  readonly dormantDays: number;
  readonly unitIds: readonly string[];
  readonly rolePolicy: Readonly<Record<string, readonly string[]>> | null | undefined;
  /** The system's units and their current successors: a person who left one of these left the system's unit. */
  private readonly inUnits = new Set<string>();
  private readonly priv: Set<string> | undefined;
  private readonly privMemo = new Map<string, boolean>();
  /** Per position number: role → allowed under the role policy. */
  private readonly allowedMemo: (Map<string, boolean> | undefined)[] = [];

  constructor(s: ReconcileSystem, readonly no: number, roster: Roster<ReconcilePerson, ReconcileUnit>) {
    this.dormantDays = s.dormantDays ?? 45;
    this.unitIds = s.unitIds;
    this.rolePolicy = s.rolePolicy;
    for (const id of s.unitIds) {
      this.inUnits.add(id);
      const next = roster.successor(id);
      if (next) this.inUnits.add(next.id);
    }
    this.priv = s.privilegedRoles ? new Set(s.privilegedRoles.map(folded)) : undefined;
  }

  /** Whether the unit is one of the system's units or the successor of one. */
  inSystemUnit(unitId: string): boolean {
    return this.inUnits.has(unitId);
  }

  /** Whether one of the roles (folded) is a privileged role of the system. */
  privileged(roles: readonly string[] | undefined): boolean {
    if (!this.priv || !roles) return false;
    for (let j = 0; j < roles.length; j++) {
      const role = roles[j]!;
      let p = this.privMemo.get(role);
      if (p === undefined) this.privMemo.set(role, (p = this.priv.has(folded(role))));
      if (p) return true;
    }
    return false;
  }

  /** The roles the role policy does not allow for the position (`*` applies to any position), or undefined. */
  extraRoles(roles: readonly string[], positionNo: number, position: string): string[] | undefined {
    let allowed = this.allowedMemo[positionNo];
    if (!allowed) this.allowedMemo[positionNo] = allowed = new Map();
    let extra: string[] | undefined;
    for (let j = 0; j < roles.length; j++) {
      const role = roles[j]!;
      let ok = allowed.get(role);
      if (ok === undefined) allowed.set(role, (ok = this.allowedSet(positionNo, position).has(folded(role))));
      if (!ok) (extra ??= []).push(role);
    }
    return extra;
  }

  private readonly allowedSets: (Set<string> | undefined)[] = [];

  private allowedSet(positionNo: number, position: string): Set<string> {
    let set = this.allowedSets[positionNo];
    if (!set) {
      const policy = this.rolePolicy!;
      this.allowedSets[positionNo] = set = new Set([...(policy[folded(position)] ?? []), ...(policy['*'] ?? [])].map(folded));
    }
    return set;
  }
}

/**
 * Enabled accounts linked to a person, by (person, system): the "several accounts on one system" finding.
 * Collected as three integer columns and grouped by two stable counting sorts (system, then person) instead
 * of a map of up to 10^6 entries; groups come out in the order of their first account, as before.
 */
export class SeveralAccounts {
  private n = 0;
  private readonly owner: Int32Array;
  private readonly system: Int32Array;
  private readonly account: Int32Array;

  constructor(accounts: number, private readonly people: number, private readonly systems: number) {
    this.owner = new Int32Array(accounts);
    this.system = new Int32Array(accounts);
    this.account = new Int32Array(accounts);
  }

  add(owner: number, system: number, account: number): void {
    this.owner[this.n] = owner;
    this.system[this.n] = system;
    this.account[this.n++] = account;
  }

  /** Each group of two or more accounts of one person on one system, accounts in input order. */
  groups(): number[][] {
    const bySystem = this.sorted(this.system, this.systems + 1, null);
    const order = this.sorted(this.owner, this.people, bySystem);
    const groups: number[][] = [];
    for (let j = 0; j < this.n;) {
      const e = order[j]!;
      let k = j + 1;
      while (k < this.n && this.owner[order[k]!] === this.owner[e] && this.system[order[k]!] === this.system[e]) k++;
      if (k - j > 1) {
        const group = new Array<number>(k - j);
        for (let x = j; x < k; x++) group[x - j] = this.account[order[x]!]!;
        groups.push(group);
      }
      j = k;
    }
    return groups.sort((x, y) => x[0]! - y[0]!);
  }

  /** Entry numbers stably sorted by `key` (values below `buckets`), taken in the order `within` (or entry order). */
  private sorted(key: Int32Array, buckets: number, within: Int32Array | null): Int32Array {
    const at = new Int32Array(buckets + 1);
    for (let j = 0; j < this.n; j++) at[key[j]! + 1]!++;
    for (let b = 1; b <= buckets; b++) at[b]! += at[b - 1]!;
    const out = new Int32Array(this.n);
    for (let j = 0; j < this.n; j++) {
      const e = within ? within[j]! : j;
      out[at[key[e]!]!++] = e;
    }
    return out;
  }
}
