import {
  type AccountResult, type Candidate, CLAUSES, type CorrelationRule, type CorrelationWeights, DEFAULT_WEIGHTS, type Finding, type FindingKind,
  type ReconcileAccount, type ReconcileInput, type ReconcileOutput, type ReconcilePerson, type ReconcileUnit,
} from './account-reconcile.js';
import { isGenericUsername, normalizeUsername, usernameKeys } from './patterns.js';

/**
 * Test oracle: the account-reconciliation engine as it was before the typed-array rewrite (commit 7fdcf46,
 * string-keyed maps, one score object per candidate, a full sort), kept only so that
 * `account-reconcile.property.test.ts` can check the fast engine against it on random inputs. Same rules, same
 * texts; not used by the application. When a rule changes on purpose, change it here too (or retire the test).
 */

const LEAVER_STATUS: Record<string, string> = { retired: 'đã nghỉ hưu', dismissed: 'đã thôi việc', deceased: 'đã từ trần' };
const DAY_MS = 86_400_000;

function push<K>(map: Map<K, number[]>, key: K, v: number): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

const ASCII_RE = /^[\x20-\x7e]*$/;

function folded(s: string | null | undefined): string {
  if (!s) return '';
  // Fast path: plain ASCII needs no Unicode decomposition (most exports, and the hot loop of 10^6 accounts).
  if (ASCII_RE.test(s)) return s.toLowerCase().replace(/\s+/g, ' ').trim();
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Indexes of the roster and the units, built once per run. */
class Roster {
  readonly byCitizen = new Map<string, number>();
  readonly byEmail = new Map<string, number[]>();
  readonly byName = new Map<string, number[]>();
  readonly byUsername = new Map<string, number[]>();
  /**
   * Username key (or folded name) + unit → people, under one integer key `term × units + unit`: resolves common
   * keys (`hungnv`) and common names within the account's unit. Integer keys instead of concatenated strings:
   * no string is built or hashed per person or per account (1.4 M entries for 100,000 people).
   */
  readonly byTermUnit = new Map<number, number[]>();
  /** Interned username keys and folded names → small integers (the `term` above). */
  readonly termIds = new Map<string, number>();
  /** Unit id → small integer (the `unit` above). */
  readonly unitNos = new Map<string, number>();
  readonly personIndex = new Map<string, number>();
  readonly unitById = new Map<string, ReconcileUnit>();
  readonly unitByText = new Map<string, ReconcileUnit>();
  /** Each person's username keys, computed once (also used for the namesake checks). */
  readonly personKeys: string[][];

  constructor(readonly people: readonly ReconcilePerson[], units: readonly ReconcileUnit[]) {
    for (const u of units) this.unitNo(u.id);
    for (const p of people) this.unitNo(p.unitId);
    this.personKeys = new Array<string[]>(people.length);
    for (let i = 0; i < people.length; i++) {
      const p = people[i]!;
      this.personIndex.set(p.id, i);
      if (p.citizenIdHash) this.byCitizen.set(p.citizenIdHash, i);
      if (p.email) push(this.byEmail, p.email.toLowerCase(), i);
      push(this.byName, p.nameFolded, i);
      // Units are all numbered before the first person, so `term × units + unit` stays unique.
      const unit = this.unitNos.get(p.unitId)!;
      push(this.byTermUnit, this.termId(p.nameFolded) * this.unitNos.size + unit, i);
      const keys = this.keysOf(p.nameFolded);
      this.personKeys[i] = keys;
      for (const k of keys) {
        push(this.byUsername, k, i);
        push(this.byTermUnit, this.termId(k) * this.unitNos.size + unit, i);
      }
    }
    for (const u of units) {
      this.unitById.set(u.id, u);
      this.unitByText.set(u.nameFolded, u);
      this.unitByText.set(u.code.toLowerCase(), u);
    }
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) this.termIds.set(term, (id = this.termIds.size));
    return id;
  }

  private unitNo(unitId: string): number {
    let no = this.unitNos.get(unitId);
    if (no === undefined) this.unitNos.set(unitId, (no = this.unitNos.size));
    return no;
  }

  /** People whose username key or folded name is `term` and whose unit is `unitId`. */
  inUnit(term: string, unitId: string): readonly number[] {
    const t = this.termIds.get(term);
    const u = this.unitNos.get(unitId);
    if (t === undefined || u === undefined) return NO_PEOPLE;
    return this.byTermUnit.get(t * this.unitNos.size + u) ?? NO_PEOPLE;
  }

  /** The unit a free-text unit names, if any. */
  unitOf(text: string | null | undefined): ReconcileUnit | undefined {
    const t = folded(text);
    return t ? this.unitByText.get(t) : undefined;
  }

  /** The unit that now carries this unit's work: follows mergers to the end of the chain. */
  successor(unitId: string): ReconcileUnit | undefined {
    let u = this.unitById.get(unitId);
    for (let i = 0; i < 10 && u?.mergedIntoId; i++) u = this.unitById.get(u.mergedIntoId) ?? u;
    return u;
  }

  private readonly unitIdsCache = new Map<string, [string, string] | null>();
  private readonly keysCache = new Map<string, string[]>();

  /** The ids a person's unit may have for an account naming this unit: itself and its current successor. */
  unitIdsFor(text: string | null | undefined): [string, string] | null {
    if (!text) return null;
    let hit = this.unitIdsCache.get(text);
    if (hit === undefined) {
      const u = this.unitOf(text);
      hit = u ? [u.id, this.successor(u.id)?.id ?? u.id] : null;
      this.unitIdsCache.set(text, hit);
    }
    return hit;
  }

  private readonly usernameMemo = new Map<string, string>();
  private readonly genericMemo = new Map<string, boolean>();
  private readonly nameMemo = new Map<string, string>();

  /** normalizeUsername, memoised: one official's username recurs on every system they use. */
  normalized(username: string): string {
    let n = this.usernameMemo.get(username);
    if (n === undefined) this.usernameMemo.set(username, (n = normalizeUsername(username)));
    return n;
  }

  /** isGenericUsername, memoised (same reason). */
  generic(username: string): boolean {
    let g = this.genericMemo.get(username);
    if (g === undefined) this.genericMemo.set(username, (g = isGenericUsername(username)));
    return g;
  }

  /** A display name folded, memoised: names recur across systems, and folding allocates. */
  foldedName(name: string | null | undefined): string {
    if (!name) return '';
    let f = this.nameMemo.get(name);
    if (f === undefined) this.nameMemo.set(name, (f = folded(name)));
    return f;
  }

  /** usernameKeys, memoised: the same names recur across systems. */
  keysOf(nameFolded: string): string[] {
    let k = this.keysCache.get(nameFolded);
    if (!k) this.keysCache.set(nameFolded, (k = usernameKeys(nameFolded)));
    return k;
  }
}

/**
 * Above this many people sharing a username key (`hungnv` in a province), the key alone cannot pick anyone:
 * it only adds weight to people found by stronger evidence or in the account's own unit, and the others
 * count as ties. Keeps each account at a few look-ups instead of scanning hundreds of namesakes.
 */
const AMBIGUOUS_USERNAME = 16;

interface Correlation {
  candidates: Candidate[];
  /** How many people match by an ambiguous username key only (all at the username weight). */
  ambiguous: number;
  /** A few of them, for review. */
  ambiguousSample: number[];
  /** Which weak rule they share (the longer list when both name and username are common). */
  ambiguousRule?: CorrelationRule;
}

const NO_PEOPLE: number[] = [];
// Shared, never mutated: a million results must not each allocate their own empty or one-rule arrays.
const NONE: readonly never[] = Object.freeze([]);
const MANUAL: readonly CorrelationRule[] = Object.freeze(['manual']);
const CITIZEN: readonly CorrelationRule[] = Object.freeze(['citizen_id']);
const USERNAME: readonly CorrelationRule[] = Object.freeze(['username']);
const FULL_NAME: readonly CorrelationRule[] = Object.freeze(['full_name']);

class ScoreList {
  readonly items: { i: number; score: number; rules: CorrelationRule[] }[] = [];
  constructor(
    private readonly people: readonly ReconcilePerson[],
    private readonly excluded: Set<string> | undefined,
  ) {}
  has(i: number): boolean {
    for (const x of this.items) if (x.i === i) return true;
    return false;
  }
  add(i: number, rule: CorrelationRule, weight: number): void {
    if (this.excluded?.has(this.people[i]!.id)) return;
    let s: { i: number; score: number; rules: CorrelationRule[] } | undefined;
    for (const x of this.items) if (x.i === i) s = x;
    if (!s) this.items.push({ i, score: weight, rules: [rule] });
    else if (!s.rules.includes(rule)) {
      s.score += weight;
      s.rules.push(rule);
    }
  }
}

function correlate(a: ReconcileAccount, roster: Roster, w: CorrelationWeights, excluded: Set<string> | undefined): Correlation {
  // A handful of people at most: a small array beats a Map here (10^6 accounts, each allocating one).
  // No closures in this loop: the bundler's keep-names helper would wrap each one, 10^6 times.
  const scores = new ScoreList(roster.people, excluded);
  if (a.email) for (const i of roster.byEmail.get(a.email.toLowerCase()) ?? []) scores.add(i, 'email', w.email);
  const name = roster.foldedName(a.displayName);
  const unitIds = roster.unitIdsFor(a.unitText);
  const byName = name ? roster.byName.get(name) ?? NO_PEOPLE : NO_PEOPLE;
  let ambiguous = NO_PEOPLE;
  let ambiguousRule: CorrelationRule = 'username';
  if (byName.length <= AMBIGUOUS_USERNAME) {
    for (const i of byName) scores.add(i, 'full_name', w.fullName);
  } else {
    // A common name (dozens of namesakes in a province): same treatment as a common username key.
    for (const sc of scores.items) if (roster.people[sc.i]!.nameFolded === name) scores.add(sc.i, 'full_name', w.fullName);
    if (unitIds) {
      for (const i of roster.inUnit(name, unitIds[0])) scores.add(i, 'full_name', w.fullName);
      if (unitIds[1] !== unitIds[0]) for (const i of roster.inUnit(name, unitIds[1])) scores.add(i, 'full_name', w.fullName);
    }
    if (w.fullName >= w.candidateThreshold) {
      ambiguous = byName;
      ambiguousRule = 'full_name';
    }
  }
  const u = roster.normalized(a.username);
  const byKey = roster.byUsername.get(u) ?? NO_PEOPLE;
  if (byKey.length <= AMBIGUOUS_USERNAME) {
    for (const i of byKey) scores.add(i, 'username', w.username);
  } else {
    // Namesakes found by name share the key iff the display name yields it; others by e-mail are checked one by one.
    const nameHasKey = name ? roster.keysOf(name).includes(u) : false;
    for (const sc of scores.items) {
      const p = roster.people[sc.i]!;
      if ((p.nameFolded === name ? nameHasKey : roster.personKeys[sc.i]!.includes(u)) && !sc.rules.includes('username')) {
        sc.score += w.username;
        sc.rules.push('username');
      }
    }
    if (unitIds) {
      for (const i of roster.inUnit(u, unitIds[0])) scores.add(i, 'username', w.username);
      if (unitIds[1] !== unitIds[0]) for (const i of roster.inUnit(u, unitIds[1])) scores.add(i, 'username', w.username);
    }
    if (w.username >= w.candidateThreshold && byKey.length > ambiguous.length) {
      ambiguous = byKey;
      ambiguousRule = 'username';
    }
  }
  const out: Candidate[] = [];
  for (const s of scores.items) {
    const p = roster.people[s.i]!;
    if (unitIds && (unitIds[0] === p.unitId || unitIds[1] === p.unitId)) {
      s.score += w.unit;
      s.rules.push('unit');
    }
    if (a.dateOfBirth && p.dateOfBirth === a.dateOfBirth) {
      s.score += w.dateOfBirth;
      s.rules.push('date_of_birth');
    }
    if (s.score >= w.candidateThreshold) out.push({ personId: p.id, score: s.score, rules: s.rules });
  }
  out.sort((x, y) => y.score - x.score || (x.personId < y.personId ? -1 : 1));
  if (ambiguous.length === 0) return { candidates: out, ambiguous: 0, ambiguousSample: NO_PEOPLE };
  let withKey = 0;
  for (const sc of scores.items) if (sc.rules.includes(ambiguousRule)) withKey++;
  const sample = ambiguous.slice(0, 3 + scores.items.length).filter((i) => !scores.has(i)).slice(0, 3);
  return { candidates: out, ambiguous: Math.max(0, ambiguous.length - withKey), ambiguousSample: sample, ambiguousRule };
}

function accountKey(systemId: string, username: string): string {
  return `${systemId}\u0000${username.toLowerCase()}`;
}

/** Decide the situation of each account (links, certain ID, weighted correlation). */
function correlateAccounts(input: ReconcileInput, roster?: Roster): AccountResult[] {
  const w = { ...DEFAULT_WEIGHTS, ...input.weights };
  const r = roster ?? new Roster(input.people, input.units);
  const links = new Map<string, string[]>();
  const unlinks = new Map<string, Set<string>>();
  for (const d of input.decisions ?? []) {
    const k = accountKey(d.systemId, d.username);
    if (d.kind === 'link') links.set(k, [...(links.get(k) ?? []), d.personId]);
    else unlinks.set(k, (unlinks.get(k) ?? new Set()).add(d.personId));
  }
  return input.accounts.map((a, index): AccountResult => {
    const k = links.size + unlinks.size > 0 ? accountKey(a.systemId, a.username) : '';
    const manual = links.get(k);
    if (manual && manual.length > 0) {
      return { index, situation: 'linked', personId: manual[0]!, linkedPersonIds: manual, score: 100, rules: MANUAL, candidates: NONE };
    }
    const excluded = unlinks.get(k);
    if (a.citizenIdHash) {
      const i = r.byCitizen.get(a.citizenIdHash);
      const p = i === undefined ? undefined : r.people[i]!;
      // The citizen ID is certain (one CCCD, one person) unless someone ruled that person out by hand.
      if (p && !excluded?.has(p.id)) return { index, situation: 'linked', personId: p.id, linkedPersonIds: NONE, score: 100, rules: CITIZEN, candidates: NONE };
    }
    const corr = correlate(a, r, w, excluded);
    const cands = corr.candidates;
    const others = corr.ambiguous;
    if (cands.length === 0 && others > 0) {
      const rule = corr.ambiguousRule ?? 'username';
      const weight = rule === 'full_name' ? w.fullName : w.username;
      const top = corr.ambiguousSample.map((i): Candidate => ({ personId: r.people[i]!.id, score: weight, rules: [rule] }));
      return { index, situation: others === 1 ? 'unlinked' : 'disputed', personId: others === 1 ? top[0]!.personId : null, linkedPersonIds: NONE, score: weight, rules: rule === 'username' ? USERNAME : FULL_NAME, candidates: top };
    }
    const best = cands[0];
    if (!best) return { index, situation: 'unmatched', personId: null, linkedPersonIds: NONE, score: 0, rules: NONE, candidates: NONE };
    const top = cands.slice(0, 3);
    const rivals = cands.length - 1 + others;
    const weakest = corr.ambiguousRule === 'full_name' ? w.fullName : w.username;
    const tied = (cands.length > 1 && cands[1]!.score === best.score) || (others > 0 && best.score === weakest);
    if (tied || (rivals > 0 && best.score < w.linkThreshold)) {
      return { index, situation: 'disputed', personId: null, linkedPersonIds: NONE, score: best.score, rules: best.rules, candidates: top };
    }
    if (best.score >= w.linkThreshold) {
      return { index, situation: 'linked', personId: best.personId, linkedPersonIds: NONE, score: best.score, rules: best.rules, candidates: NONE };
    }
    return { index, situation: 'unlinked', personId: best.personId, linkedPersonIds: NONE, score: best.score, rules: best.rules, candidates: top };
  });
}

type Arg = string | number | boolean | readonly string[] | null | undefined;
const probableText = (p: Arg) => (p ? ' (theo đối sánh, chưa xác nhận)' : '');

/** The Vietnamese reason of each kind, from the finding's arguments (a = the username except for several accounts). */
const REASONS: Record<FindingKind, (a: string, b: Arg, c: Arg, d: Arg) => string> = {
  orphan: (a) => `Tài khoản "${a}" đang hoạt động nhưng không khớp với cán bộ nào trong danh sách nhân sự.`,
  shared: (a, b) => `Tài khoản "${a}" ${Number(b) > 1 ? `được gắn với ${b} cán bộ` : 'là tên dùng chung theo chức năng'}: không xác định được người chịu trách nhiệm.`,
  leaver: (a, b, c, d) => `Tài khoản "${a}" vẫn hoạt động trong khi cán bộ ${b}${c ? ` từ ${c}` : ''}${probableText(d)}.`,
  transferred: (a, b, _c, d) => `Cán bộ đã chuyển công tác khỏi ${b} nhưng vẫn còn tài khoản "${a}" trên hệ thống của đơn vị cũ${probableText(d)}.`,
  merged_unit: (a, b, c, d) => `Tài khoản "${a}" thuộc ${b}, đơn vị đã sáp nhập${c ? ` ngày ${c}` : ''}${d ? ` vào ${d}` : ''}: cần chuyển sang đơn vị mới hoặc thu hồi.`,
  dormant: (a, b, c, d) => (d
    ? `Tài khoản "${a}" không đăng nhập ${b} ngày (ngưỡng ${c} ngày) mà chưa bị vô hiệu hoá.`
    : `Tài khoản "${a}" được tạo ${b} ngày trước và chưa từng đăng nhập (ngưỡng ${c} ngày).`),
  privileged_no_mfa: (a, b) => `Tài khoản quản trị "${a}" ${b ? 'không bật' : 'không có thông tin về'} xác thực đa yếu tố.`,
  role_mismatch: (a, b, c, d) => `Quyền ${(b as readonly string[]).map((x) => `"${x}"`).join(', ')} của tài khoản "${a}" không phù hợp với chức vụ ${c ? `"${c}"` : '(chưa ghi chức vụ)'}${probableText(d)}.`,
  multiple_accounts: (a, b) => `Cán bộ có ${b} tài khoản đang hoạt động trên cùng hệ thống: ${a}.`,
};

/** A finding with its reason written at once (the reference has no need to be lazy). */
function finding(index: number, kind: FindingKind, severity: Finding['severity'], personId: string | null, a: string, b?: Arg, c?: Arg, d?: Arg): Finding {
  return { index, kind, severity, personId, reason: REASONS[kind](a, b, c, d), clause: CLAUSES[kind] };
}

function inSystemUnit(roster: Roster, unitIds: readonly string[], unitId: string): boolean {
  for (const id of unitIds) if (id === unitId || roster.successor(id)?.id === unitId) return true;
  return false;
}

/** Role names recur across a million accounts (a few dozen distinct): fold each once per run. */
class RoleFolder {
  private readonly memo = new Map<string, string>();
  fold(role: string): string {
    let f = this.memo.get(role);
    if (f === undefined) this.memo.set(role, (f = folded(role)));
    return f;
  }
}

function isPrivileged(a: ReconcileAccount, privilegedRoles: Set<string> | undefined, roles: RoleFolder): boolean {
  if (a.privileged) return true;
  if (!privilegedRoles || !a.roles) return false;
  for (const role of a.roles) if (privilegedRoles.has(roles.fold(role))) return true;
  return false;
}

/**
 * Reconcile: situations plus findings. The owner used for findings is the linked person, else the single
 * candidate of an `unlinked` account (flagged as probable in the reason).
 */
export function referenceReconcile(input: ReconcileInput): ReconcileOutput {
  const roster = new Roster(input.people, input.units);
  const results = correlateAccounts(input, roster);
  const systems = new Map(input.systems.map((s) => [s.id, { ...s, priv: s.privilegedRoles ? new Set(s.privilegedRoles.map(folded)) : undefined, allowed: new Map<string, Set<string>>() }]));
  const roleFolder = new RoleFolder();
  const asOfMs = Date.parse(input.asOf);
  const findings: Finding[] = [];
  // (system, person) → account index, or indexes once there are several; numeric keys keep 10^6 entries small.
  const systemNo = new Map(input.systems.map((s, i) => [s.id, i]));
  const perPersonSystem = new Map<number, number | number[]>();

  for (const res of results) {
    const a = input.accounts[res.index]!;
    const sys = systems.get(a.systemId);
    const ownerIdx = res.personId ? roster.personIndex.get(res.personId) : undefined;
    const owner = ownerIdx === undefined ? undefined : roster.people[ownerIdx]!;
    const probable = res.situation === 'unlinked';
    const generic = roster.generic(a.username);

    if (res.situation === 'unmatched' && a.enabled && !generic) {
      findings.push(finding(res.index, 'orphan', 'high', res.personId, a.username));
    }
    if (generic || res.linkedPersonIds.length > 1) {
      findings.push(finding(res.index, 'shared', a.enabled ? 'high' : 'low', res.personId, a.username, res.linkedPersonIds.length));
    }
    if (owner && a.enabled) {
      const leaver = LEAVER_STATUS[owner.status];
      if (leaver) {
        findings.push(finding(res.index, 'leaver', 'high', res.personId, a.username, leaver, owner.statusSince, probable));
      } else if (sys && sys.unitIds.length > 0) {
        // The system belongs to a unit the person left, or (status `transferred`) the account still names another unit.
        let left: string | undefined;
        for (const u of owner.formerUnitIds ?? []) if (!left && inSystemUnit(roster, sys.unitIds, u)) left = u;
        const named = roster.unitOf(a.unitText);
        const stale = owner.status === 'transferred' && named && named.id !== owner.unitId && roster.successor(named.id)?.id !== owner.unitId ? named.id : undefined;
        if ((left && !inSystemUnit(roster, sys.unitIds, owner.unitId)) || stale) {
          const from = roster.unitById.get((left ?? stale)!)?.code ?? 'đơn vị cũ';
          findings.push(finding(res.index, 'transferred', 'high', res.personId, a.username, from, null, probable));
        }
      }
    }
    const unit = roster.unitOf(a.unitText);
    if (unit?.mergedIntoId && a.enabled) {
      const next = roster.successor(unit.id);
      findings.push(finding(res.index, 'merged_unit', 'medium', res.personId, a.username, unit.code, unit.mergedOn, next?.code));
    }
    if (a.enabled) {
      const days = sys?.dormantDays ?? 45;
      const since = a.lastLoginAt ?? a.createdAt ?? null;
      const idle = since ? Math.floor((asOfMs - Date.parse(since)) / DAY_MS) : null;
      if (idle !== null && idle > days) {
        findings.push(finding(res.index, 'dormant', 'medium', res.personId, a.username, idle, days, !!a.lastLoginAt));
      }
      if (isPrivileged(a, sys?.priv, roleFolder) && a.mfa !== true) {
        findings.push(finding(res.index, 'privileged_no_mfa', 'high', res.personId, a.username, a.mfa === false));
      }
      if (ownerIdx !== undefined && res.situation === 'linked') {
        const key = ownerIdx * (input.systems.length + 1) + (systemNo.get(a.systemId) ?? input.systems.length);
        const prev = perPersonSystem.get(key);
        if (prev === undefined) perPersonSystem.set(key, res.index);
        else if (typeof prev === 'number') perPersonSystem.set(key, [prev, res.index]);
        else prev.push(res.index);
      }
    }
    if (owner && a.enabled && sys?.rolePolicy && a.roles && a.roles.length > 0) {
      // The allowed set of each (system, position) is built once, not per account.
      const position = owner.position ?? '';
      let allowed = sys.allowed.get(position);
      if (!allowed) {
        const policy = sys.rolePolicy;
        sys.allowed.set(position, (allowed = new Set([...(policy[folded(position)] ?? []), ...(policy['*'] ?? [])].map(folded))));
      }
      let extra: string[] | undefined;
      for (const role of a.roles) if (!allowed.has(roleFolder.fold(role))) (extra ??= []).push(role);
      if (extra) {
        findings.push(finding(res.index, 'role_mismatch', 'medium', res.personId, a.username, extra, owner.position, probable));
      }
    }
  }
  for (const idx of perPersonSystem.values()) {
    if (typeof idx === 'number') continue;
    const personId = results[idx[0]!]!.personId;
    const names = idx.map((i) => `"${input.accounts[i]!.username}"`).join(', ');
    for (const i of idx) findings.push(finding(i, 'multiple_accounts', 'low', personId, names, idx.length));
  }
  return { results, findings };
}
