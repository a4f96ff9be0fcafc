import { join } from 'node:path';
import { sql } from 'kysely';
import type { SocMetrics as SocMetricsWire } from '../../../contracts/soc.js';
import type { AppDeps } from '../../core/context.js';
import type { Db, Tx } from '../../db/database.js';
import { recordRuleHits } from '../rules/rules.service.js';
import { databaseRuleProvider, Detection, type RuleProvider } from './detection.js';
import { purgeExpired } from './events.repository.js';
import { type EventWriter, startSqliteEventWriter } from './event-writer.js';
import { sqliteConnection } from '../../db/database.js';
import { SocMetrics } from './metrics.js';
import { type AccessLogSink, Pipeline, prepare, SpoolConsumer } from './pipeline.js';
import { SourceMap } from './source-map.js';
import { newId } from '../../db/columns.js';
import { Spool, type SpooledRecord, type SpoolMeta, type SpoolPosition, type SpoolRecord } from './spool.js';

/**
 * The SOC runtime of one process: spool, source map, detection, pipeline and the consumer that feeds it.
 * Created by the SOC module when the app is built (tests get it too), started when the app is ready: it
 * replays the spool from the stored position, then takes new records as they become durable.
 */
export interface SocRuntimeOptions {
  spoolDir?: string;
  ruleProvider?: RuleProvider;
  /** Run the local pipeline on the spool (role all without NATS). Off for `ingest`, which publishes to NATS. */
  consume?: boolean;
  recordHits?: (db: Db, counts: Record<string, number>) => Promise<void>;
  /** Access-log records carried by syslog (the access-log module's sink). */
  accessLog?: AccessLogSink;
  /**
   * Store events through a writer thread (event-writer.ts) when the database is a SQLite file (default true;
   * false keeps every write on the main thread).
   */
  writerThread?: boolean;
}

const CHECKPOINT = 'local';
/** `soc_partitions` row (stream, partition 0) of the single-process pipeline's correlation windows. */
const LOCAL_STATE = 'spool:local';
const STATE_EVERY_MS = 5000;
/**
 * Records per pipeline batch (one transaction; larger batches amortise the commit and FTS5's flush). With the
 * writer thread, each batch has a bubble at both ends (the thread waits for the batch's first slice, the main
 * thread for the thread's last one and then commits alerts and position alone): measured 2026-11-26, the main
 * thread waited ≈ 95 ms per batch for the thread's last slices whatever the batch size, so 16,000 halves that
 * per event (issue 6 ingest target, docs/benchmarks.md). Well below KHIEN_SOC_QUEUE_HIGH_WATER (50,000).
 */
const BATCH = 16_000;
/** A spool position as one ordered number (segment numbers stay far below 2^21). */
const encodePos = (p: SpoolPosition): number => p.segment * 2 ** 32 + p.offset;
const decodePos = (n: number): SpoolPosition => ({ segment: Math.floor(n / 2 ** 32), offset: n % 2 ** 32 });
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
  /** What consumes durable records: the local pipeline (role all) or the NATS publisher (role ingest). */
  private handler: (batch: SpooledRecord[]) => Promise<void> = async () => {
    throw new Error('soc: nothing consumes the spool yet');
  };
  private localPipeline = false;
  private stopped = false;
  private lastPos: SpoolPosition | null = null;
  private statePos: SpoolPosition | null = null;
  private writer: EventWriter | null = null;
  private stateSavedAt = 0;
  /** Scale-out status for the metrics (set by the NATS publisher). */
  scaleOut: { status(): Promise<NonNullable<SocMetricsWire['scaleOut']>> } | null = null;

  constructor(readonly deps: Pick<AppDeps, 'db' | 'dialect' | 'config' | 'log'>, readonly opts: SocRuntimeOptions = {}) {
    this.spool = new Spool(opts.spoolDir ?? join(deps.config.dataDir, 'spool'));
    this.detection = new Detection(opts.ruleProvider ?? databaseRuleProvider());
    this.pipeline = new Pipeline({ db: deps.db, dialect: deps.dialect, detection: this.detection, sources: this.sources, metrics: this.metrics, recordHits: opts.recordHits ?? recordRuleHits, log: deps.log, ...(opts.accessLog ? { accessLog: opts.accessLog } : {}) });
    this.consumer = new SpoolConsumer((batch) => this.handler(batch), this.metrics, deps.config.soc.queueHighWater, BATCH);
    this.consumer.onDrain = () => this.releaseOverload();
    runtimes.set(deps.db, this);
  }

  private async handleBatch(batch: SpooledRecord[]): Promise<void> {
    // prepared one by one as the pipeline takes them (an event is garbage as soon as its row is built)
    const sources = this.sources;
    const prepared = (function* () {
      for (const r of batch) yield prepare(r.rec, sources);
    })();
    const pos = batch[batch.length - 1]!.pos;
    // The correlation windows are saved with the batch every few seconds and when the queue is drained, so a
    // restart resumes them instead of starting empty (issue 6: they were lost on restart).
    const saveState = Date.now() - this.stateSavedAt >= STATE_EVERY_MS || this.consumer.depth <= batch.length;
    try {
      await this.pipeline.detectAndStore(prepared, { name: CHECKPOINT, pos }, {
        ...(saveState ? { commit: (tx: Tx) => this.saveState(tx, pos) } : {}),
        ...(this.writer ? { writer: this.writer } : {}),
      });
    } catch (err) {
      this.deps.log.error({ err }, 'soc: storing a batch failed; it stays in the spool and is retried');
      if (this.writer?.failure) {
        // the writer thread is gone: the retry and every later batch store on this thread
        this.deps.log.error({ err: this.writer.failure }, 'soc: the event writer thread failed; events are stored on the main thread from now on');
        void this.writer.close().catch(() => undefined);
        this.writer = null;
      }
      throw err;
    }
    this.lastPos = pos;
    if (saveState) {
      this.statePos = pos;
      this.stateSavedAt = Date.now();
    }
    // Segments before the saved windows' position are no longer needed (the windows are replayed from there).
    const keep = this.statePos ?? pos;
    if (this.spool.segments()[0]! < keep.segment) {
      // Before spool records go, the position stored with them must survive a power loss too: SQLite in WAL mode
      // with synchronous=NORMAL syncs the WAL only at checkpoints ("the WAL file is synchronized before each
      // checkpoint", sqlite.org/pragma.html#pragma_synchronous), so checkpoint first. Once per 64 MiB segment.
      // Through Kysely, so it waits for any transaction holding the connection; if it fails, prune next time.
      let durable = true;
      if (this.deps.dialect === 'sqlite') {
        try {
          // busy: another connection (the writer's checkpointer thread) was checkpointing; nothing was synced here
          const r = await sql<{ busy: number }>`pragma wal_checkpoint(PASSIVE)`.execute(this.deps.db);
          if (r.rows[0]?.busy !== 0) durable = false;
        } catch (err) {
          durable = false;
          this.deps.log.warn({ err }, 'soc: WAL checkpoint before pruning the spool failed; the spool is kept for now');
        }
      }
      if (durable) this.spool.prune(keep);
    }
  }

  /** The single-process pipeline's correlation windows and the spool position they include. */
  private async saveState(tx: Tx | Db, pos: SpoolPosition): Promise<void> {
    const seq = encodePos(pos);
    const now = new Date().toISOString();
    const state = JSON.stringify(this.detection.exportState());
    await tx.insertInto('soc_partitions')
      .values({ stream: LOCAL_STATE, partition: 0, epoch: 0, owner: null, committed_seq: seq, state_seq: seq, state_json: state, updated_at: now })
      .onConflict((oc) => oc.columns(['stream', 'partition']).doUpdateSet({ committed_seq: seq, state_seq: seq, state_json: state, updated_at: now }))
      .execute();
  }

  /** Load the saved windows and replay into them what was stored after they were saved (nothing is stored again). */
  private async restoreState(stored: SpoolPosition | null): Promise<void> {
    const row = await this.deps.db.selectFrom('soc_partitions').selectAll().where('stream', '=', LOCAL_STATE).where('partition', '=', 0).executeTakeFirst();
    if (!row?.state_json) return;
    try {
      this.detection.importState(JSON.parse(row.state_json));
    } catch (err) {
      this.deps.log.warn({ err }, 'soc: saved correlation windows could not be loaded; they start empty');
      return;
    }
    const from = decodePos(Number(row.state_seq));
    this.statePos = from;
    if (!stored) return;
    const until = encodePos(stored);
    let replayed = 0;
    for (const r of this.spool.readFrom(from)) {
      if (encodePos(r.pos) > until) break;
      const p = prepare(r.rec, this.sources);
      this.detection.correlate(p.event, this.detection.match(p.event));
      replayed++;
    }
    this.deps.log.info({ replayed }, 'soc: correlation windows restored');
  }

  /**
   * Open the spool, load sources and rules; in role `all` (without NATS) also start the local pipeline: replay
   * what the spool holds beyond the stored position, then take new records as they become durable.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.spool.open();
    await this.sources.load(this.deps.db);
    await this.detection.refresh(this.deps.db, Date.now(), true);
    this.spool.onDurable = (records) => {
      this.metrics.spooled += records.length;
    };
    if (this.opts.consume !== false) {
      const cp = await this.deps.db.selectFrom('soc_spool_checkpoints').selectAll().where('name', '=', CHECKPOINT).executeTakeFirst();
      const stored = cp ? { segment: cp.segment, offset: cp.offset } : null;
      await this.restoreState(stored);
      this.localPipeline = true;
      const conn = sqliteConnection(this.deps.db);
      if (conn && !conn.memory && this.opts.writerThread !== false) this.writer = startSqliteEventWriter(conn.name, conn);
      await this.consumeWith((batch) => this.handleBatch(batch), stored);
    }
    const reload = setInterval(() => void this.sources.load(this.deps.db).catch((err) => this.deps.log.warn({ err }, 'soc: reloading sources failed')), 30_000);
    const purge = setInterval(() => void this.purge(), 3600_000);
    reload.unref();
    purge.unref();
    this.timers.push(reload, purge);
  }

  /**
   * Consume the spool with `handler` from `from` (exclusive; null: from the start): what the spool already holds,
   * then every record as it becomes durable, in order. The local pipeline uses it (role all), the NATS publisher
   * (role ingest) too. A batch whose handler throws stays queued and is retried.
   */
  async consumeWith(handler: (batch: SpooledRecord[]) => Promise<void>, from: SpoolPosition | null): Promise<void> {
    this.handler = handler;
    // No flush may complete between reading the spool and attaching to it (it would be seen twice).
    while (this.spool['flushing']) await new Promise((r) => setTimeout(r, 2));
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
    };
    this.consumer.start();
  }

  /** Spool records durably; resolves once fsynced (the acknowledgement point). */
  async append(records: SpoolRecord[]): Promise<void> {
    await this.spool.append(records);
  }

  /** Spool the frames of one stream read durably, each a record with a new id; resolves once fsynced. */
  async appendFrames(meta: SpoolMeta, frames: readonly Buffer[]): Promise<void> {
    await this.spool.appendFrames(meta, frames, newId);
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
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.spool.close();
    await this.consumer.stop();
    if (this.localPipeline && this.lastPos && this.lastPos !== this.statePos) {
      await this.saveState(this.deps.db, this.lastPos).catch((err) => this.deps.log.warn({ err }, 'soc: saving the correlation windows at stop failed'));
    }
    await this.pipeline.flushHits(true);
    await this.writer?.close();
    runtimes.delete(this.deps.db);
  }
}
