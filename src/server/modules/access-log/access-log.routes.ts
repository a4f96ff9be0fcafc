import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AccessSearchResultSchema, AccessSearchSchema, AlertQuerySchema, AlertUpdateSchema, ApiKeyCreateSchema, ApiKeySchema, EntryProofSchema, IngestReceiptSchema,
  LookupAlertSchema,
} from '../../../contracts/access-log.js';
import { errorResponses, pageOf } from '../../../contracts/common.js';
import type { AppDeps } from '../../core/context.js';
import { ValidationError } from '../../core/errors.js';
import { actorOf, requestMeta } from '../../core/http.js';
import { systemFor } from '../accounts/accounts.policy.js';
import { loadAuditSigner, verifierOf } from '../audit/checkpoint.service.js';
import { auditLogJobFor } from '../audit/merkle.routes.js';
import { readUpload } from '../org/upload.js';
import { parseJsonLines, parseUpload } from './access-log.parse.js';
import { accessRecordProof, searchAccessLogs } from './access-log.service.js';
import { ACCESS_LOG_PURPOSE, authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import { ingestAccessRecords, refuseIfProblems } from './ingest.service.js';
import { analyseAccessLogs, listAlerts, updateAlert } from './lookup-alerts.service.js';
// Registers this module's alert source with the cases module (and, for access-log, the SOC status link).
import './soc-link.js';

/** NDJSON bodies up to 20 MB (≈ 100,000 records); larger exports are sent in parts. */
const NDJSON_LIMIT = 20 * 1024 * 1024;
const Id = z.object({ id: z.string() });

/**
 * Access-log ingestion, search, inclusion proofs and look-up alerts (issue 5 items 4–6) under /api/v1.
 * The ingestion endpoint is authenticated by a per-system API key, not a session.
 */
export async function registerAccessLog(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  // Scoped to this plugin: NDJSON / JSON-lines bodies arrive as raw bytes and are parsed line by line.
  root.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/jsonlines'], { parseAs: 'buffer', bodyLimit: NDJSON_LIMIT }, (_req, body, done) => done(null, body));
  const signer = () => auditLogJobFor(deps.db)?.signer ?? loadAuditSigner(deps.config);

  /** After the durable write: analyse the accounts and days the batch touched (a failure never un-acknowledges). */
  const analyseAfter = async (systemId: string, records: { account: string; occurredAt: string }[]) => {
    if (records.length === 0) return;
    const times = records.map((r) => Date.parse(r.occurredAt));
    try {
      await analyseAccessLogs(deps, { systemId, accounts: records.map((r) => r.account), from: new Date(Math.min(...times)).toISOString(), to: new Date(Math.max(...times)).toISOString() });
    } catch (err) {
      deps.log.error({ err, systemId }, 'look-up analytics failed after ingestion');
    }
  };

  app.post('/access-logs/ingest', {
    config: { auth: 'system_key' }, // the system's API key (Authorization: Bearer), checked below
    bodyLimit: NDJSON_LIMIT,
    schema: {
      operationId: 'ingestAccessLogs', tags: ['access-log'],
      description: 'Hệ thống gửi bản ghi đăng nhập/truy cập/tra cứu dạng NDJSON (mỗi dòng một bản ghi), xác thực bằng khoá API của hệ thống '
        + '(Authorization: Bearer khk_…). Trả lời 200 chỉ sau khi đã ghi bền vững; bất kỳ dòng lỗi nào → 422 kèm số dòng, không ghi gì.',
      response: { 200: IngestReceiptSchema, 413: z.object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }) }), ...errorResponses },
    },
  }, async (req) => {
    const key = await authenticateApiKey(deps, req.headers.authorization, ACCESS_LOG_PURPOSE);
    if (!Buffer.isBuffer(req.body)) throw new ValidationError('access_log.bad_body', 'Cần thân NDJSON (Content-Type: application/x-ndjson).');
    const { records, problems } = parseJsonLines('request', req.body.toString('utf8'));
    refuseIfProblems(problems);
    const { recordIds: _ids, ...receipt } = await ingestAccessRecords(deps, key.system_id, { source: 'api', key, meta: requestMeta(req) }, records);
    await analyseAfter(key.system_id, records);
    return receipt;
  });

  app.post('/systems/:id/access-logs/import', {
    config: { auth: 'user' },
    schema: {
      operationId: 'importAccessLogs', tags: ['access-log'],
      description: 'Nạp tệp nhật ký truy cập (CSV/XLSX có dòng tiêu đề, hoặc JSON lines .jsonl) của một hệ thống; lỗi được báo theo dòng, không ghi gì nếu có lỗi.',
      params: Id, response: { 200: IngestReceiptSchema, 413: z.unknown(), ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    await systemFor(deps.db, actor, req.params.id, 'access_log.write');
    const upload = await readUpload(req);
    const { records, problems } = await parseUpload(upload.fileName, upload.data);
    refuseIfProblems(problems);
    const { recordIds: _ids, ...receipt } = await ingestAccessRecords(deps, req.params.id, { source: 'file', actor, fileName: upload.fileName }, records);
    await analyseAfter(req.params.id, records);
    return receipt;
  });

  app.get('/systems/:id/api-keys', {
    config: { auth: 'user' },
    schema: { operationId: 'listSystemApiKeys', tags: ['access-log'], params: Id, response: { 200: z.object({ items: z.array(ApiKeySchema) }), ...errorResponses } },
  }, async (req) => ({ items: await listApiKeys(deps, actorOf(req), req.params.id) }));

  app.post('/systems/:id/api-keys', {
    config: { auth: 'user' },
    schema: {
      operationId: 'createSystemApiKey', tags: ['access-log'], description: 'Tạo khoá API gửi nhật ký truy cập; khoá chỉ hiển thị một lần.',
      params: Id, body: ApiKeyCreateSchema, response: { 201: z.object({ key: ApiKeySchema, secret: z.string() }), ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await createApiKey(deps, actorOf(req), req.params.id, req.body.name)));

  app.post('/api-keys/:id/revoke', {
    config: { auth: 'user' },
    schema: { operationId: 'revokeSystemApiKey', tags: ['access-log'], params: Id, response: { 200: ApiKeySchema, ...errorResponses } },
  }, async (req) => revokeApiKey(deps, actorOf(req), req.params.id));

  app.post('/access-logs/search', {
    config: { auth: 'user' },
    schema: {
      operationId: 'searchAccessLogs', tags: ['access-log'],
      description: 'Tìm bản ghi truy cập theo cán bộ, tài khoản, hệ thống, CCCD được tra cứu (băm phía máy chủ), thời gian. POST để CCCD không nằm trong URL.',
      body: AccessSearchSchema, response: { 200: AccessSearchResultSchema, ...errorResponses },
    },
  }, async (req) => searchAccessLogs(deps, actorOf(req), req.body));

  app.get('/access-logs/:id/proof', {
    config: { auth: 'user' },
    schema: { operationId: 'getAccessLogProof', tags: ['access-log'], params: Id, response: { 200: EntryProofSchema, ...errorResponses } },
  }, async (req) => accessRecordProof(deps, actorOf(req), req.params.id, verifierOf(signer())));

  app.get('/lookup-alerts', {
    config: { auth: 'user' },
    schema: { operationId: 'listLookupAlerts', tags: ['access-log'], querystring: AlertQuerySchema, response: { 200: pageOf(LookupAlertSchema), ...errorResponses } },
  }, async (req) => listAlerts(deps, actorOf(req), req.query));

  app.patch('/lookup-alerts/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateLookupAlert', tags: ['access-log'], params: Id, body: AlertUpdateSchema, response: { 200: LookupAlertSchema, ...errorResponses } },
  }, async (req) => updateAlert(deps, actorOf(req), req.params.id, req.body));
}
