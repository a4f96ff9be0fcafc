import { sql, type SqlBool } from 'kysely';
import type {
  AlertKind, CaseCategory, CasePhase, CaseSeverity, CaseSummary, CaseTask, TimelineEntrySchema,
} from '../../../contracts/cases.js';
import type { z } from 'zod';
import { fromJson, newId, toBool } from '../../db/columns.js';
import type { Db, DialectName, Tx } from '../../db/database.js';
import { escapeLike, foldText } from '../../core/text.js';
import { pathInScope } from '../org/scope.js';
import type { CaseRow, CaseTaskRow, TimelineRow } from './cases.table.js';

export type Ref = { id: string; code: string | null; name: string };
export type UserRef = { id: string; username: string; displayName: string };

/** Bump a named counter inside the caller's transaction (case and report numbers per year). */
export async function nextSequence(tx: Tx, name: string): Promise<number> {
  const row = await tx.selectFrom('case_sequences').select('value').where('name', '=', name).executeTakeFirst();
  if (!row) {
    await tx.insertInto('case_sequences').values({ name, value: 1 }).execute();
    return 1;
  }
  const r = await tx.updateTable('case_sequences').set({ value: sql`value + 1` }).where('name', '=', name).returning('value').executeTakeFirstOrThrow();
  return Number(r.value);
}

export function findCase(db: Db | Tx, id: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function addTimeline(
  tx: Db | Tx,
  e: { caseId: string; at: string; kind: string; text: string; actorUserId?: string | null; actorLabel?: string | null; details?: unknown },
): Promise<void> {
  await tx.insertInto('case_timeline').values({
    id: newId(Date.parse(e.at)), case_id: e.caseId, at: e.at, kind: e.kind, actor_user_id: e.actorUserId ?? null, actor_label: e.actorLabel ?? null,
    text: e.text, details_json: e.details === undefined ? null : JSON.stringify(e.details),
  }).execute();
}

export async function unitRefs(db: Db | Tx, ids: string[]): Promise<Map<string, Ref>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom('org_units').select(['id', 'code', 'name']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function userRefs(db: Db | Tx, ids: string[]): Promise<Map<string, UserRef>> {
  const uniq = [...new Set(ids)];
  if (!uniq.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username', 'display_name']).where('id', 'in', uniq).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, username: r.username, displayName: r.display_name }]));
}

export async function refsOf(db: Db | Tx, table: 'information_systems' | 'assets', ids: string[]): Promise<Ref[]> {
  if (!ids.length) return [];
  const rows = table === 'information_systems'
    ? await db.selectFrom('information_systems').select(['id', 'code', 'name']).where('id', 'in', ids).execute()
    : await db.selectFrom('assets').select(['id', 'code', 'name']).where('id', 'in', ids).execute();
  return rows.map((r) => ({ id: r.id, code: r.code ?? null, name: r.name }));
}

export interface CaseFilter {
  scope: string[];
  q?: string;
  /** Which title index serves `q` (migration 202611270410); without it the search is a plain scan. */
  dialect?: DialectName;
  phase?: CasePhase | 'open';
  severity?: CaseSeverity;
  category?: CaseCategory;
  unitPath?: string;
  assigneeId?: string;
  reportable?: boolean;
  overdueAt?: string;
  notOverdueAt?: string;
}

function filtered(db: Db | Tx, f: CaseFilter) {
  let q = db.selectFrom('cases').where(pathInScope('cases.unit_path', f.scope));
  if (f.phase === 'open') q = q.where('phase', '!=', 'closed');
  else if (f.phase) q = q.where('phase', '=', f.phase);
  if (f.severity) q = q.where('severity', '=', f.severity);
  if (f.category) q = q.where('category', '=', f.category);
  if (f.unitPath) q = q.where('unit_path', 'like', `${f.unitPath}%`);
  if (f.reportable !== undefined) q = q.where('reportable', '=', f.reportable ? 1 : 0);
  if (f.overdueAt) q = q.where('next_due_at', '<', f.overdueAt);
  if (f.notOverdueAt) q = q.where((eb) => eb.or([eb('next_due_at', 'is', null), eb('next_due_at', '>=', f.notOverdueAt!)]));
  if (f.assigneeId) {
    const uid = f.assigneeId;
    q = q.where((eb) => eb.exists(eb.selectFrom('case_members as m').select('m.id').whereRef('m.case_id', '=', 'cases.id').where('m.user_id', '=', uid).where('m.role', '=', 'assignee')));
  }
  if (f.q) {
    // Without diacritics ("lua dao" finds "lừa đảo"): the query is folded as the stored `title_folded` is
    // (core/text.ts foldText, migration 202611280400); the case number is matched as typed.
    const folded = foldText(f.q);
    const like = `%${escapeLike(f.q)}%`;
    const foldedLike = `%${escapeLike(folded)}%`;
    q = q.where(sql<SqlBool>`(cases.title_folded like ${foldedLike} escape '\\' or cases.number like ${like} escape '\\')`);
    // SQLite: the trigram FTS5 index over "title_folded number" finds the candidate rows (it needs three
    // characters), the LIKE above decides. PostgreSQL serves the same LIKE from its pg_trgm indexes without help.
    if (f.dialect === 'sqlite' && [...folded].length >= 3) {
      const phrase = `"${folded.replace(/"/g, '""')}"`;
      q = q.where(sql<SqlBool>`cases.rowid in (select rowid from cases_title_fts where cases_title_fts match ${phrase})`);
    }
  }
  return q;
}

/** Above this many matches the queue says "10,000+" instead of counting every row (a count is a full scan). */
export const COUNT_CAP = 10_000;

/** One page of cases in scope, newest first, with the total (capped at COUNT_CAP). */
export async function listCases(db: Db | Tx, f: CaseFilter, page: number, pageSize: number): Promise<{ rows: CaseRow[]; total: number; totalCapped: boolean }> {
  const [rows, total] = await Promise.all([
    filtered(db, f).selectAll('cases').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    db.selectFrom(filtered(db, f).select(sql<number>`1`.as('one')).limit(COUNT_CAP + 1).as('t')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const n = Number(total.n);
  return { rows, total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
}

/** Every case in scope matching the filter (exports, metrics), oldest first, bounded. */
export function allCases(db: Db | Tx, f: CaseFilter, limit = 50_000): Promise<CaseRow[]> {
  return filtered(db, f).selectAll('cases').orderBy('created_at', 'asc').limit(limit).execute();
}

/** Queue rows: unit, assignees and the clock summary of each case. */
export async function presentSummaries(db: Db | Tx, rows: CaseRow[], now: string): Promise<CaseSummary[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const members = await db.selectFrom('case_members').select(['case_id', 'user_id']).where('case_id', 'in', ids).where('role', '=', 'assignee').execute();
  const [units, users] = await Promise.all([unitRefs(db, rows.map((r) => r.unit_id)), userRefs(db, members.map((m) => m.user_id))]);
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    title: r.title,
    severity: r.severity as CaseSeverity,
    category: r.category as CaseCategory,
    phase: r.phase as CasePhase,
    tlp: r.tlp as CaseSummary['tlp'],
    unit: units.get(r.unit_id) ?? { id: r.unit_id, code: null, name: '?' },
    reportable: toBool(r.reportable),
    assignees: members.filter((m) => m.case_id === r.id).flatMap((m) => (users.has(m.user_id) ? [users.get(m.user_id)!] : [])),
    nextDueAt: r.next_due_at,
    overdue: !!r.next_due_at && r.next_due_at < now,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export function toTask(t: CaseTaskRow, units: Map<string, Ref>, users: Map<string, UserRef>, now: string): CaseTask {
  const open = t.status !== 'done' && t.status !== 'skipped';
  return {
    id: t.id,
    playbookKey: t.playbook_key,
    phase: t.phase as CasePhase,
    title: t.title,
    who: t.who as CaseTask['who'],
    evidence: fromJson<string[]>(t.evidence_json) ?? [],
    decision: t.decision,
    mandatory: toBool(t.mandatory),
    status: t.status as CaseTask['status'],
    ownerUnit: t.owner_unit_id ? (units.get(t.owner_unit_id) ?? null) : null,
    assignee: t.assignee_user_id ? (users.get(t.assignee_user_id) ?? null) : null,
    dueAt: t.due_at,
    overdue: open && !!t.due_at && t.due_at < now,
    doneAt: t.done_at,
    note: t.note,
    order: t.sort_order,
  };
}

export function toTimeline(r: TimelineRow): z.infer<typeof TimelineEntrySchema> {
  return { id: r.id, at: r.at, kind: r.kind, actor: r.actor_label, text: r.text };
}

/** Cases already holding each alert reference (to show "already escalated" and avoid duplicates). */
export async function casesOfAlerts(db: Db | Tx, refs: { kind: AlertKind; id: string }[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!refs.length) return out;
  const rows = await db.selectFrom('case_alerts').select(['kind', 'ref_id', 'case_id']).where('ref_id', 'in', refs.map((r) => r.id)).execute();
  for (const r of rows) {
    const k = `${r.kind}:${r.ref_id}`;
    out.set(k, [...(out.get(k) ?? []), r.case_id]);
  }
  return out;
}
