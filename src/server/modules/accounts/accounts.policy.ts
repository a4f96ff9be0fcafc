import type { Permission } from '../../../contracts/roles.js';
import type { Actor } from '../../core/actor.js';
import { NotFoundError } from '../../core/errors.js';
import type { Db, Tx } from '../../db/database.js';
import { requireOnSystem } from '../inventory/inventory.policy.js';
import { findSystem, type SystemWithUnits } from '../inventory/inventory.repository.js';

/**
 * Authorisation of account governance reuses the inventory's scoping of systems: accounts belong to a
 * system, so they are READ where the system is (owner, operating or security unit subtree) and WRITTEN or
 * IMPORTED by the owner or the operating unit. A denial is a 403 audited as `authz.denied`.
 */
export async function systemFor(db: Db | Tx, actor: Actor, systemId: string, permission: Permission): Promise<SystemWithUnits> {
  const sys = await findSystem(db, systemId);
  if (!sys) throw new NotFoundError('system.not_found', 'Không tìm thấy hệ thống thông tin.');
  requireOnSystem(actor, permission, sys, permission === 'account.read' ? 'any' : 'owner_or_operator');
  return sys;
}
