import type { AccessLogInput, IngestReceipt } from '../../../contracts/access-log.js';
import type { ImportProblem } from '../../../contracts/common.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { UnprocessableError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { latestSnapshot } from '../accounts/accounts.repository.js';
import { insertLogRecords } from '../audit/log-docs.js';
import { hashCitizenId, maskCitizenId } from '../org/citizen-id.js';
import type { AccessLogRecordRow, SystemApiKeyRow } from './access-log.table.js';

export type IngestDeps = Pick<AppDeps, 'db' | 'keys' | 'clock'>;

/** How the records arrived: the HTTP API with a system key, a file uploaded by a user, or syslog (SOC module). */
export type IngestOrigin =
  | { source: 'api'; key: SystemApiKeyRow; meta: { ip: string | null; userAgent: string | null; requestId: string } }
  | { source: 'file'; actor: Actor; fileName: string }
  | { source: 'syslog'; label: string };

/**
 * A record whose citizen ID was already replaced by its keyed hash and masked form where it arrived (syslog: the
 * SOC ingest, so that the clear value never travels further, e.g. through NATS to a detect worker).
 */
export type SealedAccessLogInput = Omit<AccessLogInput, 'subjectCitizenId'> & { subjectSealed?: { hash: string; masked: string } };

export interface AccountFacts {
  personId: string | null;
  situation: string;
  mfa: number | null;
}

/**
 * The reconciliation's view of each account of a system: its latest account snapshot (accounts module) gives
 * situation, linked person and MFA flag. An account absent from the snapshot is `unknown`. Usernames match
 * exactly, then case-insensitively.
 */
export async function accountFacts(db: Db | Tx, systemId: string, accounts: string[]): Promise<Map<string, AccountFacts>> {
  const out = new Map<string, AccountFacts>();
  const snap = await latestSnapshot(db, systemId);
  const wanted = [...new Set(accounts)];
  if (snap && wanted.length) {
    const byLower = new Map<string, AccountFacts>();
    const names = [...new Set([...wanted, ...wanted.map((a) => a.toLowerCase())])];
    for (let i = 0; i < names.length; i += 500) {
      const rows = await db.selectFrom('system_accounts').select(['username', 'person_id', 'situation', 'mfa'])
        .where('snapshot_id', '=', snap.id).where('username', 'in', names.slice(i, i + 500)).execute();
      for (const r of rows) {
        const f = { personId: r.person_id, situation: r.situation, mfa: r.mfa };
        out.set(r.username, f);
        byLower.set(r.username.toLowerCase(), f);
      }
    }
    for (const a of wanted) if (!out.has(a) && byLower.has(a.toLowerCase())) out.set(a, byLower.get(a.toLowerCase())!);
  }
  for (const a of wanted) if (!out.has(a)) out.set(a, { personId: null, situation: 'unknown', mfa: null });
  return out;
}

/**
 * Store validated records of one system durably, in one transaction with their batch receipt and one
 * `access_log.ingest` audit entry; the caller acknowledges only after this returns (the commit happened).
 * Records re-sent with a recordId already stored for the system are counted as duplicates, not stored twice.
 * Citizen IDs are replaced by their keyed hash and masked form here; nothing else keeps them.
 *
 * This is also the hook for syslog ingestion: the SOC module's listener parses a line into AccessLogInput and
 * calls `ingestAccessRecords(deps, systemId, { source: 'syslog', label }, records)`.
 */
export async function ingestAccessRecords(deps: IngestDeps, systemId: string, origin: IngestOrigin, records: AccessLogInput[]): Promise<IngestReceipt & { recordIds: string[] }> {
  return deps.db.transaction().execute((tx) => ingestAccessRecordsTx(tx, deps, systemId, origin, records));
}

/** ingestAccessRecords inside the caller's transaction (the demo loader writes everything in one). */
export async function ingestAccessRecordsTx(tx: Tx, deps: Pick<IngestDeps, 'keys' | 'clock'>, systemId: string, origin: IngestOrigin, records: Array<AccessLogInput | SealedAccessLogInput>): Promise<IngestReceipt & { recordIds: string[] }> {
  const now = nowIso(deps.clock);
  const batchId = newId();
  {
    const facts = await accountFacts(tx, systemId, records.map((r) => r.account));
    const ext = [...new Set(records.map((r) => r.recordId).filter((x): x is string => !!x))];
    const seen = new Set<string>();
    for (let i = 0; i < ext.length; i += 500) {
      const rows = await tx.selectFrom('access_log_records').select('external_id').where('system_id', '=', systemId).where('external_id', 'in', ext.slice(i, i + 500)).execute();
      for (const r of rows) if (r.external_id) seen.add(r.external_id);
    }
    const rows: Omit<AccessLogRecordRow, 'seq'>[] = [];
    let duplicates = 0;
    for (const r of records) {
      if (r.recordId) {
        if (seen.has(r.recordId)) {
          duplicates++;
          continue;
        }
        seen.add(r.recordId);
      }
      const f = facts.get(r.account)!;
      const clear = 'subjectCitizenId' in r ? r.subjectCitizenId : undefined;
      const sealed = 'subjectSealed' in r ? r.subjectSealed : undefined;
      rows.push({
        id: newId(), batch_id: batchId, system_id: systemId, external_id: r.recordId ?? null, account: r.account, action: r.action, outcome: r.outcome,
        occurred_at: new Date(Date.parse(r.occurredAt)).toISOString(), received_at: now, source: origin.source,
        subject_hash: sealed?.hash ?? (clear ? hashCitizenId(deps.keys, clear) : null),
        subject_masked: sealed?.masked ?? (clear ? maskCitizenId(clear) : null),
        case_ref: r.caseRef || null, ip: r.ip ?? null, device: r.device || null, session_id: r.sessionId || null,
        person_id: f.personId, account_situation: f.situation, account_mfa: f.mfa,
      });
    }
    await tx.insertInto('access_log_batches').values({
      id: batchId, system_id: systemId, source: origin.source, file_name: origin.source === 'file' ? origin.fileName : null,
      api_key_id: origin.source === 'api' ? origin.key.id : null, user_id: origin.source === 'file' ? origin.actor.userId : null,
      received_at: now, record_count: rows.length, duplicate_count: duplicates,
    }).execute();
    await insertLogRecords(tx, 'access_log_records', rows);
    if (origin.source === 'api') await tx.updateTable('system_api_keys').set({ last_used_at: now }).where('id', '=', origin.key.id).execute();
    const owner = await tx.selectFrom('information_systems').select('owner_unit_id').where('id', '=', systemId).executeTakeFirst();
    const who = origin.source === 'file' ? origin.actor : origin.source === 'api' ? origin.meta : null;
    await recordAudit(tx, who, {
      action: 'access_log.ingest', targetType: 'access_log_batch', targetId: batchId, unitId: owner?.owner_unit_id ?? null,
      actorLabel: origin.source === 'api' ? `api-key:${origin.key.name}` : origin.source === 'syslog' ? `syslog:${origin.label}` : undefined,
      details: { systemId, source: origin.source, accepted: rows.length, duplicates, fileName: origin.source === 'file' ? origin.fileName : undefined },
    }, now);
    return { batchId, systemId, accepted: rows.length, duplicates, receivedAt: now, recordIds: rows.map((r) => r.id) };
  }
}

/** Refuse a whole submission with its row-numbered problems (422 import.invalid): nothing is written. */
export function refuseIfProblems(problems: ImportProblem[]): void {
  if (problems.length) {
    throw new UnprocessableError('import.invalid', `Có ${problems.length} lỗi; không bản ghi nào được ghi.`, { errors: problems.slice(0, 500), total: problems.length });
  }
}
