import type { Me } from '../../contracts/auth.js';
import type { Permission } from '../../contracts/roles.js';

export function can(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission);
}
