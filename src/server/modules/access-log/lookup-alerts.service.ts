import type { z } from 'zod';
import type { AlertQuerySchema, AlertUpdateSchema, LookupAlert } from '../../../contracts/access-log.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { fromJson, newId, nowIso } from '../../db/columns.js';
import type { Db } from '../../db/database.js';
import { analyseLookups, vnWeek, type AnalyticsOptions, type LookupRecord, type PersonFacts } from '../../engines/lookup-analytics/lookup-analytics.js';
import { refreshConcurrentLoginFindings } from '../accounts/concurrent-logins.js';
import { requireOnSystem } from '../inventory/inventory.policy.js';
import { findSystem } from '../inventory/inventory.repository.js';
import { alertsWithSystem, systemScope } from './access-log.repository.js';
import type { LookupAlertRow } from './access-log.table.js';
import { followLookupStatus, mirrorLookupAlerts } from './soc-link.js';

type AlertDeps = Pick<AppDeps, 'db' | 'clock'>;

/**
 * Public holidays (Bộ luật Lao động 2019 Đ112): fixed dates, and the lunar ones of 2025–2026 as announced
 * (Tết, Giỗ Tổ Hùng Vương). Look-ups on them count as outside working hours.
 */
export const VN_HOLIDAYS = [
  '2025-01-01', '2025-01-25', '2025-01-26', '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02',
  '2025-04-07', '2025-04-30', '2025-05-01', '2025-09-01', '2025-09-02',
  '2026-01-01', '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22',
  '2026-04-26', '2026-04-27', '2026-04-30', '2026-05-01', '2026-09-01', '2026-09-02',
];

const DAY = 86_400_000;
const BASELINE_DAYS = 28;

/** Start instant (UTC) of the Vietnam-time Monday of the week containing `ms`. */
function weekStart(ms: number): number {
  return Date.parse(`${vnWeek(ms)}T00:00:00+07:00`);
}

/**
 * Run the look-up analytics for some accounts of a system over whole Vietnam weeks covering [from, to] (so
 * every day/week bucket is recomputed from all its records), with 28 days before as baseline, and upsert the
 * alerts by their dedupe key: a re-run updates counts and reasons and keeps status and assignment.
 */
export async function analyseAccessLogs(deps: AlertDeps, scope: { systemId: string; accounts?: string[]; from: string; to: string }, opts: Partial<AnalyticsOptions> = {}): Promise<{ alerts: number }> {
  const winFrom = weekStart(Date.parse(scope.from));
  const winTo = weekStart(Date.parse(scope.to)) + 7 * DAY;
  const load = (accounts?: string[]) => {
    let q = deps.db.selectFrom('access_log_records').selectAll().where('system_id', '=', scope.systemId)
      .where('occurred_at', '>=', new Date(winFrom - BASELINE_DAYS * DAY).toISOString()).where('occurred_at', '<', new Date(winTo).toISOString());
    if (accounts) q = q.where('account', 'in', accounts);
    return q.execute();
  };
  const rows = [];
  if (scope.accounts) {
    const accounts = [...new Set(scope.accounts)];
    for (let i = 0; i < accounts.length; i += 500) rows.push(...(await load(accounts.slice(i, i + 500))));
  } else rows.push(...(await load()));
  const records: LookupRecord[] = rows.map((r) => ({
    id: r.id, seq: Number(r.seq), systemId: r.system_id, account: r.account, action: r.action, occurredAt: r.occurred_at, subjectHash: r.subject_hash,
    caseRef: r.case_ref, ip: r.ip, device: r.device, sessionId: r.session_id, personId: r.person_id, situation: r.account_situation, mfa: r.account_mfa,
  }));
  const people = await personFacts(deps.db, [...new Set(records.map((r) => r.personId).filter((x): x is string => !!x))]);
  const drafts = analyseLookups(records, people, { holidays: VN_HOLIDAYS, ...opts, from: new Date(winFrom).toISOString(), to: new Date(winTo).toISOString() });
  const now = nowIso(deps.clock);
  const ids: string[] = [];
  await deps.db.transaction().execute(async (tx) => {
    for (const d of drafts) {
      const values = {
        kind: d.kind, severity: d.severity, score: d.score, system_id: d.systemId, account: d.account, person_id: d.personId,
        first_seen: d.firstSeen, last_seen: d.lastSeen, record_count: d.recordCount, reason: d.reason, reason_key: d.reasonKey,
        reason_params_json: JSON.stringify(d.params), evidence_json: JSON.stringify(d.evidence), updated_at: now,
      };
      const row = await tx.insertInto('lookup_alerts')
        .values({ id: newId(), dedupe_key: d.dedupeKey, ...values, status: 'new', assignee_user_id: null, status_note: null, status_changed_by: null, status_changed_at: null, created_at: now })
        .onConflict((oc) => oc.column('dedupe_key').doUpdateSet(values))
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    // Each look-up alert is also in the SOC queue (issue 5 item 5), raised or refreshed in the same transaction.
    await mirrorLookupAlerts(tx, ids);
    // Account governance reads the same logins for its shared-account finding (concurrent logins, issue 4 item 3).
    await refreshConcurrentLoginFindings(tx, scope.systemId, now, deps.clock);
  });
  return { alerts: drafts.length };
}

/** Status, unit and lineage facts of the people the records are attributed to. */
async function personFacts(db: Db, ids: string[]): Promise<Map<string, PersonFacts>> {
  const out = new Map<string, PersonFacts>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('people as p').innerJoin('org_units as u', 'u.id', 'p.unit_id').leftJoin('org_units as m', 'm.id', 'u.merged_into_id')
      .select(['p.id', 'p.full_name', 'p.status', 'p.status_since', 'u.name as unit_name', 'u.merged_on', 'm.name as successor'])
      .where('p.id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) {
      out.set(r.id, {
        id: r.id, fullName: r.full_name, status: r.status, statusSince: r.status_since, unitName: r.unit_name,
        unitMergedInto: r.successor && r.merged_on ? { name: r.successor, on: r.merged_on } : null,
      });
    }
  }
  return out;
}

type AlertJoined = LookupAlertRow & { system_name: string; person_name: string | null; assignee_name: string | null };

function toAlert(r: AlertJoined): LookupAlert {
  return {
    id: r.id, kind: r.kind as LookupAlert['kind'], severity: r.severity as LookupAlert['severity'], score: r.score, systemId: r.system_id, systemName: r.system_name,
    account: r.account, personId: r.person_id, personName: r.person_name, firstSeen: r.first_seen, lastSeen: r.last_seen, recordCount: r.record_count,
    reason: r.reason, reasonKey: r.reason_key, reasonParams: fromJson(r.reason_params_json) ?? {}, evidence: fromJson(r.evidence_json),
    status: r.status as LookupAlert['status'], socAlertId: r.soc_alert_id, assigneeUserId: r.assignee_user_id, assigneeName: r.assignee_name, statusNote: r.status_note, statusChangedAt: r.status_changed_at,
  };
}

function selectAlert(db: Db) {
  return alertsWithSystem(db).selectAll('a').select(['s.name as system_name', 'p.full_name as person_name', 'u.display_name as assignee_name']);
}

/** Alerts on systems in the actor's audit.read scope, highest score and newest first. */
export async function listAlerts(deps: AlertDeps, actor: Actor, q: z.infer<typeof AlertQuerySchema>): Promise<{ items: LookupAlert[]; total: number; page: number; pageSize: number }> {
  const prefixes = scopeOf(actor, 'audit.read');
  if (prefixes.length === 0) throw new ForbiddenError('audit.forbidden', 'Bạn không có quyền xem nhật ký kiểm toán.', { permission: 'audit.read' });
  const filtered = <T extends ReturnType<typeof alertsWithSystem>>(qb: T) => {
    let x = qb.where(systemScope(prefixes));
    if (q.status) x = x.where('a.status', '=', q.status);
    if (q.kind) x = x.where('a.kind', '=', q.kind);
    if (q.systemId) x = x.where('a.system_id', '=', q.systemId);
    if (q.id) x = x.where('a.id', '=', q.id);
    return x;
  };
  const rows = await filtered(alertsWithSystem(deps.db)).selectAll('a').select(['s.name as system_name', 'p.full_name as person_name', 'u.display_name as assignee_name'])
    .orderBy('a.score', 'desc').orderBy('a.last_seen', 'desc').orderBy('a.id').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  const c = await filtered(alertsWithSystem(deps.db)).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { items: (rows as AlertJoined[]).map(toAlert), total: Number(c.n), page: q.page, pageSize: q.pageSize };
}

/** Triage: status, assignee, note (lookup_alert.triage over the system), audited with before/after. */
export async function updateAlert(deps: AlertDeps, actor: Actor, id: string, input: z.infer<typeof AlertUpdateSchema>): Promise<LookupAlert> {
  const row = await deps.db.selectFrom('lookup_alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('lookup_alert.not_found', 'Không tìm thấy cảnh báo.');
  const sys = await findSystem(deps.db, row.system_id);
  if (!sys) throw new NotFoundError('system.not_found', 'Không tìm thấy hệ thống thông tin.');
  requireOnSystem(actor, 'lookup_alert.triage', sys, 'any');
  if (input.assigneeUserId) {
    const u = await deps.db.selectFrom('users').select('id').where('id', '=', input.assigneeUserId).executeTakeFirst();
    if (!u) throw new ValidationError('lookup_alert.bad_assignee', 'Người được giao không tồn tại.', { field: 'assigneeUserId' });
  }
  const now = nowIso(deps.clock);
  const patch = {
    ...(input.status ? { status: input.status } : {}),
    ...(input.assigneeUserId !== undefined ? { assignee_user_id: input.assigneeUserId } : {}),
    ...(input.note !== undefined ? { status_note: input.note || null } : {}),
    status_changed_by: actor.userId, status_changed_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('lookup_alerts').set(patch).where('id', '=', id).execute();
    if (patch.status) await followLookupStatus(tx, row.soc_alert_id, patch.status);
    await recordAudit(tx, actor, {
      action: 'lookup_alert.update', targetType: 'lookup_alert', targetId: id, unitId: sys.owner_unit_id,
      before: { status: row.status, assigneeUserId: row.assignee_user_id, note: row.status_note },
      after: { status: patch.status ?? row.status, assigneeUserId: patch.assignee_user_id ?? row.assignee_user_id, note: input.note ?? row.status_note },
    }, now);
  });
  return toAlert((await selectAlert(deps.db).where('a.id', '=', id).executeTakeFirstOrThrow()) as AlertJoined);
}
