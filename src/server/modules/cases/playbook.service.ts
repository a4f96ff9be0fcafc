import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { CaseCategory, PlaybookDetailSchema, PlaybookDoc, PlaybookSummarySchema } from '../../../contracts/cases.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { NotFoundError, UnprocessableError } from '../../core/errors.js';
import { fromJson, newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import { choosePlaybooks, parsePlaybook, tasksFromPlaybook } from '../../engines/playbook/index.js';
import { requirePermissionAnywhere } from './cases.policy.js';
import { addTimeline, userRefs } from './cases.repository.js';
import type { CaseRow, PlaybookRow } from './cases.table.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/**
 * Load the shipped playbooks (data/playbooks/*.yaml) into the database: a key not yet stored becomes version 1;
 * a stored key is left alone (administrators' edits are newer versions and win). A shipped file that does not
 * validate stops start-up with its name and problems.
 */
export async function seedPlaybooks(db: Db, dir: string, at: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let added = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const r = parsePlaybook(text);
    if (!r.ok) throw new Error(`${join(dir, f)}: ${r.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.path} ${p.message}`).join('; ')}`);
    const exists = await db.selectFrom('playbooks').select('id').where('key', '=', r.doc.key).executeTakeFirst();
    if (exists) continue;
    await db.insertInto('playbooks').values(rowOf(r.doc, text, 1, null, at)).execute();
    added += 1;
  }
  return added;
}

function rowOf(doc: PlaybookDoc, yaml: string, version: number, by: string | null, at: string): PlaybookRow {
  return {
    id: newId(), key: doc.key, version, title: doc.title, title_en: doc.titleEn, categories_json: JSON.stringify(doc.categories),
    alert_rules_json: JSON.stringify(doc.alertRules), yaml, created_by: by, created_at: at,
  };
}

const seeded = new WeakMap<object, { dir: string; done: Promise<number> | null }>();

/** Remember where the shipped playbooks of this database's app live; they are loaded on first use. */
export function useShippedPlaybooks(db: Db, dir: string): void {
  seeded.set(db, { dir, done: null });
}

/** Load the shipped playbooks once per app (lazily, so building an app never touches an unmigrated schema). */
export async function ensurePlaybooks(root: Db, at: string): Promise<void> {
  const s = seeded.get(root);
  if (!s) return;
  s.done ??= seedPlaybooks(root, s.dir, at).catch((err: unknown) => {
    s.done = null;
    throw err;
  });
  await s.done;
}

/** The newest version of every playbook. */
export async function latestPlaybooks(db: Db | Tx): Promise<PlaybookRow[]> {
  const rows = await db.selectFrom('playbooks').selectAll().orderBy('key').orderBy('version', 'desc').execute();
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
}

function docOf(r: PlaybookRow): PlaybookDoc {
  const p = parsePlaybook(r.yaml);
  if (!p.ok) throw new Error(`stored playbook ${r.key} v${r.version} no longer validates`);
  return p.doc;
}

async function summaries(db: Db | Tx, rows: PlaybookRow[]): Promise<z.infer<typeof PlaybookSummarySchema>[]> {
  const users = await userRefs(db, rows.flatMap((r) => (r.created_by ? [r.created_by] : [])));
  return rows.map((r) => {
    const doc = docOf(r);
    const steps = doc.phases.flatMap((p) => p.steps);
    return {
      key: r.key, version: r.version, title: r.title, titleEn: r.title_en, categories: fromJson<CaseCategory[]>(r.categories_json) ?? [],
      alertRules: fromJson<string[]>(r.alert_rules_json) ?? [], steps: steps.length, mandatorySteps: steps.filter((s) => s.mandatory).length,
      updatedAt: r.created_at, updatedBy: r.created_by ? (users.get(r.created_by)?.displayName ?? null) : null,
    };
  });
}

export async function listPlaybooks(deps: Deps, actor: Actor) {
  requirePermissionAnywhere(actor, 'case.read');
  return { items: await summaries(deps.db, await latestPlaybooks(deps.db)) };
}

/** A playbook (newest, or the given version) with its YAML and the list of versions. */
export async function getPlaybook(deps: Deps, actor: Actor, key: string, version?: number): Promise<z.infer<typeof PlaybookDetailSchema>> {
  requirePermissionAnywhere(actor, 'case.read');
  const all = await deps.db.selectFrom('playbooks').selectAll().where('key', '=', key).orderBy('version', 'desc').execute();
  const row = version ? all.find((r) => r.version === version) : all[0];
  if (!row) throw new NotFoundError('playbook.not_found', 'Không tìm thấy quy trình.');
  const [s] = await summaries(deps.db, [row]);
  const users = await userRefs(deps.db, all.flatMap((r) => (r.created_by ? [r.created_by] : [])));
  return {
    ...s!, yaml: row.yaml, doc: docOf(row),
    versions: all.map((r) => ({ version: r.version, createdAt: r.created_at, createdBy: r.created_by ? (users.get(r.created_by)?.displayName ?? null) : null })),
  };
}

export function validatePlaybook(actor: Actor, yaml: string) {
  requirePermissionAnywhere(actor, 'case.read');
  const r = parsePlaybook(yaml);
  return { ok: r.ok, problems: r.ok ? [] : r.problems };
}

/**
 * Save an edited playbook as a new version (playbook.write). The key in the YAML must be the edited key; an
 * invalid document is refused with every problem and its line (422 playbook.invalid), nothing written.
 */
export async function savePlaybook(deps: Deps, actor: Actor, key: string | null, yaml: string) {
  requirePermissionAnywhere(actor, 'playbook.write');
  const r = parsePlaybook(yaml);
  if (!r.ok) throw new UnprocessableError('playbook.invalid', 'Quy trình không hợp lệ.', { problems: r.problems });
  if (key && r.doc.key !== key) throw new UnprocessableError('playbook.invalid', 'Không được đổi khoá (key) của quy trình.', { problems: [{ path: 'key', line: null, message: `key phải là "${key}"` }] });
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    const last = await tx.selectFrom('playbooks').select('version').where('key', '=', r.doc.key).orderBy('version', 'desc').executeTakeFirst();
    if (!key && last) throw new UnprocessableError('playbook.invalid', `Đã có quy trình với khoá "${r.doc.key}".`, { problems: [{ path: 'key', line: null, message: 'khoá đã tồn tại' }] });
    const row = rowOf(r.doc, yaml, (last?.version ?? 0) + 1, actor.userId, now);
    await tx.insertInto('playbooks').values(row).execute();
    await recordAudit(tx, actor, { action: last ? 'playbook.update' : 'playbook.create', targetType: 'playbook', targetId: row.id, details: { key: r.doc.key, version: row.version } }, now);
  });
  return getPlaybook(deps, actor, r.doc.key);
}

/**
 * Attach a playbook's newest version to a case inside the caller's transaction: its steps become tasks owned by
 * the case's unit (for unit/operator steps) and due from now. A playbook already on the case is not repeated.
 * Returns the number of tasks created.
 */
export async function attachPlaybookTx(tx: Tx, c: CaseRow, pb: PlaybookRow, actor: Actor | null, at: string): Promise<number> {
  const already = await tx.selectFrom('case_tasks').select('id').where('case_id', '=', c.id).where('playbook_key', '=', pb.key).executeTakeFirst();
  if (already) return 0;
  const last = await tx.selectFrom('case_tasks').select((eb) => eb.fn.max('sort_order').as('m')).where('case_id', '=', c.id).executeTakeFirst();
  const first = last?.m === null || last?.m === undefined ? 0 : Number(last.m) + 1;
  const tasks = tasksFromPlaybook(docOf(pb), at, first);
  if (tasks.length) {
    await tx.insertInto('case_tasks').values(tasks.map((t) => ({
      id: newId(), case_id: c.id, playbook_id: pb.id, playbook_key: pb.key, step_key: t.stepKey, phase: t.phase, title: t.title, who: t.who,
      evidence_json: JSON.stringify(t.evidence), decision: t.decision, mandatory: t.mandatory ? 1 : 0, status: 'todo',
      owner_unit_id: t.who === 'unit' || t.who === 'operator' ? c.unit_id : null, assignee_user_id: null, due_at: t.dueAt,
      done_at: null, done_by: null, note: null, sort_order: t.order, created_at: at, updated_at: at,
    }))).execute();
  }
  await addTimeline(tx, { caseId: c.id, at, kind: 'action', text: `Áp dụng quy trình "${pb.title}" (v${pb.version}): ${tasks.length} bước.`, actorUserId: actor?.userId, actorLabel: actor?.username ?? 'khien' });
  return tasks.length;
}

/** Choose and attach playbooks automatically (by alert rule, else by category). */
export async function autoAttachTx(tx: Tx, c: CaseRow, alertRules: string[], actor: Actor | null, at: string): Promise<string[]> {
  const pbs = await latestPlaybooks(tx);
  const chosen = choosePlaybooks(pbs.map((p) => ({ ...p, categories: fromJson<CaseCategory[]>(p.categories_json) ?? [], alertRules: fromJson<string[]>(p.alert_rules_json) ?? [] })), { category: c.category as CaseCategory, alertRules });
  for (const p of chosen) await attachPlaybookTx(tx, c, p, actor, at);
  return chosen.map((p) => p.key);
}

export async function findLatestPlaybook(db: Db | Tx, key: string): Promise<PlaybookRow | undefined> {
  return db.selectFrom('playbooks').selectAll().where('key', '=', key).orderBy('version', 'desc').limit(1).executeTakeFirst();
}
