import { createHash } from 'node:crypto';
import type { Db, Tx } from '../../db/database.js';
import { newId, nowIso } from '../../db/columns.js';

/**
 * Alerts: matches become alerts; repeated matches of one rule for one group (correlation group-by values, or
 * the host for single-event rules) within a window are one alert with a count. Only alerts still open
 * (`new`, `acknowledged`) absorb new matches: once an analyst closed one (false positive, escalated), the next
 * match opens a new alert.
 */
export const ALERT_STATUSES = ['new', 'acknowledged', 'false_positive', 'escalated'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
const OPEN: AlertStatus[] = ['new', 'acknowledged'];

/** Matches of the same rule and group within this window join one alert. */
export const GROUP_WINDOW_MS = 60 * 60_000;
/** Events linked to one alert (the count keeps going beyond it). */
export const MAX_EVENTS_PER_ALERT = 200;

export interface AlertOccurrence {
  origin: string;
  ruleId: string | null;
  ruleAuthor: string | null;
  title: string;
  severity: Severity;
  tags: string[];
  groupKey: string;
  unitId: string;
  systemId: string | null;
  assetId: string | null;
  host: string | null;
  /** Event time of the occurrence (ISO). */
  at: string;
  firstSeen?: string;
  events: { id: string; day: string; ts: string }[];
  details: Record<string, unknown>;
  /** How many occurrences this represents (default 1). */
  count?: number;
}

/**
 * Record one occurrence: join the open alert of the same group within the window or open a new one.
 * Returns the alert id and whether it is new. Runs inside the caller's transaction.
 */
export async function recordOccurrence(tx: Tx | Db, o: AlertOccurrence, now: string = nowIso()): Promise<{ id: string; created: boolean }> {
  const since = new Date(Date.parse(o.at) - GROUP_WINDOW_MS).toISOString();
  const open = await tx
    .selectFrom('soc_alerts')
    .select(['id', 'count', 'first_seen', 'last_seen'])
    .where('group_key', '=', o.groupKey)
    .where('last_seen', '>=', since)
    .where('status', 'in', OPEN)
    .orderBy('last_seen', 'desc')
    .limit(1)
    .executeTakeFirst();
  let id: string;
  let created = false;
  if (open) {
    id = open.id;
    await tx
      .updateTable('soc_alerts')
      // Relative updates: another detect worker may have counted on this alert since it was read.
      .set((eb) => ({
        count: eb('count', '+', o.count ?? 1),
        last_seen: eb.case().when('last_seen', '<', o.at).then(o.at).else(eb.ref('last_seen')).end(),
        first_seen: eb.case().when('first_seen', '>', o.firstSeen ?? o.at).then(o.firstSeen ?? o.at).else(eb.ref('first_seen')).end(),
        updated_at: now,
      }))
      .where('id', '=', id)
      .execute();
  } else {
    id = newId();
    created = true;
    await tx
      .insertInto('soc_alerts')
      .values({
        id,
        origin: o.origin,
        rule_id: o.ruleId,
        rule_author: o.ruleAuthor,
        title: o.title.slice(0, 500),
        severity: o.severity,
        tags_json: JSON.stringify(o.tags),
        group_key: o.groupKey,
        status: 'new',
        assignee_id: null,
        unit_id: o.unitId,
        system_id: o.systemId,
        asset_id: o.assetId,
        host: o.host,
        count: o.count ?? 1,
        first_seen: o.firstSeen ?? o.at,
        last_seen: o.at,
        details_json: JSON.stringify(o.details),
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  if (o.events.length > 0) {
    const have = created ? 0 : Number((await tx.selectFrom('soc_alert_events').select((eb) => eb.fn.countAll().as('n')).where('alert_id', '=', id).executeTakeFirst())?.n ?? 0);
    const room = MAX_EVENTS_PER_ALERT - have;
    if (room > 0) {
      const seen = new Set<string>();
      const rows = o.events.filter((e) => !seen.has(e.id) && seen.add(e.id)).slice(0, room).map((e) => ({ alert_id: id, event_id: e.id, event_day: e.day, ts: e.ts }));
      if (rows.length > 0) await tx.insertInto('soc_alert_events').values(rows).onConflict((oc) => oc.columns(['alert_id', 'event_id']).doNothing()).execute();
    }
  }
  return { id, created };
}

export interface RaiseAlertInput {
  /** The raising module: `vuln`, `malware`, `lookup`, `cases`, … (stored as the alert's origin). */
  source: string;
  title: string;
  severity: Severity;
  unitId: string;
  systemId?: string | null;
  assetId?: string | null;
  host?: string | null;
  /** Free details shown on the alert page (JSON-serialisable). */
  details?: Record<string, unknown>;
  /** Repeated raises with the same key within an hour count on one open alert (default: source + title + target). */
  groupKey?: string;
  /** MITRE ATT&CK or other tags. */
  tags?: string[];
  /** When it happened (ISO); default now. */
  at?: string;
}

/**
 * Raise a SOC alert from another module (vulnerability or malware detections, look-up analytics, …). It joins
 * the SOC alert queue like a Sigma match: scoped by `unitId`, grouped with an open alert of the same key
 * within an hour (the count goes up), triaged by analysts. Call it inside your own transaction to make the
 * alert part of the change that caused it. Returns the alert id and whether a new alert was opened.
 *
 *   import { raiseAlert } from '../soc/index.js';
 *   await raiseAlert(tx, { source: 'vuln', title: 'CVE-2026-1234 trên máy chủ cổng', severity: 'high', unitId, assetId, details: { cve } });
 */
export async function raiseAlert(db: Db | Tx, input: RaiseAlertInput): Promise<{ id: string; created: boolean }> {
  if (!(SEVERITIES as readonly string[]).includes(input.severity)) throw new Error(`raiseAlert: unknown severity ${input.severity}`);
  const at = input.at ?? nowIso();
  const target = input.assetId ?? input.systemId ?? input.host ?? input.unitId;
  const groupKey = input.groupKey ?? `${input.source}|${createHash('sha256').update(`${input.title}\u0000${target}`).digest('hex').slice(0, 24)}`;
  return recordOccurrence(db, {
    origin: input.source,
    ruleId: null,
    ruleAuthor: null,
    title: input.title,
    severity: input.severity,
    tags: input.tags ?? [],
    groupKey: `ext|${groupKey}`,
    unitId: input.unitId,
    systemId: input.systemId ?? null,
    assetId: input.assetId ?? null,
    host: input.host ?? null,
    at,
    events: [],
    details: input.details ?? {},
  });
}

/** Sigma level → alert severity (Sigma's levels are the same words). */
export function severityOf(level: string): Severity {
  return (SEVERITIES as readonly string[]).includes(level) ? (level as Severity) : 'medium';
}

/**
 * Alerts raised by another module that keeps its own record of the alert (the look-up analytics keep reason
 * and evidence in `lookup_alerts`): the SOC alert is the queue entry linked to it, and its status is kept equal
 * to the source's in the same transaction. The owning module registers a listener for its origin; a triage in
 * the SOC queue (or an escalation to a case) is passed on to it.
 */
export type AlertStatusListener = (tx: Tx, alertId: string, status: AlertStatus, by: string | null, at: string) => Promise<void>;
const statusListeners = new Map<string, AlertStatusListener>();

/** Register the listener of one origin (the raising module calls this once, at import). */
export function onAlertStatus(origin: string, listener: AlertStatusListener): void {
  statusListeners.set(origin, listener);
}

/** Tell the raising module of `origin` that its SOC alert changed status (inside the triage's transaction). */
export async function notifyAlertStatus(tx: Tx, origin: string, alertId: string, status: AlertStatus, by: string | null, at: string): Promise<void> {
  await statusListeners.get(origin)?.(tx, alertId, status, by, at);
}

/**
 * Set a SOC alert's status from outside the SOC triage (a case escalation, the raising module's own triage).
 * `notify: false` when the caller is the raising module itself (it has already recorded the status).
 */
export async function setAlertStatus(tx: Tx, id: string, status: AlertStatus, opts: { by?: string | null; at?: string; notify?: boolean } = {}): Promise<void> {
  const at = opts.at ?? nowIso();
  const row = await tx.selectFrom('soc_alerts').select(['origin', 'status']).where('id', '=', id).executeTakeFirst();
  if (!row) return;
  if (row.status !== status) await tx.updateTable('soc_alerts').set({ status, updated_at: at }).where('id', '=', id).execute();
  if (opts.notify !== false) await notifyAlertStatus(tx, row.origin, id, status, opts.by ?? null, at);
}

/**
 * Bring a raised alert up to date with its source's record (the look-up analytics re-run a week and the count,
 * reason or severity changed). Status and assignment are left alone.
 */
export async function refreshRaisedAlert(tx: Tx | Db, id: string, p: { title: string; severity: Severity; count: number; firstSeen: string; lastSeen: string; details: Record<string, unknown> }): Promise<void> {
  await tx.updateTable('soc_alerts').set({
    title: p.title.slice(0, 500), severity: p.severity, count: p.count, first_seen: p.firstSeen, last_seen: p.lastSeen, details_json: JSON.stringify(p.details), updated_at: nowIso(),
  }).where('id', '=', id).execute();
}
