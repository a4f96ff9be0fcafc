import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SessionListSchema } from '../../../contracts/auth.js';
import { errorResponses, pageOf } from '../../../contracts/common.js';
import { RoleGrantCreateSchema, UserCreatedSchema, UserCredentialResetSchema, UserCreateSchema, UserSchema, UserUpdateSchema } from '../../../contracts/org.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { addGrant, createUser, getUser, listUserSessions, removeGrant, resetUserCredentials, revokeUserSessions, searchUsers, updateUser } from './user.service.js';

const IdParams = z.object({ id: z.string().max(64) });
const tags = ['users'];

/** Platform users, their sessions and role grants: `/api/v1/users…`. */
export async function registerUserRoutes(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/users', {
    config: { auth: 'user' },
    schema: {
      operationId: 'listUsers', tags,
      querystring: z.object({ q: z.string().max(200).optional(), page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(500).default(50) }),
      response: { 200: pageOf(UserSchema), ...errorResponses },
    },
  }, async (req) => searchUsers(deps, actorOf(req), req.query));

  app.get('/users/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'getUser', tags, params: IdParams, response: { 200: UserSchema, ...errorResponses } },
  }, async (req) => getUser(deps, actorOf(req), req.params.id));

  app.post('/users', {
    config: { auth: 'user' },
    schema: { operationId: 'createUser', tags, body: UserCreateSchema, response: { 201: UserCreatedSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).header('cache-control', 'no-store').send(await createUser(deps, actorOf(req), req.body)));

  app.patch('/users/:id', {
    config: { auth: 'user' },
    schema: { operationId: 'updateUser', tags, params: IdParams, body: UserUpdateSchema, response: { 200: UserSchema, ...errorResponses } },
  }, async (req) => updateUser(deps, actorOf(req), req.params.id, req.body));

  app.post('/users/:id/credentials/reset', {
    config: { auth: 'user' },
    schema: {
      operationId: 'resetUserCredentials', tags, params: IdParams, body: UserCredentialResetSchema,
      description: 'Cấp lại mật khẩu dùng một lần (và tuỳ chọn huỷ các yếu tố xác thực thứ hai) cho một người dùng.',
      response: { 200: UserCreatedSchema, ...errorResponses },
    },
  }, async (req, reply) => reply.header('cache-control', 'no-store').send(await resetUserCredentials(deps, actorOf(req), req.params.id, req.body)));

  app.get('/users/:id/sessions', {
    config: { auth: 'user' },
    schema: { operationId: 'listUserSessions', tags, params: IdParams, response: { 200: SessionListSchema, ...errorResponses } },
  }, async (req) => ({ items: await listUserSessions(deps, actorOf(req), req.params.id) }));

  app.post('/users/:id/sessions/revoke', {
    config: { auth: 'user' },
    schema: { operationId: 'revokeUserSessions', tags, params: IdParams, response: { 200: z.object({ ended: z.number().int() }), ...errorResponses } },
  }, async (req) => revokeUserSessions(deps, actorOf(req), req.params.id));

  app.post('/users/:id/grants', {
    config: { auth: 'user' },
    schema: { operationId: 'createRoleGrant', tags, params: IdParams, body: RoleGrantCreateSchema, response: { 201: UserSchema, ...errorResponses } },
  }, async (req, reply) => reply.status(201).send(await addGrant(deps, actorOf(req), req.params.id, req.body)));

  app.delete('/users/:id/grants/:grantId', {
    config: { auth: 'user' },
    schema: {
      operationId: 'deleteRoleGrant', tags, params: z.object({ id: z.string().max(64), grantId: z.string().max(64) }),
      response: { 200: UserSchema, ...errorResponses },
    },
  }, async (req) => removeGrant(deps, actorOf(req), req.params.id, req.params.grantId));
}
