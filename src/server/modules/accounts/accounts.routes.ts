import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AccountFindingSchema, AccountImportResultSchema, AccountLinkCreateSchema, AccountMappingSchema, AccountSnapshotSchema, AccountSourceCreateSchema,
  AccountSourceSchema, AccountSourceUpdateSchema, AccountsQuerySchema, ApiKeyCreatedSchema, FilePreviewSchema, FindingsQuerySchema, MfaCoverageSchema, MyReviewSchema, PushAccountSchema,
  ReviewCampaignCreateSchema, ReviewCampaignSchema, ReviewDecideSchema, ReviewItemSchema, ReviewItemsQuerySchema, ReviewNoticeSchema,
  RevocationTaskSchema, RevocationTasksQuerySchema, SnapshotDiffSchema, SystemAccountSchema, TickResultSchema,
} from '../../../contracts/accounts.js';
import { errorResponses } from '../../../contracts/common.js';
import type { AppDeps } from '../../core/context.js';
import { UnprocessableError } from '../../core/errors.js';
import { actorOf } from '../../core/http.js';
import { hashCitizenId } from '../org/citizen-id.js';
import { readUpload } from '../org/upload.js';
import { type ImportedAccount, readAccountFile } from './account-file.js';
import {
  createSource, decideLink, diffSnapshots, listFindings, listSnapshots, listSources, mfaCoverage, sourceFor, storeSnapshot,
} from './accounts.service.js';
import { fetchLdapAccounts } from './ldap-import.js';
import { exportFindings, listAccountsView, previewAccountFile, updateSource } from './accounts-views.js';
import { authenticatePush, createApiKey } from './api-key.js';
import {
  closeCurrentStage, createCampaign, decide, getCampaign, listCampaigns, listItems, listTasks, myNotices, myReviews, noteTask, tick,
} from './reviews.service.js';
import { hasPermission } from '../../core/actor.js';
import { ForbiddenError } from '../../core/errors.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['accounts'];

/** Account governance: `/api/v1/account-sources…`, `/api/v1/accounts`, `/api/v1/account-findings`, MFA coverage. */
export async function registerAccounts(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/account-sources', {
    config: { auth: 'user' },
    schema: { operationId: 'listAccountSources', tags, querystring: z.object({ systemId: z.string().max(64) }), response: { 200: z.object({ items: z.array(AccountSourceSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await listSources(deps, actorOf(req), req.query.systemId) }));

  app.post('/account-sources', {
    config: { auth: 'user' },
    schema: { operationId: 'createAccountSource', tags, body: AccountSourceCreateSchema, response: { 201: AccountSourceSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createSource(deps, actorOf(req), req.body)));

  app.post('/account-sources/:id/import', {
    config: { auth: 'user' },
    schema: {
      operationId: 'importAccounts', tags, params: IdParams, consumes: ['multipart/form-data'],
      description: 'CSV/XLSX xuất từ hệ thống, đọc theo ánh xạ cột đã lưu của nguồn. Tất cả hoặc không; tạo một bản chụp và đối soát ngay.',
      response: { 200: AccountImportResultSchema, ...errorResponses },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const { src, sys } = await sourceFor(deps, actor, req.params.id, 'account.import');
    const upload = await readUpload(req);
    const mapping = AccountMappingSchema.safeParse(JSON.parse(src.mapping_json));
    if (!mapping.success) throw new UnprocessableError('account_source.mapping_required', 'Nguồn chưa có ánh xạ cột (cần ít nhất cột tên đăng nhập).');
    const accounts = await readAccountFile(deps.keys, upload, mapping.data);
    return { snapshot: await storeSnapshot(deps, actor, src, sys, accounts, 'file', upload.fileName) };
  });

  app.post('/account-sources/:id/ldap-sync', {
    config: { auth: 'user' },
    schema: { operationId: 'syncLdapAccounts', tags, params: IdParams, response: { 200: AccountImportResultSchema, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    const { src, sys } = await sourceFor(deps, actor, req.params.id, 'account.import');
    if (src.kind !== 'ldap' || !src.ldap_json) throw new UnprocessableError('account_source.not_ldap', 'Nguồn này không phải LDAP.');
    const password = src.ldap_password_enc ? deps.keys.decrypt(src.ldap_password_enc) : '';
    const accounts = await fetchLdapAccounts(JSON.parse(src.ldap_json), password);
    return { snapshot: await storeSnapshot(deps, actor, src, sys, accounts, 'ldap', null) };
  });

  app.post('/account-sources/:id/api-key', {
    config: { auth: 'user' },
    schema: {
      operationId: 'createAccountApiKey', tags, params: IdParams,
      description: 'Tạo (hoặc xoay vòng) khóa API để hệ thống gửi danh sách tài khoản. Khóa chỉ hiển thị một lần; khóa cũ bị thu hồi.',
      response: { 201: ApiKeyCreatedSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await createApiKey(deps, actorOf(req), req.params.id)));

  app.post('/account-sources/:id/push', {
    config: { auth: 'system_key' },
    schema: {
      operationId: 'pushAccounts', tags, params: IdParams,
      description: 'Hệ thống gửi toàn bộ danh sách tài khoản (JSON) với khóa API của nguồn (Authorization: Bearer khk_…); tạo một bản chụp.',
      body: z.object({ accounts: z.array(PushAccountSchema).max(100_000) }), response: { 200: AccountImportResultSchema, ...errorResponses },
    },
  }, async (req) => {
    const { src, sys, who, label } = await authenticatePush(deps, req, req.params.id);
    const seen = new Set<string>();
    const accounts: ImportedAccount[] = [];
    for (const [i, a] of req.body.accounts.entries()) {
      if (seen.has(a.username.toLowerCase())) throw new UnprocessableError('import.invalid', `Tài khoản thứ ${i + 1} ("${a.username}") trùng tên đăng nhập.`, { index: i });
      seen.add(a.username.toLowerCase());
      const last = a.lastLoginAt ? Date.parse(a.lastLoginAt) : null;
      if (last !== null && Number.isNaN(last)) throw new UnprocessableError('import.invalid', `Tài khoản thứ ${i + 1}: lastLoginAt không hợp lệ.`, { index: i });
      accounts.push({
        username: a.username, displayName: a.displayName ?? null, email: a.email?.toLowerCase() ?? null, citizenIdHash: a.citizenId ? hashCitizenId(deps.keys, a.citizenId) : null,
        dateOfBirth: null, unitText: a.unit ?? null, roles: a.roles, privileged: a.privileged, enabled: a.enabled, locked: false,
        lastLoginAt: last === null ? null : new Date(last).toISOString(), mfa: a.mfa ?? null, createdAt: null,
      });
    }
    return { snapshot: await storeSnapshot(deps, who, src, sys, accounts, 'push', null, label) };
  });

  app.get('/account-sources/:id/snapshots', {
    config: { auth: 'user' },
    schema: { operationId: 'listAccountSnapshots', tags, params: IdParams, response: { 200: z.object({ items: z.array(AccountSnapshotSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await listSnapshots(deps, actorOf(req), req.params.id) }));

  app.get('/account-snapshots/:id/diff', {
    config: { auth: 'user' },
    schema: { operationId: 'diffAccountSnapshots', tags, params: IdParams, querystring: z.object({ from: z.string().max(64) }), response: { 200: SnapshotDiffSchema, ...errorResponses } },
  }, async (req) => diffSnapshots(deps, actorOf(req), req.query.from, req.params.id));

  app.get('/accounts', {
    config: { auth: 'user' },
    schema: { operationId: 'listAccounts', tags, querystring: AccountsQuerySchema, response: { 200: z.object({ items: z.array(SystemAccountSchema), total: z.number() }), ...errorResponses } },
  }, async (req) => listAccountsView(deps, actorOf(req), req.query));

  app.patch('/account-sources/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateAccountSource', tags, params: IdParams, body: AccountSourceUpdateSchema, response: { 200: AccountSourceSchema, ...errorResponses } },
  }, async (req) => updateSource(deps, actorOf(req), req.params.id, req.body));

  app.post('/account-files/preview', {
    config: { auth: 'user' },
    schema: {
      operationId: 'previewAccountFile', tags, consumes: ['multipart/form-data'],
      description: 'Đọc tiêu đề và vài dòng đầu của tệp CSV/XLSX để ánh xạ cột; không ghi gì.',
      response: { 200: FilePreviewSchema, ...errorResponses },
    },
  }, async (req) => previewAccountFile(actorOf(req), await readUpload(req)));

  app.get('/account-findings/export', {
    config: { auth: 'user' },
    schema: {
      operationId: 'exportAccountFindings', tags, querystring: FindingsQuerySchema.omit({ page: true, pageSize: true }),
      description: 'Tệp XLSX các phát hiện (tiêu đề tiếng Việt, chống chèn công thức) cho đơn vị phải xử lý.',
      produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      response: { 200: z.unknown().describe('Tệp XLSX'), ...errorResponses },
    },
  }, async (req, reply) => {
    const out = await exportFindings(deps, actorOf(req), req.query);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${out.fileName}"`)
      .send(out.body);
  });

  app.post('/account-links', {
    config: { auth: 'user' },
    schema: { operationId: 'decideAccountLink', tags, body: AccountLinkCreateSchema, response: { 204: z.null(), ...errorResponses } },
  }, async (req, reply) => {
    await decideLink(deps, actorOf(req), req.body);
    return reply.status(204).send(null);
  });

  app.get('/account-findings', {
    config: { auth: 'user' },
    schema: { operationId: 'listAccountFindings', tags, querystring: FindingsQuerySchema, response: { 200: z.object({ items: z.array(AccountFindingSchema), total: z.number() }), ...errorResponses } },
  }, async (req) => listFindings(deps, actorOf(req), req.query));

  app.get('/account-mfa-coverage', {
    config: { auth: 'user' },
    schema: { operationId: 'getAccountMfaCoverage', tags, response: { 200: MfaCoverageSchema, ...errorResponses } },
  }, async (req) => ({ items: await mfaCoverage(deps, actorOf(req)) }));

  // ---- Access review campaigns and revocation tasks ----

  app.get('/review-campaigns', {
    config: { auth: 'user' },
    schema: { operationId: 'listReviewCampaigns', tags, response: { 200: z.object({ items: z.array(ReviewCampaignSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await listCampaigns(deps, actorOf(req)) }));

  app.post('/review-campaigns', {
    config: { auth: 'user' },
    schema: { operationId: 'createReviewCampaign', tags, body: ReviewCampaignCreateSchema, response: { 201: ReviewCampaignSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createCampaign(deps, actorOf(req), req.body)));

  app.get('/review-campaigns/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getReviewCampaign', tags, params: IdParams, response: { 200: ReviewCampaignSchema, ...errorResponses } },
  }, async (req) => getCampaign(deps, actorOf(req), req.params.id));

  app.get('/review-campaigns/:id/items', {
    config: { auth: 'user' },
    schema: { operationId: 'listReviewItems', tags, params: IdParams, querystring: ReviewItemsQuerySchema, response: { 200: z.object({ items: z.array(ReviewItemSchema), total: z.number() }), ...errorResponses } },
  }, async (req) => listItems(deps, actorOf(req), req.params.id, req.query));

  app.post('/review-campaigns/:id/close-stage', {
    config: { auth: 'user' },
    schema: { operationId: 'closeReviewStage', tags, params: IdParams, response: { 200: ReviewCampaignSchema, ...errorResponses } },
  }, async (req) => closeCurrentStage(deps, actorOf(req), req.params.id));

  app.get('/my-reviews', {
    config: { auth: 'user' },
    schema: { operationId: 'listMyReviews', tags, querystring: z.object({ pending: z.enum(['true', 'false']).optional() }), response: { 200: z.object({ items: z.array(MyReviewSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await myReviews(deps, actorOf(req), { pending: req.query.pending === 'true' }) }));

  app.post('/review-assignments/:id/decision', {
    config: { auth: 'user' },
    schema: { operationId: 'decideReview', tags, params: IdParams, body: ReviewDecideSchema, response: { 200: MyReviewSchema, ...errorResponses } },
  }, async (req) => decide(deps, actorOf(req), req.params.id, req.body));

  app.get('/review-notices', {
    config: { auth: 'user' },
    schema: { operationId: 'listReviewNotices', tags, response: { 200: z.object({ items: z.array(ReviewNoticeSchema) }), ...errorResponses } },
  }, async (req) => ({ items: await myNotices(deps, actorOf(req)) }));

  app.post('/review-tick', {
    config: { auth: 'user' },
    schema: { operationId: 'runReviewTick', tags, description: 'Chạy ngay bước nhắc hạn/leo thang (bình thường do bộ lập lịch chạy 10 phút một lần).', response: { 200: TickResultSchema, ...errorResponses } },
  }, async (req) => {
    const actor = actorOf(req);
    if (!hasPermission(actor, 'account.review_manage')) throw new ForbiddenError('auth.forbidden', 'Bạn không có quyền thực hiện thao tác này.', { permission: 'account.review_manage' });
    return tick(deps, actor);
  });

  app.get('/revocation-tasks', {
    config: { auth: 'user' },
    schema: { operationId: 'listRevocationTasks', tags, querystring: RevocationTasksQuerySchema.extend({ personId: z.string().max(64).optional() }), response: { 200: z.object({ items: z.array(RevocationTaskSchema), total: z.number() }), ...errorResponses } },
  }, async (req) => listTasks(deps, actorOf(req), req.query));

  app.patch('/revocation-tasks/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'noteRevocationTask', tags, params: IdParams, body: z.object({ operatorNote: z.string().trim().min(1).max(2000) }), response: { 200: RevocationTaskSchema, ...errorResponses } },
  }, async (req) => noteTask(deps, actorOf(req), req.params.id, req.body.operatorNote));

}
