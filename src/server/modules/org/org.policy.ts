import type { Permission } from '../../../contracts/roles.js';
import { type Actor, assertCan, can, scopeOf } from '../../core/actor.js';
import { ForbiddenError } from '../../core/errors.js';

/**
 * Authorisation rules of the org module. Deny by default: every read and write names a permission and the
 * unit (by materialised path) it concerns; the grant must cover that unit's subtree.
 *
 * Decision (documented): an object that exists but lies outside the actor's scope answers 403, not 404.
 * The 403 body carries only the permission and the target id the caller already sent, never the object,
 * and the denial is audited (`authz.denied`) by the error handler. Unknown ids answer 404.
 */

export interface Scoped {
  id: string;
  path: string;
}

/** Refuse unless the actor holds `permission` over the unit (throws ForbiddenError, audited under that unit). */
export function requireOnUnit(actor: Actor, permission: Permission, unit: Scoped, target?: { type: string; id: string }): void {
  assertCan(actor, permission, unit.path, { ...(target ?? { type: 'org_unit', id: unit.id }), unitId: unit.id });
}

/** Path prefixes of the unit subtrees where the actor holds `permission` (empty: nothing visible). */
export function prefixesFor(actor: Actor, permission: Permission): string[] {
  return scopeOf(actor, permission);
}

/** True when the actor holds `admin` at any unit. */
export function isAdmin(actor: Actor): boolean {
  return actor.grants.some((g) => g.role === 'admin');
}

/** True when the actor holds `permission` at a root unit (depth 0: the province), i.e. over everything under it. */
export function holdsAtRoot(actor: Actor, permission: Permission): boolean {
  return scopeOf(actor, permission).some((p) => /^\/[^/]+\/$/.test(p));
}

/** Creating a top-level unit (no parent) is reserved to admins. */
export function requireCreateRoot(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError('org_unit.root_forbidden', 'Chỉ quản trị hệ thống được tạo đơn vị cấp cao nhất.');
}

/**
 * Role grants (ASVS 5 8.2.1 — least privilege; 8.2.2 — no self-service privilege change):
 * only a holder of role_grant.write over the unit may grant there; only an admin grants `admin`;
 * a user never changes their own grants.
 */
export function requireGrantChange(actor: Actor, targetUserId: string, role: string, unit: Scoped): void {
  if (actor.userId === targetUserId) {
    throw new ForbiddenError('role_grant.self', 'Không được tự thay đổi quyền của chính mình.', { target: { type: 'user', id: targetUserId } });
  }
  assertCan(actor, 'role_grant.write', unit.path, { type: 'org_unit', id: unit.id, unitId: unit.id });
  if (role === 'admin' && !actor.grants.some((g) => g.role === 'admin' && unit.path.startsWith(g.unitPath))) {
    throw new ForbiddenError('role_grant.admin_only', 'Chỉ quản trị hệ thống được cấp vai trò quản trị.', { role }, { unitId: unit.id });
  }
}

export { can };
