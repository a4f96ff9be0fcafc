import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, IsoDateSchema, ImportResultSchema } from '../../../contracts/common.js';
import { OrgUnitCreateSchema, OrgUnitMergeSchema, OrgUnitSchema, OrgUnitUpdateSchema, SuccessorSchema } from '../../../contracts/org.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { importUnits } from './org-unit-import.js';
import { ceasedOn, createUnit, getUnit, listVisibleUnits, mergeUnit, successorOf, updateUnit } from './org-unit.service.js';
import { readUpload } from './upload.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['org-units'];

/** Org units with merger lineage: `/api/v1/org-units…`. */
export async function registerOrgUnitRoutes(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/org-units', {
    config: { auth: 'user' },
    schema: {
      operationId: 'listOrgUnits',
      tags,
      querystring: z.object({ includeFormer: z.enum(['true', 'false']).default('false') }),
      response: { 200: z.object({ items: z.array(OrgUnitSchema) }), ...errorResponses },
    },
  }, async (req) => ({ items: await listVisibleUnits(deps, actorOf(req), req.query.includeFormer === 'true') }));

  app.get('/org-units/ceased', {
    config: { auth: 'user' },
    schema: {
      operationId: 'listCeasedOrgUnits',
      tags,
      querystring: z.object({ date: IsoDateSchema }),
      response: { 200: z.object({ items: z.array(OrgUnitSchema) }), ...errorResponses },
    },
  }, async (req) => ({ items: await ceasedOn(deps, actorOf(req), req.query.date) }));

  app.get('/org-units/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getOrgUnit', tags, params: IdParams, response: { 200: OrgUnitSchema, ...errorResponses } },
  }, async (req) => getUnit(deps, actorOf(req), req.params.id));

  app.post('/org-units', {
    config: { auth: 'user' },
    schema: { operationId: 'createOrgUnit', tags, body: OrgUnitCreateSchema, response: { 201: OrgUnitSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createUnit(deps, actorOf(req), req.body)));

  app.patch('/org-units/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateOrgUnit', tags, params: IdParams, body: OrgUnitUpdateSchema, response: { 200: OrgUnitSchema, ...errorResponses } },
  }, async (req) => updateUnit(deps, actorOf(req), req.params.id, req.body));

  app.post('/org-units/:id/merge', {
    config: { auth: 'user' },
    schema: { operationId: 'mergeOrgUnit', tags, params: IdParams, body: OrgUnitMergeSchema, response: { 200: OrgUnitSchema, ...errorResponses } },
  }, async (req) => mergeUnit(deps, actorOf(req), req.params.id, req.body));

  app.get('/org-units/:id/successor', {
    config: { auth: 'user' },
    schema: { operationId: 'getOrgUnitSuccessor', tags, params: IdParams, response: { 200: SuccessorSchema, ...errorResponses } },
  }, async (req) => successorOf(deps, actorOf(req), req.params.id));

  app.post('/org-units/import', {
    config: { auth: 'user' },
    schema: {
      operationId: 'importOrgUnits',
      tags,
      consumes: ['multipart/form-data'],
      description: 'CSV/XLSX: code, name, type, parent_code, valid_from, valid_to, merged_into_code, merged_on, merger_decision. All or nothing.',
      response: { 200: ImportResultSchema, ...errorResponses },
    },
  }, async (req) => importUnits(deps, actorOf(req), await readUpload(req)));
}
