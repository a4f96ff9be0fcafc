import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { ObservableCreateSchema, ObservableType, TaskCreateSchema, TaskUpdateSchema } from '../../../contracts/cases.js';
import type { Actor } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { newId, nowIso, toBool } from '../../db/columns.js';
import { hashCitizenId, isCitizenId, maskCitizenId } from '../org/citizen-id.js';
import { canCase } from './cases.policy.js';
import { addTimeline, toTask, unitRefs, userRefs } from './cases.repository.js';
import { getCaseFor, type Deps } from './cases.service.js';
import { enqueueNotifications } from './notify.service.js';

// Tasks -----------------------------------------------------------------------------------------------------

async function taskFor(deps: Deps, actor: Actor, taskId: string) {
  const t = await deps.db.selectFrom('case_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  if (!t) throw new NotFoundError('case_task.not_found', 'Không tìm thấy công việc.');
  const c = await getCaseFor(deps, actor, t.case_id, 'case.write');
  return { t, c };
}

/** Progress on a task (case.write): status, assignee, note. A mandatory step cannot be skipped. */
export async function updateTask(deps: Deps, actor: Actor, taskId: string, input: z.infer<typeof TaskUpdateSchema>) {
  const { t, c } = await taskFor(deps, actor, taskId);
  if (c.phase === 'closed') throw new ConflictError('case.closed', 'Sự cố đã đóng.');
  if (input.status === 'skipped' && t.mandatory) throw new ConflictError('case_task.mandatory', 'Bước bắt buộc không thể bỏ qua.');
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    if (input.assigneeId) {
      const u = await tx.selectFrom('users').select('id').where('id', '=', input.assigneeId).where('status', '=', 'active').executeTakeFirst();
      if (!u) throw new ValidationError('case.user_not_found', 'Không tìm thấy người dùng.', { field: 'assigneeId' });
    }
    const set: Record<string, unknown> = { updated_at: now };
    if (input.status !== undefined) {
      set.status = input.status;
      set.done_at = input.status === 'done' ? now : null;
      set.done_by = input.status === 'done' ? actor.userId : null;
    }
    if (input.assigneeId !== undefined) set.assignee_user_id = input.assigneeId;
    if (input.note !== undefined) set.note = input.note;
    await tx.updateTable('case_tasks').set(set).where('id', '=', taskId).execute();
    await tx.updateTable('cases').set({ updated_at: now }).where('id', '=', c.id).execute();
    const parts = [
      input.status && input.status !== t.status ? `trạng thái ${t.status} → ${input.status}` : null,
      input.assigneeId !== undefined && input.assigneeId !== t.assignee_user_id ? 'giao người thực hiện' : null,
      input.note ? `ghi chú: ${input.note}` : null,
    ].filter(Boolean);
    if (parts.length) await addTimeline(tx, { caseId: c.id, at: now, kind: 'action', text: `Bước "${t.title}": ${parts.join('; ')}.`, actorUserId: actor.userId, actorLabel: actor.username });
    if (input.assigneeId && input.assigneeId !== t.assignee_user_id) {
      const exists = await tx.selectFrom('case_members').select('id').where('case_id', '=', c.id).where('user_id', '=', input.assigneeId).executeTakeFirst();
      if (!exists) await tx.insertInto('case_members').values({ id: newId(), case_id: c.id, user_id: input.assigneeId, role: 'watcher', added_at: now }).execute();
      await enqueueNotifications(tx, { event: 'task.assigned', caseRow: c, text: `Bạn được giao bước "${t.title}" của sự cố ${c.number}.`, at: now, onlyUserIds: [input.assigneeId] });
    }
    await recordAudit(tx, actor, { action: 'case_task.update', targetType: 'case_task', targetId: taskId, unitId: c.unit_id, before: { status: t.status, assignee: t.assignee_user_id }, after: input }, now);
  });
  const fresh = (await deps.db.selectFrom('case_tasks').selectAll().where('id', '=', taskId).executeTakeFirstOrThrow());
  const [units, users] = await Promise.all([unitRefs(deps.db, fresh.owner_unit_id ? [fresh.owner_unit_id] : []), userRefs(deps.db, fresh.assignee_user_id ? [fresh.assignee_user_id] : [])]);
  return toTask(fresh, units, users, now);
}

/** Add a free task to a case (case.write). */
export async function createTask(deps: Deps, actor: Actor, caseId: string, input: z.infer<typeof TaskCreateSchema>) {
  const c = await getCaseFor(deps, actor, caseId, 'case.write');
  if (c.phase === 'closed') throw new ConflictError('case.closed', 'Sự cố đã đóng.');
  const now = nowIso(deps.clock);
  const id = newId(deps.clock());
  await deps.db.transaction().execute(async (tx) => {
    const last = await tx.selectFrom('case_tasks').select((eb) => eb.fn.max('sort_order').as('m')).where('case_id', '=', caseId).executeTakeFirst();
    await tx.insertInto('case_tasks').values({
      id, case_id: caseId, playbook_id: null, playbook_key: null, step_key: null, phase: input.phase, title: input.title, who: input.who, evidence_json: '[]',
      decision: null, mandatory: input.mandatory ? 1 : 0, status: 'todo', owner_unit_id: input.who === 'unit' || input.who === 'operator' ? c.unit_id : null,
      assignee_user_id: null, due_at: input.dueAt ?? null, done_at: null, done_by: null, note: null, sort_order: last?.m == null ? 0 : Number(last.m) + 1, created_at: now, updated_at: now,
    }).execute();
    await addTimeline(tx, { caseId, at: now, kind: 'action', text: `Thêm bước "${input.title}".`, actorUserId: actor.userId, actorLabel: actor.username });
    await recordAudit(tx, actor, { action: 'case_task.create', targetType: 'case_task', targetId: id, unitId: c.unit_id, after: input }, now);
  });
  const t = await deps.db.selectFrom('case_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toTask(t, await unitRefs(deps.db, t.owner_unit_id ? [t.owner_unit_id] : []), new Map(), now);
}

/** Open tasks assigned to the actor in cases they may still read, soonest due first. */
export async function myTasks(deps: Deps, actor: Actor) {
  const now = nowIso(deps.clock);
  const rows = await deps.db
    .selectFrom('case_tasks as t')
    .innerJoin('cases as c', 'c.id', 't.case_id')
    .selectAll('t')
    .select(['c.number', 'c.title as case_title', 'c.unit_path'])
    .where('t.assignee_user_id', '=', actor.userId)
    .where('t.status', 'in', ['todo', 'in_progress'])
    .where('c.phase', '!=', 'closed')
    .orderBy('t.due_at')
    .limit(500)
    .execute();
  const visible = rows.filter((r) => canCase(actor, 'case.read', { unit_path: r.unit_path }));
  const [units, users] = await Promise.all([unitRefs(deps.db, visible.flatMap((r) => (r.owner_unit_id ? [r.owner_unit_id] : []))), userRefs(deps.db, [actor.userId])]);
  return { items: visible.map((r) => ({ ...toTask(r, units, users, now), caseId: r.case_id, caseNumber: r.number, caseTitle: r.case_title })) };
}

// Observables -----------------------------------------------------------------------------------------------

/**
 * The value an observable is matched on across cases: lower-cased and trimmed forms, or — for a citizen ID —
 * the keyed CCCD hash (the clear number is never stored, NĐ 13/2023 / Luật 91/2025; see org/citizen-id.ts).
 */
export function observableKey(keys: Deps['keys'], type: ObservableType, raw: string): { key: string; shown: string } {
  const v = raw.trim();
  switch (type) {
    case 'citizen_id': {
      const digits = v.replace(/\s/g, '');
      if (!isCitizenId(digits)) throw new ValidationError('observable.invalid', 'Số CCCD phải có 12 chữ số.', { field: 'value' });
      return { key: hashCitizenId(keys, digits), shown: maskCitizenId(digits) };
    }
    case 'ip':
      if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(v)) throw new ValidationError('observable.invalid', 'Địa chỉ IP không hợp lệ.', { field: 'value' });
      return { key: v.toLowerCase(), shown: v };
    case 'domain':
      return { key: v.toLowerCase().replace(/\.$/, ''), shown: v.toLowerCase() };
    case 'hash':
      if (!/^[0-9a-fA-F]{32,128}$/.test(v)) throw new ValidationError('observable.invalid', 'Mã băm phải là chuỗi hex (MD5/SHA-1/SHA-256).', { field: 'value' });
      return { key: v.toLowerCase(), shown: v.toLowerCase() };
    case 'url':
      return { key: v.replace(/^(https?:\/\/[^/]+)/i, (m) => m.toLowerCase()), shown: v };
    default:
      return { key: v.toLowerCase(), shown: v };
  }
}

/** The case's observables, each with the other cases it was seen in (named only when readable). */
export async function presentObservables(deps: Deps, actor: Actor, caseId: string) {
  const obs = await deps.db.selectFrom('case_observables').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
  if (!obs.length) return [];
  const keys = [...new Set(obs.map((o) => o.match_key))];
  const others = await deps.db
    .selectFrom('case_observables as o')
    .innerJoin('cases as c', 'c.id', 'o.case_id')
    .select(['o.type', 'o.match_key', 'c.id', 'c.number', 'c.title', 'c.unit_path'])
    .where('o.type', 'in', [...new Set(obs.map((o) => o.type))]) // leading column of case_observables_match_idx
    .where('o.match_key', 'in', keys)
    .where('o.case_id', '!=', caseId)
    .execute();
  return obs.map((o) => {
    const same = others.filter((x) => x.type === o.type && x.match_key === o.match_key);
    return {
      id: o.id, type: o.type as ObservableType, value: o.value, ioc: toBool(o.ioc), note: o.note, createdAt: o.created_at,
      seenIn: same.filter((x) => canCase(actor, 'case.read', x)).map((x) => ({ caseId: x.id, number: x.number, title: x.title })),
      seenCount: same.length,
    };
  });
}

/** Add an observable (case.write); a value already on another case is flagged on the timeline at once. */
export async function addObservable(deps: Deps, actor: Actor, caseId: string, input: z.infer<typeof ObservableCreateSchema>) {
  const c = await getCaseFor(deps, actor, caseId, 'case.write');
  const { key, shown } = observableKey(deps.keys, input.type, input.value);
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    const dup = await tx.selectFrom('case_observables').select('id').where('case_id', '=', caseId).where('type', '=', input.type).where('match_key', '=', key).executeTakeFirst();
    if (dup) throw new ConflictError('observable.duplicate', 'Chỉ dấu này đã có trong sự cố.');
    await tx.insertInto('case_observables').values({ id: newId(), case_id: caseId, type: input.type, value: shown, match_key: key, ioc: input.ioc ? 1 : 0, note: input.note ?? null, created_by: actor.userId, created_at: now }).execute();
    const seen = await tx.selectFrom('case_observables').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', input.type).where('match_key', '=', key).where('case_id', '!=', caseId).executeTakeFirstOrThrow();
    await addTimeline(tx, { caseId, at: now, kind: 'action', text: `Thêm chỉ dấu ${input.type}: ${shown}${Number(seen.n) ? ` — đã gặp ở ${seen.n} sự cố khác` : ''}.`, actorUserId: actor.userId, actorLabel: actor.username });
    await recordAudit(tx, actor, { action: 'case.observable_add', targetType: 'case', targetId: caseId, unitId: c.unit_id, details: { type: input.type, value: shown } }, now);
  });
  return presentObservables(deps, actor, caseId);
}

// Attachments (content-addressed files) ---------------------------------------------------------------------

export function fileStoreDir(dataDir: string): string {
  return resolve(dataDir, 'case-files');
}

export function storedPath(dataDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad hash');
  return join(fileStoreDir(dataDir), sha256.slice(0, 2), sha256);
}

/** Store bytes by their SHA-256 (idempotent: the same content is kept once). Returns the hash. */
export function storeBuffer(dataDir: string, buf: Buffer): string {
  const sha = createHash('sha256').update(buf).digest('hex');
  const path = storedPath(dataDir, sha);
  if (!existsSync(path)) {
    mkdirSync(join(fileStoreDir(dataDir), sha.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, buf, { mode: 0o600 });
    renameSync(tmp, path);
  }
  return sha;
}

/**
 * Stream an upload to a temporary file while hashing it, refusing it past `maxBytes` (413, nothing kept), then
 * move it under its hash. Returns the hash and size.
 */
export async function storeStream(dataDir: string, stream: Readable & { truncated?: boolean }, maxBytes: number): Promise<{ sha256: string; size: number }> {
  const dir = fileStoreDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `upload-${randomBytes(8).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  let size = 0;
  let tooBig = false;
  try {
    await pipeline(stream, async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        size += chunk.length;
        if (size > maxBytes) {
          tooBig = true;
          throw new Error('too big');
        }
        hash.update(chunk);
        yield chunk;
      }
    }, createWriteStream(tmp, { mode: 0o600 }));
  } catch (err) {
    rmSync(tmp, { force: true });
    if (tooBig || stream.truncated) throw new PayloadTooLarge(maxBytes);
    throw err;
  }
  if (stream.truncated) {
    rmSync(tmp, { force: true });
    throw new PayloadTooLarge(maxBytes);
  }
  const sha256 = hash.digest('hex');
  const path = storedPath(dataDir, sha256);
  mkdirSync(join(dir, sha256.slice(0, 2)), { recursive: true });
  if (existsSync(path)) rmSync(tmp, { force: true });
  else renameSync(tmp, path);
  return { sha256, size };
}

export class PayloadTooLarge extends AppError {
  constructor(max: number) {
    super('case.attachment_too_large', 413, `Tệp vượt quá giới hạn ${Math.round(max / 1024 / 1024)} MB.`);
  }
}

/** Record an uploaded attachment (the bytes are already stored). */
export async function recordAttachment(deps: Deps, actor: Actor, caseId: string, f: { name: string; mime: string; sha256: string; size: number }) {
  const c = await getCaseFor(deps, actor, caseId, 'case.write');
  const now = nowIso(deps.clock);
  const id = newId(deps.clock());
  const name = f.name.replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 255) || 'tep';
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('case_attachments').values({ id, case_id: caseId, name, size: f.size, sha256: f.sha256, mime: f.mime.slice(0, 100), uploaded_by: actor.userId, uploaded_at: now }).execute();
    await addTimeline(tx, { caseId, at: now, kind: 'action', text: `Đính kèm tệp "${name}" (${f.size} byte, SHA-256 ${f.sha256.slice(0, 16)}…).`, actorUserId: actor.userId, actorLabel: actor.username });
    await recordAudit(tx, actor, { action: 'case.attachment_add', targetType: 'case', targetId: caseId, unitId: c.unit_id, details: { name, sha256: f.sha256, size: f.size } }, now);
  });
  return { id, name, size: f.size, sha256: f.sha256, mime: f.mime, uploadedAt: now, uploadedBy: actor.username };
}

/** An attachment's file for download (case.read on its case). */
export async function openAttachment(deps: Deps, actor: Actor, id: string) {
  const a = await deps.db.selectFrom('case_attachments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) throw new NotFoundError('case_attachment.not_found', 'Không tìm thấy tệp.');
  await getCaseFor(deps, actor, a.case_id, 'case.read');
  const path = storedPath(deps.config.dataDir, a.sha256);
  if (!existsSync(path)) throw new NotFoundError('case_attachment.missing', 'Tệp không còn trong kho lưu trữ.');
  return { name: a.name, size: statSync(path).size, stream: createReadStream(path) };
}

