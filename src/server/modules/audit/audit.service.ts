import type { z } from 'zod';
import type { AuditEvent, AuditQuerySchema } from '../../../contracts/audit.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { isIsoDate } from '../../db/columns.js';
import { holdsAtRoot, requireOnUnit } from '../org/org.policy.js';
import { findUnit } from '../org/org-unit.repository.js';
import { listAuditEvents, toAuditEvent } from './audit.repository.js';

type AuditDeps = Pick<AppDeps, 'db'>;

function instant(value: string, field: string, endOfDay: boolean): string {
  if (isIsoDate(value)) {
    if (!endOfDay) return `${value}T00:00:00.000Z`;
    const d = new Date(`${value}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ValidationError('audit.bad_date', `Giá trị ${field} không phải ngày/giờ hợp lệ.`, { field });
  // An instant bound is inclusive on both ends: `to` moves one millisecond past it.
  return new Date(t + (endOfDay ? 1 : 0)).toISOString();
}

/**
 * The audit trail as the actor may read it (audit.read): entries of units in scope; entries with no unit
 * (failed logins, denials before a unit is known) only for holders of audit.read at a root unit.
 * `to` as a date includes that whole day (UTC).
 */
export async function searchAudit(deps: AuditDeps, actor: Actor, query: z.infer<typeof AuditQuerySchema>): Promise<{ items: AuditEvent[]; total: number; page: number; pageSize: number }> {
  const prefixes = scopeOf(actor, 'audit.read');
  if (prefixes.length === 0) throw new ForbiddenError('audit.forbidden', 'Bạn không có quyền xem nhật ký kiểm toán.', { permission: 'audit.read' });
  let unitPath: string | undefined;
  if (query.unitId) {
    const unit = await findUnit(deps.db, query.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    requireOnUnit(actor, 'audit.read', unit);
    unitPath = unit.path;
  }
  const { rows, total } = await listAuditEvents(
    deps.db,
    {
      prefixes,
      includeUnitless: holdsAtRoot(actor, 'audit.read') && !unitPath,
      actionPrefix: query.action,
      outcome: query.outcome,
      actorLabel: query.actor,
      targetId: query.targetId,
      unitPath,
      fromInclusive: query.from ? instant(query.from, 'from', false) : undefined,
      toExclusive: query.to ? instant(query.to, 'to', true) : undefined,
    },
    query.page,
    query.pageSize,
  );
  return { items: rows.map(toAuditEvent), total, page: query.page, pageSize: query.pageSize };
}
