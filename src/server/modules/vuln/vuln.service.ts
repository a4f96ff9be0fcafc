import type { z } from 'zod';
import type { AssignHostInputSchema, FalsePositiveInputSchema, FindingDetail, FindingQuery, ReopenInputSchema, RiskAcceptanceInputSchema } from '../../../contracts/vuln.js';
import { type Actor, can, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { fromJson, newId, nowIso } from '../../db/columns.js';
import type { Db } from '../../db/database.js';
import { parseCvss } from '../../engines/scan-import/index.js';
import { findUnit } from '../org/org-unit.repository.js';
import { todayVn } from '../org/scope.js';
import { filtered, findFinding, type FindingFilter, type FindingRowFull, listFindings, systemsOfAssets, toFinding } from './vuln.repository.js';
import { createHash } from 'node:crypto';

type Deps = { db: Db; clock: () => number };

function deny(unitId: string, permission: string, target: { type: string; id: string }): never {
  throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thực hiện thao tác này.', { permission, target }, { unitId });
}

/** Build the SQL filter from a query: the actor's vuln.read scope, optionally narrowed to a unit or system. */
export async function filterOf(deps: Deps, actor: Actor, q: Partial<FindingQuery>): Promise<FindingFilter> {
  const f: FindingFilter = { prefixes: scopeOf(actor, 'vuln.read') };
  if (q.unitId) {
    const unit = await findUnit(deps.db, q.unitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    f.unitPath = unit.path;
  }
  const today = todayVn(deps.clock);
  Object.assign(f, {
    systemId: q.systemId, assetId: q.assetId, severity: q.severity, status: q.status, kev: q.kev === undefined ? undefined : q.kev === 'true',
    overdueOn: q.overdue === 'true' ? today : undefined, notOverdueOn: q.overdue === 'false' ? today : undefined, text: q.q?.trim() ? q.q.trim().toLowerCase() : undefined,
  });
  return f;
}

/** Findings in the actor's scope, filtered and ordered (priority first by default). */
export async function searchFindings(deps: Deps, actor: Actor, q: FindingQuery) {
  const { rows, total } = await listFindings(deps.db, await filterOf(deps, actor, q), q.sort, q.page, q.pageSize);
  const systems = await systemsOfAssets(deps.db, [...new Set(rows.map((r) => r.asset_id).filter((x): x is string => !!x))]);
  const today = todayVn(deps.clock);
  return { items: rows.map((r) => toFinding(r, systems, today)), total, page: q.page, pageSize: q.pageSize };
}

async function getReadable(deps: Deps, actor: Actor, id: string, permission: 'vuln.read' | 'vuln.triage' = 'vuln.read'): Promise<FindingRowFull> {
  const row = await findFinding(deps.db, id);
  if (!row) throw new NotFoundError('vuln_finding.not_found', 'Không tìm thấy lỗ hổng.');
  if (!can(actor, permission, row.unit_path)) deny(row.unit_id, permission, { type: 'vuln_finding', id });
  return row;
}

/** A finding with its texts, parsed CVSS vectors, decision and its history across imports. */
export async function getFinding(deps: Deps, actor: Actor, id: string): Promise<FindingDetail> {
  const row = await getReadable(deps, actor, id);
  const systems = await systemsOfAssets(deps.db, row.asset_id ? [row.asset_id] : []);
  const hashes = [row.description_hash, row.solution_hash].filter((h): h is string => !!h);
  const texts = new Map(hashes.length ? (await deps.db.selectFrom('vuln_texts').selectAll().where('hash', 'in', hashes).execute()).map((t) => [t.hash, t.body]) : []);
  const events = await deps.db
    .selectFrom('vuln_finding_events as e')
    .leftJoin('vuln_imports as i', 'i.id', 'e.import_id')
    .leftJoin('users as us', 'us.id', 'e.actor_user_id')
    .select(['e.at', 'e.action', 'e.import_id', 'i.file_name', 'us.username', 'e.note'])
    .where('e.finding_id', '=', id)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
  const decidedBy = row.decision_by ? await deps.db.selectFrom('users').select('username').where('id', '=', row.decision_by).executeTakeFirst() : undefined;
  return {
    finding: toFinding(row, systems, todayVn(deps.clock)),
    description: row.description_hash ? (texts.get(row.description_hash) ?? null) : null,
    solution: row.solution_hash ? (texts.get(row.solution_hash) ?? null) : null,
    evidence: row.evidence,
    service: row.service,
    location: row.location,
    slaDays: row.sla_days,
    cvss3Metrics: parseCvss(row.cvss3_vector)?.metrics ?? null,
    cvss4Metrics: parseCvss(row.cvss4_vector)?.metrics ?? null,
    decision: { reason: row.decision_reason, approver: row.decision_approver, by: decidedBy?.username ?? null, at: row.decision_at, expiresOn: row.accept_expires },
    history: events.map((e) => ({ at: e.at, action: e.action, importId: e.import_id, fileName: e.file_name, actor: e.username, note: e.note })),
  };
}

/** The audit action of each decision on a finding (written out so the audit trail's labels can be checked). */
const DECISION_AUDIT = { risk_accepted: 'vuln.risk_accepted', false_positive: 'vuln.false_positive', reopened_manual: 'vuln.reopened_manual' } as const;

async function decide(deps: Deps, actor: Actor, id: string, action: keyof typeof DECISION_AUDIT, patch: Record<string, unknown>, note: string, allowedFrom: string[]): Promise<FindingDetail> {
  const row = await getReadable(deps, actor, id, 'vuln.triage');
  if (!allowedFrom.includes(row.status)) throw new ConflictError('vuln_finding.bad_state', `Không thể thực hiện khi lỗ hổng đang ở trạng thái ${row.status}.`, { status: row.status });
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('vuln_findings').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
    await trx.insertInto('vuln_finding_events').values({ id: newId(), finding_id: id, import_id: null, at: now, action, actor_user_id: actor.userId, note }).execute();
    await recordAudit(trx, actor, { action: DECISION_AUDIT[action], targetType: 'vuln_finding', targetId: id, unitId: row.unit_id, reason: note, before: { status: row.status }, after: { status: patch.status } }, now);
  });
  return getFinding(deps, actor, id);
}

/** Accept the risk: approver, reason and an expiry after which the finding reopens (DefectDojo's full risk acceptance, research §1.6). */
export async function acceptRisk(deps: Deps, actor: Actor, id: string, input: z.infer<typeof RiskAcceptanceInputSchema>): Promise<FindingDetail> {
  const today = todayVn(deps.clock);
  if (input.expiresOn <= today) throw new ValidationError('vuln.expiry_past', 'Ngày hết hạn chấp nhận rủi ro phải sau hôm nay.', { field: 'expiresOn' });
  return decide(deps, actor, id, 'risk_accepted', {
    status: 'risk_accepted', decision_reason: input.reason, decision_approver: input.approver, decision_by: actor.userId, decision_at: nowIso(deps.clock), accept_expires: input.expiresOn,
  }, `${input.reason} — phê duyệt: ${input.approver}; hết hạn ${input.expiresOn}`, ['open']);
}

export async function markFalsePositive(deps: Deps, actor: Actor, id: string, input: z.infer<typeof FalsePositiveInputSchema>): Promise<FindingDetail> {
  return decide(deps, actor, id, 'false_positive', {
    status: 'false_positive', decision_reason: input.reason, decision_approver: null, decision_by: actor.userId, decision_at: nowIso(deps.clock), accept_expires: null,
  }, input.reason, ['open', 'mitigated']);
}

/** Withdraw a decision (or a mitigation) and reopen. */
export async function reopenFinding(deps: Deps, actor: Actor, id: string, input: z.infer<typeof ReopenInputSchema>): Promise<FindingDetail> {
  return decide(deps, actor, id, 'reopened_manual', { status: 'open', mitigated_at: null, accept_expires: null }, input.reason, ['risk_accepted', 'false_positive', 'mitigated']);
}

/**
 * Job `vuln.expire_acceptances`: a risk acceptance whose expiry day has passed reopens its finding (DefectDojo
 * `reactivate_expired`, research §1.6), with a history event and an audit entry. Time from the injectable clock.
 */
export async function expireAcceptances(deps: Deps): Promise<number> {
  const today = todayVn(deps.clock);
  const now = nowIso(deps.clock);
  const due = await deps.db.selectFrom('vuln_findings').select(['id', 'unit_id', 'accept_expires']).where('status', '=', 'risk_accepted').where('accept_expires', '<', today).execute();
  if (due.length === 0) return 0;
  await deps.db.transaction().execute(async (trx) => {
    for (const f of due) {
      await trx.updateTable('vuln_findings').set({ status: 'open', updated_at: now }).where('id', '=', f.id).execute();
      await trx.insertInto('vuln_finding_events').values({ id: newId(), finding_id: f.id, import_id: null, at: now, action: 'acceptance_expired', actor_user_id: null, note: `chấp nhận rủi ro hết hạn ${f.accept_expires}` }).execute();
      await recordAudit(trx, null, { action: 'vuln.acceptance_expired', targetType: 'vuln_finding', targetId: f.id, unitId: f.unit_id, actorLabel: 'system', before: { status: 'risk_accepted' }, after: { status: 'open' } }, now);
    }
  });
  return due.length;
}

/** Start the daily tick (hourly check) in the API process. */
export function startVulnJobs(deps: Deps): () => void {
  const timer = setInterval(() => void expireAcceptances(deps).catch(() => undefined), 3600_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Recent imports in scope. */
export async function listImports(deps: Deps, actor: Actor) {
  const { pathInScope } = await import('../org/scope.js');
  const rows = await deps.db
    .selectFrom('vuln_imports as i')
    .innerJoin('org_units as u', 'u.id', 'i.unit_id')
    .leftJoin('users as us', 'us.id', 'i.imported_by')
    .selectAll('i')
    .select(['u.code as unit_code', 'u.name as unit_name', 'us.username'])
    .where(pathInScope('u.path', scopeOf(actor, 'vuln.read')))
    .orderBy('i.imported_at', 'desc')
    .limit(200)
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id, scanner: r.scanner, format: r.format, fileName: r.file_name, unit: { id: r.unit_id, code: r.unit_code, name: r.unit_name }, origin: r.origin,
      importedAt: r.imported_at, importedBy: r.username, findings: r.findings_total, hosts: r.hosts_total, unmatchedHosts: r.unmatched_hosts, created: r.created_count,
      kept: r.kept_count, reopened: r.reopened_count, mitigated: r.mitigated_count,
    })),
  };
}

/** Hosts named by reports that match no asset, with open findings. */
export async function listUnmatched(deps: Deps, actor: Actor) {
  const { pathInScope } = await import('../org/scope.js');
  const rows = await deps.db
    .selectFrom('vuln_unmatched_hosts as h')
    .innerJoin('org_units as u', 'u.id', 'h.unit_id')
    .selectAll('h')
    .select(['u.code as unit_code', 'u.name as unit_name'])
    .where(pathInScope('u.path', scopeOf(actor, 'vuln.read')))
    .orderBy('h.findings_open', 'desc')
    .orderBy('h.host_label')
    .limit(1000)
    .execute();
  return {
    items: rows.map((r) => ({
      hostKey: r.host_key, hostLabel: r.host_label, ip: r.ip, hostname: r.hostname, image: r.image, unit: { id: r.unit_id, code: r.unit_code, name: r.unit_name },
      lastSeenAt: r.last_seen_at, findingsOpen: r.findings_open,
    })),
  };
}

/**
 * Assign an unmatched host to an asset (or create the asset from it). Its findings move to the asset and its
 * owner unit; their dedupe keys are recomputed on the asset, and a finding that then collides with one the
 * asset already has is folded into it (the older record is kept, the newer's history moved onto it).
 */
export async function assignHost(deps: Deps, actor: Actor, input: z.infer<typeof AssignHostInputSchema>) {
  const host = await deps.db.selectFrom('vuln_unmatched_hosts as h').innerJoin('org_units as u', 'u.id', 'h.unit_id').selectAll('h').select('u.path').where('h.host_key', '=', input.hostKey).executeTakeFirst();
  if (!host) throw new NotFoundError('vuln_host.not_found', 'Không tìm thấy máy chưa khớp.');
  if (!can(actor, 'vuln.import', host.path)) deny(host.unit_id, 'vuln.import', { type: 'vuln_host', id: input.hostKey });
  const now = nowIso(deps.clock);
  let assetId = input.assetId ?? null;
  let ownerUnitId: string;
  if (!assetId && !input.create) throw new ValidationError('vuln.assign_target', 'Chọn tài sản có sẵn hoặc tạo tài sản mới.');
  if (assetId) {
    const a = await deps.db.selectFrom('assets as a').innerJoin('org_units as u', 'u.id', 'a.owner_unit_id').select(['a.id', 'a.owner_unit_id', 'u.path']).where('a.id', '=', assetId).executeTakeFirst();
    if (!a) throw new NotFoundError('asset.not_found', 'Không tìm thấy tài sản.');
    if (!can(actor, 'asset.write', a.path) && !can(actor, 'vuln.import', a.path)) deny(a.owner_unit_id, 'vuln.import', { type: 'asset', id: a.id });
    ownerUnitId = a.owner_unit_id;
  } else {
    const unit = await findUnit(deps.db, input.create!.ownerUnitId);
    if (!unit) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
    if (!can(actor, 'asset.write', unit.path)) deny(unit.id, 'asset.write', { type: 'org_unit', id: unit.id });
    ownerUnitId = unit.id;
  }
  const { foldText } = await import('../../core/text.js');
  const moved = await deps.db.transaction().execute(async (trx) => {
    if (!assetId) {
      assetId = newId();
      const c = input.create!;
      await trx.insertInto('assets').values({
        id: assetId, code: c.code, kind: c.kind, name: c.name, name_folded: foldText(c.name), hostname: host.hostname, ips_json: JSON.stringify(host.ip ? [host.ip] : []),
        os_name: null, os_version: null, software_json: '[]', location: null, owner_unit_id: ownerUnitId, status: 'in_use', reuse_disposition: null, reuse_target_unit_id: null,
        reuse_decision: null, notes: `Tạo từ máy chưa khớp trong báo cáo quét (${host.host_label}).`, created_at: now, updated_at: now,
      }).execute();
      await recordAudit(trx, actor, { action: 'asset.create', targetType: 'asset', targetId: assetId, unitId: ownerUnitId, after: { code: c.code, name: c.name, from: host.host_key } }, now);
    }
    const rows = await trx.selectFrom('vuln_findings').select(['id', 'scanner', 'plugin_id', 'port', 'protocol', 'location']).where('host_key', '=', host.host_key).where('asset_id', 'is', null).execute();
    let n = 0;
    for (const r of rows) {
      const key = createHash('sha256').update([r.scanner, assetId, r.plugin_id, r.port ?? '', r.protocol ?? '', r.location ?? ''].join('\u0001')).digest('hex');
      const clash = await trx.selectFrom('vuln_findings').select('id').where('dedupe_key', '=', key).executeTakeFirst();
      if (clash) {
        await trx.insertInto('vuln_finding_events').values({ id: newId(), finding_id: clash.id, import_id: null, at: now, action: 'seen', actor_user_id: actor.userId, note: `gộp từ ${host.host_label}` }).execute();
        await trx.updateTable('vuln_finding_events').set({ finding_id: clash.id }).where('finding_id', '=', r.id).execute();
        await trx.deleteFrom('vuln_findings').where('id', '=', r.id).execute();
      } else {
        await trx.updateTable('vuln_findings').set({ asset_id: assetId, unit_id: ownerUnitId, dedupe_key: key, updated_at: now }).where('id', '=', r.id).execute();
      }
      n++;
    }
    await trx.updateTable('malware_scans').set({ asset_id: assetId, unit_id: ownerUnitId }).where('host_key', '=', host.host_key).where('asset_id', 'is', null).execute();
    await trx.deleteFrom('vuln_unmatched_hosts').where('host_key', '=', host.host_key).execute();
    await recordAudit(trx, actor, { action: 'vuln.assign_host', targetType: 'asset', targetId: assetId, unitId: ownerUnitId, details: { hostKey: host.host_key, findings: n } }, now);
    return n;
  });
  return { assetId: assetId!, findingsMoved: moved };
}

export { fromJson, filtered };
