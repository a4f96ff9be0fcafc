import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AttachmentSchema, CaseCreateSchema, CaseDetailSchema, CasePageSchema, CaseQuerySchema, CaseUpdateSchema, ChannelCreateSchema, ChannelSchema, ClassifySchema,
  CommentCreateSchema, DashboardSchema, DeliverySchema, EscalateSchema, EscalationCandidateSchema, MembersSchema, MonthlyReportSchema, MyTaskSchema,
  ObservableCreateSchema, ObservableSchema, PhaseChangeSchema, PlaybookDetailSchema, PlaybookSaveSchema, PlaybookSummarySchema, PlaybookValidateResultSchema,
  PreferencesSchema, ReportKindSchema, ReportSchema, TaskCreateSchema, TaskSchema, TaskUpdateSchema, TimelineEntrySchema, AlertKindSchema,
} from '../../../contracts/cases.js';
import { ErrorBodySchema, errorResponses } from '../../../contracts/common.js';
import { ROLE_PERMISSIONS, type Role } from '../../../contracts/roles.js';
import { scopeOf } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { ValidationError } from '../../core/errors.js';
import { actorOf } from '../../core/http.js';
import { nowIso } from '../../db/columns.js';
import { alertSources } from './alert-sources.js';
import { casesOfAlerts, unitRefs } from './cases.repository.js';
import { startCasesJob } from './cases.jobs.js';
import {
  acknowledgeCase, addComment, caseDetail, changePhase, classifyCase, createCase, escalateAlerts, getCaseFor, searchCases, setMembers, timelinePage, updateCase,
} from './cases.service.js';
import { addObservable, createTask, myTasks, openAttachment, recordAttachment, storeStream, updateTask } from './case-work.service.js';
import { caseDashboard } from './metrics.service.js';
import { createChannel, getPreferences, listChannels, listDeliveries, savePreferences, setChannelEnabled } from './notification.service.js';
import { attachPlaybookTx, ensurePlaybooks, findLatestPlaybook, getPlaybook, listPlaybooks, savePlaybook, useShippedPlaybooks, validatePlaybook } from './playbook.service.js';
import { exportCases, generateReport, monthlyReport, monthlyReportDocx, reportFile } from './report.service.js';
import { recordAudit } from '../../core/audit.js';
import { NotFoundError } from '../../core/errors.js';

const IdParams = z.object({ id: z.string().max(64) });
const KeyParams = z.object({ key: z.string().max(60) });
const tags = ['cases'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const jobs = new WeakMap<object, ReturnType<typeof startCasesJob>>();
/** The running case scheduler of the app on this database (tests and tooling call runNow). */
export function casesJobFor(db: object) {
  return jobs.get(db);
}

/** Incident response: cases, escalation of alerts, tasks from playbooks, clocks, notifications and reports. */
export async function registerCases(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  // The shipped playbooks (data/playbooks) are loaded before the first request of this module is handled.
  useShippedPlaybooks(deps.db, deps.config.cases.playbookDir);
  root.addHook('preHandler', async () => ensurePlaybooks(deps.db, nowIso(deps.clock)));
  const job = startCasesJob({ db: deps.db, keys: deps.keys, config: deps.config, clock: deps.clock, log: deps.log });
  jobs.set(deps.db, job);
  root.addHook('onClose', async () => {
    jobs.delete(deps.db);
    await job.stop();
  });

  app.get('/cases', {
    config: { auth: 'user' },
    schema: { operationId: 'listCases', tags, querystring: CaseQuerySchema, response: { 200: CasePageSchema, ...errorResponses } },
  }, async (req) => searchCases(deps, actorOf(req), req.query));

  app.post('/cases', {
    config: { auth: 'user' },
    schema: { operationId: 'createCase', tags, body: CaseCreateSchema, response: { 201: CaseDetailSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createCase(deps, actorOf(req), req.body)));

  app.get('/cases/export', {
    config: { auth: 'user' },
    schema: { operationId: 'exportCases', tags, querystring: CaseQuerySchema, produces: [XLSX], response: { 200: z.unknown().describe('Tệp XLSX'), ...errorResponses } },
  }, async (req, reply) => reply.header('content-type', XLSX).header('content-disposition', 'attachment; filename="su-co.xlsx"').send(await exportCases(deps, actorOf(req), req.query)));

  app.get('/cases/dashboard', {
    config: { auth: 'user' },
    schema: { operationId: 'getCaseDashboard', tags, response: { 200: DashboardSchema, ...errorResponses } },
  }, async (req) => caseDashboard(deps, actorOf(req)));

  app.get('/cases/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getCase', tags, params: IdParams, response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => caseDetail(deps, actorOf(req), req.params.id));

  app.get('/cases/:id/assignable-users', {
    config: { auth: 'user' },
    schema: { operationId: 'listCaseAssignableUsers', tags, description: 'Người dùng có quyền xử lý sự cố (case.write) tại đơn vị của sự cố.', params: IdParams, response: { 200: z.object({ items: z.array(z.object({ id: z.string(), username: z.string(), displayName: z.string() })) }), ...errorResponses } },
  }, async (req) => {
    const c = await getCaseFor(deps, actorOf(req), req.params.id, 'case.write');
    const rows = await deps.db.selectFrom('role_grants as g').innerJoin('users as u', 'u.id', 'g.user_id').innerJoin('org_units as o', 'o.id', 'g.unit_id')
      .select(['u.id', 'u.username', 'u.display_name', 'g.role', 'o.path']).where('u.status', '=', 'active').execute();
    const seen = new Map<string, { id: string; username: string; displayName: string }>();
    for (const r of rows) {
      if (ROLE_PERMISSIONS[r.role as Role]?.includes('case.write') && c.unit_path.startsWith(r.path)) seen.set(r.id, { id: r.id, username: r.username, displayName: r.display_name });
    }
    return { items: [...seen.values()].sort((a, b) => a.displayName.localeCompare(b.displayName, 'vi')).slice(0, 500) };
  });

  app.patch('/cases/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateCase', tags, params: IdParams, body: CaseUpdateSchema, response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => updateCase(deps, actorOf(req), req.params.id, req.body));

  app.post('/cases/:id/phase', {
    config: { auth: 'user' },
    schema: { operationId: 'changeCasePhase', tags, description: 'Chuyển giai đoạn; đóng sự cố cần lý do và mọi bước bắt buộc đã xong (409 case.mandatory_open).', params: IdParams, body: PhaseChangeSchema, response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => changePhase(deps, actorOf(req), req.params.id, req.body));

  app.post('/cases/:id/acknowledge', {
    config: { auth: 'user' },
    schema: { operationId: 'acknowledgeCase', tags, params: IdParams, response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => acknowledgeCase(deps, actorOf(req), req.params.id));

  app.post('/cases/:id/classify', {
    config: { auth: 'user' },
    schema: { operationId: 'classifyCase', tags, description: 'Xác định sự cố phải báo cáo: bắt đầu đồng hồ 24 giờ / 72 giờ (NĐ 331/2026) hoặc 05 ngày (QĐ 05/2017).', params: IdParams, body: ClassifySchema, response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => classifyCase(deps, actorOf(req), req.params.id, req.body));

  app.put('/cases/:id/members', {
    config: { auth: 'user' },
    schema: { operationId: 'setCaseMembers', tags, params: IdParams, body: MembersSchema, response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => setMembers(deps, actorOf(req), req.params.id, req.body));

  app.post('/cases/:id/comments', {
    config: { auth: 'user' },
    schema: { operationId: 'addCaseComment', tags, params: IdParams, body: CommentCreateSchema, response: { 201: TimelineEntrySchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await addComment(deps, actorOf(req), req.params.id, req.body.text)));

  app.get('/cases/:id/timeline', {
    config: { auth: 'user' },
    schema: { operationId: 'getCaseTimeline', tags, params: IdParams, querystring: z.object({ before: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }), response: { 200: z.object({ items: z.array(TimelineEntrySchema) }), ...errorResponses } },
  }, async (req) => timelinePage(deps, actorOf(req), req.params.id, req.query.before, req.query.limit));

  app.post('/cases/:id/tasks', {
    config: { auth: 'user' },
    schema: { operationId: 'createCaseTask', tags, params: IdParams, body: TaskCreateSchema, response: { 201: TaskSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createTask(deps, actorOf(req), req.params.id, req.body)));

  app.patch('/case-tasks/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateCaseTask', tags, params: IdParams, body: TaskUpdateSchema, response: { 200: TaskSchema, ...errorResponses } },
  }, async (req) => updateTask(deps, actorOf(req), req.params.id, req.body));

  app.get('/case-tasks/mine', {
    config: { auth: 'user' },
    schema: { operationId: 'listMyCaseTasks', tags, response: { 200: z.object({ items: z.array(MyTaskSchema) }), ...errorResponses } },
  }, async (req) => myTasks(deps, actorOf(req)));

  app.post('/cases/:id/observables', {
    config: { auth: 'user' },
    schema: { operationId: 'addCaseObservable', tags, params: IdParams, body: ObservableCreateSchema, response: { 201: z.object({ items: z.array(ObservableSchema) }), ...errorResponses } },
  }, async (req, reply) => reply.status(201).send({ items: await addObservable(deps, actorOf(req), req.params.id, req.body) }));

  app.post('/cases/:id/attachments', {
    config: { auth: 'user' },
    schema: { operationId: 'addCaseAttachment', tags, description: `Tệp đính kèm (multipart, trường file), tối đa ${Math.round(deps.config.cases.attachmentMaxBytes / 1024 / 1024)} MB, lưu theo SHA-256.`, params: IdParams, response: { 201: AttachmentSchema, 413: ErrorBodySchema, ...errorResponses } },
  }, async (req, reply) => {
    const actor = actorOf(req);
    await getCaseFor(deps, actor, req.params.id, 'case.write'); // refuse before reading the upload
    if (!req.isMultipart()) throw new ValidationError('case.no_file', 'Cần gửi tệp (multipart/form-data).');
    const part = await req.file({ limits: { fileSize: deps.config.cases.attachmentMaxBytes, files: 1 } });
    if (!part) throw new ValidationError('case.no_file', 'Cần gửi tệp (multipart/form-data).');
    const stored = await storeStream(deps.config.dataDir, part.file, deps.config.cases.attachmentMaxBytes);
    return reply.status(201).send(await recordAttachment(deps, actor, req.params.id, { name: part.filename || 'tep', mime: part.mimetype || 'application/octet-stream', ...stored }));
  });

  app.get('/case-attachments/:id/download', {
    config: { auth: 'user' },
    schema: { operationId: 'downloadCaseAttachment', tags, params: IdParams, produces: ['application/octet-stream'], response: { 200: z.unknown().describe('Tệp'), ...errorResponses } },
  }, async (req, reply) => {
    const f = await openAttachment(deps, actorOf(req), req.params.id);
    // Always a download, never rendered inline (an uploaded HTML file must not run in our origin).
    return reply.header('content-type', 'application/octet-stream').header('content-length', f.size)
      .header('content-disposition', `attachment; filename="download"; filename*=UTF-8''${encodeURIComponent(f.name)}`).send(f.stream);
  });

  app.post('/cases/:id/playbooks', {
    config: { auth: 'user' },
    schema: { operationId: 'attachCasePlaybook', tags, params: IdParams, body: z.object({ key: z.string().max(60) }), response: { 200: CaseDetailSchema, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const c = await getCaseFor(deps, actor, req.params.id, 'case.write');
    const pb = await findLatestPlaybook(deps.db, req.body.key);
    if (!pb) throw new NotFoundError('playbook.not_found', 'Không tìm thấy quy trình.');
    const now = nowIso(deps.clock);
    await deps.db.transaction().execute(async (tx) => {
      const n = await attachPlaybookTx(tx, c, pb, actor, now);
      await recordAudit(tx, actor, { action: 'case.playbook_attach', targetType: 'case', targetId: c.id, unitId: c.unit_id, details: { key: pb.key, version: pb.version, tasks: n } }, now);
    });
    return caseDetail(deps, actor, c.id);
  });

  app.post('/cases/:id/reports', {
    config: { auth: 'user' },
    schema: { operationId: 'generateCaseReport', tags, description: 'Lập báo cáo ban đầu hoặc báo cáo kết thúc ứng phó (DOCX, hoặc PDF khi máy chủ có Chromium).', params: IdParams, body: z.object({ kind: ReportKindSchema, format: z.enum(['docx', 'pdf']).default('docx') }), response: { 201: ReportSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await generateReport(deps, actorOf(req), req.params.id, req.body.kind, req.body.format)));

  app.get('/case-reports/:id/download', {
    config: { auth: 'user' },
    schema: { operationId: 'downloadCaseReport', tags, params: IdParams, produces: [DOCX, 'application/pdf'], response: { 200: z.unknown().describe('DOCX/PDF'), ...errorResponses } },
  }, async (req, reply) => {
    const f = await reportFile(deps, actorOf(req), req.params.id);
    return reply.header('content-type', f.format === 'pdf' ? 'application/pdf' : DOCX).header('content-disposition', `attachment; filename="${f.name}"`).send(f.bytes);
  });

  const MonthQuery = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) });
  app.get('/case-reports/monthly', {
    config: { auth: 'user' },
    schema: { operationId: 'getMonthlySocReport', tags, querystring: MonthQuery, response: { 200: MonthlyReportSchema, ...errorResponses } },
  }, async (req) => monthlyReport(deps, actorOf(req), req.query.month));

  app.get('/case-reports/monthly/docx', {
    config: { auth: 'user' },
    schema: { operationId: 'downloadMonthlySocReport', tags, querystring: MonthQuery, produces: [DOCX], response: { 200: z.unknown().describe('DOCX'), ...errorResponses } },
  }, async (req, reply) => reply.header('content-type', DOCX).header('content-disposition', `attachment; filename="bao-cao-soc-${req.query.month}.docx"`).send(await monthlyReportDocx(deps, actorOf(req), req.query.month)));

  app.post('/case-escalations', {
    config: { auth: 'user' },
    schema: { operationId: 'escalateAlerts', tags, description: 'Chuyển cảnh báo (soc | lookup | vuln | availability) thành sự cố mới, hoặc gắn vào sự cố có sẵn (caseId).', body: EscalateSchema, response: { 201: CaseDetailSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await escalateAlerts(deps, actorOf(req), req.body)));

  app.get('/case-escalation-candidates', {
    config: { auth: 'user' },
    schema: { operationId: 'listEscalationCandidates', tags, querystring: z.object({ kind: AlertKindSchema.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.object({ items: z.array(EscalationCandidateSchema) }), ...errorResponses } },
  }, async (req) => {
    const scope = scopeOf(actorOf(req), 'case.read');
    const all = (await Promise.all(alertSources().filter((s) => s.recent && (!req.query.kind || s.kind === req.query.kind)).map((s) => s.recent!(deps.db, scope, req.query.limit)))).flat();
    const cases = await casesOfAlerts(deps.db, all);
    const units = await unitRefs(deps.db, all.flatMap((a) => (a.unitId ? [a.unitId] : [])));
    return { items: all.sort((a, b) => (b.occurredAt ?? '').localeCompare(a.occurredAt ?? '')).slice(0, req.query.limit).map((a) => ({
      kind: a.kind, id: a.id, title: a.title, severity: a.severity, unit: a.unitId ? (units.get(a.unitId) ?? null) : null, occurredAt: a.occurredAt, rule: a.rule, caseIds: cases.get(`${a.kind}:${a.id}`) ?? [],
    })) };
  });

  // Playbooks
  app.get('/playbooks', {
    config: { auth: 'user' },
    schema: { operationId: 'listPlaybooks', tags, response: { 200: z.object({ items: z.array(PlaybookSummarySchema) }), ...errorResponses } },
  }, async (req) => listPlaybooks(deps, actorOf(req)));

  app.get('/playbooks/:key', {
    config: { auth: 'user' },
    schema: { operationId: 'getPlaybook', tags, params: KeyParams, querystring: z.object({ version: z.coerce.number().int().min(1).optional() }), response: { 200: PlaybookDetailSchema, ...errorResponses } },
  }, async (req) => getPlaybook(deps, actorOf(req), req.params.key, req.query.version));

  app.post('/playbooks/validate', {
    config: { auth: 'user' },
    schema: { operationId: 'validatePlaybook', tags, body: PlaybookSaveSchema, response: { 200: PlaybookValidateResultSchema, ...errorResponses } },
  }, async (req) => validatePlaybook(actorOf(req), req.body.yaml));

  app.post('/playbooks', {
    config: { auth: 'user' },
    schema: { operationId: 'createPlaybook', tags, body: PlaybookSaveSchema, response: { 201: PlaybookDetailSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await savePlaybook(deps, actorOf(req), null, req.body.yaml)));

  app.put('/playbooks/:key', {
    config: { auth: 'user' },
    schema: { operationId: 'savePlaybookVersion', tags, description: 'Lưu phiên bản mới của quy trình (các phiên bản cũ được giữ).', params: KeyParams, body: PlaybookSaveSchema, response: { 200: PlaybookDetailSchema, ...errorResponses } },
  }, async (req) => savePlaybook(deps, actorOf(req), req.params.key, req.body.yaml));

  // Notifications
  app.get('/notification-channels', {
    config: { auth: 'user' },
    schema: { operationId: 'listNotificationChannels', tags, response: { 200: z.object({ items: z.array(ChannelSchema) }), ...errorResponses } },
  }, async (req) => listChannels(deps, actorOf(req)));

  app.post('/notification-channels', {
    config: { auth: 'user' },
    schema: { operationId: 'createNotificationChannel', tags, body: ChannelCreateSchema, response: { 201: ChannelSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createChannel(deps, actorOf(req), req.body)));

  app.patch('/notification-channels/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateNotificationChannel', tags, params: IdParams, body: z.object({ enabled: z.boolean() }), response: { 200: ChannelSchema, ...errorResponses } },
  }, async (req) => setChannelEnabled(deps, actorOf(req), req.params.id, req.body.enabled));

  app.get('/notification-deliveries', {
    config: { auth: 'user' },
    schema: { operationId: 'listNotificationDeliveries', tags, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }), response: { 200: z.object({ items: z.array(DeliverySchema) }), ...errorResponses } },
  }, async (req) => listDeliveries(deps, actorOf(req), req.query.limit));

  app.get('/notification-preferences', {
    config: { auth: 'user' },
    schema: { operationId: 'getNotificationPreferences', tags, response: { 200: PreferencesSchema, ...errorResponses } },
  }, async (req) => getPreferences(deps, actorOf(req)));

  app.put('/notification-preferences', {
    config: { auth: 'user' },
    schema: { operationId: 'saveNotificationPreferences', tags, body: PreferencesSchema, response: { 200: PreferencesSchema, ...errorResponses } },
  }, async (req) => savePreferences(deps, actorOf(req), req.body));
}
