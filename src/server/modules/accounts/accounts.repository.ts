import type { AccountSnapshot, AccountSource, SystemAccount } from '../../../contracts/accounts.js';
import { fromJson, toBool } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { ReconcilePerson, ReconcileUnit } from '../../engines/account-reconcile/account-reconcile.js';
import type { AccountSnapshotRow, AccountSourceRow, SystemAccountRow } from './accounts.table.js';

/** Row → API shape at the repository edge. The encrypted LDAP password never leaves. */
export function toSource(r: AccountSourceRow): AccountSource {
  return {
    id: r.id, systemId: r.system_id, name: r.name, kind: r.kind as AccountSource['kind'],
    mapping: fromJson<Record<string, string>>(r.mapping_json) ?? {}, ldap: fromJson(r.ldap_json), hasLdapPassword: !!r.ldap_password_enc,
    dormantDays: r.dormant_days, concurrentLoginMinutes: r.concurrent_login_minutes, rolePolicy: fromJson(r.role_policy_json), privilegedRoles: fromJson<string[]>(r.privileged_roles_json) ?? [], apiKey: null,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export function toSnapshot(r: AccountSnapshotRow): AccountSnapshot {
  return {
    id: r.id, sourceId: r.source_id, systemId: r.system_id, origin: r.origin, fileName: r.file_name, takenAt: r.taken_at,
    accountCount: r.account_count, summary: fromJson(r.summary_json) ?? { situations: {}, findings: {} },
  };
}

export function toAccount(r: SystemAccountRow): SystemAccount {
  return {
    id: r.id, systemId: r.system_id, username: r.username, displayName: r.display_name, email: r.email, unitText: r.unit_text,
    roles: fromJson<string[]>(r.roles_json) ?? [], privileged: toBool(r.privileged), enabled: toBool(r.enabled), locked: toBool(r.locked),
    lastLoginAt: r.last_login_at, mfa: r.mfa === null ? null : toBool(r.mfa), situation: r.situation as SystemAccount['situation'],
    personId: r.person_id, score: r.score, rules: fromJson<string[]>(r.rules_json) ?? [], candidates: fromJson(r.candidates_json) ?? [],
  };
}

export function findSource(db: Db | Tx, id: string): Promise<AccountSourceRow | undefined> {
  return db.selectFrom('account_sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findSnapshot(db: Db | Tx, id: string): Promise<AccountSnapshotRow | undefined> {
  return db.selectFrom('account_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The latest snapshot of a system (the current state of its accounts). */
export function latestSnapshot(db: Db | Tx, systemId: string): Promise<AccountSnapshotRow | undefined> {
  return db.selectFrom('account_snapshots').selectAll().where('system_id', '=', systemId).orderBy('taken_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The roster as the engine needs it, with the units each person left (from the status history). */
export async function loadRoster(db: Db | Tx): Promise<{ people: ReconcilePerson[]; units: ReconcileUnit[] }> {
  const rows = await db.selectFrom('people').select(['id', 'name_folded', 'citizen_id_hash', 'email', 'date_of_birth', 'unit_id', 'status', 'status_since', 'position']).execute();
  const hist = await db.selectFrom('person_status_history').select(['person_id', 'unit_id']).orderBy('effective_from', 'desc').execute();
  const former = new Map<string, string[]>();
  const current = new Map(rows.map((r) => [r.id, r.unit_id]));
  for (const h of hist) {
    if (h.unit_id === current.get(h.person_id)) continue;
    const list = former.get(h.person_id) ?? [];
    if (!list.includes(h.unit_id)) list.push(h.unit_id);
    former.set(h.person_id, list);
  }
  const people = rows.map((r): ReconcilePerson => ({
    id: r.id, nameFolded: r.name_folded, citizenIdHash: r.citizen_id_hash, email: r.email, dateOfBirth: r.date_of_birth, unitId: r.unit_id,
    status: r.status, statusSince: r.status_since, position: r.position, formerUnitIds: former.get(r.id) ?? [],
  }));
  const units = (await db.selectFrom('org_units').select(['id', 'code', 'name_folded', 'merged_into_id', 'merged_on']).execute())
    .map((u): ReconcileUnit => ({ id: u.id, code: u.code, nameFolded: u.name_folded, mergedIntoId: u.merged_into_id, mergedOn: u.merged_on }));
  return { people, units };
}
