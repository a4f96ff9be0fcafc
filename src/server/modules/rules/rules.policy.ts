import { type Actor, hasPermission } from '../../core/actor.js';
import { ForbiddenError } from '../../core/errors.js';

/**
 * Detection rules are the province SOC's shared configuration (one rule set for every unit's events), so the
 * permissions are not unit-scoped: `rule.read` to see rules and hit counts, `rule.write` to enable, disable,
 * tune and import. Denied by default; a refusal is audited by the error handler.
 */
export function requireRuleRead(actor: Actor): void {
  if (!hasPermission(actor, 'rule.read')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền xem quy tắc phát hiện.', { permission: 'rule.read' });
}

export function requireRuleWrite(actor: Actor, target?: { type: string; id: string }): void {
  if (!hasPermission(actor, 'rule.write')) {
    throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thay đổi quy tắc phát hiện.', { permission: 'rule.write', target });
  }
}
