import type { z } from 'zod';
import {
  CASE_PHASES, severityRank, type AlertKind, type CaseCreateSchema, type CaseDetail, type CasePhase, type CaseQuerySchema, type CaseSeverity,
  type CaseUpdateSchema, type ClassifySchema, type EscalateSchema, type MembersSchema, type PhaseChangeSchema,
} from '../../../contracts/cases.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { foldText } from '../../core/text.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { fromJson, newId, nowIso, toBool } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import { openMandatory } from '../../engines/playbook/index.js';
import { findUnit } from '../org/org-unit.repository.js';
import { alertSource, type AlertSnapshot } from './alert-sources.js';
import { applyLegalClocks, applySlaClocks, clockPolicy, dropLegalClocks, meetClock, presentClock, sortClocks } from './clock.service.js';
import { canCase, requireCase } from './cases.policy.js';
import {
  addTimeline, findCase, listCases, nextSequence, presentSummaries, refsOf, toTask, toTimeline, unitRefs, userRefs,
} from './cases.repository.js';
import type { CaseRow } from './cases.table.js';
import { enqueueNotifications } from './notify.service.js';
import { attachPlaybookTx, autoAttachTx, findLatestPlaybook } from './playbook.service.js';
import { presentObservables } from './case-work.service.js';

export type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'keys'> & Partial<Pick<AppDeps, 'dialect'>>;

const PHASE_LABEL: Record<CasePhase, string> = {
  triage: 'Tiếp nhận, phân loại', containment: 'Ngăn chặn', eradication: 'Loại bỏ', recovery: 'Khôi phục', post_incident: 'Rút kinh nghiệm', closed: 'Đã đóng',
};
export const phaseLabel = (p: CasePhase) => PHASE_LABEL[p];

/** A case the actor may act on with `permission` (404 unknown, 403 out of scope — audited). */
export async function getCaseFor(deps: Pick<Deps, 'db'>, actor: Actor, id: string, permission: 'case.read' | 'case.write' | 'case.manage'): Promise<CaseRow> {
  const c = await findCase(deps.db, id);
  if (!c) throw new NotFoundError('case.not_found', 'Không tìm thấy sự cố.');
  requireCase(actor, permission, c);
  return c;
}

/** Resolve alert references through their sources, refusing unknown kinds/ids and alerts the actor cannot see. */
async function resolveAlerts(deps: Deps, actor: Actor, refs: { kind: AlertKind; id: string }[]): Promise<AlertSnapshot[]> {
  const out: AlertSnapshot[] = [];
  for (const [i, r] of refs.entries()) {
    const src = alertSource(r.kind);
    if (!src) throw new ValidationError('case.alert_source_unavailable', `Nguồn cảnh báo "${r.kind}" chưa được kết nối.`, { field: `alerts.${i}.kind` });
    const a = await src.find(deps.db, r.id);
    if (!a) throw new ValidationError('case.alert_not_found', `Không tìm thấy cảnh báo ${r.kind}:${r.id}.`, { field: `alerts.${i}.id` });
    if (a.unitPath && !canCase(actor, 'case.read', { unit_path: a.unitPath })) {
      throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền với cảnh báo này.', { permission: 'case.read', target: { type: `alert:${r.kind}`, id: r.id } }, { unitId: a.unitId });
    }
    out.push(a);
  }
  return out;
}

async function linkAlertsTx(tx: Tx, c: CaseRow, alerts: AlertSnapshot[], actor: Actor, at: string): Promise<number> {
  let n = 0;
  for (const a of alerts) {
    const dup = await tx.selectFrom('case_alerts').select('id').where('case_id', '=', c.id).where('kind', '=', a.kind).where('ref_id', '=', a.id).executeTakeFirst();
    if (dup) continue;
    await tx.insertInto('case_alerts').values({
      id: newId(), case_id: c.id, kind: a.kind, ref_id: a.id, title: a.title, severity: a.severity, rule: a.rule, occurred_at: a.occurredAt, unit_id: a.unitId, linked_by: actor.userId, linked_at: at,
    }).execute();
    await alertSource(a.kind)?.escalated?.(tx, a.id, c.id);
    await addTimeline(tx, { caseId: c.id, at: a.occurredAt && a.occurredAt < at ? a.occurredAt : at, kind: 'event', text: `Cảnh báo ${a.kind}: ${a.title}`, actorLabel: a.rule ?? a.kind, details: { kind: a.kind, id: a.id } });
    n += 1;
  }
  return n;
}

async function requireUsers(tx: Tx, ids: string[], field: string): Promise<void> {
  if (!ids.length) return;
  const found = await tx.selectFrom('users').select('id').where('id', 'in', ids).where('status', '=', 'active').execute();
  if (found.length !== new Set(ids).size) throw new ValidationError('case.user_not_found', 'Không tìm thấy người dùng (hoặc đã bị khoá).', { field });
}

/**
 * Create a case by hand or from alerts (case.write over the unit). Alerts attach by reference with a snapshot;
 * the case is at least as severe as its worst alert; SLA clocks start; a playbook attaches by key, else by the
 * alerts' rules or the category; members and watchers are notified. One transaction with its audit entry.
 */
export async function createCase(deps: Deps, actor: Actor, input: z.infer<typeof CaseCreateSchema>): Promise<CaseDetail> {
  const unit = await findUnit(deps.db, input.unitId);
  if (!unit) throw new ValidationError('case.unit_not_found', 'Không tìm thấy đơn vị.', { field: 'unitId' });
  requireCase(actor, 'case.write', { id: 'new', unit_id: unit.id, unit_path: unit.path });
  const alerts = await resolveAlerts(deps, actor, input.alerts);
  const now = nowIso(deps.clock);
  const policy = clockPolicy(deps.config);
  const worst = alerts.reduce<CaseSeverity>((s, a) => (severityRank(a.severity) > severityRank(s) ? a.severity : s), input.severity);
  const occurred = input.occurredAt ?? alerts.map((a) => a.occurredAt).filter((x): x is string => !!x).sort()[0] ?? null;
  const id = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    await requireUsers(tx, input.assigneeIds, 'assigneeIds');
    const year = new Date(deps.clock() + 7 * 3_600_000).getUTCFullYear();
    const seq = await nextSequence(tx, `case:${year}`);
    const row: CaseRow = {
      id, number: `SC-${year}-${String(seq).padStart(4, '0')}`, title: input.title, title_folded: foldText(input.title), description: input.description, severity: worst, severity_rank: severityRank(worst),
      tlp: input.tlp, pap: input.pap, category: input.category, phase: 'triage', close_reason: null, unit_id: unit.id, unit_path: unit.path,
      reportable: 0, regime: null, immediate: 0, occurred_at: occurred, detected_at: input.detectedAt ?? now, acknowledged_at: null, contained_at: null,
      resolved_at: null, closed_at: null, next_due_at: null, affected_json: JSON.stringify(input.affected), created_by: actor.userId, created_at: now, updated_at: now,
    };
    await tx.insertInto('cases').values(row).execute();
    for (const uid of new Set(input.assigneeIds)) await tx.insertInto('case_members').values({ id: newId(), case_id: id, user_id: uid, role: 'assignee', added_at: now }).execute();
    await tx.insertInto('case_members').values({ id: newId(), case_id: id, user_id: actor.userId, role: 'watcher', added_at: now }).execute();
    await addTimeline(tx, { caseId: id, at: now, kind: 'action', text: `Tạo sự cố ${row.number}${alerts.length ? ` từ ${alerts.length} cảnh báo` : ''}.`, actorUserId: actor.userId, actorLabel: actor.username });
    await linkAlertsTx(tx, row, alerts, actor, now);
    await applySlaClocks(tx, policy, id, worst, now);
    if (input.playbookKey && input.playbookKey !== 'none') {
      const pb = await findLatestPlaybook(tx, input.playbookKey);
      if (!pb) throw new ValidationError('playbook.not_found', 'Không tìm thấy quy trình.', { field: 'playbookKey' });
      await attachPlaybookTx(tx, row, pb, actor, now);
    } else if (!input.playbookKey) {
      await autoAttachTx(tx, row, alerts.flatMap((a) => (a.rule ? [a.rule] : [])), actor, now);
    }
    await enqueueNotifications(tx, { event: 'case.created', caseRow: row, text: `Sự cố mới: ${row.number}`, at: now });
    await recordAudit(tx, actor, { action: 'case.create', targetType: 'case', targetId: id, unitId: unit.id, after: { ...input, number: row.number, severity: worst } }, now);
  });
  return caseDetail(deps, actor, id);
}

/** Escalate alerts: into an existing case (case.write on it) or into a new one titled after the first alert. */
export async function escalateAlerts(deps: Deps, actor: Actor, input: z.infer<typeof EscalateSchema>): Promise<CaseDetail> {
  if (input.caseId) {
    const c = await getCaseFor(deps, actor, input.caseId, 'case.write');
    if (c.phase === 'closed') throw new ConflictError('case.closed', 'Sự cố đã đóng.');
    const alerts = await resolveAlerts(deps, actor, input.alerts);
    const now = nowIso(deps.clock);
    await deps.db.transaction().execute(async (tx) => {
      const n = await linkAlertsTx(tx, c, alerts, actor, now);
      const worst = alerts.reduce<CaseSeverity>((s, a) => (severityRank(a.severity) > severityRank(s) ? a.severity : s), c.severity as CaseSeverity);
      if (worst !== c.severity) {
        await tx.updateTable('cases').set({ severity: worst, severity_rank: severityRank(worst) }).where('id', '=', c.id).execute();
        await applySlaClocks(tx, clockPolicy(deps.config), c.id, worst, c.created_at);
      }
      await tx.updateTable('cases').set({ updated_at: now }).where('id', '=', c.id).execute();
      await recordAudit(tx, actor, { action: 'case.link_alerts', targetType: 'case', targetId: c.id, unitId: c.unit_id, details: { alerts: input.alerts, linked: n } }, now);
    });
    return caseDetail(deps, actor, c.id);
  }
  const alerts = await resolveAlerts(deps, actor, input.alerts);
  const first = alerts[0]!;
  const unitId = input.unitId ?? first.unitId;
  if (!unitId) throw new ValidationError('case.unit_required', 'Cần chọn đơn vị của sự cố.', { field: 'unitId' });
  return createCase(deps, actor, {
    title: input.title ?? first.title.slice(0, 300), description: alerts.map((a) => `- [${a.kind}] ${a.title}`).join('\n'), severity: first.severity,
    tlp: 'amber', pap: 'amber', category: input.category ?? guessCategory(alerts), unitId, affected: { systemIds: [], assetIds: [], unitIds: [], people: '' },
    alerts: input.alerts, assigneeIds: [],
  });
}

function guessCategory(alerts: AlertSnapshot[]): z.infer<typeof CaseCreateSchema>['category'] {
  const text = alerts.map((a) => `${a.rule ?? ''} ${a.title}`).join(' ').toLowerCase();
  if (/ransom/.test(text)) return 'ransomware';
  if (/brute|login|account|password/.test(text)) return 'account_compromise';
  if (/ddos|flood|availability/.test(text)) return 'ddos';
  if (/deface|webshell/.test(text)) return 'web_defacement';
  if (/phish/.test(text)) return 'phishing';
  if (/lookup|tra cứu/.test(text)) return 'insider_misuse';
  if (/cve|vuln|exploit/.test(text)) return 'vuln_exploitation';
  if (/malware|virus|trojan/.test(text)) return 'malware';
  return 'other';
}

/** The case queue: cases in the actor's case.read scope, filtered, newest first. */
export async function searchCases(deps: Deps, actor: Actor, q: z.infer<typeof CaseQuerySchema>) {
  const now = nowIso(deps.clock);
  const unitPath = q.unitId ? (await findUnit(deps.db, q.unitId))?.path : undefined;
  if (q.unitId && !unitPath) throw new ValidationError('case.unit_not_found', 'Không tìm thấy đơn vị.', { field: 'unitId' });
  const { rows, total, totalCapped } = await listCases(deps.db, {
    scope: scopeOf(actor, 'case.read'), q: q.q, dialect: deps.dialect, phase: q.phase, severity: q.severity, category: q.category, unitPath,
    assigneeId: q.mine === 'true' ? actor.userId : undefined, reportable: q.reportable === undefined ? undefined : q.reportable === 'true',
    overdueAt: q.overdue === 'true' ? now : undefined, notOverdueAt: q.overdue === 'false' ? now : undefined,
  }, q.page, q.pageSize);
  return { items: await presentSummaries(deps.db, rows, now), total, totalCapped, page: q.page, pageSize: q.pageSize };
}

/** Everything on the case page; the timeline is the newest `timelineLimit` entries, newest first. */
export async function caseDetail(deps: Deps, actor: Actor, id: string, timelineLimit = 200): Promise<CaseDetail> {
  const c = await getCaseFor(deps, actor, id, 'case.read');
  const nowMs = deps.clock();
  const now = new Date(nowMs).toISOString();
  const db = deps.db;
  const [members, alerts, tasks, clocks, attachments, reports, timeline, tlCount] = await Promise.all([
    db.selectFrom('case_members').select(['user_id', 'role']).where('case_id', '=', id).execute(),
    db.selectFrom('case_alerts').selectAll().where('case_id', '=', id).orderBy('linked_at').execute(),
    db.selectFrom('case_tasks').selectAll().where('case_id', '=', id).orderBy('sort_order').execute(),
    db.selectFrom('case_clocks').selectAll().where('case_id', '=', id).execute(),
    db.selectFrom('case_attachments').selectAll().where('case_id', '=', id).orderBy('uploaded_at').execute(),
    db.selectFrom('case_reports').selectAll().where('case_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('case_timeline').selectAll().where('case_id', '=', id).orderBy('at', 'desc').orderBy('id', 'desc').limit(timelineLimit).execute(),
    db.selectFrom('case_timeline').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  const affected = fromJson<{ systemIds: string[]; assetIds: string[]; unitIds: string[]; people: string }>(c.affected_json) ?? { systemIds: [], assetIds: [], unitIds: [], people: '' };
  const userIds = [...members.map((m) => m.user_id), ...tasks.flatMap((t) => (t.assignee_user_id ? [t.assignee_user_id] : [])), ...attachments.flatMap((a) => (a.uploaded_by ? [a.uploaded_by] : [])), ...reports.flatMap((r) => (r.created_by ? [r.created_by] : []))];
  const [units, users, systems, assets] = await Promise.all([
    unitRefs(db, [c.unit_id, ...affected.unitIds, ...tasks.flatMap((t) => (t.owner_unit_id ? [t.owner_unit_id] : []))]),
    userRefs(db, userIds),
    refsOf(db, 'information_systems', affected.systemIds),
    refsOf(db, 'assets', affected.assetIds),
  ]);
  const [summary] = await presentSummaries(db, [c], now);
  const policy = clockPolicy(deps.config);
  const pbKeys = [...new Set(tasks.flatMap((t) => (t.playbook_id ? [t.playbook_id] : [])))];
  const pbs = pbKeys.length ? await db.selectFrom('playbooks').select(['id', 'key', 'version', 'title']).where('id', 'in', pbKeys).execute() : [];
  const taskViews = tasks.map((t) => toTask(t, units, users, now));
  return {
    ...summary!,
    description: c.description,
    pap: c.pap as CaseDetail['pap'],
    closeReason: c.close_reason as CaseDetail['closeReason'],
    regime: c.regime as CaseDetail['regime'],
    immediate: toBool(c.immediate),
    affected: { systems, assets, units: affected.unitIds.flatMap((u) => (units.has(u) ? [units.get(u)!] : [])), people: affected.people },
    watchers: members.filter((m) => m.role === 'watcher').flatMap((m) => (users.has(m.user_id) ? [users.get(m.user_id)!] : [])),
    alerts: alerts.map((a) => ({ kind: a.kind as AlertKind, refId: a.ref_id, title: a.title, severity: a.severity as CaseSeverity, rule: a.rule, occurredAt: a.occurred_at, linkedAt: a.linked_at })),
    tasks: taskViews,
    playbooks: pbs.map((p) => ({ key: p.key, version: p.version, title: p.title })),
    progress: { done: taskViews.filter((t) => t.status === 'done' || t.status === 'skipped').length, total: taskViews.length, mandatoryOpen: openMandatory(taskViews).length },
    clocks: sortClocks(clocks.map((k) => presentClock(policy, k, nowMs))),
    observables: await presentObservables(deps, actor, id),
    attachments: attachments.map((a) => ({ id: a.id, name: a.name, size: a.size, sha256: a.sha256, mime: a.mime, uploadedAt: a.uploaded_at, uploadedBy: a.uploaded_by ? (users.get(a.uploaded_by)?.displayName ?? null) : null })),
    reports: reports.map((r) => ({ id: r.id, kind: r.kind as 'initial_notice', number: r.number, format: r.format as 'docx', sha256: r.sha256, size: r.size, createdAt: r.created_at, createdBy: r.created_by ? (users.get(r.created_by)?.displayName ?? null) : null })),
    timeline: timeline.map(toTimeline),
    timelineTotal: Number(tlCount.n),
    metrics: { occurredAt: c.occurred_at, detectedAt: c.detected_at, acknowledgedAt: c.acknowledged_at, containedAt: c.contained_at, resolvedAt: c.resolved_at, closedAt: c.closed_at },
    can: { write: canCase(actor, 'case.write', c), manage: canCase(actor, 'case.manage', c) },
  };
}

/** Edit the case's facts (case.write). A severity change moves the unmet SLA clocks. */
export async function updateCase(deps: Deps, actor: Actor, id: string, input: z.infer<typeof CaseUpdateSchema>): Promise<CaseDetail> {
  const c = await getCaseFor(deps, actor, id, 'case.write');
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    const set: Partial<CaseRow> = { updated_at: now };
    if (input.title !== undefined) {
      set.title = input.title;
      set.title_folded = foldText(input.title);
    }
    if (input.description !== undefined) set.description = input.description;
    if (input.tlp !== undefined) set.tlp = input.tlp;
    if (input.pap !== undefined) set.pap = input.pap;
    if (input.category !== undefined) set.category = input.category;
    if (input.affected !== undefined) set.affected_json = JSON.stringify(input.affected);
    if (input.severity !== undefined && input.severity !== c.severity) {
      set.severity = input.severity;
      set.severity_rank = severityRank(input.severity);
      await applySlaClocks(tx, clockPolicy(deps.config), id, input.severity, c.created_at);
      await addTimeline(tx, { caseId: id, at: now, kind: 'action', text: `Đổi mức độ: ${c.severity} → ${input.severity}.`, actorUserId: actor.userId, actorLabel: actor.username });
    }
    await tx.updateTable('cases').set(set).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'case.update', targetType: 'case', targetId: id, unitId: c.unit_id, before: { title: c.title, severity: c.severity, tlp: c.tlp, category: c.category }, after: input }, now);
  });
  return caseDetail(deps, actor, id);
}

/**
 * Move the case to another phase (case.manage). Timestamps for the metrics are set the first time a phase is
 * reached: acknowledged on leaving triage, contained on reaching eradication, resolved on reaching
 * post-incident or closed. Closing needs a reason and no open mandatory task (the close guard, 409).
 */
export async function changePhase(deps: Deps, actor: Actor, id: string, input: z.infer<typeof PhaseChangeSchema>): Promise<CaseDetail> {
  const c = await getCaseFor(deps, actor, id, 'case.manage');
  if (c.phase === input.phase) return caseDetail(deps, actor, id);
  const now = nowIso(deps.clock);
  const idx = CASE_PHASES.indexOf(input.phase);
  if (input.phase === 'closed' && !input.closeReason) throw new ValidationError('case.close_reason_required', 'Cần nêu lý do đóng sự cố.', { field: 'closeReason' });
  await deps.db.transaction().execute(async (tx) => {
    if (input.phase === 'closed') {
      const tasks = await tx.selectFrom('case_tasks').select(['id', 'title', 'mandatory', 'status']).where('case_id', '=', id).execute();
      const open = openMandatory(tasks.map((t) => ({ ...t, mandatory: t.mandatory === 1 })));
      if (open.length) {
        throw new ConflictError('case.mandatory_open', `Còn ${open.length} bước bắt buộc chưa hoàn thành.`, { tasks: open.map((t) => ({ id: t.id, title: t.title })) });
      }
    }
    const set: Partial<CaseRow> = { phase: input.phase, updated_at: now };
    if (idx >= 1 && !c.acknowledged_at) set.acknowledged_at = now;
    if (idx >= CASE_PHASES.indexOf('eradication') && !c.contained_at) set.contained_at = now;
    if (idx >= CASE_PHASES.indexOf('post_incident') && !c.resolved_at) set.resolved_at = now;
    if (input.phase === 'closed') {
      set.closed_at = now;
      set.close_reason = input.closeReason!;
    } else if (c.phase === 'closed') {
      set.closed_at = null;
      set.close_reason = null;
    }
    await tx.updateTable('cases').set(set).where('id', '=', id).execute();
    if (set.acknowledged_at) await meetClock(tx, id, 'acknowledge', now);
    if (set.resolved_at) {
      await meetClock(tx, id, 'resolve', now);
      await applyLegalClocks(tx, clockPolicy(deps.config), { ...c, ...set } as CaseRow, now);
    }
    const text = `Chuyển giai đoạn: ${phaseLabel(c.phase as CasePhase)} → ${phaseLabel(input.phase)}${input.closeReason ? ` (lý do: ${input.closeReason})` : ''}${input.note ? `. ${input.note}` : ''}`;
    await addTimeline(tx, { caseId: id, at: now, kind: 'action', text, actorUserId: actor.userId, actorLabel: actor.username });
    const fresh = (await findCase(tx, id))!;
    await enqueueNotifications(tx, { event: input.phase === 'closed' ? 'case.closed' : 'case.phase_changed', caseRow: fresh, text, at: now });
    await recordAudit(tx, actor, { action: input.phase === 'closed' ? 'case.close' : 'case.phase', targetType: 'case', targetId: id, unitId: c.unit_id, before: { phase: c.phase }, after: input, reason: input.note ?? null }, now);
  });
  return caseDetail(deps, actor, id);
}

/** Acknowledge a case without leaving triage (meets the acknowledge SLA clock). */
export async function acknowledgeCase(deps: Deps, actor: Actor, id: string): Promise<CaseDetail> {
  const c = await getCaseFor(deps, actor, id, 'case.write');
  if (c.acknowledged_at) return caseDetail(deps, actor, id);
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('cases').set({ acknowledged_at: now, updated_at: now }).where('id', '=', id).execute();
    await meetClock(tx, id, 'acknowledge', now);
    await addTimeline(tx, { caseId: id, at: now, kind: 'action', text: 'Đã tiếp nhận sự cố.', actorUserId: actor.userId, actorLabel: actor.username });
    await recordAudit(tx, actor, { action: 'case.acknowledge', targetType: 'case', targetId: id, unitId: c.unit_id }, now);
  });
  return caseDetail(deps, actor, id);
}

/**
 * Classify the case as a reportable incident (or not) under a regime (case.manage): the legal clocks start,
 * counted from detection (NĐ 331/2026 Đ31.2.d; legacy QĐ 05/2017 Đ11). Withdrawing drops unmet legal clocks.
 */
export async function classifyCase(deps: Deps, actor: Actor, id: string, input: z.infer<typeof ClassifySchema>): Promise<CaseDetail> {
  const c = await getCaseFor(deps, actor, id, 'case.manage');
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    const set = { reportable: input.reportable ? 1 : 0, regime: input.reportable ? input.regime : null, immediate: input.reportable && input.immediate ? 1 : 0, updated_at: now };
    await tx.updateTable('cases').set(set).where('id', '=', id).execute();
    const fresh = { ...c, ...set } as CaseRow;
    if (input.reportable) await applyLegalClocks(tx, clockPolicy(deps.config), fresh, now);
    else await dropLegalClocks(tx, id);
    const text = input.reportable
      ? `Xác định là sự cố phải báo cáo (${input.regime === 'nd331' ? 'NĐ 331/2026' : 'QĐ 05/2017'}${input.immediate ? ', báo cáo ngay' : ''}).${input.note ? ` ${input.note}` : ''}`
      : `Không thuộc diện phải báo cáo.${input.note ? ` ${input.note}` : ''}`;
    await addTimeline(tx, { caseId: id, at: now, kind: 'action', text, actorUserId: actor.userId, actorLabel: actor.username });
    if (input.reportable) await enqueueNotifications(tx, { event: 'case.reportable', caseRow: (await findCase(tx, id))!, text, at: now });
    await recordAudit(tx, actor, { action: 'case.classify', targetType: 'case', targetId: id, unitId: c.unit_id, before: { reportable: c.reportable, regime: c.regime }, after: input }, now);
  });
  return caseDetail(deps, actor, id);
}

/** Replace assignees and watchers (case.write). New assignees are notified. */
export async function setMembers(deps: Deps, actor: Actor, id: string, input: z.infer<typeof MembersSchema>): Promise<CaseDetail> {
  const c = await getCaseFor(deps, actor, id, 'case.write');
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await requireUsers(tx, [...input.assigneeIds, ...input.watcherIds], 'assigneeIds');
    const before = await tx.selectFrom('case_members').select(['user_id', 'role']).where('case_id', '=', id).execute();
    await tx.deleteFrom('case_members').where('case_id', '=', id).execute();
    const rows = [
      ...[...new Set(input.assigneeIds)].map((u) => ({ id: newId(), case_id: id, user_id: u, role: 'assignee', added_at: now })),
      ...[...new Set(input.watcherIds)].map((u) => ({ id: newId(), case_id: id, user_id: u, role: 'watcher', added_at: now })),
    ];
    if (rows.length) await tx.insertInto('case_members').values(rows).execute();
    const added = input.assigneeIds.filter((u) => !before.some((b) => b.user_id === u && b.role === 'assignee'));
    const names = await userRefs(tx, added);
    await addTimeline(tx, { caseId: id, at: now, kind: 'action', text: `Cập nhật người xử lý (${input.assigneeIds.length}) và người theo dõi (${input.watcherIds.length})${added.length ? `; giao cho ${[...names.values()].map((u) => u.displayName).join(', ')}` : ''}.`, actorUserId: actor.userId, actorLabel: actor.username });
    if (added.length) await enqueueNotifications(tx, { event: 'task.assigned', caseRow: c, text: `Bạn được giao xử lý sự cố ${c.number}.`, at: now, onlyUserIds: added });
    await recordAudit(tx, actor, { action: 'case.members', targetType: 'case', targetId: id, unitId: c.unit_id, before, after: input }, now);
  });
  return caseDetail(deps, actor, id);
}

export async function addComment(deps: Deps, actor: Actor, id: string, text: string) {
  const c = await getCaseFor(deps, actor, id, 'case.write');
  const now = nowIso(deps.clock);
  const entryId = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('case_timeline').values({ id: entryId, case_id: id, at: now, kind: 'comment', actor_user_id: actor.userId, actor_label: actor.username, text, details_json: null }).execute();
    await tx.updateTable('cases').set({ updated_at: now }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'case.comment', targetType: 'case', targetId: id, unitId: c.unit_id, details: { entryId } }, now);
  });
  return { id: entryId, at: now, kind: 'comment', actor: actor.username, text };
}

/** One page of the timeline, newest first, before an instant (for "load more"). */
export async function timelinePage(deps: Deps, actor: Actor, id: string, before: string | undefined, limit: number) {
  await getCaseFor(deps, actor, id, 'case.read');
  let q = deps.db.selectFrom('case_timeline').selectAll().where('case_id', '=', id);
  if (before) q = q.where('at', '<', before);
  return { items: (await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toTimeline) };
}
