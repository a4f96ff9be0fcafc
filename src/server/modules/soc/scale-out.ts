import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../core/config.js';
import type { Db, DialectName } from '../../db/database.js';
import type { SocRuntime } from './soc.runtime.js';

/** Scale-out over NATS JetStream (roles ingest and worker). */
export async function startPublisher(_rt: SocRuntime, _config: Config, _log: FastifyBaseLogger): Promise<{ stop(): Promise<void> }> {
  throw new Error('scale-out: not built yet');
}

export async function startDetectWorker(_deps: { config: Config; db: Db; dialect: DialectName; log: unknown }): Promise<{ stop(): Promise<void> }> {
  throw new Error('scale-out: not built yet');
}
