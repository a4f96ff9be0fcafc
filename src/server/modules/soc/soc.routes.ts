import { syslogAccessSink } from '../access-log/syslog-records.js';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, pageOf } from '../../../contracts/common.js';
import {
  SocAlertDetailSchema, SocAlertQuerySchema, SocAlertSchema, SocAlertUpdateSchema, SocApiKeySchema, SocEventQuerySchema, SocEventSchema, SocIngestResultSchema,
  SocMetricsSchema, SocSourceCreateSchema, SocSourceSchema, SocSourceUpdateSchema,
} from '../../../contracts/soc.js';
import { hasPermission } from '../../core/actor.js';
import type { AppDeps } from '../../core/context.js';
import { AppError, ForbiddenError } from '../../core/errors.js';
import { actorOf } from '../../core/http.js';
import { readUpload } from '../org/upload.js';
import { bulkIngest, createSource, findEvents, getAlert, importFile, listAlerts, listSources, rotateSourceKey, updateAlert, updateSource } from './soc.service.js';
import { SocRuntime, socRuntimeOf } from './soc.runtime.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['soc'];
const MAX_BULK_BYTES = 10 * 1024 * 1024;

/**
 * SOC: `/api/v1/soc/…` — log sources, event search, alert queue and triage, pipeline metrics, and the
 * ingestion endpoints (HTTP NDJSON with a source API key; file import by a signed-in user).
 * The module also owns the process's SOC runtime (spool + pipeline), started when the app is ready.
 */
export async function registerSoc(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  if (deps.config.role !== 'api' && deps.config.role !== 'worker' && !socRuntimeOf(deps.db)) {
    const rt = new SocRuntime(deps, { consume: deps.config.role === 'all' && !deps.config.natsUrl, accessLog: syslogAccessSink(deps) });
    root.addHook('onReady', async () => {
      try {
        await rt.start();
      } catch (err) {
        // `serve` refuses an unmigrated database before this; an app built on one (tests of routes) runs without SOC.
        deps.log.error({ err }, 'soc: the pipeline could not start; ingestion is unavailable');
      }
    });
    root.addHook('onClose', async () => rt.stop());
  }
  const runtime = () => {
    const rt = socRuntimeOf(deps.db);
    if (!rt) throw new AppError('soc.ingest_unavailable', 503, 'Tiến trình này không nhận nhật ký (vai trò api/worker).');
    return rt;
  };

  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], { parseAs: 'string', bodyLimit: MAX_BULK_BYTES }, (_req, body, done) => done(null, body));

  app.post('/soc/ingest/bulk', {
    config: { auth: 'system_key' }, // the source's API key (Authorization: Bearer), checked in the service
    bodyLimit: MAX_BULK_BYTES,
    schema: {
      operationId: 'socBulkIngest', tags, consumes: ['application/x-ndjson'],
      description: 'Nhận sự kiện dạng NDJSON (mỗi dòng một đối tượng JSON: ECS, Winlogbeat, EVTX JSON, Wazuh). Xác thực bằng khoá API của nguồn (Authorization: Bearer). Trả 200 chỉ sau khi đã ghi bền vững.',
      body: z.string(), response: { 200: SocIngestResultSchema, 413: errorResponses[400], 503: errorResponses[400], ...errorResponses },
    },
  }, async (req) => {
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (req.headers['x-api-key'] as string | undefined);
    return bulkIngest(deps, runtime(), key, req.body);
  });

  app.post('/soc/sources/:id/import', {
    config: { auth: 'user' },
    schema: {
      operationId: 'socImportFile', tags, params: IdParams, consumes: ['multipart/form-data'],
      description: 'Nhập tệp nhật ký (JSON lines: ECS/Winlogbeat/EVTX JSON/Wazuh alerts.json; hoặc văn bản: syslog, Apache/Nginx). Tất cả hoặc không.',
      response: { 200: SocIngestResultSchema, 503: errorResponses[400], ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const upload = await readUpload(req);
    const rt = runtime();
    const r = await importFile(deps, rt, actor, req.params.id, upload);
    return r;
  });

  app.get('/soc/sources', {
    config: { auth: 'user' },
    schema: { operationId: 'listSocSources', tags, response: { 200: z.object({ items: z.array(SocSourceSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await listSources(deps, actorOf(req)) }));

  app.post('/soc/sources', {
    config: { auth: 'user' },
    schema: { operationId: 'createSocSource', tags, body: SocSourceCreateSchema, response: { 201: z.object({ source: SocSourceSchema, apiKey: z.string().nullable() }), ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createSource(deps, actorOf(req), req.body)));

  app.patch('/soc/sources/:id', {
    config: { auth: 'user' },
    schema: {
      operationId: 'updateSocSource', tags, params: IdParams, body: SocSourceUpdateSchema,
      description: 'Sửa nguồn nhật ký: tên, hệ thống, tên máy/IP, múi giờ, khai báo mang nhật ký truy cập (cần hệ thống), bật/tắt.',
      response: { 200: SocSourceSchema, ...errorResponses },
    },
  }, async (req) => updateSource(deps, actorOf(req), req.params.id, req.body));

  app.post('/soc/sources/:id/api-key', {
    config: { auth: 'user' },
    schema: { operationId: 'rotateSocSourceKey', tags, params: IdParams, description: 'Cấp khoá API mới (khoá cũ hết hiệu lực ngay; khoá chỉ hiển thị một lần).', response: { 200: SocApiKeySchema, ...errorResponses } },
  }, async (req) => rotateSourceKey(deps, actorOf(req), req.params.id));

  app.get('/soc/events', {
    config: { auth: 'user' },
    schema: { operationId: 'searchSocEvents', tags, querystring: SocEventQuerySchema, response: { 200: pageOf(SocEventSchema), ...errorResponses } },
  }, async (req) => findEvents(deps, actorOf(req), req.query));

  app.get('/soc/alerts', {
    config: { auth: 'user' },
    schema: { operationId: 'listSocAlerts', tags, querystring: SocAlertQuerySchema, response: { 200: pageOf(SocAlertSchema), ...errorResponses } },
  }, async (req) => listAlerts(deps, actorOf(req), req.query));

  app.get('/soc/alerts/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getSocAlert', tags, params: IdParams, response: { 200: SocAlertDetailSchema, ...errorResponses } },
  }, async (req) => getAlert(deps, actorOf(req), req.params.id));

  app.patch('/soc/alerts/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateSocAlert', tags, params: IdParams, body: SocAlertUpdateSchema, response: { 200: SocAlertSchema, ...errorResponses } },
  }, async (req) => updateAlert(deps, actorOf(req), req.params.id, req.body));

  const metricsOf = (req: Parameters<typeof actorOf>[0]) => {
    const actor = actorOf(req);
    if (!hasPermission(actor, 'soc.read')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền xem số liệu SOC.', { permission: 'soc.read' });
    return socRuntimeOf(deps.db);
  };

  app.get('/soc/metrics', {
    config: { auth: 'user' },
    schema: { operationId: 'getSocMetrics', tags, response: { 200: SocMetricsSchema, ...errorResponses } },
  }, async (req) => {
    const rt = metricsOf(req);
    const snap = rt ? rt.metrics.snapshot() : new (await import('./metrics.js')).SocMetrics().snapshot();
    const scaleOut = rt?.scaleOut ? await rt.scaleOut.status().catch(() => undefined) : undefined;
    const mode = deps.config.natsUrl ? 'scale_out' as const : 'single_process' as const;
    return { ...snap, rules: rt?.detection.ruleCount ?? 0, mode, ...(scaleOut ? { scaleOut } : {}) };
  });

  app.get('/soc/metrics/prometheus', {
    config: { auth: 'user' },
    schema: { operationId: 'getSocMetricsPrometheus', tags, response: { 200: z.string(), ...errorResponses } },
  }, async (req, reply) => {
    const rt = metricsOf(req);
    const scaleOut = rt?.scaleOut ? await rt.scaleOut.status().catch(() => undefined) : undefined;
    return reply.type('text/plain; version=0.0.4').send(rt ? rt.metrics.prometheus(scaleOut) : '');
  });
}
