import { type Permission, ROLE_PERMISSIONS, type Role } from '../../contracts/roles.js';
import { ForbiddenError } from './errors.js';

/** A role grant as the policies see it: the unit's materialised path, so subtree checks are prefix tests. */
export interface ActorGrant {
  id: string;
  role: Role;
  unitId: string;
  unitPath: string;
  unitName: string;
  /**
   * Every subtree the grant covers: the unit's own path first, then the paths of units merged into it
   * (its predecessors' history, which the successor inherits).
   */
  coveredPaths: string[];
}

/** Who is acting, resolved once per request from the session. */
export interface Actor {
  userId: string;
  username: string;
  sessionId: string;
  unitId: string;
  grants: ActorGrant[];
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/** Request facts that audit entries carry even without a logged-in actor (failed logins). */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/**
 * The user of a session that may still be pending (changing a password, enrolling or completing MFA): known by
 * id and username, but holding no grants yet. Audit entries of such requests carry this as their actor.
 */
export interface SessionUser extends RequestMeta {
  userId: string;
  username: string;
  sessionId: string;
}

/** Whether the actor holds `permission` anywhere (for menus and coarse checks). */
export function hasPermission(actor: Actor, permission: Permission): boolean {
  return actor.grants.some((g) => ROLE_PERMISSIONS[g.role].includes(permission));
}

/** Whether the actor holds `permission` over the unit with this path (its own unit or an ancestor's grant). */
export function can(actor: Actor, permission: Permission, unitPath: string): boolean {
  return actor.grants.some(
    (g) => ROLE_PERMISSIONS[g.role].includes(permission) && g.coveredPaths.some((p) => unitPath.startsWith(p)),
  );
}

/**
 * The unit subtrees (as path prefixes) in which the actor holds `permission`, minimal: a path nested in
 * another is dropped. Empty means nothing is visible. Queries filter with `path LIKE prefix || '%'`.
 */
export function scopeOf(actor: Actor, permission: Permission): string[] {
  const paths = actor.grants
    .filter((g) => ROLE_PERMISSIONS[g.role].includes(permission))
    .flatMap((g) => g.coveredPaths)
    .sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const p of paths) if (!out.some((q) => p.startsWith(q))) out.push(p);
  return out;
}

/** What a refused action was aimed at; `unitId` is the unit it concerns (the one `unitPath` names). */
export interface DenialTarget {
  type: string;
  id: string;
  unitId?: string;
}

/**
 * Throw a ForbiddenError (the error handler audits it) unless `can` holds. The target's `unitId` becomes the
 * denial entry's unit (visible to that unit's auditors); the 403 body carries only `{ type, id }`.
 */
export function assertCan(actor: Actor, permission: Permission, unitPath: string, target?: DenialTarget): void {
  if (!can(actor, permission, unitPath)) {
    const shown = target ? { type: target.type, id: target.id } : undefined;
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thực hiện thao tác này.', { permission, target: shown }, { unitId: target?.unitId });
  }
}

export function permissionsOf(actor: { grants: Pick<ActorGrant, 'role'>[] }): Permission[] {
  return [...new Set(actor.grants.flatMap((g) => ROLE_PERMISSIONS[g.role]))];
}
