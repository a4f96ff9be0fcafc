import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, OkSchema } from '../../../contracts/common.js';
import {
  RuleBulkEnableSchema,
  RuleBulkResultSchema,
  RuleDetailSchema,
  RuleFacetsSchema,
  RuleFilterInputSchema,
  RuleFilterSchema,
  RulePageSchema,
  RuleQuerySchema,
  RuleSchema,
  RuleUpdateSchema,
} from '../../../contracts/rules.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { addRuleFilter, bulkEnable, getRule, listRules, removeRuleFilter, ruleFacets, setRuleEnabled } from './rules.service.js';

const IdParams = z.object({ id: z.string().max(100) });
const tags = ['rules'];

/** Detection rule management: list/filter, enable/disable (one or in bulk), false-positive filters. */
export async function registerRules(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/rules', {
    config: { auth: 'user' },
    schema: { operationId: 'listRules', tags, querystring: RuleQuerySchema, response: { 200: RulePageSchema, ...errorResponses } },
  }, async (req) => listRules(deps, actorOf(req), req.query));

  app.get('/rules/facets', {
    config: { auth: 'user' },
    schema: { operationId: 'getRuleFacets', tags, response: { 200: RuleFacetsSchema, ...errorResponses } },
  }, async (req) => ruleFacets(deps, actorOf(req)));

  app.get('/rules/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getRule', tags, description: 'Một quy tắc theo mã nội bộ hoặc mã Sigma (id).', params: IdParams, response: { 200: RuleDetailSchema, ...errorResponses } },
  }, async (req) => getRule(deps, actorOf(req), req.params.id));

  app.patch('/rules/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateRule', tags, params: IdParams, body: RuleUpdateSchema, response: { 200: RuleSchema, ...errorResponses } },
  }, async (req) => setRuleEnabled(deps, actorOf(req), req.params.id, req.body.enabled));

  app.post('/rules/bulk-enable', {
    config: { auth: 'user' },
    schema: {
      operationId: 'bulkEnableRules',
      tags,
      description: 'Bật/tắt nhiều quy tắc: theo danh sách mã hoặc theo bộ lọc (nguồn log, mức, trạng thái…).',
      body: RuleBulkEnableSchema,
      response: { 200: RuleBulkResultSchema, ...errorResponses },
    },
  }, async (req) => bulkEnable(deps, actorOf(req), req.body));

  app.post('/rules/:id/filters', {
    config: { auth: 'user' },
    schema: { operationId: 'addRuleFilter', tags, params: IdParams, body: RuleFilterInputSchema, response: { 201: RuleFilterSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await addRuleFilter(deps, actorOf(req), req.params.id, req.body)));

  app.delete('/rules/:id/filters/:filterId', {
    config: { auth: 'user' },
    schema: { operationId: 'removeRuleFilter', tags, params: IdParams.extend({ filterId: z.string().max(64) }), response: { 200: OkSchema, ...errorResponses } },
  }, async (req) => removeRuleFilter(deps, actorOf(req), req.params.id, req.params.filterId));
}
