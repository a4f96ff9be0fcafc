import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../core/context.js';

/** Routes of the auth module (being built). */
export async function registerAuth(_app: FastifyInstance, _deps: AppDeps): Promise<void> {}
