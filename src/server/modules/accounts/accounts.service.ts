import type {
  AccountFinding, AccountSnapshot, AccountSource, AccountSourceCreate, MfaCoverageRow, SnapshotDiff,
} from '../../../contracts/accounts.js';
import type { Actor, RequestMeta } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { NotFoundError, UnprocessableError } from '../../core/errors.js';
import { fromBool, fromJson, newId, nowIso, toJson } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import { reconcileAccounts, type ReconcileAccount } from '../../engines/account-reconcile/account-reconcile.js';
import { scopeOf } from '../inventory/inventory.policy.js';
import { requireOnUnit } from '../org/org.policy.js';
import { findPerson } from '../org/person.repository.js';
import { findUnit } from '../org/org-unit.repository.js';
import { systemInScope } from '../inventory/inventory.repository.js';
import type { ImportedAccount } from './account-file.js';
import { systemFor } from './accounts.policy.js';
import { findSnapshot, findSource, latestSnapshot, loadRoster, toAccount, toSnapshot, toSource } from './accounts.repository.js';
import type { AccountSourceRow, SystemAccountRow } from './accounts.table.js';
import { refreshConcurrentLoginFindings } from './concurrent-logins.js';
import { verifyRevocations } from './reviews.service.js';

export type AccountDeps = Pick<AppDeps, 'db' | 'keys' | 'clock'>;

/** Create an account source for a system (account.write over its owner or operating unit). */
export async function createSource(deps: AccountDeps, actor: Actor, input: AccountSourceCreate): Promise<AccountSource> {
  const sys = await systemFor(deps.db, actor, input.systemId, 'account.write');
  if (input.kind === 'file' && !input.mapping) throw new UnprocessableError('account_source.mapping_required', 'Nguồn tệp cần cấu hình ánh xạ cột (ít nhất cột tên đăng nhập).');
  if (input.kind === 'ldap' && !input.ldap) throw new UnprocessableError('account_source.ldap_required', 'Nguồn LDAP cần thông tin kết nối.');
  const now = nowIso(deps.clock);
  const row: AccountSourceRow = {
    id: newId(deps.clock()), system_id: sys.id, name: input.name, kind: input.kind, mapping_json: JSON.stringify(input.mapping ?? {}),
    ldap_json: toJson(input.ldap), ldap_password_enc: input.ldapPassword ? deps.keys.encrypt(input.ldapPassword) : null,
    dormant_days: input.dormantDays, role_policy_json: toJson(input.rolePolicy), privileged_roles_json: JSON.stringify(input.privilegedRoles),
    concurrent_login_minutes: input.concurrentLoginMinutes ?? null, created_at: now, updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('account_sources').values(row).execute();
    await recordAudit(tx, actor, { action: 'account_source.create', targetType: 'account_source', targetId: row.id, unitId: sys.owner_unit_id, after: { ...toSource(row) } }, now);
  });
  return toSource(row);
}

export async function listSources(deps: AccountDeps, actor: Actor, systemId: string): Promise<AccountSource[]> {
  await systemFor(deps.db, actor, systemId, 'account.read');
  const keys = await deps.db.selectFrom('account_api_keys').select(['id', 'source_id', 'prefix', 'created_at', 'last_used_at']).where('system_id', '=', systemId).where('revoked_at', 'is', null).execute();
  return (await deps.db.selectFrom('account_sources').selectAll().where('system_id', '=', systemId).orderBy('created_at').execute()).map((r) => {
    const k = keys.find((x) => x.source_id === r.id);
    return { ...toSource(r), apiKey: k ? { id: k.id, prefix: k.prefix, createdAt: k.created_at, lastUsedAt: k.last_used_at } : null };
  });
}

/** The source, after checking the actor may use it with `permission`. */
export async function sourceFor(deps: AccountDeps, actor: Actor, sourceId: string, permission: 'account.read' | 'account.write' | 'account.import') {
  const src = await findSource(deps.db, sourceId);
  if (!src) throw new NotFoundError('account_source.not_found', 'Không tìm thấy nguồn tài khoản.');
  const sys = await systemFor(deps.db, actor, src.system_id, permission);
  return { src, sys };
}

function engineAccount(systemId: string, a: Pick<ImportedAccount, 'username' | 'displayName' | 'email' | 'citizenIdHash' | 'dateOfBirth' | 'unitText' | 'roles' | 'privileged' | 'enabled' | 'lastLoginAt' | 'mfa' | 'createdAt'>): ReconcileAccount {
  return { systemId, ...a };
}

/** Run the engine over one system's accounts with the current roster, links and the source's policy. */
async function reconcile(tx: Tx, src: AccountSourceRow, sysUnits: string[], accounts: ReconcileAccount[], asOf: string) {
  const { people, units } = await loadRoster(tx);
  const decisions = (await tx.selectFrom('account_links').selectAll().where('system_id', '=', src.system_id).execute())
    .map((d) => ({ systemId: d.system_id, username: d.username, personId: d.person_id, kind: d.kind as 'link' | 'unlink' }));
  return reconcileAccounts({
    accounts, people, units, decisions, asOf,
    systems: [{ id: src.system_id, unitIds: sysUnits, dormantDays: src.dormant_days, rolePolicy: fromJson(src.role_policy_json), privilegedRoles: fromJson<string[]>(src.privileged_roles_json) ?? [] }],
  });
}

function summarize(out: ReturnType<typeof reconcileAccounts>) {
  const situations: Record<string, number> = {};
  const findings: Record<string, number> = {};
  for (const r of out.results) situations[r.situation] = (situations[r.situation] ?? 0) + 1;
  for (const f of out.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
  return { situations, findings };
}

async function insertFindings(tx: Tx, snapshotId: string, systemId: string, ids: string[], out: ReturnType<typeof reconcileAccounts>, now: string, clock: () => number) {
  const rows = out.findings.map((f) => ({
    id: newId(clock()), snapshot_id: snapshotId, account_id: ids[f.index]!, system_id: systemId, kind: f.kind, severity: f.severity,
    person_id: f.personId, reason: f.reason, clause: f.clause, created_at: now,
  }));
  for (let i = 0; i < rows.length; i += 200) await tx.insertInto('account_findings').values(rows.slice(i, i + 200)).execute();
}

/**
 * Store an import as a new snapshot and reconcile it, in one transaction with one audit entry. Used by the
 * file, LDAP and push imports alike (and the demo loader, with actor null).
 */
export async function storeSnapshot(
  deps: AccountDeps, actor: Actor | RequestMeta | null, src: AccountSourceRow, sys: { owner_unit_id: string; operating_unit_id: string | null },
  accounts: ImportedAccount[], origin: string, fileName: string | null, actorLabel?: string,
): Promise<AccountSnapshot> {
  return deps.db.transaction().execute((tx) => storeSnapshotTx(tx, deps, actor, src, sys, accounts, origin, fileName, actorLabel));
}

/** storeSnapshot inside the caller's transaction (the demo loader writes everything in one). */
export async function storeSnapshotTx(
  tx: Tx, deps: Pick<AccountDeps, 'clock'>, actor: Actor | RequestMeta | null, src: AccountSourceRow, sys: { owner_unit_id: string; operating_unit_id: string | null },
  accounts: ImportedAccount[], origin: string, fileName: string | null, actorLabel?: string,
): Promise<AccountSnapshot> {
  const now = nowIso(deps.clock);
  const snapshotId = newId(deps.clock());
  const sysUnits = [sys.owner_unit_id, sys.operating_unit_id].filter((x): x is string => !!x);
  {
    const out = await reconcile(tx, src, sysUnits, accounts.map((a) => engineAccount(src.system_id, a)), now);
    const summary = summarize(out);
    const snap = {
      id: snapshotId, source_id: src.id, system_id: src.system_id, origin, file_name: fileName, taken_at: now, taken_by: actor && 'userId' in actor ? actor.userId : null,
      account_count: accounts.length, summary_json: JSON.stringify(summary),
    };
    await tx.insertInto('account_snapshots').values(snap).execute();
    const ids = accounts.map(() => newId(deps.clock()));
    const rows: SystemAccountRow[] = accounts.map((a, i) => {
      const r = out.results[i]!;
      return {
        id: ids[i]!, snapshot_id: snapshotId, system_id: src.system_id, username: a.username, display_name: a.displayName, email: a.email,
        citizen_id_hash: a.citizenIdHash, date_of_birth: a.dateOfBirth, unit_text: a.unitText, roles_json: JSON.stringify(a.roles),
        privileged: fromBool(a.privileged), enabled: fromBool(a.enabled), locked: fromBool(a.locked), last_login_at: a.lastLoginAt,
        mfa: a.mfa === null ? null : fromBool(a.mfa), account_created_at: a.createdAt, situation: r.situation, person_id: r.personId,
        score: r.score, rules_json: JSON.stringify(r.rules), candidates_json: JSON.stringify(r.candidates),
      };
    });
    for (let i = 0; i < rows.length; i += 100) await tx.insertInto('system_accounts').values(rows.slice(i, i + 100)).execute();
    await insertFindings(tx, snapshotId, src.system_id, ids, out, now, deps.clock);
    await refreshConcurrentLoginFindings(tx, src.system_id, now, deps.clock);
    await recordAudit(tx, actor, {
      action: 'account.import', targetType: 'account_snapshot', targetId: snapshotId, unitId: sys.owner_unit_id, actorLabel: actorLabel ?? null,
      details: { sourceId: src.id, systemId: src.system_id, origin, file: fileName, accounts: accounts.length, ...summary },
    }, now);
    await verifyRevocations(tx, actor, src.system_id, snapshotId, accounts, now, sys.owner_unit_id);
    return toSnapshot(snap);
  }
}

/** Re-run the reconciliation of a system's latest snapshot (after a manual link/unlink or roster change). */
export async function rereconcileLatest(deps: AccountDeps, tx: Tx, systemId: string, sysUnits: string[]): Promise<void> {
  const snap = await latestSnapshot(tx, systemId);
  if (!snap) return;
  const src = (await findSource(tx, snap.source_id))!;
  const rows = await tx.selectFrom('system_accounts').selectAll().where('snapshot_id', '=', snap.id).orderBy('id').execute();
  const accounts = rows.map((r) => {
    const a = toAccount(r);
    return engineAccount(systemId, { ...a, citizenIdHash: r.citizen_id_hash, dateOfBirth: r.date_of_birth, createdAt: r.account_created_at });
  });
  const now = nowIso(deps.clock);
  const out = await reconcile(tx, src, sysUnits, accounts, now);
  for (const res of out.results) {
    const r = rows[res.index]!;
    if (r.situation === res.situation && r.person_id === res.personId && r.score === res.score) continue;
    await tx.updateTable('system_accounts').set({ situation: res.situation, person_id: res.personId, score: res.score, rules_json: JSON.stringify(res.rules), candidates_json: JSON.stringify(res.candidates) }).where('id', '=', r.id).execute();
  }
  await tx.deleteFrom('account_findings').where('snapshot_id', '=', snap.id).execute();
  await insertFindings(tx, snap.id, systemId, rows.map((r) => r.id), out, now, deps.clock);
  await tx.updateTable('account_snapshots').set({ summary_json: JSON.stringify(summarize(out)) }).where('id', '=', snap.id).execute();
  await refreshConcurrentLoginFindings(tx, systemId, now, deps.clock);
}

/** Link an account to a person, or rule a person out; kept across imports, applied at once to the latest snapshot. */
export async function decideLink(deps: AccountDeps, actor: Actor, input: { systemId: string; username: string; personId: string; kind: 'link' | 'unlink'; note?: string | undefined }): Promise<void> {
  const sys = await systemFor(deps.db, actor, input.systemId, 'account.write');
  const person = await findPerson(deps.db, input.personId);
  if (!person) throw new NotFoundError('person.not_found', 'Không tìm thấy cán bộ.');
  // The person must be one the actor may see: linking an account to an official of another unit would both
  // reveal that official and attach them to a system they were never shown to this actor (403, audited).
  requireOnUnit(actor, 'person.read', { id: person.unit_id, path: person.unit_path }, { type: 'person', id: person.id });
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('account_links').where('system_id', '=', sys.id).where('username', '=', input.username).where('person_id', '=', input.personId).execute();
    await tx.insertInto('account_links').values({
      id: newId(deps.clock()), system_id: sys.id, username: input.username, person_id: input.personId, kind: input.kind, note: input.note ?? null, decided_by: actor.userId, decided_at: now,
    }).execute();
    await rereconcileLatest(deps, tx, sys.id, [sys.owner_unit_id, sys.operating_unit_id].filter((x): x is string => !!x));
    await recordAudit(tx, actor, { action: input.kind === 'link' ? 'account.link' : 'account.unlink', targetType: 'system_account', targetId: `${sys.id}:${input.username}`, unitId: sys.owner_unit_id, details: { personId: input.personId, note: input.note ?? null } }, now);
  });
}

export async function listSnapshots(deps: AccountDeps, actor: Actor, sourceId: string): Promise<AccountSnapshot[]> {
  await sourceFor(deps, actor, sourceId, 'account.read');
  return (await deps.db.selectFrom('account_snapshots').selectAll().where('source_id', '=', sourceId).orderBy('taken_at', 'desc').orderBy('id', 'desc').execute()).map(toSnapshot);
}

const DIFF_FIELDS = ['display_name', 'email', 'unit_text', 'roles_json', 'privileged', 'enabled', 'locked', 'mfa', 'last_login_at'] as const;

/** What changed between two snapshots of one system: accounts added, removed, and changed (which fields). */
export async function diffSnapshots(deps: AccountDeps, actor: Actor, fromId: string, toId: string): Promise<SnapshotDiff> {
  const [a, b] = await Promise.all([findSnapshot(deps.db, fromId), findSnapshot(deps.db, toId)]);
  if (!a || !b) throw new NotFoundError('account_snapshot.not_found', 'Không tìm thấy bản chụp tài khoản.');
  await systemFor(deps.db, actor, a.system_id, 'account.read');
  if (a.system_id !== b.system_id) throw new UnprocessableError('account_snapshot.other_system', 'Hai bản chụp phải thuộc cùng một hệ thống.');
  const load = async (id: string) => new Map((await deps.db.selectFrom('system_accounts').selectAll().where('snapshot_id', '=', id).execute()).map((r) => [r.username.toLowerCase(), r]));
  const [ra, rb] = await Promise.all([load(a.id), load(b.id)]);
  const added = [...rb.keys()].filter((k) => !ra.has(k)).map((k) => rb.get(k)!.username).sort();
  const removed = [...ra.keys()].filter((k) => !rb.has(k)).map((k) => ra.get(k)!.username).sort();
  const changed: SnapshotDiff['changed'] = [];
  for (const [k, x] of ra) {
    const y = rb.get(k);
    if (!y) continue;
    const fields = DIFF_FIELDS.filter((f) => x[f] !== y[f]).map((f) => f.replace(/_json$/, ''));
    if (fields.length > 0) changed.push({ username: y.username, fields });
  }
  changed.sort((p, q) => p.username.localeCompare(q.username));
  return { from: a.id, to: b.id, added, removed, changed };
}

/** Findings of the latest snapshot of every system in the actor's scope (or one system), filtered. */
export async function listFindings(deps: AccountDeps, actor: Actor, q: { systemId?: string | undefined; unitId?: string | undefined; kind?: string | undefined; severity?: string | undefined; page: number; pageSize: number }): Promise<{ items: AccountFinding[]; total: number }> {
  if (q.systemId) await systemFor(deps.db, actor, q.systemId, 'account.read');
  const prefixes = scopeOf(actor, 'account.read');
  let base = deps.db
    .selectFrom('account_findings as f')
    .innerJoin('system_accounts as a', 'a.id', 'f.account_id')
    .innerJoin('information_systems as s', 's.id', 'f.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .where(systemInScope(prefixes))
    .where('f.snapshot_id', 'in', (eb) => eb.selectFrom('account_snapshots as l').select((e) => e.fn.max('l.id').as('id')).groupBy('l.system_id'));
  if (q.systemId) base = base.where('f.system_id', '=', q.systemId);
  if (q.unitId) {
    const unit = await findUnit(deps.db, q.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    requireOnUnit(actor, 'account.read', unit);
    base = base.where((eb) => eb.or([eb('ou.path', 'like', `${unit.path}%`), eb('opu.path', 'like', `${unit.path}%`)]));
  }
  if (q.kind) base = base.where('f.kind', '=', q.kind);
  if (q.severity) base = base.where('f.severity', '=', q.severity);
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.select(['f.id', 'f.system_id', 'f.account_id', 'a.username', 'f.kind', 'f.severity', 'f.person_id', 'f.reason', 'f.clause', 'f.created_at', 'f.evidence_json'])
    .orderBy('f.severity').orderBy('f.id').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  return {
    total: Number(n),
    items: rows.map((r) => ({
      id: r.id, systemId: r.system_id, accountId: r.account_id, username: r.username, kind: r.kind as AccountFinding['kind'], severity: r.severity as AccountFinding['severity'],
      personId: r.person_id, reason: r.reason, clause: r.clause, createdAt: r.created_at, evidence: fromJson<AccountFinding['evidence']>(r.evidence_json) ?? null,
    })),
  };
}

/**
 * MFA coverage per system and per owning unit, from the latest snapshots: share of enabled accounts, and of
 * enabled privileged accounts, with MFA (TCVN 14423:2026 nhóm 6: administrators use MFA from level 1).
 */
export async function mfaCoverage(deps: AccountDeps, actor: Actor): Promise<MfaCoverageRow[]> {
  const prefixes = scopeOf(actor, 'account.read');
  const rows = await deps.db
    .selectFrom('system_accounts as a')
    .innerJoin('information_systems as s', 's.id', 'a.system_id')
    .innerJoin('org_units as ou', 'ou.id', 's.owner_unit_id')
    .leftJoin('org_units as opu', 'opu.id', 's.operating_unit_id')
    .leftJoin('org_units as su', 'su.id', 's.security_unit_id')
    .where(systemInScope(prefixes))
    .where('a.enabled', '=', 1)
    .where('a.snapshot_id', 'in', (eb) => eb.selectFrom('account_snapshots as l').select((e) => e.fn.max('l.id').as('id')).groupBy('l.system_id'))
    .groupBy(['s.id', 's.code', 'ou.id', 'ou.code', 'a.privileged', 'a.mfa'])
    .select(['s.id as system_id', 's.code as system_code', 'ou.id as unit_id', 'ou.code as unit_code', 'a.privileged', 'a.mfa', (eb) => eb.fn.countAll<number>().as('n')])
    .execute();
  const by = new Map<string, MfaCoverageRow>();
  for (const r of rows) {
    const row = by.get(r.system_id) ?? { systemId: r.system_id, systemCode: r.system_code, unitId: r.unit_id, unitCode: r.unit_code, accounts: 0, withMfa: 0, privileged: 0, privilegedWithMfa: 0, share: null, privilegedShare: null };
    const n = Number(r.n);
    row.accounts += n;
    if (r.mfa === 1) row.withMfa += n;
    if (r.privileged === 1) {
      row.privileged += n;
      if (r.mfa === 1) row.privilegedWithMfa += n;
    }
    by.set(r.system_id, row);
  }
  return [...by.values()].map((r) => ({ ...r, share: r.accounts ? r.withMfa / r.accounts : null, privilegedShare: r.privileged ? r.privilegedWithMfa / r.privileged : null }))
    .sort((x, y) => x.systemCode.localeCompare(y.systemCode));
}
