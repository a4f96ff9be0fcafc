import type { Role } from '../../../contracts/roles.js';
import type { User } from '../../../contracts/org.js';
import type { Db, Tx } from '../../db/database.js';
import type { NewUserRow, RoleGrantRow, UserRow } from './org.table.js';
import { pathInScope } from './scope.js';

export type UserWithUnit = UserRow & { unit_name: string; unit_path: string };
export type GrantWithUnit = RoleGrantRow & { unit_name: string; unit_path: string };

function withUnit(db: Db | Tx) {
  return db
    .selectFrom('users as s')
    .innerJoin('org_units as u', 'u.id', 's.unit_id')
    .selectAll('s')
    .select(['u.name as unit_name', 'u.path as unit_path']);
}

export function findUser(db: Db | Tx, id: string): Promise<UserWithUnit | undefined> {
  return withUnit(db).where('s.id', '=', id).executeTakeFirst();
}

/** Users whose account unit lies in scope, ordered by username. */
export async function listUsers(db: Db, prefixes: string[], page: number, pageSize: number, text?: string): Promise<{ rows: UserWithUnit[]; total: number }> {
  const base = () => {
    let q = withUnit(db).where(pathInScope('u.path', prefixes));
    if (text) q = q.where((eb) => eb.or([eb('s.username', 'like', `%${text}%`), eb('s.email', 'like', `%${text}%`)]));
    return q;
  };
  const rows = await base().orderBy('s.username').limit(pageSize).offset((page - 1) * pageSize).execute();
  const c = await base().clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(c.n) };
}

export function grantsOf(db: Db | Tx, userIds: string[]): Promise<GrantWithUnit[]> {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('role_grants as g')
    .innerJoin('org_units as u', 'u.id', 'g.unit_id')
    .selectAll('g')
    .select(['u.name as unit_name', 'u.path as unit_path'])
    .where('g.user_id', 'in', userIds)
    .orderBy('g.granted_at')
    .execute();
}

export function findGrant(db: Db | Tx, id: string): Promise<GrantWithUnit | undefined> {
  return db
    .selectFrom('role_grants as g')
    .innerJoin('org_units as u', 'u.id', 'g.unit_id')
    .selectAll('g')
    .select(['u.name as unit_name', 'u.path as unit_path'])
    .where('g.id', '=', id)
    .executeTakeFirst();
}

/** Ids among `userIds` that have a second factor: a confirmed TOTP or a WebAuthn credential. */
export async function usersWithMfa(db: Db | Tx, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const totp = await db.selectFrom('totp_factors').select('user_id').where('user_id', 'in', userIds).where('confirmed_at', 'is not', null).execute();
  const wa = await db.selectFrom('webauthn_credentials').select('user_id').where('user_id', 'in', userIds).execute();
  return new Set([...totp, ...wa].map((r) => r.user_id));
}

/** Map rows to the API shape; never exposes password hashes or counters. */
export function toUser(row: UserWithUnit, grants: GrantWithUnit[], mfa: boolean): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    personId: row.person_id,
    unitId: row.unit_id,
    unitName: row.unit_name,
    status: row.status === 'disabled' ? 'disabled' : 'active',
    mfaEnrolled: mfa,
    lockedUntil: row.locked_until,
    lastLoginAt: row.last_login_at,
    grants: grants.map((g) => ({ id: g.id, role: g.role as Role, unitId: g.unit_id, unitName: g.unit_name })),
  };
}

export async function insertUserRow(tx: Tx, row: NewUserRow): Promise<void> {
  await tx.insertInto('users').values(row).execute();
}

export async function updateUserRow(tx: Tx, id: string, patch: Partial<NewUserRow>): Promise<void> {
  await tx.updateTable('users').set(patch).where('id', '=', id).execute();
}

export async function insertGrantRow(tx: Tx, row: RoleGrantRow): Promise<void> {
  await tx.insertInto('role_grants').values(row).execute();
}

export async function deleteGrantRow(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('role_grants').where('id', '=', id).execute();
}

/** Open sessions of a user (not ended, not past absolute expiry). */
export function openSessions(db: Db, userId: string, now: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'stage', 'mfa_method', 'ip', 'user_agent', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}
