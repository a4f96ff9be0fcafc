import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../core/context.js';

/** Routes of the audit module (being built). */
export async function registerAudit(_app: FastifyInstance, _deps: AppDeps): Promise<void> {}
