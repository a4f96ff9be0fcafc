import type { KhienEvent } from '../../../contracts/events.js';
import { eventString } from '../../../contracts/events.js';
import type { Db, DialectName, Tx } from '../../db/database.js';
import { nowIso } from '../../db/columns.js';
import { normaliseJsonLine, normaliseSyslogLine, normaliseTextLine } from '../../engines/logparse/index.js';
import type { CorrelationHit, RuleMatch } from '../../engines/sigma/index.js';
import { sql } from 'kysely';
import { type AlertOccurrence, GROUP_WINDOW_MS, recordOccurrence, severityOf } from './alerts.js';
import type { Detection } from './detection.js';
import type { SocMetrics } from './metrics.js';
import type { Placement, SourceMap } from './source-map.js';
import type { SpooledRecord, SpoolPosition, SpoolRecord } from './spool.js';
import { encodeEventFields, ensurePartitions, insertEvents, type StoredEvent } from './events.repository.js';
import type { EventWriter } from './event-writer.js';

/**
 * The pipeline: spool records → normalise (engines/logparse) → place (source, unit, system, asset) and enrich
 * (account governance) → detect (Sigma detector + correlator) → store events, alerts and the spool position in
 * ONE transaction. Because the position commits with the events, a restart resumes exactly after what was
 * stored; a replayed event that was stored anyway (NATS redelivery, or a crash between two stores) meets its
 * first copy through the (day, id) key and is counted as a duplicate.
 */
export interface PreparedEvent {
  event: KhienEvent;
  placement: Placement;
  receivedAt: number;
  /**
   * Scale-out: a copy sent to another partition only to feed the correlation groups that partition owns (an
   * event touching groups of several partitions); it is stored, and raises single-event alerts, only once, by
   * the partition of its primary copy.
   */
  correlationOnly?: boolean;
  /**
   * Scale-out: the access-log record the ingest already recognised in this event (AccessLogSink.extract ran
   * there, before publishing, so the event arrives masked); the worker stores it with the event.
   */
  accessLog?: unknown;
}

/** How one batch is detected and committed (defaults: the process's correlator, no extra write). */
export interface DetectOptions {
  /** Correlation of this batch (scale-out: the partition's own correlator, fed only the groups it owns). */
  correlate?: (event: KhienEvent, matches: RuleMatch[]) => CorrelationHit[];
  /**
   * Written first in the same transaction as the events and alerts (scale-out: the partition's stream position
   * with its fencing check; it throws to roll the batch back when the partition moved to another worker).
   */
  commit?: (tx: Tx) => Promise<void>;
  /**
   * SQLite writer thread (event-writer.ts; the single-process pipeline on a database file): the batch's rows are
   * handed over in slices while the rest is still being detected, and committed there before the transaction of
   * the alerts and the position. Not used for a batch with access-log records (stored with their events in one
   * transaction, so that an event and its record are stored exactly once together).
   */
  writer?: EventWriter;
}

/** Rows handed to the writer thread at a time (the thread inserts them while the next ones are prepared). */
const WRITER_SLICE = 1000;
/** The first slice of a batch is smaller: the thread, idle since the last batch, starts storing sooner. */
const FIRST_WRITER_SLICE = 250;

export interface PipelineDeps {
  db: Db;
  dialect: DialectName;
  detection: Detection;
  sources: SourceMap;
  metrics: SocMetrics;
  /** Rule hit counts (sigma module's recordRuleHits), flushed every few seconds. */
  recordHits?: (db: Db, counts: Record<string, number>) => Promise<void>;
  log?: { warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
  /**
   * Access-log records carried by syslog (modules/access-log/syslog-records.ts): recognised (and the citizen ID
   * masked) before the event is stored, ingested in the same transaction, analysed after the commit.
   */
  accessLog?: AccessLogSink;
}

export interface AccessLogSink {
  extract(e: KhienEvent, source: { systemId: string; name: string } | null): unknown;
  store(tx: Tx, items: unknown[]): Promise<void>;
  after?(items: unknown[]): Promise<void>;
}

/** An access-log record found in a batch, with the key of the event that carries it. */
interface AccessItem {
  id: string;
  day: string;
  item: unknown;
}

/** The access items whose events are not stored yet (nor repeated earlier in the batch). */
async function notYetStored(tx: Tx, items: AccessItem[]): Promise<AccessItem[]> {
  const stored = new Set<string>();
  for (let i = 0; i < items.length; i += 500) {
    const part = items.slice(i, i + 500);
    const rows = await tx.selectFrom('soc_events').select(['day', 'id'])
      .where('day', 'in', [...new Set(part.map((a) => a.day))]).where('id', 'in', part.map((a) => a.id)).execute();
    for (const r of rows) stored.add(`${r.day}|${r.id}`);
  }
  return items.filter((a) => {
    const k = `${a.day}|${a.id}`;
    if (stored.has(k)) return false;
    stored.add(k);
    return true;
  });
}

/** ISO text of a reception time: the records of one read share it, so the last one is remembered. */
let isoAt = Number.NaN;
let isoText = '';
function receptionIso(t: number): string {
  if (t !== isoAt) {
    isoText = new Date(t).toISOString();
    isoAt = t;
  }
  return isoText;
}

/** Turn a spool record into a normalised, placed and enriched event. Pure apart from the source map. */
export function prepare(rec: SpoolRecord, sources: SourceMap): PreparedEvent {
  const first = sources.place(rec.s, null, rec.p);
  const ctx = { receivedAt: rec.t, peerIp: rec.p, tzOffsetMinutes: first.tzOffsetMinutes };
  let e: KhienEvent;
  try {
    e = rec.k === 'syslog' ? normaliseSyslogLine(rec.d, ctx) : rec.k === 'text' ? normaliseTextLine(rec.d, ctx) : normaliseJsonLine(rec.d, ctx);
  } catch {
    e = { message: rec.d, '@timestamp': receptionIso(rec.t), 'khien.parse_error': true };
  }
  const ts = typeof e['@timestamp'] === 'string' ? Date.parse(e['@timestamp']) : Number.NaN;
  if (Number.isNaN(ts)) e['@timestamp'] = receptionIso(rec.t);
  e['event.id'] = rec.id;
  e['event.ingested'] = receptionIso(rec.t);
  if (rec.x) e['khien.transport'] = rec.x;
  const placement = sources.place(rec.s, eventString(e, 'host.name') ?? null, rec.p);
  if (placement.sourceId) e['khien.source.id'] = placement.sourceId;
  if (placement.unitId) e['khien.unit.id'] = placement.unitId;
  if (placement.systemId) e['khien.system.id'] = placement.systemId;
  if (placement.assetId) e['khien.asset.id'] = placement.assetId;
  sources.enrichAccount(e, placement.systemId);
  return { event: e, placement, receivedAt: rec.t };
}

const expiryCache = new Map<string, string>();
let lastExpiry = { day: '', n: 0, out: '' };
/** `day` + n days (events of a batch share a few days and retention periods: cached, the last one at hand). */
function addDays(day: string, n: number): string {
  if (day === lastExpiry.day && n === lastExpiry.n) return lastExpiry.out;
  const key = `${day}|${n}`;
  let out = expiryCache.get(key);
  if (out === undefined) {
    out = new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    if (expiryCache.size > 10_000) expiryCache.clear();
    expiryCache.set(key, out);
  }
  lastExpiry = { day, n, out };
  return out;
}

/** The stored row of a prepared event. */
export function toStored(p: PreparedEvent): StoredEvent {
  const e = p.event;
  const ts = String(e['@timestamp']);
  const day = ts.slice(0, 10);
  // eventString called directly (no closure per event: the dev loader wraps each one in a naming call)
  return {
    id: String(e['event.id']),
    day,
    ts,
    received_at: receptionIso(p.receivedAt),
    source_id: p.placement.sourceId,
    unit_id: p.placement.unitId,
    system_id: p.placement.systemId,
    asset_id: p.placement.assetId,
    host: eventString(e, 'host.name')?.toLowerCase() ?? null,
    user_name: eventString(e, 'user.name') ?? null,
    source_ip: eventString(e, 'source.ip') ?? null,
    action: eventString(e, 'event.action') ?? null,
    outcome: eventString(e, 'event.outcome') ?? null,
    product: eventString(e, 'khien.logsource.product') ?? null,
    service: eventString(e, 'khien.logsource.service') ?? null,
    code: eventString(e, 'event.code') ?? null,
    message: String(e.message ?? ''),
    fields_json: encodeEventFields(e),
    expires_on: addDays(day, p.placement.retentionDays),
  };
}

/** The day of recently seen events, to link correlation hits to events of earlier batches. */
class RecentDays {
  private map = new Map<string, string>();
  constructor(private readonly max = 200_000) {}
  set(id: string, day: string): void {
    this.map.set(id, day);
    if (this.map.size > this.max) {
      const first = this.map.keys().next().value;
      if (first !== undefined) this.map.delete(first);
    }
  }
  get(id: string): string | undefined {
    return this.map.get(id);
  }
}

export class Pipeline {
  private readonly recent = new RecentDays();
  private hits: Record<string, number> = {};
  private hitsFlushedAt = Date.now();

  constructor(private readonly deps: PipelineDeps) {}

  /**
   * Detect on prepared events (in order), then store events, alerts and the position in one transaction (with a
   * writer thread: the events first, in the thread's transaction, then alerts and the position).
   */
  async detectAndStore(items: Iterable<PreparedEvent>, checkpoint: { name: string; pos: SpoolPosition } | null, opts: DetectOptions = {}): Promise<void> {
    const { db, detection, metrics } = this.deps;
    await detection.refresh(db);
    const groups = new Map<string, AlertOccurrence[]>();
    const correlate = opts.correlate ?? ((e: KhienEvent, m: RuleMatch[]) => detection.correlate(e, m));
    const accessItems: AccessItem[] = [];
    // The writer thread takes the rows when no event of the batch can carry an access-log record (see DetectOptions).
    const writer = opts.writer && !(this.deps.accessLog && this.deps.sources.hasAccessLogSources()) ? opts.writer : null;
    let rowCount = 0;
    let rows: StoredEvent[] = [];
    try {
      for (const p of items) {
        if (this.deps.accessLog && !p.correlationOnly) {
          // Extract (and mask) before the row is built: the stored event must not keep a clear citizen ID.
          const acc = p.accessLog ?? this.deps.accessLog.extract(p.event, this.deps.sources.accessLogSource(p.placement.sourceId));
          if (acc) accessItems.push({ id: String(p.event['event.id']), day: String(p.event['@timestamp']).slice(0, 10), item: acc });
        }
        const row = toStored(p);
        const matches = detection.match(p.event);
        // only events that matched a rule can be named by a correlation hit
        if (matches.length > 0) this.recent.set(row.id, row.day);
        const corr = correlate(p.event, matches);
        if (!p.correlationOnly) {
          rows.push(row);
          rowCount++;
          if (matches.length > 0) metrics.detected += matches.length;
          for (const m of matches) this.hits[m.rule.id] = (this.hits[m.rule.id] ?? 0) + 1;
          for (const m of matches) this.matchOccurrence(groups, p, row, m);
        }
        for (const h of corr) {
          metrics.correlations++;
          this.hits[h.rule.id] = (this.hits[h.rule.id] ?? 0) + 1;
          this.correlationOccurrence(groups, p, row, h);
        }
        if (writer && rows.length >= (rows.length === rowCount ? FIRST_WRITER_SLICE : WRITER_SLICE)) {
          // handed over (copied) now, so the rows need not outlive this slice here
          writer.write(rows);
          rows = [];
          // let the event loop run (socket reads, spool fsync completions) while the thread stores the slice
          await new Promise<void>((r) => setImmediate(r));
        }
      }
    } catch (err) {
      writer?.abort();
      throw err;
    }
    let writtenByThread: number | null = null;
    if (writer) {
      writer.write(rows);
      rows = [];
      writtenByThread = await writer.commit();
    }
    await ensurePartitions(db, this.deps.dialect, rows);
    const now = nowIso();
    let fresh: AccessItem[] = [];
    const inserted = await db.transaction().execute(async (tx) => {
      if (opts.commit) await opts.commit(tx);
      // An access-log record is stored exactly once with its event: one whose event is already stored (a NATS
      // message published again after the duplicate window, a replay) is left out, as the event is.
      if (accessItems.length > 0) fresh = await notYetStored(tx, accessItems);
      const n = writtenByThread ?? (await insertEvents(db, tx, rows));
      if (fresh.length > 0) await this.deps.accessLog!.store(tx, fresh.map((a) => a.item));
      // Several detect workers may add to one alert group (single-event alerts group by rule + host across
      // partitions): PostgreSQL serialises them per group key (advisory locks taken in key order, so two
      // batches never deadlock); SQLite has one writer at a time anyway.
      if (this.deps.dialect === 'postgres' && groups.size > 0) {
        const keys = [...groups.keys()].sort();
        await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from (select unnest(${keys}::text[]) as k order by 1) as s`.execute(tx);
      }
      for (const list of groups.values()) {
        for (const o of list) {
          const r = await recordOccurrence(tx, o, now);
          if (r.created) metrics.alertsOpened++;
          else metrics.alertsUpdated++;
        }
      }
      if (checkpoint) {
        await tx
          .insertInto('soc_spool_checkpoints')
          .values({ name: checkpoint.name, segment: checkpoint.pos.segment, offset: checkpoint.pos.offset, updated_at: now })
          .onConflict((oc) => oc.column('name').doUpdateSet({ segment: checkpoint.pos.segment, offset: checkpoint.pos.offset, updated_at: now }))
          .execute();
      }
      return n;
    });
    metrics.stored += inserted;
    metrics.duplicates += rowCount - inserted;
    if (fresh.length > 0) await this.deps.accessLog!.after?.(fresh.map((a) => a.item));
    await this.flushHits(false);
  }

  private matchOccurrence(groups: Map<string, AlertOccurrence[]>, p: PreparedEvent, row: StoredEvent, m: RuleMatch): void {
    const rule = m.rule;
    if (rule.kind !== 'detection' || rule.correlationOnly || rule.level === 'informational') return;
    const who = row.host ?? row.source_ip ?? '-';
    const key = `sigma|${rule.id}|${who}`;
    this.addOccurrence(groups, key, p, row, {
      origin: 'sigma', ruleId: rule.id, ruleAuthor: rule.author || null, title: rule.title, severity: severityOf(rule.level), tags: rule.tags,
      details: { matched: m.matched ?? {}, description: rule.description ?? null, falsepositives: rule.falsepositives ?? [], logsource: rule.logsource },
    }, [{ id: row.id, day: row.day, ts: row.ts }]);
  }

  private correlationOccurrence(groups: Map<string, AlertOccurrence[]>, p: PreparedEvent, row: StoredEvent, h: CorrelationHit): void {
    const rule = h.rule;
    const key = `corr|${rule.id}|${h.groupKey}`;
    const events = h.eventIds.map((id) => {
      const day = this.recent.get(id) ?? h.lastSeen.slice(0, 10);
      return { id, day, ts: h.lastSeen };
    });
    this.addOccurrence(groups, key, p, row, {
      origin: 'correlation', ruleId: rule.id, ruleAuthor: rule.author || null, title: rule.title, severity: severityOf(rule.level), tags: rule.tags,
      details: { group: h.group, value: h.value ?? null, description: rule.description ?? null, falsepositives: rule.falsepositives ?? [], window: { firstSeen: h.firstSeen, lastSeen: h.lastSeen } },
      firstSeen: h.firstSeen,
    }, events);
  }

  /**
   * Occurrences of one group within a batch add up to one occurrence while each is within the alert grouping
   * window of the previous one (as they would, stored one by one); a later one starts another. So the alerts
   * do not depend on where batch boundaries fall (one detect worker or several give the same alerts).
   */
  private addOccurrence(
    groups: Map<string, AlertOccurrence[]>, key: string, p: PreparedEvent, row: StoredEvent,
    o: Pick<AlertOccurrence, 'origin' | 'ruleId' | 'ruleAuthor' | 'title' | 'severity' | 'tags' | 'details' | 'firstSeen'>,
    events: AlertOccurrence['events'], // a fresh array from the caller: kept by a new occurrence, not copied
  ): void {
    const list = groups.get(key);
    const g = list?.[list.length - 1];
    if (g && Date.parse(row.ts) - Date.parse(g.at) <= GROUP_WINDOW_MS) {
      g.count = (g.count ?? 1) + 1;
      if (row.ts > g.at) g.at = row.ts;
      for (const e of events) if (g.events.length < 200) g.events.push(e);
      return;
    }
    if (!p.placement.unitId) return; // no unit at all (empty database): nobody could see the alert
    const next: AlertOccurrence = {
      ...o, groupKey: key, host: row.host ?? null, unitId: p.placement.unitId, systemId: p.placement.systemId, assetId: p.placement.assetId, at: row.ts, events, count: 1,
    };
    if (list) list.push(next);
    else groups.set(key, [next]);
  }

  /** Rule hit counts go to the sigma module every 5 s (and on close). */
  async flushHits(force: boolean): Promise<void> {
    if (!this.deps.recordHits) return;
    if (!force && Date.now() - this.hitsFlushedAt < 5000) return;
    const counts = this.hits;
    this.hits = {};
    this.hitsFlushedAt = Date.now();
    if (Object.keys(counts).length === 0) return;
    try {
      await this.deps.recordHits(this.deps.db, counts);
    } catch (err) {
      this.deps.log?.warn({ err }, 'soc: recording rule hit counts failed');
    }
  }
}

/**
 * The in-process consumer of the spool: takes durable records in order, batches them and hands them to the
 * pipeline; tracks the queue for back-pressure (listeners pause above the high-water mark).
 */
export class SpoolConsumer {
  private queue: SpooledRecord[] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private busy = false;
  /** Called when the queue falls below half the high-water mark (listeners resume). */
  onDrain: () => void = () => undefined;

  constructor(
    private readonly handle: (batch: SpooledRecord[]) => Promise<void>,
    private readonly metrics: SocMetrics,
    private readonly highWater: number,
    private readonly batchSize = 2000,
  ) {}

  get depth(): number {
    return this.queue.length - this.head;
  }

  get overloaded(): boolean {
    return this.depth >= this.highWater;
  }

  push(records: SpooledRecord[]): void {
    for (const r of records) this.queue.push(r);
    this.metrics.queue = this.depth;
    this.wake?.();
  }

  start(): void {
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.depth === 0) {
        for (const w of this.idleWaiters.splice(0)) w();
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      const end = Math.min(this.queue.length, this.head + this.batchSize);
      const batch = this.queue.slice(this.head, end);
      this.busy = true;
      try {
        await this.handle(batch);
        this.head = end;
        if (this.head > 100_000 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
      } catch (err) {
        // The batch stays queued (and in the spool): retry after a pause, e.g. the database was restarting.
        await new Promise((r) => setTimeout(r, 1000));
        if (this.stopped) break;
        void err;
      } finally {
        this.busy = false;
      }
      this.metrics.queue = this.depth;
      if (this.depth < this.highWater / 2) this.onDrain();
    }
  }

  /** Resolves when everything queued so far is stored. */
  idle(): Promise<void> {
    if (this.depth === 0 && !this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }
}
