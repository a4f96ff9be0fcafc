import type { FastifyBaseLogger } from 'fastify';
import type { SocMetrics } from '../../../contracts/soc.js';
import type { Config } from '../../core/config.js';
import { connectNats, ensureStreams, LeaseStore, type NatsClients, scaleOutNames, type ScaleOutNames } from './nats.js';
import { Publisher } from './publisher.js';
import type { SocRuntime } from './soc.runtime.js';
import { startWorker, type WorkerDeps, type WorkerStatus } from './worker.js';

/**
 * Scale-out over NATS JetStream (issue 6 item 7), entry points of the roles:
 * - `ingest`: listeners, HTTP, spool as in role `all`; the spool's consumer publishes parsed events to
 *   `<prefix>.<partition>` (publisher.ts) instead of storing them.
 * - `worker`: no HTTP; owns partitions, detects, correlates and stores (worker.ts).
 * - `all` with KHIEN_NATS_URL: both in one process (a worker among others).
 * Design and failure handling: docs/architecture.md "SOC scale-out".
 */
export async function startPublisher(rt: SocRuntime, config: Config, log: FastifyBaseLogger): Promise<{ stop(): Promise<void> }> {
  const names = scaleOutNames(config);
  const c = await connectNats(config, 'khien-ingest');
  await ensureStreams(c.jsm, names, config);
  const pub = new Publisher(rt, c, names, config);
  await pub.start();
  const leases = new LeaseStore(c, names.leaseStream);
  rt.scaleOut = { status: () => scaleOutStatus(c, leases, names) };
  log.info({ stream: names.stream, partitions: names.partitions }, 'soc: publishing parsed events to NATS JetStream');
  return {
    async stop() {
      rt.scaleOut = null;
      await rt.consumer.stop(); // the batch in flight is published (or stays in the spool)
      await c.nc.drain().catch(() => undefined);
    },
  };
}

export async function startDetectWorker(deps: WorkerDeps): Promise<{ stop(): Promise<void> }> {
  const w = await startWorker(deps);
  return { stop: () => w.stop() };
}

/** Partitions, owners and lag (consumer info), and the live workers' counters (their member keys). */
export async function scaleOutStatus(c: NatsClients, leases: LeaseStore, names: ScaleOutNames): Promise<NonNullable<SocMetrics['scaleOut']>> {
  const workers = (await leases.list(names.memberFilter)).map((v) => JSON.parse(v) as WorkerStatus);
  const partitionOwners: { partition: number; owner: string | null; lag: number }[] = [];
  for (let p = 0; p < names.partitions; p++) {
    const owner = (await leases.get(names.leaseSubject(p)).catch(() => undefined))?.value ?? null;
    const ci = await c.jsm.consumers.info(names.stream, names.consumer(p)).catch(() => null);
    // Not yet delivered to the owner; with no consumer yet, everything published to the partition waits.
    let lag = ci ? ci.num_pending : 0;
    if (!ci) {
      const si = await c.jsm.streams.info(names.stream, { subjects_filter: names.subject(p) }).catch(() => null);
      lag = si?.state.subjects?.[names.subject(p)] ?? 0;
    }
    partitionOwners.push({ partition: p, owner, lag });
  }
  return {
    stream: names.stream,
    partitions: names.partitions,
    lag: partitionOwners.reduce((a, b) => a + b.lag, 0),
    redelivered: workers.reduce((a, w) => a + w.redelivered, 0),
    unowned: partitionOwners.filter((p) => !p.owner).length,
    partitionOwners,
    workers: workers.map((w) => ({
      id: w.id, host: w.host, at: w.at, partitions: w.partitions, processed: w.processed, stored: w.stored, duplicates: w.duplicates,
      correlations: w.correlations, redelivered: w.redelivered, replayed: w.replayed, takeovers: w.takeovers, fenced: w.fenced,
    })),
  };
}
