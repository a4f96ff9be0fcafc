import type { Permission } from '../../../contracts/roles.js';
import { type Actor, assertCan, can, hasPermission } from '../../core/actor.js';
import { ForbiddenError } from '../../core/errors.js';

/**
 * Authorisation of incident cases, by the case's owning unit (deny by default):
 * - read (queue, case page, reports, metrics): case.read over the unit's subtree;
 * - work (comment, observables, attachments, tasks, escalate alerts into it, create): case.write;
 * - decide (phases, close, reportable classification, official reports): case.manage.
 * An existing case outside scope answers 403 (audited authz.denied), an unknown id 404.
 */
export type CaseUnit = { id: string; unit_id: string; unit_path: string };

const target = (c: CaseUnit) => ({ type: 'case', id: c.id, unitId: c.unit_id });

export function requireCase(actor: Actor, permission: Extract<Permission, 'case.read' | 'case.write' | 'case.manage'>, c: CaseUnit): void {
  assertCan(actor, permission, c.unit_path, target(c));
}

export function canCase(actor: Actor, permission: Extract<Permission, 'case.read' | 'case.write' | 'case.manage'>, c: Pick<CaseUnit, 'unit_path'>): boolean {
  return can(actor, permission, c.unit_path);
}

/** Playbook editing is province-wide: playbook.write anywhere. Reading needs case.read anywhere. */
export function requirePermissionAnywhere(actor: Actor, permission: Permission): void {
  if (!hasPermission(actor, permission)) {
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thực hiện thao tác này.', { permission });
  }
}
