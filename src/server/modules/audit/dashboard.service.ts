import { sql } from 'kysely';
import type { Dashboard } from '../../../contracts/audit.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError } from '../../core/errors.js';
import { nowIso } from '../../db/columns.js';
import { holdsAtRoot } from '../org/org.policy.js';
import { pathInScope, todayVn } from '../org/scope.js';

type DashDeps = Pick<AppDeps, 'db' | 'clock'>;

/**
 * Real counts within the actor's dashboard.read scope: units (current/former), people by status, users and
 * users without a second factor (no confirmed TOTP and no passkey), and failed logins in the last 24 hours
 * (all of them for a root-scope actor; otherwise those naming a user of a unit in scope).
 */
export async function dashboard(deps: DashDeps, actor: Actor): Promise<Dashboard> {
  const prefixes = scopeOf(actor, 'dashboard.read');
  if (prefixes.length === 0) throw new ForbiddenError('dashboard.forbidden', 'Bạn không có quyền xem bảng điều khiển.', { permission: 'dashboard.read' });
  const db = deps.db;
  const today = todayVn(deps.clock);
  const units = await db
    .selectFrom('org_units')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(sql`case when valid_to is not null and valid_to < ${today} then 1 else 0 end`).as('former'),
    ])
    .where(pathInScope('path', prefixes))
    .executeTakeFirstOrThrow();
  const people = await db
    .selectFrom('people as p')
    .innerJoin('org_units as u', 'u.id', 'p.unit_id')
    .select(['p.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where(pathInScope('u.path', prefixes))
    .groupBy('p.status')
    .execute();
  const scopedUsers = () =>
    db.selectFrom('users as s').innerJoin('org_units as u', 'u.id', 's.unit_id').where(pathInScope('u.path', prefixes));
  const users = await scopedUsers()
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(sql`case when s.status = 'active' then 1 else 0 end`).as('active'),
      eb.fn.sum<number>(sql`case when not exists (select 1 from totp_factors t where t.user_id = s.id and t.confirmed_at is not null)
        and not exists (select 1 from webauthn_credentials w where w.user_id = s.id) then 1 else 0 end`).as('no_mfa'),
    ])
    .executeTakeFirstOrThrow();
  const since = new Date(deps.clock() - 24 * 3600_000).toISOString();
  let failed = db
    .selectFrom('audit_events as e')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('e.action', 'in', ['auth.login', 'auth.mfa'])
    .where('e.outcome', '=', 'failure')
    .where('e.occurred_at', '>=', since);
  if (!holdsAtRoot(actor, 'dashboard.read')) {
    failed = failed.where('e.actor_user_id', 'in', scopedUsers().select('s.id'));
  }
  const failedRow = await failed.executeTakeFirstOrThrow();
  const byStatus = Object.fromEntries(people.map((r) => [r.status, Number(r.n)]));
  const total = Number(units.n);
  const former = Number(units.former ?? 0);
  return {
    scopeUnitIds: prefixes.map((p) => p.split('/').filter(Boolean).pop()!),
    units: { current: total - former, former },
    people: { total: people.reduce((a, r) => a + Number(r.n), 0), byStatus },
    users: { total: Number(users.n), active: Number(users.active ?? 0), withoutMfa: Number(users.no_mfa ?? 0) },
    failedLogins24h: Number(failedRow.n),
    generatedAt: nowIso(deps.clock),
  };
}
