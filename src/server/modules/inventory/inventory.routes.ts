import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, OkSchema } from '../../../contracts/common.js';
import {
  AssetCreateSchema, AssetPageSchema, AssetQuerySchema, AssetSchema, AssetUpdateSchema, InventoryImportResultSchema, InventorySummarySchema, LevelDecisionInputSchema, LevelPreviewInputSchema, LevelPreviewSchema,
  SystemCreateSchema, SystemDetailSchema, SystemPageSchema, SystemQuerySchema, SystemSchema, SystemUpdateSchema,
} from '../../../contracts/inventory.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { readUpload } from '../org/upload.js';
import { createAsset, deleteAsset, getAsset, searchAssets, updateAsset } from './asset.service.js';
import { exportInventory, importInventory } from './inventory-excel.js';
import { inventorySummary } from './summary.service.js';
import { createSystem, decideLevel, deleteSystem, getSystemDetail, previewLevel, searchSystems, updateSystem } from './system.service.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['inventory'];

/** The catalogue of information systems, their levels, assets, dashboard counts and the Excel round trip. */
export async function registerInventory(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/systems', {
    config: { auth: 'user' },
    schema: { operationId: 'listSystems', tags, querystring: SystemQuerySchema, response: { 200: SystemPageSchema, ...errorResponses } },
  }, async (req) => searchSystems(deps, actorOf(req), req.query));

  app.post('/systems', {
    config: { auth: 'user' },
    schema: { operationId: 'createSystem', tags, body: SystemCreateSchema, response: { 201: SystemSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createSystem(deps, actorOf(req), req.body)));

  app.get('/systems/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getSystem', tags, params: IdParams, response: { 200: SystemDetailSchema, ...errorResponses } },
  }, async (req) => getSystemDetail(deps, actorOf(req), req.params.id));

  app.patch('/systems/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateSystem', tags, params: IdParams, body: SystemUpdateSchema, response: { 200: SystemSchema, ...errorResponses } },
  }, async (req) => updateSystem(deps, actorOf(req), req.params.id, req.body));

  app.delete('/systems/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'deleteSystem', tags, params: IdParams, response: { 200: OkSchema, ...errorResponses } },
  }, async (req) => {
    await deleteSystem(deps, actorOf(req), req.params.id);
    return { ok: true as const };
  });

  app.post('/systems/:id/level-decision', {
    config: { auth: 'user' },
    schema: {
      operationId: 'decideSystemLevel',
      tags,
      description: 'Xác nhận cấp độ đề xuất (NĐ 331/2026) hoặc chọn cấp độ khác kèm lý do (≥ 20 ký tự).',
      params: IdParams,
      body: LevelDecisionInputSchema,
      response: { 200: SystemDetailSchema, ...errorResponses },
    },
  }, async (req) => decideLevel(deps, actorOf(req), req.params.id, req.body));

  app.post('/systems/level-preview', {
    config: { auth: 'user' },
    schema: {
      operationId: 'previewSystemLevel',
      tags,
      description: 'Cấp độ đề xuất (NĐ 331/2026 và NĐ 85/2016) kèm lý do cho các thông tin chưa lưu.',
      body: LevelPreviewInputSchema,
      response: { 200: LevelPreviewSchema, ...errorResponses },
    },
  }, async (req) => previewLevel(actorOf(req), req.body));

  app.get('/assets', {
    config: { auth: 'user' },
    schema: { operationId: 'listAssets', tags, querystring: AssetQuerySchema, response: { 200: AssetPageSchema, ...errorResponses } },
  }, async (req) => searchAssets(deps, actorOf(req), req.query));

  app.post('/assets', {
    config: { auth: 'user' },
    schema: { operationId: 'createAsset', tags, body: AssetCreateSchema, response: { 201: AssetSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createAsset(deps, actorOf(req), req.body)));

  app.get('/assets/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getAsset', tags, params: IdParams, response: { 200: AssetSchema, ...errorResponses } },
  }, async (req) => getAsset(deps, actorOf(req), req.params.id));

  app.patch('/assets/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateAsset', tags, params: IdParams, body: AssetUpdateSchema, response: { 200: AssetSchema, ...errorResponses } },
  }, async (req) => updateAsset(deps, actorOf(req), req.params.id, req.body));

  app.delete('/assets/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'deleteAsset', tags, params: IdParams, response: { 200: OkSchema, ...errorResponses } },
  }, async (req) => {
    await deleteAsset(deps, actorOf(req), req.params.id);
    return { ok: true as const };
  });

  app.get('/inventory/summary', {
    config: { auth: 'user' },
    schema: { operationId: 'getInventorySummary', tags, response: { 200: InventorySummarySchema, ...errorResponses } },
  }, async (req) => inventorySummary(deps, actorOf(req)));

  app.get('/inventory/export', {
    config: { auth: 'user' },
    schema: {
      operationId: 'exportInventory',
      tags,
      description: 'Tệp XLSX: trang "Hệ thống" và "Tài sản", tiêu đề tiếng Việt, cột "Mã định danh" để nhập lại.',
      produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      response: { 200: z.unknown().describe('Tệp XLSX'), ...errorResponses },
    },
  }, async (req, reply) => {
    const out = await exportInventory(deps, actorOf(req));
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${out.fileName}"`)
      .send(out.body);
  });

  app.post('/inventory/import', {
    config: { auth: 'user' },
    schema: {
      operationId: 'importInventory',
      tags,
      consumes: ['multipart/form-data'],
      description: 'XLSX theo mẫu xuất: dòng có Mã định danh cập nhật, dòng không có tạo mới; ô trống giữ nguyên giá trị cũ; không xoá. Có lỗi thì không ghi gì (422 import.invalid).',
      response: { 200: InventoryImportResultSchema, ...errorResponses },
    },
  }, async (req) => importInventory(deps, actorOf(req), await readUpload(req)));
}
