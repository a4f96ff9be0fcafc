import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../core/context.js';
import { registerAccessLog } from './access-log/access-log.routes.js';
import { registerAccounts } from './accounts/accounts.routes.js';
import { registerAudit } from './audit/audit.routes.js';
import { registerAuth } from './auth/auth.routes.js';
import { registerCases } from './cases/cases.routes.js';
import { registerInventory } from './inventory/inventory.routes.js';
import { registerMerger } from './merger/merger.routes.js';
import { registerOrg } from './org/org.routes.js';
import { registerRules } from './rules/rules.routes.js';
import { registerSoc } from './soc/soc.routes.js';
import { registerVuln } from './vuln/vuln.routes.js';

/** Explicit wiring: each module registers its own routes. Add a module here. */
export async function registerModules(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(async (scope) => registerAuth(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerOrg(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerAudit(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerInventory(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerMerger(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerAccounts(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerRules(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerSoc(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerVuln(scope, deps), { prefix: '/api/v1' });
  await app.register(async (scope) => registerCases(scope, deps), { prefix: '/api/v1' });

  await app.register(async (scope) => registerAccessLog(scope, deps), { prefix: '/api/v1' });
}
