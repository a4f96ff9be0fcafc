import type { ClockKind, CaseSeverity, Regime } from '../../../contracts/cases.js';
import type { z } from 'zod';
import type { ClockSchema } from '../../../contracts/cases.js';
import type { Config } from '../../core/config.js';
import { recordAudit } from '../../core/audit.js';
import { newId } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import {
  clockState, DEFAULT_CLOCK_POLICY, escalationFor, legalClocks, slaClocks, type ClockPolicy, type PlannedClock,
} from '../../engines/case-clock/index.js';
import { addTimeline } from './cases.repository.js';
import type { CaseRow, ClockRow } from './cases.table.js';
import { enqueueNotifications } from './notify.service.js';

function merge<T>(base: T, over: unknown): T {
  if (!over || typeof over !== 'object' || Array.isArray(over)) return (over === undefined ? base : (over as T));
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k], v) : v;
  return out as T;
}

/** The clock policy: the built-in regimes and SLA targets with the operator's KHIEN_CASE_CLOCKS overrides. */
export function clockPolicy(config: Pick<Config, 'cases'>): ClockPolicy {
  return merge(DEFAULT_CLOCK_POLICY, config.cases.clockOverrides);
}

const LABEL: Record<ClockKind, string> = {
  acknowledge: 'tiếp nhận (SLA)',
  resolve: 'xử lý xong (SLA)',
  initial_notice: 'thông báo ban đầu',
  full_report: 'báo cáo đầy đủ',
};
export const clockLabel = (k: ClockKind) => LABEL[k];

async function upsertClocks(tx: Tx, caseId: string, planned: PlannedClock[]): Promise<void> {
  for (const p of planned) {
    const existing = await tx.selectFrom('case_clocks').selectAll().where('case_id', '=', caseId).where('kind', '=', p.kind).executeTakeFirst();
    if (!existing) {
      await tx.insertInto('case_clocks').values({
        id: newId(), case_id: caseId, kind: p.kind, regime: p.regime, basis: p.basis, started_at: p.startedAt, due_at: p.dueAt,
        met_at: null, warned_at: null, overdue_at: null,
      }).execute();
    } else if (!existing.met_at && (existing.due_at !== p.dueAt || existing.regime !== p.regime)) {
      // A changed severity or regime moves an unmet clock; its escalation marks reset when the deadline moves.
      await tx.updateTable('case_clocks').set({ regime: p.regime, basis: p.basis, started_at: p.startedAt, due_at: p.dueAt, warned_at: null, overdue_at: null })
        .where('id', '=', existing.id).execute();
    }
  }
}

/** Recompute the case's nearest unmet due instant (what the queue sorts and filters "overdue" on). */
export async function refreshNextDue(tx: Tx, caseId: string): Promise<void> {
  const r = await tx.selectFrom('case_clocks').select((eb) => eb.fn.min('due_at').as('d')).where('case_id', '=', caseId).where('met_at', 'is', null).executeTakeFirst();
  await tx.updateTable('cases').set({ next_due_at: (r?.d as string | null | undefined) ?? null }).where('id', '=', caseId).execute();
}

/** Start (or move, after a severity change) the acknowledge/resolve SLA clocks. */
export async function applySlaClocks(tx: Tx, policy: ClockPolicy, caseId: string, severity: CaseSeverity, createdAt: string): Promise<void> {
  await upsertClocks(tx, caseId, slaClocks(policy, severity, createdAt));
  await refreshNextDue(tx, caseId);
}

/** Start the legal clocks of a reportable case (or bring them up to date after resolution under qd05). */
export async function applyLegalClocks(tx: Tx, policy: ClockPolicy, c: CaseRow, at: string): Promise<void> {
  if (!c.reportable || !c.regime) return;
  await upsertClocks(tx, c.id, legalClocks(policy, c.regime as Regime, { detectedAt: c.detected_at, classifiedAt: at, resolvedAt: c.resolved_at, immediate: c.immediate === 1 }));
  await refreshNextDue(tx, c.id);
}

/** Drop the legal clocks of a case no longer reportable (unmet ones only; a met clock stays as history). */
export async function dropLegalClocks(tx: Tx, caseId: string): Promise<void> {
  await tx.deleteFrom('case_clocks').where('case_id', '=', caseId).where('kind', 'in', ['initial_notice', 'full_report']).where('met_at', 'is', null).execute();
  await refreshNextDue(tx, caseId);
}

/** Mark a clock met (first time only). */
export async function meetClock(tx: Tx, caseId: string, kind: ClockKind, at: string): Promise<void> {
  await tx.updateTable('case_clocks').set({ met_at: at }).where('case_id', '=', caseId).where('kind', '=', kind).where('met_at', 'is', null).execute();
  await refreshNextDue(tx, caseId);
}

export function presentClock(policy: ClockPolicy, c: ClockRow, now: number): z.infer<typeof ClockSchema> {
  const s = clockState(policy, { startedAt: c.started_at, dueAt: c.due_at, metAt: c.met_at }, now);
  return { kind: c.kind as ClockKind, regime: c.regime, startedAt: c.started_at, dueAt: c.due_at, metAt: c.met_at, state: s.state, remainingMs: s.remainingMs, basis: c.basis };
}

const ORDER: ClockKind[] = ['acknowledge', 'initial_notice', 'full_report', 'resolve'];
export const sortClocks = <T extends { kind: string }>(xs: T[]) => [...xs].sort((a, b) => ORDER.indexOf(a.kind as ClockKind) - ORDER.indexOf(b.kind as ClockKind));

/**
 * Escalate clocks that near expiry or expired (one scheduler step, time from `clock`): each escalation is
 * marked on the clock, written to the case timeline, audited and queued as a notification — all in one
 * transaction per clock, so a crash never escalates twice nor loses one.
 */
export async function escalateClocks(deps: { db: Db; clock: () => number; policy: ClockPolicy }): Promise<{ warning: number; overdue: number }> {
  const now = deps.clock();
  const at = new Date(now).toISOString();
  const rows = await deps.db
    .selectFrom('case_clocks as k')
    .innerJoin('cases as c', 'c.id', 'k.case_id')
    .selectAll('k')
    .where('k.met_at', 'is', null)
    .where('k.overdue_at', 'is', null)
    .where('c.phase', '!=', 'closed')
    .orderBy('k.due_at')
    .limit(5000)
    .execute();
  const out = { warning: 0, overdue: 0 };
  for (const k of rows) {
    const esc = escalationFor(deps.policy, { startedAt: k.started_at, dueAt: k.due_at, metAt: k.met_at, warnedAt: k.warned_at, overdueAt: k.overdue_at }, now);
    if (!esc) continue;
    await deps.db.transaction().execute(async (tx) => {
      const fresh = await tx.selectFrom('case_clocks').selectAll().where('id', '=', k.id).executeTakeFirst();
      if (!fresh || fresh.met_at || (esc === 'overdue' ? fresh.overdue_at : fresh.warned_at)) return;
      await tx.updateTable('case_clocks').set(esc === 'overdue' ? { overdue_at: at, warned_at: fresh.warned_at ?? at } : { warned_at: at }).where('id', '=', k.id).execute();
      const c = (await tx.selectFrom('cases').selectAll().where('id', '=', k.case_id).executeTakeFirstOrThrow());
      const due = new Date(k.due_at).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' });
      const text = esc === 'overdue'
        ? `Quá hạn ${clockLabel(k.kind as ClockKind)} (hạn ${due}). ${k.basis}`
        : `Sắp đến hạn ${clockLabel(k.kind as ClockKind)} (hạn ${due}). ${k.basis}`;
      await addTimeline(tx, { caseId: c.id, at, kind: 'clock', text, actorLabel: 'khien scheduler', details: { kind: k.kind, escalation: esc } });
      await enqueueNotifications(tx, { event: esc === 'overdue' ? 'clock.overdue' : 'clock.warning', caseRow: c, text, at });
      await recordAudit(tx, null, { action: esc === 'overdue' ? 'case.clock_overdue' : 'case.clock_warning', actorLabel: 'khien scheduler', targetType: 'case', targetId: c.id, unitId: c.unit_id, details: { kind: k.kind, dueAt: k.due_at } }, at);
    });
    out[esc] += 1;
  }
  return out;
}
