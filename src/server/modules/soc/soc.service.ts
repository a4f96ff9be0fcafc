import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { SocAlert, SocAlertQuery, SocAlertUpdate, SocEvent, SocEventQuery, SocSource, SocSourceCreate, SocSourceUpdate } from '../../../contracts/soc.js';
import type { Permission } from '../../../contracts/roles.js';
import { type Actor, assertCan, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import type { AppDeps } from '../../core/context.js';
import { AppError, NotFoundError, UnprocessableError, UnauthenticatedError } from '../../core/errors.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db } from '../../db/database.js';
import { notifyAlertStatus } from './alerts.js';
import { eventFields, searchEvents } from './events.repository.js';
import type { SocAlertRow, SocEventRow, SocSourceRow } from './soc.table.js';
import { type SocRuntime, socRuntimeOf } from './soc.runtime.js';
import type { SpoolRecord } from './spool.js';

/** The audit action of each alert status change (written out so the audit trail's labels can be checked). */
const ALERT_STATUS_AUDIT = { new: 'soc_alert.new', acknowledged: 'soc_alert.acknowledged', false_positive: 'soc_alert.false_positive', escalated: 'soc_alert.escalated' } as const;

/** Unit ids inside the actor's scope for a permission (materialised-path prefixes → ids). */
async function unitIdsInScope(db: Db, actor: Actor, permission: Permission): Promise<string[]> {
  const prefixes = scopeOf(actor, permission);
  if (prefixes.length === 0) return [];
  const rows = await db
    .selectFrom('org_units')
    .select('id')
    .where((eb) => eb.or(prefixes.map((p) => eb('path', 'like', `${p}%`))))
    .execute();
  return rows.map((r) => r.id);
}

async function unitPath(db: Db, unitId: string): Promise<string> {
  const u = await db.selectFrom('org_units').select('path').where('id', '=', unitId).executeTakeFirst();
  if (!u) throw new NotFoundError('org_unit.not_found', 'Không tìm thấy đơn vị.');
  return u.path;
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

function toSource(r: SocSourceRow & { unit_name?: string | null; system_name?: string | null }): SocSource {
  return {
    id: r.id, name: r.name, kind: r.kind as SocSource['kind'], unitId: r.unit_id, unitName: r.unit_name ?? null, systemId: r.system_id, systemName: r.system_name ?? null,
    assetId: r.asset_id, hosts: JSON.parse(r.hosts_json), apiKeyPrefix: r.api_key_prefix, tzOffsetMinutes: r.tz_offset_minutes, accessLog: r.access_log === 1, enabled: r.enabled === 1, createdAt: r.created_at,
  };
}

/** Sources with their unit's and system's names (what `toSource` reads). */
function sourceRows(db: AppDeps['db']) {
  return db
    .selectFrom('soc_sources as s')
    .leftJoin('org_units as u', 'u.id', 's.unit_id')
    .leftJoin('information_systems as i', 'i.id', 's.system_id')
    .selectAll('s')
    .select(['u.name as unit_name', 'i.name as system_name']);
}

export async function listSources(deps: AppDeps, actor: Actor): Promise<SocSource[]> {
  const units = await unitIdsInScope(deps.db, actor, 'soc.read');
  if (units.length === 0) return [];
  const rows = await sourceRows(deps.db)
    .where('s.unit_id', 'in', units)
    .orderBy('s.name')
    .execute();
  return rows.map(toSource);
}

/** A source the actor may manage (404 when there is none, 403 outside the actor's units). */
async function manageableSource(deps: AppDeps, actor: Actor, id: string) {
  const row = await deps.db.selectFrom('soc_sources').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('soc_source.not_found', 'Không tìm thấy nguồn nhật ký.');
  assertCan(actor, 'soc.manage', await unitPath(deps.db, row.unit_id), { type: 'soc_source', id, unitId: row.unit_id });
  return row;
}

/**
 * The system a source names exists (`chosen`: the one the request sets, if any), and an access-log source has a
 * system (`systemId`: the one it will have): its records are that system's, never named by a message.
 */
async function checkSourceSystem(deps: AppDeps, chosen: string | null | undefined, systemId: string | null, accessLog: boolean): Promise<void> {
  if (chosen) {
    const sys = await deps.db.selectFrom('information_systems').select('id').where('id', '=', chosen).executeTakeFirst();
    if (!sys) throw new UnprocessableError('soc_source.system_not_found', 'Không tìm thấy hệ thống thông tin đã chọn.', { field: 'systemId' });
  }
  if (accessLog && !systemId) throw new UnprocessableError('soc_source.access_log_needs_system', 'Nguồn mang nhật ký truy cập phải gắn với một hệ thống thông tin.', { field: 'systemId' });
}

/** Create a log source; an `http` source gets an API key, returned once (stored as its SHA-256). */
export async function createSource(deps: AppDeps, actor: Actor, input: SocSourceCreate): Promise<{ source: SocSource; apiKey: string | null }> {
  assertCan(actor, 'soc.manage', await unitPath(deps.db, input.unitId), { type: 'org_unit', id: input.unitId, unitId: input.unitId });
  await checkSourceSystem(deps, input.systemId, input.systemId ?? null, input.accessLog);
  if (input.assetId) {
    const a = await deps.db.selectFrom('assets').select('id').where('id', '=', input.assetId).executeTakeFirst();
    if (!a) throw new UnprocessableError('soc_source.asset_not_found', 'Không tìm thấy tài sản đã chọn.', { field: 'assetId' });
  }
  const id = newId();
  const now = nowIso();
  const apiKey = input.kind === 'http' ? `khien_${randomBytes(32).toString('base64url')}` : null;
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('soc_sources')
      .values({
        id, name: input.name, kind: input.kind, unit_id: input.unitId, system_id: input.systemId ?? null, asset_id: input.assetId ?? null,
        hosts_json: JSON.stringify(input.hosts.map((h) => h.toLowerCase())), api_key_hash: apiKey ? hashKey(apiKey) : null,
        api_key_prefix: apiKey ? apiKey.slice(0, 12) : null, tz_offset_minutes: input.tzOffsetMinutes, access_log: input.accessLog ? 1 : 0, enabled: 1, created_at: now, updated_at: now,
      })
      .execute();
    await recordAudit(tx, actor, { action: 'soc_source.create', targetType: 'soc_source', targetId: id, unitId: input.unitId, after: { ...input } }, now);
  });
  const row = await sourceRows(deps.db).where('s.id', '=', id).executeTakeFirstOrThrow();
  await socRuntimeOf(deps.db)?.sources.load(deps.db); // new events map to it at once (other processes: within 30 s)
  return { source: toSource(row), apiKey };
}

/**
 * Change a source: name, system, host names / IPs, time offset, the access-log declaration, enabled. The
 * declaration still needs a system (the records are the source's system's, never named by a message).
 */
export async function updateSource(deps: AppDeps, actor: Actor, id: string, input: SocSourceUpdate): Promise<SocSource> {
  const row = await manageableSource(deps, actor, id);
  const systemId = input.systemId === undefined ? row.system_id : input.systemId;
  const accessLog = input.accessLog ?? row.access_log === 1;
  await checkSourceSystem(deps, input.systemId, systemId, accessLog);
  const now = nowIso();
  const set = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    system_id: systemId,
    ...(input.hosts !== undefined ? { hosts_json: JSON.stringify(input.hosts.map((h) => h.toLowerCase())) } : {}),
    ...(input.tzOffsetMinutes !== undefined ? { tz_offset_minutes: input.tzOffsetMinutes } : {}),
    access_log: accessLog ? 1 : 0,
    ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
    updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('soc_sources').set(set).where('id', '=', id).execute();
    const before = toSource(row);
    await recordAudit(tx, actor, {
      action: 'soc_source.update', targetType: 'soc_source', targetId: id, unitId: row.unit_id,
      before: { name: before.name, systemId: before.systemId, hosts: before.hosts, tzOffsetMinutes: before.tzOffsetMinutes, accessLog: before.accessLog, enabled: before.enabled },
      after: { ...input },
    }, now);
  });
  await socRuntimeOf(deps.db)?.sources.load(deps.db); // this process at once; other processes within 30 s
  const out = await sourceRows(deps.db)
    .where('s.id', '=', id)
    .executeTakeFirstOrThrow();
  return toSource(out);
}

/** Issue a new API key for an HTTP source (the old one stops working at once). */
export async function rotateSourceKey(deps: AppDeps, actor: Actor, id: string): Promise<{ source: SocSource; apiKey: string }> {
  const row = await manageableSource(deps, actor, id);
  const apiKey = `khien_${randomBytes(32).toString('base64url')}`;
  const now = nowIso();
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('soc_sources').set({ api_key_hash: hashKey(apiKey), api_key_prefix: apiKey.slice(0, 12), kind: 'http', updated_at: now }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'soc_source.rotate_key', targetType: 'soc_source', targetId: id, unitId: row.unit_id }, now);
  });
  return { source: toSource({ ...row, api_key_prefix: apiKey.slice(0, 12), kind: 'http' }), apiKey };
}

function toEvent(r: SocEventRow): SocEvent {
  return {
    id: r.id, ts: r.ts, receivedAt: r.received_at, host: r.host, userName: r.user_name, sourceIp: r.source_ip, action: r.action, outcome: r.outcome, product: r.product,
    service: r.service, code: r.code, message: r.message, unitId: r.unit_id, systemId: r.system_id, assetId: r.asset_id, sourceId: r.source_id, fields: eventFields(r),
  };
}

export async function findEvents(deps: AppDeps, actor: Actor, q: SocEventQuery): Promise<{ items: SocEvent[]; total: number; page: number; pageSize: number }> {
  const units = await unitIdsInScope(deps.db, actor, 'soc.read');
  let field: { name: string; value: string } | undefined;
  if (q.field) {
    const eq = q.field.indexOf('=');
    field = { name: q.field.slice(0, eq).trim(), value: q.field.slice(eq + 1).trim() };
  }
  const r = await searchEvents(
    deps.db, deps.dialect,
    { from: q.from, to: q.to, host: q.host, user: q.user, sourceIp: q.sourceIp, action: q.action, outcome: q.outcome, systemId: q.systemId, q: q.q, field, limit: q.pageSize, offset: (q.page - 1) * q.pageSize },
    units,
  );
  return { items: r.items.map(toEvent), total: r.total, page: q.page, pageSize: q.pageSize };
}

type AlertJoined = SocAlertRow & { unit_name: string | null; system_name: string | null; asset_name: string | null; assignee_name: string | null };

function toAlert(r: AlertJoined): SocAlert {
  const tags = JSON.parse(r.tags_json) as string[];
  return {
    id: r.id, origin: r.origin, ruleId: r.rule_id, ruleAuthor: r.rule_author, title: r.title, severity: r.severity as SocAlert['severity'], tags,
    mitre: tags.filter((t) => /^attack\.t\d{4}/i.test(t)).map((t) => t.slice('attack.'.length).toUpperCase()),
    status: r.status as SocAlert['status'], assigneeId: r.assignee_id, assigneeName: r.assignee_name, unitId: r.unit_id, unitName: r.unit_name,
    systemId: r.system_id, systemName: r.system_name, assetId: r.asset_id, assetName: r.asset_name, host: r.host, count: r.count, firstSeen: r.first_seen,
    lastSeen: r.last_seen, details: JSON.parse(r.details_json), createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function alertQuery(db: Db) {
  return db
    .selectFrom('soc_alerts as a')
    .leftJoin('org_units as u', 'u.id', 'a.unit_id')
    .leftJoin('information_systems as i', 'i.id', 'a.system_id')
    .leftJoin('assets as s', 's.id', 'a.asset_id')
    .leftJoin('users as usr', 'usr.id', 'a.assignee_id')
    .selectAll('a')
    .select(['u.name as unit_name', 'i.name as system_name', 's.name as asset_name', 'usr.display_name as assignee_name']);
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

export async function listAlerts(deps: AppDeps, actor: Actor, q: SocAlertQuery): Promise<{ items: SocAlert[]; total: number; page: number; pageSize: number }> {
  const units = await unitIdsInScope(deps.db, actor, 'soc.read');
  if (units.length === 0) return { items: [], total: 0, page: q.page, pageSize: q.pageSize };
  let query = alertQuery(deps.db).where('a.unit_id', 'in', units);
  if (q.status === 'open') query = query.where('a.status', 'in', ['new', 'acknowledged']);
  else if (q.status) query = query.where('a.status', '=', q.status);
  if (q.severity) query = query.where('a.severity', '=', q.severity);
  if (q.systemId) query = query.where('a.system_id', '=', q.systemId);
  if (q.q) query = query.where('a.title', 'like', `%${q.q.replace(/[%_]/g, '')}%`);
  const rows = (await query.orderBy('a.last_seen', 'desc').execute()) as AlertJoined[];
  // Queue order: open first, then severity, then most recent (a few thousand open alerts at most per scope).
  rows.sort((a, b) => {
    const oa = a.status === 'new' || a.status === 'acknowledged' ? 0 : 1;
    const ob = b.status === 'new' || b.status === 'acknowledged' ? 0 : 1;
    if (oa !== ob) return oa - ob;
    const sa = SEVERITY_ORDER.indexOf(a.severity);
    const sb = SEVERITY_ORDER.indexOf(b.severity);
    if (sa !== sb) return sa - sb;
    return a.last_seen < b.last_seen ? 1 : a.last_seen > b.last_seen ? -1 : 0;
  });
  const start = (q.page - 1) * q.pageSize;
  return { items: rows.slice(start, start + q.pageSize).map(toAlert), total: rows.length, page: q.page, pageSize: q.pageSize };
}

async function alertFor(deps: AppDeps, actor: Actor, id: string, permission: Permission): Promise<AlertJoined> {
  const row = (await alertQuery(deps.db).where('a.id', '=', id).executeTakeFirst()) as AlertJoined | undefined;
  if (!row) throw new NotFoundError('soc_alert.not_found', 'Không tìm thấy cảnh báo.');
  assertCan(actor, permission, await unitPath(deps.db, row.unit_id), { type: 'soc_alert', id, unitId: row.unit_id });
  return row;
}

/** An alert with its events (newest first). */
export async function getAlert(deps: AppDeps, actor: Actor, id: string): Promise<{ alert: SocAlert; events: SocEvent[] }> {
  const row = await alertFor(deps, actor, id, 'soc.read');
  const links = await deps.db.selectFrom('soc_alert_events').select(['event_id', 'event_day']).where('alert_id', '=', id).execute();
  let events: SocEventRow[] = [];
  if (links.length > 0) {
    const days = [...new Set(links.map((l) => l.event_day))];
    events = await deps.db
      .selectFrom('soc_events')
      .selectAll()
      .where('day', 'in', days)
      .where('id', 'in', links.map((l) => l.event_id))
      .orderBy('ts', 'desc')
      .execute();
  }
  return { alert: toAlert(row), events: events.map(toEvent) };
}

/** Triage: status and assignment, audited in the same transaction. */
export async function updateAlert(deps: AppDeps, actor: Actor, id: string, input: SocAlertUpdate): Promise<SocAlert> {
  const row = await alertFor(deps, actor, id, 'soc.triage');
  if (input.assigneeId) {
    const u = await deps.db.selectFrom('users').select(['id', 'status']).where('id', '=', input.assigneeId).executeTakeFirst();
    if (!u || u.status !== 'active') throw new UnprocessableError('soc_alert.assignee_invalid', 'Người được giao không tồn tại hoặc không hoạt động.', { field: 'assigneeId' });
  }
  const now = nowIso();
  const patch: { status?: string; assignee_id?: string | null; updated_at: string } = { updated_at: now };
  if (input.status) patch.status = input.status;
  if (input.assigneeId !== undefined) patch.assignee_id = input.assigneeId;
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('soc_alerts').set(patch).where('id', '=', id).execute();
    // An alert raised by another module that keeps its own record (look-up analytics): pass the status on.
    if (input.status && input.status !== row.status) await notifyAlertStatus(tx, row.origin, id, input.status, actor.userId, now);
    await recordAudit(tx, actor, {
      action: input.status && input.status !== row.status ? ALERT_STATUS_AUDIT[input.status] : 'soc_alert.update',
      targetType: 'soc_alert', targetId: id, unitId: row.unit_id,
      before: { status: row.status, assigneeId: row.assignee_id }, after: { status: input.status ?? row.status, assigneeId: input.assigneeId === undefined ? row.assignee_id : input.assigneeId },
      reason: input.note ?? null,
    }, now);
  });
  return (await getAlert(deps, actor, id)).alert;
}

const MAX_BULK_LINES = 50_000;

/**
 * HTTP NDJSON bulk ingestion with a per-source API key. Every line must be a JSON object; bad lines are
 * reported (line number and reason) and not taken; the good ones are spooled, and the answer is sent only
 * after the spool's fsync, so a 200 means durable. An `event.id` given by the sender makes a retried post
 * idempotent; otherwise the id is the hash of the source and the line.
 */
export async function bulkIngest(deps: AppDeps, rt: SocRuntime, apiKey: string | undefined, body: string): Promise<{ accepted: number; rejected: { line: number; message: string }[] }> {
  if (!apiKey) throw new UnauthenticatedError('soc_ingest.no_key', 'Thiếu khoá API của nguồn nhật ký (Authorization: Bearer …).');
  const src = await deps.db.selectFrom('soc_sources').select(['id', 'enabled']).where('api_key_hash', '=', hashKey(apiKey)).executeTakeFirst();
  if (!src || src.enabled !== 1) throw new UnauthenticatedError('soc_ingest.bad_key', 'Khoá API không hợp lệ hoặc nguồn đã bị tắt.');
  const lines = body.split('\n');
  if (lines.length > MAX_BULK_LINES) throw new AppError('soc_ingest.too_many_lines', 413, `Tối đa ${MAX_BULK_LINES} dòng mỗi lần gửi.`);
  const t = Date.now();
  const records: SpoolRecord[] = [];
  const rejected: { line: number; message: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (err) {
      rejected.push({ line: i + 1, message: `không phải JSON hợp lệ: ${(err as Error).message}` });
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      rejected.push({ line: i + 1, message: 'mỗi dòng phải là một đối tượng JSON' });
      continue;
    }
    const given = (o as Record<string, unknown>)['event.id'] ?? ((o as { event?: { id?: unknown } }).event?.id);
    const id = createHash('sha256').update(`${src.id}\u0000${typeof given === 'string' || typeof given === 'number' ? `id:${given}` : line}`).digest('hex').slice(0, 32);
    records.push({ id, t, k: 'json', s: src.id, p: null, x: 'http', d: line });
  }
  rt.metrics.received.http += records.length;
  await rt.append(records);
  await rt.whenNotOverloaded();
  return { accepted: records.length, rejected };
}

const MAX_IMPORT_LINES = 2_000_000;

/**
 * File import into a source: JSON lines (ECS, Winlogbeat, EVTX exported as JSON, Wazuh alerts.json) or text
 * logs (syslog files, Apache/Nginx access logs); a gzip file is unpacked within the upload limit. All lines
 * are spooled with ids from the source, file name and line, so importing the same file twice stores nothing twice.
 */
export async function importFile(deps: AppDeps, rt: SocRuntime, actor: Actor, sourceId: string, file: { fileName: string; data: Buffer }): Promise<{ accepted: number; rejected: { line: number; message: string }[] }> {
  const src = await deps.db.selectFrom('soc_sources').selectAll().where('id', '=', sourceId).executeTakeFirst();
  if (!src) throw new NotFoundError('soc_source.not_found', 'Không tìm thấy nguồn nhật ký.');
  assertCan(actor, 'soc.manage', await unitPath(deps.db, src.unit_id), { type: 'soc_source', id: sourceId, unitId: src.unit_id });
  let data = file.data;
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data, { maxOutputLength: 256 * 1024 * 1024 }); // decompression bounded (zip-bomb guard)
    } catch {
      throw new UnprocessableError('soc_import.bad_gzip', `Tệp ${file.fileName}: không giải nén được hoặc vượt quá 256 MB sau giải nén.`);
    }
  }
  const text = data.toString('utf8');
  const lines = text.split('\n');
  if (lines.length > MAX_IMPORT_LINES) throw new UnprocessableError('soc_import.too_many_lines', `Tệp ${file.fileName}: tối đa ${MAX_IMPORT_LINES} dòng.`);
  const firstNonEmpty = lines.find((l) => l.trim() !== '') ?? '';
  const json = firstNonEmpty.trim().startsWith('{');
  const t = Date.now();
  const records: SpoolRecord[] = [];
  const rejected: { line: number; message: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    if (json) {
      try {
        const o = JSON.parse(line);
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('mỗi dòng phải là một đối tượng JSON');
      } catch (err) {
        rejected.push({ line: i + 1, message: (err as Error).message });
        continue;
      }
    }
    const id = createHash('sha256').update(`${src.id}\u0000${file.fileName}\u0000${i}\u0000${line}`).digest('hex').slice(0, 32);
    records.push({ id, t, k: json ? 'json' : 'text', s: src.id, p: null, x: 'file', d: line });
  }
  if (rejected.length > 0) {
    throw new UnprocessableError('import.invalid', `Tệp ${file.fileName}: ${rejected.length} dòng không hợp lệ; không dòng nào được nhập.`, { file: file.fileName, problems: rejected.slice(0, 100) });
  }
  for (let i = 0; i < records.length; i += 10_000) {
    await rt.append(records.slice(i, i + 10_000));
    await rt.whenNotOverloaded();
  }
  rt.metrics.received.file += records.length;
  await recordAudit(deps.db, actor, { action: 'soc.import', targetType: 'soc_source', targetId: sourceId, unitId: src.unit_id, details: { file: file.fileName, lines: records.length } });
  return { accepted: records.length, rejected };
}
