import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AuditEventSchema, AuditQuerySchema, DashboardSchema } from '../../../contracts/audit.js';
import { errorResponses, pageOf } from '../../../contracts/common.js';
import type { AppDeps } from '../../core/context.js';
import { actorOf } from '../../core/http.js';
import { searchAudit } from './audit.service.js';
import { dashboard } from './dashboard.service.js';
import { registerAuditLog } from './merkle.routes.js';

/** The audit trail API and the dashboard counts. */
export async function registerAudit(root: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/audit-events', {
    config: { auth: 'user' },
    schema: {
      operationId: 'listAuditEvents',
      tags: ['audit'],
      description: 'Nhật ký kiểm toán, mới nhất trước. Lọc: action (tiền tố), outcome, actor (tên đăng nhập), targetId, unitId, from/to.',
      querystring: AuditQuerySchema,
      response: { 200: pageOf(AuditEventSchema), ...errorResponses },
    },
  }, async (req) => searchAudit(deps, actorOf(req), req.query));

  app.get('/dashboard', {
    config: { auth: 'user' },
    schema: { operationId: 'getDashboard', tags: ['dashboard'], response: { 200: DashboardSchema, ...errorResponses } },
  }, async (req) => dashboard(deps, actorOf(req)));

  // The tamper-evident Merkle log over these entries (checkpoints, proofs, witness, sequencer job).
  await registerAuditLog(root, deps);
}
