import { join } from 'node:path';
import type { AppDeps } from '../../core/context.js';
import type { Db } from '../../db/database.js';
import { recordRuleHits } from '../rules/rules.service.js';
import { databaseRuleProvider, Detection, type RuleProvider } from './detection.js';
import { purgeExpired } from './events.repository.js';
import { SocMetrics } from './metrics.js';
import { Pipeline, prepare, SpoolConsumer } from './pipeline.js';
import { SourceMap } from './source-map.js';
import { Spool, type SpooledRecord, type SpoolPosition, type SpoolRecord } from './spool.js';

/**
 * The SOC runtime of one process: spool, source map, detection, pipeline and the consumer that feeds it.
 * Created by the SOC module when the app is built (tests get it too), started when the app is ready: it
 * replays the spool from the stored position, then takes new records as they become durable.
 */
export interface SocRuntimeOptions {
  spoolDir?: string;
  ruleProvider?: RuleProvider;
  /** Consume the spool in this process (role all). Off for `ingest` (which publishes to NATS). */
  consume?: boolean;
  recordHits?: (db: Db, counts: Record<string, number>) => Promise<void>;
}

const CHECKPOINT = 'local';
const runtimes = new WeakMap<Db, SocRuntime>();

/** The runtime built for this database handle (one per process). */
export function socRuntimeOf(db: Db): SocRuntime | undefined {
  return runtimes.get(db);
}

export class SocRuntime {
  readonly metrics = new SocMetrics();
  readonly spool: Spool;
  readonly sources = new SourceMap();
  readonly detection: Detection;
  readonly pipeline: Pipeline;
  readonly consumer: SpoolConsumer;
  private timers: NodeJS.Timeout[] = [];
  private started = false;
  private overloadWaiters: Array<() => void> = [];
  /** Extra consumer of durable records (NATS publisher in the ingest role). */
  private forward: ((records: SpooledRecord[]) => void) | null = null;

  constructor(readonly deps: Pick<AppDeps, 'db' | 'dialect' | 'config' | 'log'>, readonly opts: SocRuntimeOptions = {}) {
    this.spool = new Spool(opts.spoolDir ?? join(deps.config.dataDir, 'spool'));
    this.detection = new Detection(opts.ruleProvider ?? databaseRuleProvider());
    this.pipeline = new Pipeline({ db: deps.db, dialect: deps.dialect, detection: this.detection, sources: this.sources, metrics: this.metrics, recordHits: opts.recordHits ?? recordRuleHits, log: deps.log });
    this.consumer = new SpoolConsumer((batch) => this.handleBatch(batch), this.metrics, deps.config.soc.queueHighWater);
    this.consumer.onDrain = () => this.releaseOverload();
    runtimes.set(deps.db, this);
  }

  private async handleBatch(batch: SpooledRecord[]): Promise<void> {
    const prepared = batch.map((r) => prepare(r.rec, this.sources));
    try {
      await this.pipeline.detectAndStore(prepared, { name: CHECKPOINT, pos: batch[batch.length - 1]!.pos });
    } catch (err) {
      this.deps.log.error({ err }, 'soc: storing a batch failed; it stays in the spool and is retried');
      throw err;
    }
    const oldest = batch[batch.length - 1]!.pos;
    if (this.spool.segments()[0]! < oldest.segment) this.spool.prune(oldest);
  }

  /** Open the spool, load sources and rules, replay what the spool holds beyond the stored position. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.spool.open();
    await this.sources.load(this.deps.db);
    await this.detection.refresh(this.deps.db, Date.now(), true);
    if (this.opts.consume !== false) {
      const cp = await this.deps.db.selectFrom('soc_spool_checkpoints').selectAll().where('name', '=', CHECKPOINT).executeTakeFirst();
      const from: SpoolPosition | null = cp ? { segment: cp.segment, offset: cp.offset } : null;
      let chunk: SpooledRecord[] = [];
      for (const r of this.spool.readFrom(from)) {
        chunk.push(r);
        if (chunk.length >= 5000) {
          this.consumer.push(chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) this.consumer.push(chunk);
      this.spool.onDurable = (records) => {
        this.metrics.spooled += records.length;
        // The acknowledgement point, logged at debug level (the crash test reads it to know what was acked).
        this.deps.log.debug({ spooled: this.metrics.spooled }, 'soc: spooled');
        this.consumer.push(records);
        this.forward?.(records);
      };
      this.consumer.start();
    } else {
      this.spool.onDurable = (records) => {
        this.metrics.spooled += records.length;
        this.forward?.(records);
      };
    }
    const reload = setInterval(() => void this.sources.load(this.deps.db).catch((err) => this.deps.log.warn({ err }, 'soc: reloading sources failed')), 30_000);
    const purge = setInterval(() => void this.purge(), 3600_000);
    reload.unref();
    purge.unref();
    this.timers.push(reload, purge);
  }

  /** Forward durable records to another consumer (the NATS publisher). */
  setForward(f: ((records: SpooledRecord[]) => void) | null): void {
    this.forward = f;
  }

  /** Spool records durably; resolves once fsynced (the acknowledgement point). */
  async append(records: SpoolRecord[]): Promise<void> {
    await this.spool.append(records);
  }

  /** Resolves at once, or when the pipeline's queue has drained below half the high-water mark. */
  whenNotOverloaded(): Promise<void> {
    if (!this.consumer.overloaded) return Promise.resolve();
    if (!this.metrics.paused) this.metrics.pauses++;
    this.metrics.paused = true;
    return new Promise((r) => this.overloadWaiters.push(r));
  }

  private releaseOverload(): void {
    if (this.overloadWaiters.length === 0) return;
    this.metrics.paused = false;
    for (const w of this.overloadWaiters.splice(0)) w();
  }

  /** UDP cannot be paused: beyond four times the high-water mark datagrams are dropped (and counted). */
  udpShouldDrop(): boolean {
    return this.consumer.depth >= 4 * this.deps.config.soc.queueHighWater;
  }

  /** Resolves when everything spooled so far is stored (tests, file import, shutdown). */
  async idle(): Promise<void> {
    await this.spool.append([]); // nothing pending in the spool
    while (this.spool['flushing']) await new Promise((r) => setTimeout(r, 2));
    await this.consumer.idle();
  }

  async purge(today = new Date().toISOString().slice(0, 10)): Promise<number> {
    try {
      return await purgeExpired(this.deps.db, this.deps.dialect, today);
    } catch (err) {
      this.deps.log.warn({ err }, 'soc: retention purge failed');
      return 0;
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.spool.close();
    await this.consumer.stop();
    await this.pipeline.flushHits(true);
    runtimes.delete(this.deps.db);
  }
}
