import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import { type NatsClients, type ScaleOutNames } from './nats.js';
import { routeEvent } from './partition.js';
import { prepare } from './pipeline.js';
import type { SocRuntime } from './soc.runtime.js';
import type { SpooledRecord, SpoolPosition } from './spool.js';

/**
 * Role `ingest` with NATS: the spool's consumer publishes instead of storing. Each spooled record is parsed,
 * placed and enriched here (as the local pipeline would), matched against the rules only to learn which
 * correlation groups it feeds, and published to `<prefix>.<partition>` (see partition.ts).
 *
 * Acknowledgement: the sender is acknowledged when the record is durably in the LOCAL SPOOL (fsync), as in
 * the single-process mode — not when JetStream acknowledges. Ingestion therefore goes on while NATS is
 * unreachable (the spool grows, then back-pressure applies as usual). The spool position up to which every
 * record was acknowledged by JetStream (publish ack: stored in the stream) is kept in `nats.checkpoint` beside
 * the spool, written after the acks; after a crash the records past it are published again, and JetStream
 * drops the copies it already has by their Nats-Msg-Id (the event id; duplicate window 10 minutes). The
 * store's unique event id is the second guard.
 */
export interface PublishMessage {
  v: 1;
  /** The normalised event. */
  e: PreparedEventWire['event'];
  pl: PreparedEventWire['placement'];
  r: number;
  /** 1: a correlation-only copy (the event is stored by its primary partition). */
  c?: 1;
  /**
   * The access-log record the event carries (a source declared `accessLog`; modules/access-log/syslog-records.ts),
   * recognised here with the citizen ID already hashed and masked in the event; only on the primary copy. The
   * worker stores it in the transaction of the event (PreparedEvent.accessLog).
   */
  a?: unknown;
}
type PreparedEventWire = ReturnType<typeof prepare>;

const CHECKPOINT_FILE = 'nats.checkpoint';

export class Publisher {
  private readonly file: string;

  constructor(private readonly rt: SocRuntime, private readonly c: NatsClients, private readonly names: ScaleOutNames, private readonly config: Config) {
    this.file = join(rt.spool.dir, CHECKPOINT_FILE);
  }

  /** The stored position (exclusive start of what is still to publish). */
  readCheckpoint(): SpoolPosition | null {
    if (!existsSync(this.file)) return null;
    const o = JSON.parse(readFileSync(this.file, 'utf8')) as SpoolPosition;
    return Number.isInteger(o.segment) && Number.isInteger(o.offset) ? o : null;
  }

  private writeCheckpoint(pos: SpoolPosition): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(pos));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  async start(): Promise<void> {
    await this.rt.consumeWith((batch) => this.publish(batch), this.readCheckpoint());
  }

  /** Publish a batch and wait for every JetStream acknowledgement; throws (the batch is retried) otherwise. */
  async publish(batch: SpooledRecord[]): Promise<void> {
    const { rt, names } = this;
    await rt.detection.refresh(rt.deps.db);
    const acks: Promise<unknown>[] = [];
    for (const r of batch) {
      const p = prepare(r.rec, rt.sources);
      // Access-log records are recognised (and the citizen ID masked) before the event leaves this process.
      const acc = rt.opts.accessLog?.extract(p.event, rt.sources.accessLogSource(p.placement.sourceId)) ?? null;
      const matches = rt.detection.match(p.event);
      const route = routeEvent(p.event, (e, m) => rt.detection.partitionKeys(e, m), matches, names.partitions);
      const id = String(p.event['event.id']);
      route.partitions.forEach((part, i) => {
        const msg: PublishMessage = { v: 1, e: p.event, pl: p.placement, r: p.receivedAt, ...(i > 0 ? { c: 1 as const } : acc ? { a: acc } : {}) };
        acks.push(this.c.js.publish(names.subject(part), JSON.stringify(msg), { msgID: i === 0 ? id : `${id}:${part}`, timeout: 30_000 }));
      });
    }
    const results = await Promise.allSettled(acks);
    const failed = results.find((x) => x.status === 'rejected');
    if (failed) {
      rt.deps.log.warn({ err: (failed as PromiseRejectedResult).reason, batch: batch.length }, 'soc: publishing to NATS failed; the batch is retried');
      throw (failed as PromiseRejectedResult).reason;
    }
    rt.metrics.published += acks.length;
    const last = batch[batch.length - 1]!.pos;
    this.writeCheckpoint(last);
    if (rt.spool.segments()[0]! < last.segment) rt.spool.prune(last);
  }
}
