import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../core/context.js';
import { registerOrgUnitRoutes } from './org-unit.routes.js';
import { registerPersonRoutes } from './person.routes.js';
import { registerUserRoutes } from './user.routes.js';

/** Routes of the org module: units with lineage, the personnel roster, platform users and role grants. */
export async function registerOrg(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await registerOrgUnitRoutes(app, deps);
  await registerPersonRoutes(app, deps);
  await registerUserRoutes(app, deps);
}
