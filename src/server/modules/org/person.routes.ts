import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, ImportResultSchema } from '../../../contracts/common.js';
import {
  PeopleExportQuerySchema, PeopleQuerySchema, PersonCreateSchema, PersonHistoryEntrySchema, PersonPageSchema, PersonSchema, PersonStatusChangeSchema, PersonUpdateSchema,
} from '../../../contracts/org.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { exportPeople } from './person-export.js';
import { importPeople } from './person-import.js';
import { changeStatus, createPerson, getPerson, personHistory, searchPeople, updatePerson } from './person.service.js';
import { readUpload } from './upload.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['people'];

/** The personnel roster: `/api/v1/people…`. */
export async function registerPersonRoutes(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/people', {
    config: { auth: 'user' },
    schema: { operationId: 'listPeople', tags, querystring: PeopleQuerySchema, response: { 200: PersonPageSchema, ...errorResponses } },
  }, async (req) => searchPeople(deps, actorOf(req), req.query));

  app.get('/people/export', {
    config: { auth: 'user' },
    schema: {
      operationId: 'exportPeople',
      tags,
      querystring: PeopleExportQuerySchema,
      produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      response: { 200: z.unknown().describe('Tệp CSV (UTF-8 có BOM) hoặc XLSX'), ...errorResponses },
    },
  }, async (req, reply) => {
    const { format, ...filter } = req.query;
    const out = await exportPeople(deps, actorOf(req), format, filter);
    return reply
      .header('content-type', out.contentType)
      .header('content-disposition', `attachment; filename="${out.fileName}"`)
      .header('cache-control', 'no-store')
      .send(out.body);
  });

  app.post('/people/import', {
    config: { auth: 'user' },
    schema: {
      operationId: 'importPeople',
      tags,
      consumes: ['multipart/form-data'],
      description: 'CSV/XLSX; tiêu đề cột tiếng Việt hoặc tiếng Anh (ho_ten/full_name, cccd/citizen_id, …). Tất cả hoặc không.',
      response: { 200: ImportResultSchema, ...errorResponses },
    },
  }, async (req) => importPeople(deps, actorOf(req), await readUpload(req)));

  app.get('/people/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getPerson', tags, params: IdParams, response: { 200: PersonSchema, ...errorResponses } },
  }, async (req) => getPerson(deps, actorOf(req), req.params.id));

  app.post('/people', {
    config: { auth: 'user' },
    schema: { operationId: 'createPerson', tags, body: PersonCreateSchema, response: { 201: PersonSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await createPerson(deps, actorOf(req), req.body)));

  app.patch('/people/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updatePerson', tags, params: IdParams, body: PersonUpdateSchema, response: { 200: PersonSchema, ...errorResponses } },
  }, async (req) => updatePerson(deps, actorOf(req), req.params.id, req.body));

  app.post('/people/:id/status', {
    config: { auth: 'user' },
    schema: { operationId: 'changePersonStatus', tags, params: IdParams, body: PersonStatusChangeSchema, response: { 200: PersonSchema, ...errorResponses } },
  }, async (req) => changeStatus(deps, actorOf(req), req.params.id, req.body));

  app.get('/people/:id/history', {
    config: { auth: 'user' },
    schema: {
      operationId: 'getPersonHistory', tags, params: IdParams,
      response: { 200: z.object({ items: z.array(PersonHistoryEntrySchema) }), ...errorResponses },
    },
  }, async (req) => ({ items: await personHistory(deps, actorOf(req), req.params.id) }));
}
