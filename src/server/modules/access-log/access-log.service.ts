import type { z } from 'zod';
import type { AccessRecord, AccessSearchResultSchema, AccessSearchSchema, EntryProof } from '../../../contracts/access-log.js';
import { type Actor, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { isIsoDate, nowIso } from '../../db/columns.js';
import { openNote, parseCheckpoint, verifyInclusion, type NoteVerifier } from '../../engines/merkle/index.js';
import { latestCheckpoint } from '../audit/checkpoint.service.js';
import { accessLogLeafHash, canonicalAccessLog } from '../audit/merkle.leaf.js';
import { auditInclusionProof } from '../audit/merkle.service.js';
import { hashCitizenId, maskCitizenId } from '../org/citizen-id.js';
import { recordsWithSystem, systemScope } from './access-log.repository.js';
import type { AccessLogRecordRow } from './access-log.table.js';

type SearchDeps = Pick<AppDeps, 'db' | 'keys' | 'clock'>;

function readable(actor: Actor): string[] {
  const prefixes = scopeOf(actor, 'audit.read');
  if (prefixes.length === 0) throw new ForbiddenError('audit.forbidden', 'Bạn không có quyền xem nhật ký kiểm toán.', { permission: 'audit.read' });
  return prefixes;
}

/** A date (whole Vietnam day) or an instant → UTC instant bound; `end` makes the bound exclusive past it. */
function bound(value: string, field: string, end: boolean): string {
  if (isIsoDate(value)) {
    const t = Date.parse(`${value}T00:00:00+07:00`) + (end ? 86_400_000 : 0);
    return new Date(t).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ValidationError('access_log.bad_date', `Giá trị ${field} không phải ngày/giờ hợp lệ.`, { field });
  return new Date(t + (end ? 1 : 0)).toISOString();
}

type Joined = AccessLogRecordRow & { system_name: string; person_name: string | null; leaf_index: number | null };

function toRecord(r: Joined): AccessRecord {
  return {
    id: r.id, seq: Number(r.seq), systemId: r.system_id, systemName: r.system_name, account: r.account, action: r.action, outcome: r.outcome,
    occurredAt: r.occurred_at, receivedAt: r.received_at, source: r.source, subjectMasked: r.subject_masked, caseRef: r.case_ref, ip: r.ip,
    device: r.device, sessionId: r.session_id, personId: r.person_id, personName: r.person_name, accountSituation: r.account_situation,
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
  };
}

/**
 * Search ingested records by person, account, system, subject (the citizen ID typed by the user is hashed
 * here exactly as at ingest; only the hash is compared), action and time, within the actor's audit.read
 * scope. Each search is itself audited (`access_log.search`, with the masked CCCD, never the clear one):
 * looking up who looked a citizen up is a look-up too.
 */
export async function searchAccessLogs(deps: SearchDeps, actor: Actor, q: z.infer<typeof AccessSearchSchema>): Promise<z.infer<typeof AccessSearchResultSchema>> {
  const prefixes = readable(actor);
  const subject = q.citizenId ? hashCitizenId(deps.keys, q.citizenId) : undefined;
  const from = q.from ? bound(q.from, 'from', false) : undefined;
  const to = q.to ? bound(q.to, 'to', true) : undefined;
  const filtered = <T extends ReturnType<typeof recordsWithSystem>>(qb: T) => {
    let x = qb.where(systemScope(prefixes));
    if (subject) x = x.where('r.subject_hash', '=', subject);
    if (q.personId) x = x.where('r.person_id', '=', q.personId);
    if (q.account) x = x.where('r.account', '=', q.account);
    if (q.systemId) x = x.where('r.system_id', '=', q.systemId);
    if (q.action) x = x.where('r.action', '=', q.action);
    if (from) x = x.where('r.occurred_at', '>=', from);
    if (to) x = x.where('r.occurred_at', '<', to);
    return x;
  };
  const rows = await filtered(recordsWithSystem(deps.db)).selectAll('r').select(['s.name as system_name', 'p.full_name as person_name', 'l.leaf_index'])
    .orderBy('r.occurred_at', 'desc').orderBy('r.seq', 'desc').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  const c = await filtered(recordsWithSystem(deps.db)).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let person: z.infer<typeof AccessSearchResultSchema>['person'] = null;
  if (q.personId) {
    const p = await deps.db.selectFrom('people').select(['id', 'full_name', 'status']).where('id', '=', q.personId).executeTakeFirst();
    if (p) {
      const by = await filtered(recordsWithSystem(deps.db))
        .select((eb) => ['r.system_id', 's.name as system_name', eb.fn.countAll<number>().as('n'), eb.fn.min('r.occurred_at').as('first'), eb.fn.max('r.occurred_at').as('last')])
        .select((eb) => eb.fn.sum<number>(eb.case().when('r.action', '=', 'lookup').then(1).else(0).end()).as('lookups'))
        .groupBy(['r.system_id', 's.name']).execute();
      person = {
        id: p.id, fullName: p.full_name, status: p.status,
        bySystem: by.map((b) => ({ systemId: b.system_id, systemName: b.system_name, count: Number(b.n), lookups: Number(b.lookups ?? 0), firstAt: String(b.first), lastAt: String(b.last) })),
      };
    }
  }
  await recordAudit(deps.db, actor, {
    action: 'access_log.search', targetType: q.personId ? 'person' : null, targetId: q.personId ?? null,
    details: { citizenId: q.citizenId ? maskCitizenId(q.citizenId) : undefined, account: q.account, systemId: q.systemId, action: q.action, from: q.from, to: q.to, results: Number(c.n) },
  }, nowIso(deps.clock));
  return { items: (rows as Joined[]).map(toRecord), total: Number(c.n), page: q.page, pageSize: q.pageSize, person };
}

/**
 * The inclusion proof of one record in the latest signed checkpoint, with its canonical leaf data so the
 * browser can recompute the leaf hash and the path itself; the server's own check is returned too.
 */
export async function accessRecordProof(deps: SearchDeps, actor: Actor, id: string, verifier: NoteVerifier): Promise<EntryProof> {
  const prefixes = readable(actor);
  const row = await recordsWithSystem(deps.db).selectAll('r').select(['s.name as system_name', 'p.full_name as person_name', 'l.leaf_index'])
    .where('r.id', '=', id).where(systemScope(prefixes)).executeTakeFirst();
  if (!row) throw new NotFoundError('access_log.not_found', 'Không tìm thấy bản ghi truy cập.');
  const cp = await latestCheckpoint(deps.db);
  if (row.leaf_index === null || !cp || Number(row.leaf_index) >= Number(cp.tree_size)) {
    throw new ConflictError('access_log.not_checkpointed', 'Bản ghi chưa nằm trong checkpoint đã ký nào; thử lại sau ít giây.');
  }
  const size = Number(cp.tree_size);
  const p = await auditInclusionProof(deps.db, { id }, size);
  const leafData = canonicalAccessLog(row as AccessLogRecordRow);
  const root = Buffer.from(cp.root_hash, 'hex');
  let signatureValid = true;
  try {
    const body = parseCheckpoint(openNote(cp.note, verifier));
    signatureValid = body.size === size && body.root.equals(root);
  } catch {
    signatureValid = false;
  }
  const leaf = Buffer.from(p.leafHash, 'base64');
  // The record as stored now must hash to the leaf, and the leaf must lead to the signed root.
  const verified = accessLogLeafHash(row as AccessLogRecordRow).equals(leaf) && verifyInclusion(leaf, p.leafIndex, size, p.proof.map((x) => Buffer.from(x, 'base64')), root);
  return { leafIndex: p.leafIndex, source: p.source, treeSize: size, leafData, leafHash: p.leafHash, proof: p.proof, rootHash: root.toString('base64'), checkpoint: cp.note, verified, signatureValid };
}
