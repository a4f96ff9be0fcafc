import type { Permission } from '../../../contracts/roles.js';
import { type Actor, can, scopeOf } from '../../core/actor.js';
import { ForbiddenError } from '../../core/errors.js';

/**
 * Authorisation of the inventory. Deny by default; an object outside the actor's scope answers 403
 * (audited `authz.denied` by the error handler), unknown ids 404 — the same decision as the org module.
 *
 * - A system is READ in the subtree of any of its three units: owner (chủ quản), operating unit, or
 *   security-responsible unit.
 * - A system is WRITTEN (facts, assets links, merger plan) by system.write over its owner or operating unit:
 *   the security-responsible unit reads but does not edit another unit's catalogue entry.
 * - Its level is CONFIRMED only by system.confirm_level over the owner unit: the chủ quản decides
 *   (NĐ 85 Đ12, NĐ 331 Đ18: the owner approves level 3; lower levels its security unit on its behalf).
 * - An asset is read/written in the subtree of its owner unit.
 */

export interface SystemUnits {
  id: string;
  /** The owner unit's id: the unit a denial is recorded against (never shown in the 403 body). */
  owner_unit_id?: string;
  owner_path: string;
  operating_path: string | null;
  security_path: string | null;
}

function paths(s: SystemUnits, which: 'any' | 'owner_or_operator' | 'owner'): string[] {
  if (which === 'owner') return [s.owner_path];
  if (which === 'owner_or_operator') return [s.owner_path, s.operating_path].filter((p): p is string => !!p);
  return [s.owner_path, s.operating_path, s.security_path].filter((p): p is string => !!p);
}

/** Whether the actor holds `permission` over one of the system's units (`which` of them). */
export function canOnSystem(actor: Actor, permission: Permission, s: SystemUnits, which: 'any' | 'owner_or_operator' | 'owner' = 'any'): boolean {
  return paths(s, which).some((p) => can(actor, permission, p));
}

/** Refuse (403, audited) unless canOnSystem holds. */
export function requireOnSystem(actor: Actor, permission: Permission, s: SystemUnits, which: 'any' | 'owner_or_operator' | 'owner' = 'any'): void {
  if (!canOnSystem(actor, permission, s, which)) {
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thực hiện thao tác này với hệ thống thông tin này.', { permission, target: { type: 'information_system', id: s.id } }, { unitId: s.owner_unit_id ?? null });
  }
}

/** Refuse unless the actor holds `permission` over the unit with this path. */
export function requireOnUnitPath(actor: Actor, permission: Permission, unit: { id: string; path: string }, target: { type: string; id: string }): void {
  if (!can(actor, permission, unit.path)) {
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thực hiện thao tác này.', { permission, target }, { unitId: unit.id });
  }
}

export { scopeOf, can };
