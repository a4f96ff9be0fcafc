import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBodySchema, errorResponses } from '../../../contracts/common.js';
import {
  MaintenanceWindowCreateSchema, MaintenanceWindowListSchema, MaintenanceWindowSchema, MergerPlanInputSchema, MergerPlanPageSchema, MergerPlanQuerySchema, MergerPlanSchema,
  MergerTaskCreateSchema, MergerTaskSchema, MergerTaskUpdateSchema, OutageCreateSchema, OutageSchema, OutageUpdateSchema,
  OutageListQuerySchema, OutageListSchema, ReconciliationAttachSchema, ReconciliationSchema, SystemMergerSchema, WindowListQuerySchema,
} from '../../../contracts/merger.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { attachReconciliation, changeTask, taskContext, createTask, listTaskReconciliations, searchPlans, systemMerger, upsertPlan } from './merger.service.js';
import { readReconcileUpload, runUploadedReconciliation } from './reconcile-run.js';
import { changeOutage, createWindow, listOutages, listWindows, recordOutage } from './outage.service.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['merger'];

/** The merger plan: per-system plans, tasks, maintenance windows, outages and reconciliation results. */
export async function registerMerger(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/merger-plans', {
    config: { auth: 'user' },
    schema: { operationId: 'listMergerPlans', tags, querystring: MergerPlanQuerySchema, response: { 200: MergerPlanPageSchema, ...errorResponses } },
  }, async (req) => searchPlans(deps, actorOf(req), req.query));

  app.get('/systems/:id/merger', {
    config: { auth: 'user' },
    schema: { operationId: 'getSystemMerger', tags, params: IdParams, response: { 200: SystemMergerSchema, ...errorResponses } },
  }, async (req) => systemMerger(deps, actorOf(req), req.params.id));

  app.put('/systems/:id/merger-plan', {
    config: { auth: 'user' },
    schema: { operationId: 'putSystemMergerPlan', tags, params: IdParams, body: MergerPlanInputSchema, response: { 200: MergerPlanSchema, ...errorResponses } },
  }, async (req) => upsertPlan(deps, actorOf(req), req.params.id, req.body));

  app.post('/merger-plans/:id/tasks', {
    config: { auth: 'user' },
    schema: { operationId: 'createMergerTask', tags, params: IdParams, body: MergerTaskCreateSchema, response: { 201: MergerTaskSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createTask(deps, actorOf(req), req.params.id, req.body)));

  app.patch('/merger-tasks/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateMergerTask', tags, params: IdParams, body: MergerTaskUpdateSchema, response: { 200: MergerTaskSchema, ...errorResponses } },
  }, async (req) => changeTask(deps, actorOf(req), req.params.id, req.body));

  app.get('/merger-tasks/:id/reconciliations', {
    config: { auth: 'user' },
    schema: { operationId: 'listMergerTaskReconciliations', tags, params: IdParams, response: { 200: z.object({ items: z.array(ReconciliationSchema) }), ...errorResponses } },
  }, async (req) => listTaskReconciliations(deps, actorOf(req), req.params.id));

  app.post('/merger-tasks/:id/reconciliations', {
    config: { auth: 'user' },
    schema: {
      operationId: 'attachMergerTaskReconciliation',
      tags,
      description: 'Đính kèm kết quả đối soát dữ liệu (khien reconcile) làm minh chứng cho công việc.',
      params: IdParams,
      body: ReconciliationAttachSchema,
      response: { 201: ReconciliationSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await attachReconciliation(deps, actorOf(req), req.params.id, req.body)));

  app.post('/merger-tasks/:id/reconciliations/run', {
    config: { auth: 'user' },
    schema: {
      operationId: 'runMergerTaskReconciliation',
      tags,
      description:
        'Đối soát hai tệp xuất dữ liệu (CSV/XLSX; multipart: tệp source, target; trường key, columns phân tách bằng dấu phẩy) và đính kèm kết quả vào công việc.',
      params: IdParams,
      response: { 201: ReconciliationSchema, 413: ErrorBodySchema, ...errorResponses },
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    await taskContext(deps, actor, req.params.id); // refuse before reading the uploads
    return reply.status(201).send(await runUploadedReconciliation(deps, actor, req.params.id, await readReconcileUpload(req)));
  });

  app.get('/maintenance-windows', {
    config: { auth: 'user' },
    schema: { operationId: 'listMaintenanceWindows', tags, querystring: WindowListQuerySchema, response: { 200: MaintenanceWindowListSchema, ...errorResponses } },
  }, async (req) => listWindows(deps, actorOf(req), req.query));

  app.post('/maintenance-windows', {
    config: { auth: 'user' },
    schema: { operationId: 'createMaintenanceWindow', tags, body: MaintenanceWindowCreateSchema, response: { 201: MaintenanceWindowSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createWindow(deps, actorOf(req), req.body)));

  app.get('/outages', {
    config: { auth: 'user' },
    schema: {
      operationId: 'listOutages',
      tags,
      description: 'Sự cố ngừng của một hệ thống; không có systemId: của mọi hệ thống trong phạm vi, mới nhất trước, theo trang.',
      querystring: OutageListQuerySchema,
      response: { 200: OutageListSchema, ...errorResponses },
    },
  }, async (req) => listOutages(deps, actorOf(req), { ...req.query, planned: req.query.planned === undefined ? undefined : req.query.planned === 'true' }));

  app.post('/outages', {
    config: { auth: 'user' },
    schema: {
      operationId: 'recordOutage',
      tags,
      description: 'Ghi nhận hệ thống ngừng hoạt động; ngoài khung bảo trì đã lập thì bị đánh dấu là ngừng ngoài kế hoạch (planned=false).',
      body: OutageCreateSchema,
      response: { 201: OutageSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await recordOutage(deps, actorOf(req), req.body)));

  app.patch('/outages/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateOutage', tags, params: IdParams, body: OutageUpdateSchema, response: { 200: OutageSchema, ...errorResponses } },
  }, async (req) => changeOutage(deps, actorOf(req), req.params.id, req.body));
}
