import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../core/context.js';

/** Routes of the org module (being built). */
export async function registerOrg(_app: FastifyInstance, _deps: AppDeps): Promise<void> {}
