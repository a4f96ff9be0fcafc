import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { Config } from '../../core/config.js';
import type { Db, DialectName, Tx } from '../../db/database.js';
import { nowIso } from '../../db/columns.js';
import type { Correlator, KhienEvent, RuleMatch } from '../../engines/sigma/index.js';
import { recordRuleHits } from '../rules/rules.service.js';
import { databaseRuleProvider, Detection } from './detection.js';
import { SocMetrics } from './metrics.js';
import { connectNats, ensureStreams, LeaseStore, type NatsClients, scaleOutNames, type ScaleOutNames } from './nats.js';
import { partitionOf } from './partition.js';
import { type AccessLogSink, Pipeline, type PreparedEvent } from './pipeline.js';
import type { PublishMessage } from './publisher.js';
import { SourceMap } from './source-map.js';

/**
 * Role `worker`: detection workers. Each owns some partitions (a lease in the lease stream, renewed every quarter
 * of its TTL) and consumes each owned partition's subject through a durable pull consumer, in stream order:
 * Sigma detection, the partition's own correlator, then events, alerts and the partition's position in one
 * database transaction. Live workers announce themselves (a member key with the same TTL); each aims at
 * ceil(partitions / workers) partitions, releasing extras and taking free or expired ones, so a killed
 * worker's partitions move to the survivors within about one TTL.
 *
 * Exactly-once effects: the position (`soc_partitions.committed_seq`) commits with the events and alerts, so a
 * message is applied once whatever NATS redelivers. Every few seconds (and when the partition goes idle) the
 * correlation windows are saved with the sequence they include (`state_seq`); only then are messages acked
 * and purged from the stream. A new owner loads the windows, replays the messages between `state_seq` and
 * `committed_seq` into them without storing anything, and continues: the same hits as if nobody had died.
 * `epoch` fences a previous owner that is paused rather than dead: its commits match no row and roll back.
 */
const FETCH = 500;
const STATE_EVERY_MS = 5000;
const STATE_EVERY_MESSAGES = 20_000;

export interface WorkerDeps {
  config: Config;
  db: Db;
  dialect: DialectName;
  log: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void; debug: (o: object, m: string) => void };
  /** Stores the access-log records the ingest recognised (message field `a`) with their events, then analyses them. */
  accessLog?: AccessLogSink;
}

/** Counters of one worker, published in its member key (read by the metrics of the ingest/API process). */
export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  at: string;
  partitions: number[];
  /** Messages not yet delivered to this worker, per owned partition. */
  lag: Record<string, number>;
  processed: number;
  stored: number;
  duplicates: number;
  correlations: number;
  alertsOpened: number;
  alertsUpdated: number;
  /** Messages delivered again (to a new owner after a takeover, or after the ack wait). */
  redelivered: number;
  /** Messages replayed into the correlation windows only (already stored by a previous owner). */
  replayed: number;
  takeovers: number;
  fenced: number;
}

class Fenced extends Error {}

export class DetectWorker {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly names: ScaleOutNames;
  readonly detection = new Detection(databaseRuleProvider());
  readonly metrics = new SocMetrics();
  readonly pipeline: Pipeline;
  readonly counters = { processed: 0, redelivered: 0, replayed: 0, takeovers: 0, fenced: 0 };
  private c!: NatsClients;
  private leases!: LeaseStore;
  private readonly runners = new Map<number, PartitionRunner>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private memberRev = 0;

  constructor(readonly deps: WorkerDeps) {
    this.names = scaleOutNames(deps.config);
    this.pipeline = new Pipeline({ db: deps.db, dialect: deps.dialect, detection: this.detection, sources: new SourceMap(), metrics: this.metrics, recordHits: recordRuleHits, log: deps.log, ...(deps.accessLog ? { accessLog: deps.accessLog } : {}) });
  }

  get nats(): NatsClients {
    return this.c;
  }

  async start(): Promise<void> {
    this.c = await connectNats(this.deps.config, `khien-worker-${this.id}`);
    await ensureStreams(this.c.jsm, this.names, this.deps.config);
    this.leases = new LeaseStore(this.c, this.names.leaseStream);
    await this.detection.refresh(this.deps.db, Date.now(), true);
    const every = Math.max(500, (this.deps.config.soc.leaseSeconds * 1000) / 4);
    const loop = () => {
      if (this.stopped) return;
      this.ticking = this.tick().catch((err) => this.deps.log.warn({ err }, 'soc worker: lease round failed')).finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, every);
      });
    };
    loop();
  }

  status(): WorkerStatus {
    const lag: Record<string, number> = {};
    for (const [p, r] of this.runners) lag[p] = r.lag;
    const m = this.metrics;
    return {
      id: this.id, host: hostname(), pid: process.pid, at: nowIso(), partitions: [...this.runners.keys()].sort((a, b) => a - b), lag,
      processed: this.counters.processed, stored: m.stored, duplicates: m.duplicates, correlations: m.correlations, alertsOpened: m.alertsOpened, alertsUpdated: m.alertsUpdated,
      redelivered: this.counters.redelivered, replayed: this.counters.replayed, takeovers: this.counters.takeovers, fenced: this.counters.fenced,
    };
  }

  /** One lease round: heartbeat, renew, then release extras or take free partitions. */
  private tick(): Promise<void> {
    return this.withLeases(() => this.round());
  }

  /** Lease operations one at a time (a renewal and a runner's check must not race on the revision). */
  private leaseChain: Promise<unknown> = Promise.resolve();
  private withLeases<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.leaseChain.then(fn, fn);
    this.leaseChain = next.catch(() => undefined);
    return next;
  }

  /** Whether this worker still holds the runner's partition (read only: renewals stay with the lease round). */
  async confirmLease(r: PartitionRunner): Promise<boolean> {
    const cur = await this.leases.get(this.names.leaseSubject(r.p)).catch(() => undefined);
    if (cur?.value === this.id) return true;
    if (this.runners.get(r.p) === r) this.runners.delete(r.p);
    return false;
  }

  private async round(): Promise<void> {
    const { names, leases } = this;
    // Renewals first and together: a lease round must not outlast the TTL on a busy machine.
    const renewed = await Promise.all([...this.runners].map(async ([p, r]) => [p, r, await leases.renew(names.leaseSubject(p), this.id, r.leaseRev).catch(() => null)] as const));
    for (const [p, r, rev] of renewed) {
      if (rev === null) {
        this.deps.log.warn({ partition: p }, 'soc worker: lease lost; partition given up');
        if (this.runners.get(p) === r) this.runners.delete(p);
        await r.stop(false);
      } else r.leaseRev = rev;
    }
    this.memberRev = await leases.put(names.memberSubject(this.id), JSON.stringify(this.status()));
    const members = (await leases.list(names.memberFilter)).length || 1;
    const target = Math.ceil(names.partitions / members);
    const owned = [...this.runners.keys()].sort((a, b) => b - a);
    for (const p of owned.slice(0, Math.max(0, owned.length - target))) await this.release(p);
    if (this.runners.size >= target) return;
    // Start at a place of our own so that workers starting together try different partitions first.
    const start = partitionOf(this.id, names.partitions);
    for (let i = 0; i < names.partitions && this.runners.size < target && !this.stopped; i++) {
      const p = (start + i) % names.partitions;
      if (this.runners.has(p)) continue;
      const rev = await leases.create(names.leaseSubject(p), this.id);
      if (rev === null) continue;
      const r = new PartitionRunner(this, p, rev);
      this.runners.set(p, r);
      try {
        await r.start();
      } catch (err) {
        this.deps.log.error({ err, partition: p }, 'soc worker: could not take the partition');
        this.runners.delete(p);
        await leases.release(names.leaseSubject(p), r.leaseRev);
      }
    }
  }

  private async release(p: number): Promise<void> {
    const r = this.runners.get(p);
    if (!r) return;
    this.runners.delete(p);
    await r.stop(true);
    await this.leases.release(this.names.leaseSubject(p), r.leaseRev);
    this.deps.log.info({ partition: p }, 'soc worker: partition released');
  }

  /** Finish the batches in flight, save every partition's windows, give the leases up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await this.withLeases(async () => {
      for (const p of [...this.runners.keys()]) await this.release(p);
    });
    await this.pipeline.flushHits(true);
    await this.leases?.release(this.names.memberSubject(this.id), this.memberRev);
    await this.c?.nc.drain().catch(() => undefined);
  }
}

/** One owned partition: claims it in the database, rebuilds its windows, consumes its subject in order. */
class PartitionRunner {
  lag = 0;
  private epoch = 0;
  private committedSeq = 0;
  private stateSeq = 0;
  private stateAt = Date.now();
  private lastSeq = 0;
  private prevDelivered = 0;
  private correlator: Correlator | null = null;
  private correlatorVersion = -1;
  private stopping = false;
  private saveOnStop = true;
  private loop: Promise<void> | null = null;
  private readonly accept: (groupKey: string) => boolean;
  private lastMsg: JsMsg | null = null;
  /** Next delivery sequence of the consumer: a gap means messages were sent that this process never saw. */
  private nextDelivery = 1;

  constructor(private readonly w: DetectWorker, readonly p: number, public leaseRev: number) {
    const n = w.names.partitions;
    this.accept = (key) => partitionOf(key, n) === p;
  }

  private get db(): Db {
    return this.w.deps.db;
  }

  /** Claim (epoch + 1), load the saved windows and position, reset the durable consumer to the saved windows. */
  async start(): Promise<void> {
    const { names, deps } = this.w;
    const stream = names.stream;
    const now = nowIso();
    await this.db.insertInto('soc_partitions')
      .values({ stream, partition: this.p, epoch: 0, owner: null, committed_seq: 0, state_seq: 0, state_json: null, updated_at: now })
      .onConflict((oc) => oc.columns(['stream', 'partition']).doNothing()).execute();
    const row = await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('soc_partitions').set((eb) => ({ epoch: eb('epoch', '+', 1), owner: this.w.id, updated_at: now }))
        .where('stream', '=', stream).where('partition', '=', this.p).execute();
      return tx.selectFrom('soc_partitions').selectAll().where('stream', '=', stream).where('partition', '=', this.p).executeTakeFirstOrThrow();
    });
    this.epoch = Number(row.epoch);
    this.committedSeq = Number(row.committed_seq);
    this.stateSeq = Number(row.state_seq);
    this.lastSeq = this.stateSeq;
    this.nextDelivery = 1;
    this.correlator = null;
    this.ensureCorrelator();
    if (row.state_json) this.correlator!.importState(JSON.parse(row.state_json));
    const jsm = this.w.nats.jsm;
    const name = names.consumer(this.p);
    const old = await jsm.consumers.info(stream, name).catch(() => null);
    this.prevDelivered = old ? old.delivered.stream_seq : 0;
    if (old) await jsm.consumers.delete(stream, name);
    await jsm.consumers.add(stream, {
      durable_name: name,
      filter_subject: names.subject(this.p),
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.stateSeq + 1,
      ack_wait: 60e9,
      max_ack_pending: 100_000,
      max_deliver: -1,
    });
    if (old) this.w.counters.takeovers++;
    deps.log.info({ partition: this.p, epoch: this.epoch, committedSeq: this.committedSeq, stateSeq: this.stateSeq, previouslyDelivered: this.prevDelivered }, 'soc worker: partition taken');
    this.loop = this.run();
  }

  /** The partition's correlator, rebuilt (windows carried over) when the rules changed. */
  private ensureCorrelator(): Correlator {
    const det = this.w.detection;
    if (!this.correlator || this.correlatorVersion !== det.generation) {
      const next = det.newCorrelator();
      if (this.correlator) {
        try {
          next.importState(this.correlator.exportState());
        } catch {
          // incompatible after a rule change: windows start fresh (as in the single-process pipeline)
        }
      }
      this.correlator = next;
      this.correlatorVersion = det.generation;
    }
    return this.correlator!;
  }

  private async run(): Promise<void> {
    const { names, deps } = this.w;
    const consumer = await this.w.nats.js.consumers.get(names.stream, names.consumer(this.p));
    while (!this.stopping) {
      let msgs: JsMsg[] = [];
      try {
        const it = await consumer.fetch({ max_messages: FETCH, expires: 1000 });
        for await (const m of it) msgs.push(m);
        await this.handle(msgs);
      } catch (err) {
        if (this.stopping) break;
        if (err instanceof Fenced) {
          this.w.counters.fenced++;
          deps.log.warn({ partition: this.p }, 'soc worker: the partition was claimed by another worker');
        } else {
          deps.log.warn({ err, partition: this.p }, 'soc worker: batch failed; reloading the partition from its saved state');
          await new Promise((r) => setTimeout(r, 1000));
        }
        // Whatever the correlator saw of this batch was not committed. If the lease is still ours, rebuild the
        // partition from its saved state (as a new owner would) and go on; otherwise leave it to its owner.
        if (this.stopping) break;
        if (!(await this.w.confirmLease(this))) {
          deps.log.warn({ partition: this.p }, 'soc worker: lease no longer held; partition given up');
          this.stopping = true;
          this.saveOnStop = false;
          break;
        }
        try {
          await this.start();
        } catch (e2) {
          deps.log.error({ err: e2, partition: this.p }, 'soc worker: reloading the partition failed; retrying');
          continue;
        }
        return; // start() began a new loop
      }
      msgs = [];
    }
  }

  private async handle(msgs: JsMsg[]): Promise<void> {
    const det = this.w.detection;
    await det.refresh(this.db);
    const corr = this.ensureCorrelator();
    const items: PreparedEvent[] = [];
    let last: JsMsg | null = null;
    for (const m of msgs) {
      // A message delivered but never received (a fetch cut short) would be redelivered only after the ack
      // wait, behind later ones: never skip ahead — reload the partition from its saved state instead.
      if (m.info.deliverySequence !== this.nextDelivery) throw new Error(`partition ${this.p}: delivery ${m.info.deliverySequence}, expected ${this.nextDelivery}`);
      this.nextDelivery++;
      last = m;
      this.lastMsg = m;
      this.lag = m.info.pending;
      if (m.seq <= this.prevDelivered || m.redelivered) this.w.counters.redelivered++;
      if (m.seq <= this.lastSeq) continue; // already applied here (a redelivery after the ack wait)
      this.lastSeq = m.seq;
      if (m.seq <= this.stateSeq) continue; // inside the saved windows
      const msg = m.json<PublishMessage>();
      const ev = msg.e as KhienEvent;
      if (m.seq <= this.committedSeq) {
        // Stored by a previous owner after its last saved windows: replay into the windows only.
        corr.push(ev, det.match(ev), this.accept);
        this.w.counters.replayed++;
        continue;
      }
      items.push({ event: ev, placement: msg.pl, receivedAt: msg.r, ...(msg.c ? { correlationOnly: true } : {}), ...(msg.a && !msg.c ? { accessLog: msg.a } : {}) });
    }
    if (msgs.length === 0) this.lag = 0;
    const idle = msgs.length < FETCH;
    const saveState = this.lastSeq > this.stateSeq && (idle || Date.now() - this.stateAt >= STATE_EVERY_MS || this.lastSeq - this.stateSeq >= STATE_EVERY_MESSAGES);
    const seq = this.lastSeq;
    if (items.length > 0) {
      await this.w.pipeline.detectAndStore(items, null, {
        correlate: (e: KhienEvent, mm: RuleMatch[]) => corr.push(e, mm, this.accept),
        commit: (tx) => this.commit(tx, seq, saveState),
      });
      this.w.counters.processed += items.length;
    } else if (saveState || seq > this.committedSeq) {
      await this.db.transaction().execute((tx) => this.commit(tx, seq, saveState));
    }
    this.committedSeq = Math.max(this.committedSeq, seq);
    if (saveState) {
      this.stateSeq = seq;
      this.stateAt = Date.now();
      // Everything up to here is in the saved windows: ack it (AckAll) and drop it from the stream.
      (last ?? this.lastMsg)?.ack();
      await this.w.nats.jsm.streams.purge(this.w.names.stream, { filter: this.w.names.subject(this.p), seq: seq + 1 }).catch(() => undefined);
    }
  }

  /** The partition's row, first in the batch's transaction: position (and windows), fenced by the epoch. */
  private async commit(tx: Tx, seq: number, saveState: boolean): Promise<void> {
    const r = await tx.updateTable('soc_partitions')
      .set({
        committed_seq: seq,
        updated_at: nowIso(),
        ...(saveState ? { state_seq: seq, state_json: JSON.stringify(this.correlator!.exportState()) } : {}),
      })
      .where('stream', '=', this.w.names.stream).where('partition', '=', this.p).where('epoch', '=', this.epoch)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Fenced(`partition ${this.p}: epoch ${this.epoch} is no longer current`);
  }

  /** Stop consuming; with `save`, first commit the windows so the next owner replays nothing. */
  async stop(save: boolean): Promise<void> {
    this.stopping = true;
    for (let l = this.loop; l; ) {
      await l.catch(() => undefined);
      if (this.loop === l) break;
      l = this.loop;
    }
    if (save && this.saveOnStop && this.lastSeq > this.stateSeq) {
      try {
        await this.handle([]);
      } catch (err) {
        this.w.deps.log.warn({ err, partition: this.p }, 'soc worker: saving the windows at stop failed (the next owner replays)');
      }
    }
  }
}

/** Start a detection worker (role `worker`). */
export async function startWorker(deps: WorkerDeps): Promise<DetectWorker> {
  const w = new DetectWorker(deps);
  await w.start();
  return w;
}
