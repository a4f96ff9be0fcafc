import { headers, type NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { DiscardPolicy, type JetStreamClient, type JetStreamManager, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Config } from '../../core/config.js';

/**
 * NATS JetStream plumbing of the SOC scale-out: names, the events stream and a small lease store.
 *
 * The lease store is a JetStream stream used the way NATS KV buckets are (one message per key, `max_age` as
 * the TTL, compare-and-set through `Nats-Expected-Last-Subject-Sequence`): the KV client package is not a
 * dependency of Khiên, and these four operations are all the scale-out needs.
 */
export interface ScaleOutNames {
  stream: string;
  subjectPrefix: string;
  partitions: number;
  leaseStream: string;
  subject(p: number): string;
  consumer(p: number): string;
  leaseSubject(p: number): string;
  memberSubject(id: string): string;
  memberFilter: string;
}

export function scaleOutNames(config: Config): ScaleOutNames {
  const { stream, subjectPrefix } = config.nats;
  const leaseStream = `${stream}_LEASES`;
  return {
    stream,
    subjectPrefix,
    partitions: config.soc.partitions,
    leaseStream,
    subject: (p) => `${subjectPrefix}.${p}`,
    consumer: (p) => `khien-detect-p${p}`,
    leaseSubject: (p) => `$KV.${leaseStream}.p.${p}`,
    memberSubject: (id) => `$KV.${leaseStream}.w.${id.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    memberFilter: `$KV.${leaseStream}.w.*`,
  };
}

export interface NatsClients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** Connect (reconnecting forever: a NATS restart pauses the scale-out, it does not end it). */
export async function connectNats(config: Config, name: string): Promise<NatsClients> {
  if (!config.natsUrl) throw new Error('KHIEN_NATS_URL is not set');
  const nc = await connect({ servers: config.natsUrl.split(',').map((s) => s.trim()), name, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  return { nc, js: jetstream(nc, { timeout: 10_000 }), jsm: await jetstreamManager(nc, { timeout: 10_000 }) };
}

/** Create the events stream and the lease stream when missing (idempotent; every role calls it at start). */
export async function ensureStreams(jsm: JetStreamManager, names: ScaleOutNames, config: Config): Promise<void> {
  const ttlNs = config.soc.leaseSeconds * 1e9;
  const events = {
    name: names.stream,
    subjects: [`${names.subjectPrefix}.*`],
    retention: RetentionPolicy.Limits, // workers purge what their checkpoints cover; max_age is the backstop
    storage: StorageType.File,
    max_age: config.nats.maxAgeHours * 3600e9,
    duplicate_window: 10 * 60e9, // Nats-Msg-Id = event id: a batch re-published after an ingest restart is stored once
    discard: DiscardPolicy.Old,
  };
  const leases = {
    name: names.leaseStream,
    subjects: [`$KV.${names.leaseStream}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs_per_subject: 1,
    max_age: ttlNs,
    duplicate_window: ttlNs,
    allow_direct: true,
    discard: DiscardPolicy.New,
  };
  for (const cfg of [events, leases]) {
    try {
      await jsm.streams.add(cfg);
    } catch (err) {
      const info = await jsm.streams.info(cfg.name).catch(() => null);
      if (!info) throw err;
      // Exists (another process made it, or an earlier version): keep its data, align the limits.
      if (info.config.max_age !== cfg.max_age) await jsm.streams.update(cfg.name, { ...info.config, max_age: cfg.max_age, duplicate_window: Math.min(cfg.duplicate_window, cfg.max_age) });
    }
  }
}

const OP = 'KV-Operation';

/** A lease: one key in the lease stream; its revision (stream sequence) is what renewals compare against. */
export class LeaseStore {
  constructor(private readonly c: NatsClients, private readonly stream: string) {}

  /** Current value of a key (undefined when absent, expired or released). */
  async get(subject: string): Promise<{ rev: number; value: string } | undefined> {
    const m = await this.c.jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    if (!m || m.header?.get(OP)) return undefined;
    return { rev: m.seq, value: m.string() };
  }

  /** Take a free key; its revision, or null when someone holds it. */
  async create(subject: string, value: string): Promise<number | null> {
    const m = await this.c.jsm.streams.getMessage(this.stream, { last_by_subj: subject });
    if (m && !m.header?.get(OP)) return null;
    return this.cas(subject, value, m ? m.seq : 0);
  }

  /** Renew a held key; the new revision, or null when it expired or someone else took it. */
  renew(subject: string, value: string, rev: number): Promise<number | null> {
    return this.cas(subject, value, rev);
  }

  /** Overwrite unconditionally (member heartbeats). */
  async put(subject: string, value: string): Promise<number> {
    return (await this.c.js.publish(subject, value)).seq;
  }

  /** Give a held key up (a tombstone, if it is still ours). */
  async release(subject: string, rev: number): Promise<void> {
    const h = headers();
    h.set(OP, 'DEL');
    await this.c.js.publish(subject, '', { headers: h, expect: { lastSubjectSequence: rev } }).catch(() => undefined);
  }

  /** Live values of the keys under a filter (`$KV.<bucket>.w.*`). */
  async list(filter: string): Promise<string[]> {
    const info = await this.c.jsm.streams.info(this.stream, { subjects_filter: filter });
    const out: string[] = [];
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const v = await this.get(subject).catch(() => undefined);
      if (v) out.push(v.value);
    }
    return out;
  }

  private async cas(subject: string, value: string, expect: number): Promise<number | null> {
    try {
      return (await this.c.js.publish(subject, value, { expect: { lastSubjectSequence: expect } })).seq;
    } catch (err) {
      if (/wrong last sequence/i.test((err as Error).message)) return null;
      throw err;
    }
  }
}
