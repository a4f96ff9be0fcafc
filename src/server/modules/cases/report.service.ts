import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { CASE_CATEGORIES, CASE_SEVERITIES, type CaseCategory, type MonthlyReportSchema } from '../../../contracts/cases.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { fromJson, newId, nowIso } from '../../db/columns.js';
import { caseDurations } from '../../engines/case-clock/index.js';
import { writeXlsx } from '../../engines/tabular/tabular.js';
import { findUnit } from '../org/org-unit.repository.js';
import { pathInScope } from '../org/scope.js';
import { requirePermissionAnywhere } from './cases.policy.js';
import { addTimeline, allCases, nextSequence, refsOf } from './cases.repository.js';
import { caseDetail, getCaseFor, phaseLabel, type Deps } from './cases.service.js';
import type { CaseRow } from './cases.table.js';
import { meetClock } from './clock.service.js';
import { storeBuffer, storedPath } from './case-work.service.js';
import { renderDocx, renderHtml, renderPdf, type AdminDocument } from './report-render.js';
import type { CaseQuerySchema } from '../../../contracts/cases.js';

export const CATEGORY_VI: Record<CaseCategory, string> = {
  malware: 'Mã độc', ransomware: 'Mã độc tống tiền', account_compromise: 'Chiếm quyền tài khoản', data_leak: 'Lộ lọt dữ liệu', web_defacement: 'Thay đổi giao diện trang web',
  ddos: 'Tấn công từ chối dịch vụ', phishing: 'Lừa đảo qua thư điện tử', insider_misuse: 'Lạm dụng quyền truy cập', vuln_exploitation: 'Khai thác lỗ hổng', other: 'Khác',
};
const SEVERITY_VI: Record<string, string> = { low: 'Thấp', medium: 'Trung bình', high: 'Cao', critical: 'Nghiêm trọng' };
const REASON_VI: Record<string, string> = { resolved: 'Đã xử lý xong', false_positive: 'Cảnh báo nhầm', duplicate: 'Trùng sự cố khác', no_impact: 'Không gây ảnh hưởng', transferred: 'Đã chuyển cơ quan khác' };
const vnTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour12: false }) : '—');
const minutes = (m: number | null) => (m === null ? '—' : m < 120 ? `${m} phút` : `${Math.round(m / 6) / 10} giờ`);

/** Short code for a document number ("Sở Khoa học và Công nghệ" → "SKHCN" when the unit has no usable code). */
function docCode(code: string | null, name: string): string {
  if (code && /^[A-Z0-9-]{2,20}$/.test(code)) return code.replace(/-/g, '');
  return name.split(/\s+/).map((w) => w[0] ?? '').join('').normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gi, 'D').toUpperCase().slice(0, 10);
}

/**
 * The content of the initial notice (Báo cáo ban đầu — fields of QĐ 05/2017/QĐ-TTg Điều 11.4 and Biểu mẫu 03,
 * kept under NĐ 331/2026 Đ31) or of the closing report (Báo cáo kết thúc ứng phó, Biểu mẫu 04), filled from the
 * case. Recipients follow the regime: Bộ Công an's A05 and the provincial police's PA05 under NĐ 331 (Luật
 * 116/2025 Đ40.1.c), the national coordinator under the legacy rule.
 */
export async function reportDocument(deps: Deps, actor: Actor, c: CaseRow, kind: 'initial_notice' | 'closing_report', number: string, at: string): Promise<AdminDocument> {
  const d = await caseDetail(deps, actor, c.id, 50);
  const unit = (await findUnit(deps.db, c.unit_id))!;
  const parent = unit.parent_id ? await findUnit(deps.db, unit.parent_id) : undefined;
  const affected = fromJson<{ systemIds: string[] }>(c.affected_json) ?? { systemIds: [] };
  const systems = await refsOf(deps.db, 'information_systems', affected.systemIds);
  const done = d.tasks.filter((t) => t.status === 'done');
  const open = d.tasks.filter((t) => t.status !== 'done' && t.status !== 'skipped');
  const dur = caseDurations({ unitId: c.unit_id, createdAt: c.created_at, occurredAt: c.occurred_at, detectedAt: c.detected_at, acknowledgedAt: c.acknowledged_at, containedAt: c.contained_at, resolvedAt: c.resolved_at });
  const nd331 = c.regime !== 'qd05';
  const recipients = nd331
    ? ['Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ Công an', 'Công an tỉnh (Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao - PA05)', parent ? parent.name : 'Cơ quan chủ quản', 'Lưu: VT']
    : ['Cơ quan điều phối quốc gia về ứng cứu sự cố', 'Đơn vị chuyên trách ứng cứu sự cố của tỉnh', parent ? parent.name : 'Cơ quan chủ quản', 'Lưu: VT'];
  const common: AdminDocument['sections'] = [
    { heading: '1. Thông tin đơn vị báo cáo', rows: [['Đơn vị vận hành', unit.name], ['Cơ quan chủ quản', parent?.name ?? unit.name], ['Đầu mối liên hệ', actor.username]] },
    { heading: '2. Hệ thống bị ảnh hưởng', lines: systems.length ? systems.map((s) => `- ${s.name}${s.code ? ` (${s.code})` : ''}`) : ['- Chưa xác định'], rows: d.affected.people ? [['Đối tượng bị ảnh hưởng', d.affected.people]] : [] },
    { heading: '3. Thông tin sự cố', rows: [
      ['Mã sự cố', c.number], ['Tên sự cố', c.title], ['Loại sự cố', CATEGORY_VI[c.category as CaseCategory]], ['Mức độ', SEVERITY_VI[c.severity] ?? c.severity],
      ['Thời điểm xảy ra', vnTime(c.occurred_at)], ['Thời điểm phát hiện', vnTime(c.detected_at)], ['Giai đoạn xử lý hiện tại', phaseLabel(c.phase as CaseRow['phase'] & 'triage')],
    ], lines: c.description ? c.description.split('\n').filter(Boolean) : [] },
  ];
  const observables = d.observables.map((o) => `- ${o.type}: ${o.value}${o.seenCount ? ` (đã gặp ở ${o.seenCount} sự cố khác)` : ''}`);
  const sections: AdminDocument['sections'] = kind === 'initial_notice'
    ? [
      ...common,
      { heading: '4. Biện pháp đã thực hiện', lines: done.length ? done.map((t) => `- ${t.title}${t.doneAt ? ` (${vnTime(t.doneAt)})` : ''}`) : ['- Đang xác minh, chưa có biện pháp hoàn thành.'] },
      { heading: '5. Biện pháp dự kiến', lines: open.slice(0, 15).map((t) => `- ${t.title}${t.dueAt ? ` (hạn ${vnTime(t.dueAt)})` : ''}`) },
      { heading: '6. Chỉ dấu tấn công (IOC)', lines: observables.length ? observables : ['- Chưa có.'] },
      { heading: '7. Đề nghị hỗ trợ', lines: ['- Đề nghị Công an tỉnh (PA05) phối hợp xác minh, điều tra và hướng dẫn xử lý.'] },
    ]
    : [
      ...common,
      { heading: '4. Diễn biến và kết quả xử lý', lines: [...d.timeline].reverse().filter((e) => e.kind === 'action').slice(-25).map((e) => `- ${vnTime(e.at)}: ${e.text}`) },
      { heading: '5. Các bước đã thực hiện theo quy trình', lines: done.map((t) => `- ${t.title}`) },
      { heading: '6. Thời gian xử lý', rows: [['Thời gian phát hiện (TTD)', minutes(dur.ttd)], ['Thời gian tiếp nhận (TTA)', minutes(dur.tta)], ['Thời gian ngăn chặn (TTC)', minutes(dur.ttc)], ['Thời gian khắc phục (TTR)', minutes(dur.ttr)]] },
      { heading: '7. Chỉ dấu tấn công (IOC)', lines: observables.length ? observables : ['- Không có.'] },
      { heading: '8. Kết luận, bài học kinh nghiệm', lines: [`- Kết quả: ${REASON_VI[c.close_reason ?? ''] ?? 'Đang hoàn tất'}.`, ...d.tasks.filter((t) => t.phase === 'post_incident').map((t) => `- ${t.title}${t.note ? `: ${t.note}` : ''}`)] },
    ];
  return {
    issuerParent: parent?.name ?? null, issuer: unit.name, number, place: 'Gia Lai', date: at,
    title: kind === 'initial_notice' ? 'BÁO CÁO BAN ĐẦU' : 'BÁO CÁO KẾT THÚC ỨNG PHÓ',
    subtitle: `Sự cố an toàn thông tin mạng: ${c.title}`,
    sections, recipients, signerTitle: 'Thủ trưởng đơn vị', signerName: '',
  };
}

/**
 * Generate an official report (case.manage): DOCX, and PDF too when Chromium is available. Files are stored by
 * hash; the report meets its legal clock (initial notice → initial_notice; closing report → full_report).
 */
export async function generateReport(deps: Deps, actor: Actor, caseId: string, kind: 'initial_notice' | 'closing_report', format: 'docx' | 'pdf') {
  const c = await getCaseFor(deps, actor, caseId, 'case.manage');
  if (kind === 'closing_report' && !c.resolved_at) throw new ConflictError('case.not_resolved', 'Báo cáo kết thúc chỉ lập khi sự cố đã được khắc phục (giai đoạn rút kinh nghiệm hoặc đã đóng).');
  const now = nowIso(deps.clock);
  const year = new Date(deps.clock() + 7 * 3_600_000).getUTCFullYear();
  const unit = (await findUnit(deps.db, c.unit_id))!;
  const id = newId(deps.clock());
  // Reserve the number first (its own short transaction), so the slow rendering holds no lock.
  const seq = await deps.db.transaction().execute((tx) => nextSequence(tx, `report:${year}:${c.unit_id}`));
  const number = `${String(seq).padStart(2, '0')}/BC-${docCode(unit.code, unit.name)}`;
  const doc = await reportDocument(deps, actor, c, kind, number, now);
  let bytes: Buffer;
  if (format === 'pdf') {
    const pdf = await renderPdf(renderHtml(doc), deps.config.cases.chromiumPath);
    if (!pdf) throw new ConflictError('report.pdf_unavailable', 'Máy chủ không có Chromium để xuất PDF; hãy dùng DOCX.');
    bytes = pdf;
  } else bytes = await renderDocx(doc);
  const sha256 = storeBuffer(deps.config.dataDir, bytes);
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('case_reports').values({ id, case_id: caseId, kind, number, format, sha256, size: bytes.length, created_by: actor.userId, created_at: now }).execute();
    await meetClock(tx, caseId, kind === 'initial_notice' ? 'initial_notice' : 'full_report', now);
    await addTimeline(tx, { caseId, at: now, kind: 'report', text: `Lập ${kind === 'initial_notice' ? 'báo cáo ban đầu' : 'báo cáo kết thúc ứng phó'} số ${number} (${format.toUpperCase()}).`, actorUserId: actor.userId, actorLabel: actor.username });
    await recordAudit(tx, actor, { action: 'case.report', targetType: 'case', targetId: caseId, unitId: c.unit_id, details: { kind, format, number, sha256 } }, now);
  });
  return { id, kind, number, format, sha256, size: bytes.length, createdAt: now, createdBy: actor.username };
}

/** A stored report's bytes for download (case.read on its case). */
export async function reportFile(deps: Deps, actor: Actor, id: string) {
  const r = await deps.db.selectFrom('case_reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError('case_report.not_found', 'Không tìm thấy báo cáo.');
  const c = await getCaseFor(deps, actor, r.case_id, 'case.read');
  const path = storedPath(deps.config.dataDir, r.sha256);
  if (!existsSync(path)) throw new NotFoundError('case_report.missing', 'Tệp báo cáo không còn trong kho lưu trữ.');
  const name = `${r.kind === 'initial_notice' ? 'bao-cao-ban-dau' : 'bao-cao-ket-thuc'}-${c.number}.${r.format}`;
  return { name, format: r.format, bytes: readFileSync(path) };
}

const monthRange = (month: string) => {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new ValidationError('report.bad_month', 'Tháng phải có dạng YYYY-MM.', { field: 'month' });
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1) - 7 * 3_600_000).toISOString();
  const to = new Date(Date.UTC(y, m, 1) - 7 * 3_600_000).toISOString();
  return { from, to };
};

/**
 * The monthly SOC report for the provincial subcommittee: alerts escalated by source, cases opened/closed by
 * severity and category, the rules behind most escalated alerts, and the legal/SLA deadlines due that month
 * with how many were met in time. Alerts not escalated live in their own modules and are counted there.
 */
export async function monthlyReport(deps: Deps, actor: Actor, month: string): Promise<z.infer<typeof MonthlyReportSchema>> {
  requirePermissionAnywhere(actor, 'case.read');
  const { from, to } = monthRange(month);
  const scope = scopeOf(actor, 'case.read');
  const db = deps.db;
  const opened = await db.selectFrom('cases').select(['severity', 'category']).where(pathInScope('unit_path', scope)).where('detected_at', '>=', from).where('detected_at', '<', to).execute();
  const closed = await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where(pathInScope('unit_path', scope)).where('closed_at', '>=', from).where('closed_at', '<', to).executeTakeFirstOrThrow();
  const alerts = await db.selectFrom('case_alerts as a').innerJoin('cases as c', 'c.id', 'a.case_id').select(['a.kind', 'a.rule']).where(pathInScope('c.unit_path', scope)).where('a.linked_at', '>=', from).where('a.linked_at', '<', to).execute();
  const clocks = await db.selectFrom('case_clocks as k').innerJoin('cases as c', 'c.id', 'k.case_id').select(['k.due_at', 'k.met_at']).where(pathInScope('c.unit_path', scope)).where('k.due_at', '>=', from).where('k.due_at', '<', to).execute();
  const count = <T extends string>(xs: T[], keys: readonly T[]) => Object.fromEntries(keys.map((k) => [k, xs.filter((x) => x === k).length]));
  const rules = new Map<string, number>();
  for (const a of alerts) if (a.rule) rules.set(a.rule, (rules.get(a.rule) ?? 0) + 1);
  return {
    month,
    alerts: count(alerts.map((a) => a.kind), ['soc', 'lookup', 'vuln', 'availability']),
    cases: { opened: opened.length, closed: Number(closed.n), bySeverity: count(opened.map((c) => c.severity), CASE_SEVERITIES), byCategory: count(opened.map((c) => c.category), CASE_CATEGORIES) },
    topRules: [...rules.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([rule, n]) => ({ rule, count: n })),
    deadlines: {
      total: clocks.length,
      met: clocks.filter((k) => k.met_at && k.met_at <= k.due_at).length,
      late: clocks.filter((k) => (k.met_at && k.met_at > k.due_at) || (!k.met_at && k.due_at < nowIso(deps.clock))).length,
      open: clocks.filter((k) => !k.met_at && k.due_at >= nowIso(deps.clock)).length,
    },
  };
}

/** The monthly report as a DOCX in the same administrative format. */
export async function monthlyReportDocx(deps: Deps, actor: Actor, month: string): Promise<Buffer> {
  const r = await monthlyReport(deps, actor, month);
  const [y, m] = month.split('-');
  return renderDocx({
    issuerParent: 'UBND tỉnh Gia Lai', issuer: 'Trung tâm Giám sát an toàn thông tin mạng tỉnh', number: `…/BC-SOC`, place: 'Gia Lai', date: nowIso(deps.clock),
    title: 'BÁO CÁO', subtitle: `Tình hình giám sát, ứng cứu sự cố an toàn thông tin mạng tháng ${m}/${y}`,
    sections: [
      { heading: '1. Cảnh báo đã chuyển thành sự cố', rows: Object.entries(r.alerts).map(([k, v]) => [k, String(v)]) },
      { heading: '2. Sự cố', rows: [['Phát hiện trong tháng', String(r.cases.opened)], ['Đã đóng trong tháng', String(r.cases.closed)], ...CASE_SEVERITIES.map((s) => [`Mức ${SEVERITY_VI[s]}`, String(r.cases.bySeverity[s] ?? 0)] as [string, string])] },
      { heading: '3. Theo loại sự cố', rows: CASE_CATEGORIES.filter((c) => r.cases.byCategory[c]).map((c) => [CATEGORY_VI[c], String(r.cases.byCategory[c])]) },
      { heading: '4. Luật phát hiện nổi bật', lines: r.topRules.length ? r.topRules.map((t) => `- ${t.rule}: ${t.count}`) : ['- Không có.'] },
      { heading: '5. Thời hạn báo cáo và xử lý', rows: [['Đến hạn trong tháng', String(r.deadlines.total)], ['Đúng hạn', String(r.deadlines.met)], ['Trễ hạn', String(r.deadlines.late)], ['Chưa đến hạn', String(r.deadlines.open)]] },
    ],
    recipients: ['Ban Chỉ đạo ứng cứu khẩn cấp sự cố an toàn thông tin mạng tỉnh', 'Công an tỉnh (PA05)', 'Lưu: VT'],
    signerTitle: 'Giám đốc', signerName: '',
  });
}

/** Cases matching the queue's filters as XLSX (every cell formula-safe, see engines/tabular safeCell). */
export async function exportCases(deps: Deps, actor: Actor, q: z.infer<typeof CaseQuerySchema>): Promise<Buffer> {
  const rows = await allCasesForExport(deps, actor, q);
  if (rows.length > 50_000) throw new ValidationError('case.export_too_large', 'Quá 50.000 sự cố; hãy lọc bớt.');
  const header = ['Mã sự cố', 'Tiêu đề', 'Mức độ', 'Loại', 'Giai đoạn', 'Đơn vị', 'TLP', 'Phải báo cáo', 'Phát hiện', 'Tiếp nhận', 'Ngăn chặn', 'Khắc phục', 'Đóng', 'Lý do đóng', 'TTA (phút)', 'TTR (phút)'];
  const units = new Map((await deps.db.selectFrom('org_units').select(['id', 'name']).where('id', 'in', [...new Set(rows.map((r) => r.unit_id)), '-']).execute()).map((u) => [u.id, u.name]));
  return writeXlsx('Sự cố', header, rows.map((c) => {
    const d = caseDurations({ unitId: c.unit_id, createdAt: c.created_at, occurredAt: c.occurred_at, detectedAt: c.detected_at, acknowledgedAt: c.acknowledged_at, containedAt: c.contained_at, resolvedAt: c.resolved_at });
    return [c.number, c.title, SEVERITY_VI[c.severity] ?? c.severity, CATEGORY_VI[c.category as CaseCategory] ?? c.category, phaseLabel(c.phase as 'triage'), units.get(c.unit_id) ?? '', c.tlp.toUpperCase(),
      c.reportable ? 'Có' : 'Không', vnTime(c.detected_at), vnTime(c.acknowledged_at), vnTime(c.contained_at), vnTime(c.resolved_at), vnTime(c.closed_at), REASON_VI[c.close_reason ?? ''] ?? '', d.tta, d.ttr];
  }));
}

async function allCasesForExport(deps: Deps, actor: Actor, q: z.infer<typeof CaseQuerySchema>): Promise<CaseRow[]> {
  const now = nowIso(deps.clock);
  const unitPath = q.unitId ? (await findUnit(deps.db, q.unitId))?.path : undefined;
  return allCases(deps.db, {
    scope: scopeOf(actor, 'case.read'), q: q.q, phase: q.phase, severity: q.severity, category: q.category, unitPath,
    assigneeId: q.mine === 'true' ? actor.userId : undefined, reportable: q.reportable === undefined ? undefined : q.reportable === 'true',
    overdueAt: q.overdue === 'true' ? now : undefined, notOverdueAt: q.overdue === 'false' ? now : undefined,
  }, 50_001);
}

