import { CITIZEN, Correlator, MANUAL, NONE } from './correlate.js';
import { PersonTraits, SeveralAccounts, SystemRules } from './finding-facts.js';
import { instantMs } from './instant.js';
import { Roster, type UnitHit } from './roster.js';

/**
 * Account reconciliation (đối soát tài khoản): correlate every account of every information system with the
 * personnel roster and say what is wrong with it. Pure: plain data in, plain data out, no I/O.
 *
 * Situations follow midPoint's vocabulary (research/identity-audit.md §1.1): `linked` (owner confirmed, by a
 * manual link or a certain/strong correlation), `unlinked` (one candidate, not strong enough to confirm),
 * `unmatched` (no owner: an orphan candidate), `disputed` (several candidates of equal standing).
 *
 * Speed: people are indexed once by citizen-ID hash, e-mail, folded name and username keys, as integers
 * (`roster.ts`); correlation scores candidates in reusable typed buffers (`correlate.ts`); the findings read
 * facts computed once per person or system (`finding-facts.ts`). Each account costs a few hash look-ups on its
 * own strings (O(n + m)), never a scan of the roster; situations and findings are one pass over the accounts.
 */

export const SITUATIONS = ['linked', 'unlinked', 'unmatched', 'disputed'] as const;
export type Situation = (typeof SITUATIONS)[number];

export const FINDING_KINDS = [
  'orphan', 'leaver', 'transferred', 'merged_unit', 'dormant', 'privileged_no_mfa', 'shared', 'multiple_accounts', 'role_mismatch',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type CorrelationRule = 'manual' | 'citizen_id' | 'email' | 'username' | 'full_name' | 'unit' | 'date_of_birth';

export interface ReconcileAccount {
  systemId: string;
  username: string;
  displayName?: string | null;
  email?: string | null;
  citizenIdHash?: string | null;
  dateOfBirth?: string | null;
  /** The unit as the system writes it (name or code), matched against units and their former names. */
  unitText?: string | null;
  roles?: readonly string[];
  privileged?: boolean;
  enabled: boolean;
  /** ISO instant or date; null = never logged in (or not exported). */
  lastLoginAt?: string | null;
  /** null = the source does not say. */
  mfa?: boolean | null;
  createdAt?: string | null;
}

export interface ReconcilePerson {
  id: string;
  nameFolded: string;
  citizenIdHash?: string | null;
  email?: string | null;
  dateOfBirth?: string | null;
  unitId: string;
  /** active | retired | transferred | on_leave | dismissed | deceased */
  status: string;
  statusSince?: string | null;
  position?: string | null;
  /** Units the person left (status history), most recent first. */
  formerUnitIds?: readonly string[];
}

export interface ReconcileUnit {
  id: string;
  code: string;
  nameFolded: string;
  mergedIntoId?: string | null;
  mergedOn?: string | null;
}

export interface ReconcileSystem {
  id: string;
  /** Owner and operating units: an official who left them should not keep the account. */
  unitIds: readonly string[];
  /** Days without login before an account is dormant; default 45 (TCVN 14423:2026 nhóm 6). */
  dormantDays?: number;
  /** Folded position → roles it may hold; `*` applies to any position. No policy = not checked. */
  rolePolicy?: Readonly<Record<string, readonly string[]>> | null;
  /** Roles/groups (folded) that make an account privileged, besides the account's own flag. */
  privilegedRoles?: readonly string[];
}

/** A decision by a person, kept across imports: link the account to a person, or rule a person out. */
export interface ManualDecision {
  systemId: string;
  username: string;
  personId: string;
  kind: 'link' | 'unlink';
}

export interface CorrelationWeights {
  email: number;
  username: number;
  fullName: number;
  /** Added when the unit also matches (only with a name, e-mail or username match). */
  unit: number;
  dateOfBirth: number;
  /** A unique best score at or above this links the account. */
  linkThreshold: number;
  /** Below this a candidate is ignored. */
  candidateThreshold: number;
}

export const DEFAULT_WEIGHTS: CorrelationWeights = {
  email: 70, username: 35, fullName: 35, unit: 25, dateOfBirth: 25, linkThreshold: 80, candidateThreshold: 35,
};

export interface Candidate {
  personId: string;
  score: number;
  rules: readonly CorrelationRule[];
}

export interface AccountResult {
  /** Index into the input accounts. */
  index: number;
  situation: Situation;
  /** The owner when linked, the single candidate when unlinked. */
  personId: string | null;
  /** Every person the account is manually linked to (more than one = shared); empty for automatic links. */
  linkedPersonIds: readonly string[];
  score: number;
  rules: readonly CorrelationRule[];
  /** Up to 3 best candidates (for unlinked/disputed review); empty when linked. */
  candidates: readonly Candidate[];
}

export interface Finding {
  index: number;
  kind: FindingKind;
  severity: 'high' | 'medium' | 'low';
  personId: string | null;
  /** Why, in Vietnamese, for the unit that must act. */
  reason: string;
  /** The rule or legal clause the finding comes from. */
  clause: string;
}

export interface ReconcileInput {
  accounts: readonly ReconcileAccount[];
  people: readonly ReconcilePerson[];
  units: readonly ReconcileUnit[];
  systems: readonly ReconcileSystem[];
  decisions?: readonly ManualDecision[];
  weights?: Partial<CorrelationWeights>;
  /** The instant the reconciliation is judged at (ISO). */
  asOf: string;
}

export interface ReconcileOutput {
  results: AccountResult[];
  findings: Finding[];
}

export const CLAUSES = {
  orphan: 'TCVN 14423:2026 nhóm 6 (Tài khoản, quyền truy cập): mỗi tài khoản gắn với một người dùng được quản lý',
  leaver: 'TCVN 14423:2026 nhóm 6: vô hiệu hoá tài khoản khi thay đổi nhân sự (nghỉ hưu, thôi việc, từ trần)',
  transferred: 'TCVN 14423:2026 nhóm 6: thu hồi quyền khi cán bộ chuyển công tác',
  merged_unit: 'NĐ 331/2026 và phương án sắp xếp đơn vị: tài khoản của đơn vị đã sáp nhập phải chuyển hoặc thu hồi',
  dormant: 'TCVN 14423:2026 nhóm 6: vô hiệu hoá tài khoản không hoạt động quá 45 ngày',
  privileged_no_mfa: 'TCVN 14423:2026 nhóm 6: tài khoản quản trị phải xác thực đa yếu tố (từ cấp độ 1)',
  shared: 'TCVN 14423:2026 nhóm 6: không dùng chung tài khoản; mỗi tài khoản gắn với một người',
  multiple_accounts: 'Quy tắc Khiên: một cán bộ chỉ nên có một tài khoản trên mỗi hệ thống',
  role_mismatch: 'TCVN 14423:2026 nhóm 6: cấp quyền tối thiểu theo chức năng, nhiệm vụ (chính sách quyền của hệ thống)',
} as const satisfies Record<FindingKind, string>;


const DAY_MS = 86_400_000;

function accountKey(systemId: string, username: string): string {
  return `${systemId}\u0000${username.toLowerCase()}`;
}

/** The situation of each account in turn: manual links first, then the certain citizen ID, then weighted correlation. */
class Situations {
  private readonly links = new Map<string, string[]>();
  private readonly unlinks = new Map<string, Set<string>>();
  private readonly correlator: Correlator;
  /** Roster position of the owner findings should look at for the last account (−1: none). */
  owner = -1;
  /** `Roster.username` and `Roster.unitOf` of the last account, for its findings. */
  username = 0;
  unit: UnitHit<ReconcileUnit> | null = null;

  constructor(input: ReconcileInput, private readonly roster: Roster<ReconcilePerson, ReconcileUnit>) {
    for (const d of input.decisions ?? []) {
      const k = accountKey(d.systemId, d.username);
      if (d.kind === 'link') this.links.set(k, [...(this.links.get(k) ?? []), d.personId]);
      else this.unlinks.set(k, (this.unlinks.get(k) ?? new Set()).add(d.personId));
    }
    this.correlator = new Correlator(roster, { ...DEFAULT_WEIGHTS, ...input.weights });
  }

  of(a: ReconcileAccount, index: number): AccountResult {
    const r = this.roster;
    this.username = r.username(a.username);
    this.unit = r.unitOf(a.unitText);
    const decided = this.links.size + this.unlinks.size > 0;
    const k = decided ? accountKey(a.systemId, a.username) : '';
    const manual = decided ? this.links.get(k) : undefined;
    if (manual && manual.length > 0) {
      this.owner = manual[0] ? r.personIndex.get(manual[0]) ?? -1 : -1;
      return { index, situation: 'linked', personId: manual[0]!, linkedPersonIds: manual, score: 100, rules: MANUAL, candidates: NONE };
    }
    const excluded = decided ? this.unlinks.get(k) : undefined;
    if (a.citizenIdHash) {
      const i = r.byCitizen.get(a.citizenIdHash);
      // The citizen ID is certain (one CCCD, one person) unless someone ruled that person out by hand.
      if (i !== undefined && !excluded?.has(r.ids[i]!)) {
        this.owner = r.ownerOf[i]!;
        return { index, situation: 'linked', personId: r.ids[i]!, linkedPersonIds: NONE, score: 100, rules: CITIZEN, candidates: NONE };
      }
    }
    const res = this.correlator.correlate(a, index, excluded, this.username, this.unit);
    this.owner = this.correlator.owner;
    return res;
  }
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

/**
 * A finding whose reason text is written only when it is read: a run over 10^6 accounts yields ~400,000
 * findings, and building (and holding) every sentence up front cost a third of the run and ~150 MB. The
 * arguments are the few values the sentence needs; `reason` and `clause` read like plain properties.
 */
class LazyFinding implements Finding {
  constructor(
    readonly index: number,
    readonly kind: FindingKind,
    readonly severity: Finding['severity'],
    readonly personId: string | null,
    private readonly a: string,
    private readonly b?: Arg,
    private readonly c?: Arg,
    private readonly d?: Arg,
  ) {}
  get reason(): string {
    return REASONS[this.kind](this.a, this.b, this.c, this.d);
  }
  get clause(): string {
    return CLAUSES[this.kind];
  }
  toJSON(): Finding {
    return { index: this.index, kind: this.kind, severity: this.severity, personId: this.personId, reason: this.reason, clause: this.clause };
  }
}


/**
 * Reconcile: situations plus findings. The owner used for findings is the linked person, else the single
 * candidate of an `unlinked` account (flagged as probable in the reason).
 *
 * One pass over the accounts (each account object is read once, while it is in cache); the per-person and
 * per-system facts the findings need are precomputed (PersonTraits, SystemRules) or memoised per distinct
 * value (unit texts, role names, login times).
 */
export function reconcileAccounts(input: ReconcileInput): ReconcileOutput {
  const roster = new Roster(input.people, input.units);
  const situations = new Situations(input, roster);
  const systems = new Map(input.systems.map((s, no) => [s.id, new SystemRules(s, no, roster)]));
  const traits = new PersonTraits(input.people);
  const several = new SeveralAccounts(input.accounts.length, input.people.length, input.systems.length);
  const asOfMs = Date.parse(input.asOf);
  const accounts = input.accounts;
  const people = input.people;
  const results = new Array<AccountResult>(accounts.length);
  const findings: Finding[] = [];
  // Exports list many accounts with the same login time in a row: parse each distinct run once.
  let lastSince: string | null = null;
  let lastSinceMs = Number.NaN;

  for (let index = 0; index < accounts.length; index++) {
    const a = accounts[index]!;
    const res = situations.of(a, index);
    results[index] = res;
    const ownerIdx = situations.owner;
    const sys = systems.get(a.systemId);
    const probable = res.situation === 'unlinked';
    const generic = (situations.username & 1) === 1;

    if (res.situation === 'unmatched' && a.enabled && !generic) {
      findings.push(new LazyFinding(index, 'orphan', 'high', res.personId, a.username));
    }
    if (generic || res.linkedPersonIds.length > 1) {
      findings.push(new LazyFinding(index, 'shared', a.enabled ? 'high' : 'low', res.personId, a.username, res.linkedPersonIds.length));
    }
    if (ownerIdx >= 0 && a.enabled) {
      const leaver = traits.leaver(ownerIdx);
      if (leaver) {
        findings.push(new LazyFinding(index, 'leaver', 'high', res.personId, a.username, leaver, people[ownerIdx]!.statusSince, probable));
      } else if (sys && sys.unitIds.length > 0 && traits.moved(ownerIdx)) {
        // The system belongs to a unit the person left, or (status `transferred`) the account still names another unit.
        const owner = people[ownerIdx]!;
        let left: string | undefined;
        for (const u of owner.formerUnitIds ?? []) if (!left && sys.inSystemUnit(u)) left = u;
        const named = situations.unit?.unit;
        const stale = owner.status === 'transferred' && named && named.id !== owner.unitId && roster.successor(named.id)?.id !== owner.unitId ? named.id : undefined;
        if ((left && !sys.inSystemUnit(owner.unitId)) || stale) {
          const from = roster.unitById.get((left ?? stale)!)?.code ?? 'đơn vị cũ';
          findings.push(new LazyFinding(index, 'transferred', 'high', res.personId, a.username, from, null, probable));
        }
      }
    }
    const unit = situations.unit?.unit;
    if (unit?.mergedIntoId && a.enabled) {
      const next = roster.successor(unit.id);
      findings.push(new LazyFinding(index, 'merged_unit', 'medium', res.personId, a.username, unit.code, unit.mergedOn, next?.code));
    }
    if (a.enabled) {
      const days = sys?.dormantDays ?? 45;
      const since = a.lastLoginAt ?? a.createdAt ?? null;
      if (since) {
        if (since !== lastSince) {
          lastSince = since;
          lastSinceMs = instantMs(since);
        }
        const idle = Math.floor((asOfMs - lastSinceMs) / DAY_MS);
        if (idle > days) findings.push(new LazyFinding(index, 'dormant', 'medium', res.personId, a.username, idle, days, !!a.lastLoginAt));
      }
      if (a.mfa !== true && (a.privileged || (sys !== undefined && sys.privileged(a.roles)))) {
        findings.push(new LazyFinding(index, 'privileged_no_mfa', 'high', res.personId, a.username, a.mfa === false));
      }
      if (ownerIdx >= 0 && res.situation === 'linked') several.add(ownerIdx, sys ? sys.no : input.systems.length, index);
    }
    if (ownerIdx >= 0 && a.enabled && sys?.rolePolicy && a.roles && a.roles.length > 0) {
      const position = traits.position(ownerIdx);
      const extra = sys.extraRoles(a.roles, position, traits.positions[position]!);
      if (extra) findings.push(new LazyFinding(index, 'role_mismatch', 'medium', res.personId, a.username, extra, people[ownerIdx]!.position, probable));
    }
  }
  for (const idx of several.groups()) {
    const personId = results[idx[0]!]!.personId;
    const names = idx.map((i) => `"${accounts[i]!.username}"`).join(', ');
    for (const i of idx) findings.push(new LazyFinding(i, 'multiple_accounts', 'low', personId, names, idx.length));
  }
  return { results, findings };
}
