import { AccessLogInputSchema, type AccessLogInput } from '../../../contracts/access-log.js';
import type { KhienEvent } from '../../../contracts/events.js';
import type { AppDeps } from '../../core/context.js';
import type { Tx } from '../../db/database.js';
import { hashCitizenId, maskCitizenId } from '../org/citizen-id.js';
import { ingestAccessRecordsTx, type SealedAccessLogInput } from './ingest.service.js';
import { analyseAccessLogs } from './lookup-alerts.service.js';

/**
 * Access-log records arriving over syslog (issue 5 item 4, "from syslog once the SOC issue lands").
 *
 * When a syslog message is an access-log record of a system:
 * 1. It comes from a SOC log source declared to carry access logs (`soc_sources.access_log = 1`) and mapped to an
 *    information system (`system_id`). The system is the source's, never named by the message: a sender cannot
 *    write into another system's log. Sources are matched as the SOC pipeline matches them (declared host names /
 *    IP addresses; TLS client certificates where configured) — so, as for every syslog source, use TCP/TLS from a
 *    fixed address for access logs. Nothing else is ever taken as an access-log record (deny by default).
 * 2. And it carries the record either
 *    - as an RFC 5424 STRUCTURED-DATA element `[khienAccess@32473 account="…" action="lookup" citizenId="…" …]`
 *      (params: `account`, `action`, `outcome`, `at`, `citizenId`, `caseRef`, `ip`, `device`, `session`,
 *      `recordId`; `at` defaults to the syslog TIMESTAMP). 32473 is the enterprise number RFC 5612 reserves for
 *      documentation: Khiên has no IANA Private Enterprise Number, and an SD-ID without one is reserved to IANA
 *      (RFC 5424 §7.2); replace it if Khiên registers one; or
 *    - as a JSON MSG with `"khienAccess": { …the NDJSON fields… }` (the same field names as the HTTP API:
 *      `account`, `action`, `occurredAt`, `subjectCitizenId`, `caseRef`, `ip`, `device`, `sessionId`, `recordId`).
 * The record is validated with the HTTP API's schema; an invalid one is not ingested and is flagged on the stored
 * event (`khien.access_log.error`), since syslog has no way to refuse a line. A valid one is ingested through
 * `ingestAccessRecordsTx` — tied to the system account of the system's latest account snapshot, the citizen ID
 * replaced by its keyed hash — in the SOC pipeline's transaction, so it is stored exactly once with the event and
 * the spool position. The citizen ID is also masked in the SOC event itself (message and fields), so the clear
 * value is kept nowhere after the spool segment that received it is pruned.
 */
export const ACCESS_SD_ID = 'khienAccess@32473';
const SD = `log.syslog.structured_data.${ACCESS_SD_ID}.`;

/**
 * One recognised record, as the pipeline carries it to the store: plain JSON with the citizen ID already sealed
 * (keyed hash + masked form), so in scale-out mode the ingest can publish it to NATS beside its event and a
 * detect worker stores it (scale-out.ts) without the clear value ever leaving the ingest.
 */
export interface SyslogAccessRecord {
  systemId: string;
  sourceLabel: string;
  record: SealedAccessLogInput;
}

/** The record a message carries, or null when it carries none; an error message when it carries an invalid one. */
export function accessRecordOf(e: KhienEvent): { record: AccessLogInput } | { error: string } | null {
  let raw: Record<string, unknown> | null = null;
  const sd = Object.keys(e).filter((k) => k.startsWith(SD));
  if (sd.length) {
    const p = (k: string) => (typeof e[`${SD}${k}`] === 'string' && e[`${SD}${k}`] !== '' ? (e[`${SD}${k}`] as string) : undefined);
    raw = {
      account: p('account'), action: p('action'), outcome: p('outcome'), occurredAt: p('at') ?? e['@timestamp'], subjectCitizenId: p('citizenId'),
      caseRef: p('caseRef'), ip: p('ip'), device: p('device'), sessionId: p('session'), recordId: p('recordId'),
    };
  } else if (typeof e.message === 'string' && e.message.includes('"khienAccess"')) {
    try {
      const o = JSON.parse(e.message.slice(e.message.indexOf('{'))) as { khienAccess?: unknown };
      if (o.khienAccess && typeof o.khienAccess === 'object') raw = o.khienAccess as Record<string, unknown>;
    } catch {
      return { error: 'khienAccess: JSON không hợp lệ' };
    }
  }
  if (!raw) return null;
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const r = AccessLogInputSchema.safeParse(raw);
  if (!r.success) return { error: r.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ').slice(0, 500) };
  return { record: r.data };
}

/** Replace the clear citizen ID everywhere in the event by its masked form (before the event is stored). */
export function maskCitizenInEvent(e: KhienEvent, citizenId: string): void {
  const masked = maskCitizenId(citizenId);
  for (const [k, v] of Object.entries(e)) if (typeof v === 'string' && v.includes(citizenId)) e[k] = v.split(citizenId).join(masked);
}

/**
 * The sink the SOC pipeline calls (PipelineDeps.accessLog): `extract` recognises and masks, `store` ingests in the
 * pipeline's transaction, `after` runs the look-up analytics once committed (a failure there never loses records).
 */
export function syslogAccessSink(deps: Pick<AppDeps, 'keys' | 'clock' | 'db' | 'log'>) {
  return {
    extract(e: KhienEvent, source: { systemId: string; name: string } | null): SyslogAccessRecord | null {
      if (!source) return null;
      const got = accessRecordOf(e);
      if (!got) return null;
      if ('error' in got) {
        e['khien.access_log.error'] = got.error;
        // Even an invalid record may hold a clear citizen ID: mask any 12-digit run in the access-log fields.
        for (const [k, v] of Object.entries(e)) if (typeof v === 'string' && /\b\d{12}\b/.test(v)) e[k] = v.replace(/\b(\d{3})\d{6}(\d{3})\b/g, '$1******$2');
        return null;
      }
      const { subjectCitizenId, ...rest } = got.record;
      if (subjectCitizenId) maskCitizenInEvent(e, subjectCitizenId);
      e['khien.access_log.system_id'] = source.systemId;
      const record: SealedAccessLogInput = subjectCitizenId ? { ...rest, subjectSealed: { hash: hashCitizenId(deps.keys, subjectCitizenId), masked: maskCitizenId(subjectCitizenId) } } : rest;
      return { systemId: source.systemId, sourceLabel: source.name, record };
    },
    async store(tx: Tx, items: SyslogAccessRecord[]): Promise<void> {
      const bySystem = new Map<string, SyslogAccessRecord[]>();
      for (const it of items) bySystem.set(it.systemId, [...(bySystem.get(it.systemId) ?? []), it]);
      for (const [systemId, list] of bySystem) {
        await ingestAccessRecordsTx(tx, deps, systemId, { source: 'syslog', label: list[0]!.sourceLabel }, list.map((x) => x.record));
      }
    },
    async after(items: SyslogAccessRecord[]): Promise<void> {
      const bySystem = new Map<string, SealedAccessLogInput[]>();
      for (const it of items) bySystem.set(it.systemId, [...(bySystem.get(it.systemId) ?? []), it.record]);
      for (const [systemId, records] of bySystem) {
        const times = records.map((r) => Date.parse(r.occurredAt));
        try {
          await analyseAccessLogs(deps, { systemId, accounts: records.map((r) => r.account), from: new Date(Math.min(...times)).toISOString(), to: new Date(Math.max(...times)).toISOString() });
        } catch (err) {
          deps.log.error({ err, systemId }, 'look-up analytics failed after syslog ingestion');
        }
      }
    },
  };
}

export type SyslogAccessSink = ReturnType<typeof syslogAccessSink>;
