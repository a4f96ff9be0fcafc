import type { z } from 'zod';
import type { CaseCategory, CaseSeverity, ChannelCreateSchema, NotifyEvent, PreferencesSchema } from '../../../contracts/cases.js';
import { type Actor, assertCan, scopeOf } from '../../core/actor.js';
import { recordAudit } from '../../core/audit.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { fromJson, newId, nowIso } from '../../db/columns.js';
import { findUnit } from '../org/org-unit.repository.js';
import { pathInScope } from '../org/scope.js';
import { unitRefs } from './cases.repository.js';
import type { Deps } from './cases.service.js';
import type { ChannelRow } from './cases.table.js';

/**
 * Notification channels (notification.manage over the channel's unit): e-mail addresses, Telegram chats and
 * signed webhooks, routed by unit subtree, minimum severity, categories and events. A webhook secret is
 * encrypted at rest and never returned; the delivery log shows status, attempts and a secret-free error.
 */
async function present(deps: Deps, rows: ChannelRow[]) {
  const units = await unitRefs(deps.db, rows.map((r) => r.unit_id));
  return rows.map((r) => ({
    id: r.id, kind: r.kind as 'email', name: r.name, target: r.kind === 'webhook' ? redactUrl(r.target) : r.target, hasSecret: !!r.secret_enc,
    unit: units.get(r.unit_id) ?? { id: r.unit_id, code: null, name: '?' }, minSeverity: r.min_severity as CaseSeverity,
    categories: fromJson<CaseCategory[]>(r.categories_json) ?? [], events: fromJson<NotifyEvent[]>(r.events_json) ?? [], enabled: r.enabled === 1, createdAt: r.created_at,
  }));
}

/** A webhook URL as shown: scheme, host and path only (query strings often carry tokens). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '…';
  }
}

export async function listChannels(deps: Deps, actor: Actor) {
  const scope = scopeOf(actor, 'notification.manage');
  const rows = await deps.db.selectFrom('notification_channels').selectAll().where(pathInScope('unit_path', scope)).orderBy('created_at').execute();
  return { items: await present(deps, rows) };
}

export async function createChannel(deps: Deps, actor: Actor, input: z.infer<typeof ChannelCreateSchema>) {
  const unit = await findUnit(deps.db, input.unitId);
  if (!unit) throw new ValidationError('case.unit_not_found', 'Không tìm thấy đơn vị.', { field: 'unitId' });
  assertCan(actor, 'notification.manage', unit.path, { type: 'org_unit', id: unit.id, unitId: unit.id });
  if (input.kind === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.target)) throw new ValidationError('channel.invalid', 'Địa chỉ e-mail không hợp lệ.', { field: 'target' });
  if (input.kind === 'webhook') {
    let u: URL;
    try {
      u = new URL(input.target);
    } catch {
      throw new ValidationError('channel.invalid', 'URL webhook không hợp lệ.', { field: 'target' });
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ValidationError('channel.invalid', 'URL webhook phải là http(s).', { field: 'target' });
    if (!input.secret) throw new ValidationError('channel.secret_required', 'Webhook cần khoá bí mật (≥ 16 ký tự) để ký HMAC.', { field: 'secret' });
  }
  if (input.kind === 'telegram' && !/^-?\d{1,20}$|^@[A-Za-z0-9_]{5,}$/.test(input.target)) throw new ValidationError('channel.invalid', 'Chat ID Telegram không hợp lệ.', { field: 'target' });
  const now = nowIso(deps.clock);
  const row: ChannelRow = {
    id: newId(deps.clock()), kind: input.kind, name: input.name, target: input.target, secret_enc: input.secret ? deps.keys.encrypt(input.secret) : null,
    unit_id: unit.id, unit_path: unit.path, min_severity: input.minSeverity, categories_json: JSON.stringify(input.categories), events_json: JSON.stringify(input.events),
    enabled: input.enabled ? 1 : 0, created_by: actor.userId, created_at: now, updated_at: now,
  };
  await deps.db.transaction().execute(async (tx) => {
    await tx.insertInto('notification_channels').values(row).execute();
    // The secret never enters the audit trail.
    await recordAudit(tx, actor, { action: 'notification_channel.create', targetType: 'notification_channel', targetId: row.id, unitId: unit.id, after: { ...input, secret: input.secret ? '***' : undefined, target: input.kind === 'webhook' ? redactUrl(input.target) : input.target } }, now);
  });
  return (await present(deps, [row]))[0]!;
}

export async function setChannelEnabled(deps: Deps, actor: Actor, id: string, enabled: boolean) {
  const ch = await deps.db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst();
  if (!ch) throw new NotFoundError('notification_channel.not_found', 'Không tìm thấy kênh.');
  assertCan(actor, 'notification.manage', ch.unit_path, { type: 'notification_channel', id, unitId: ch.unit_id });
  const now = nowIso(deps.clock);
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('notification_channels').set({ enabled: enabled ? 1 : 0, updated_at: now }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'notification_channel.update', targetType: 'notification_channel', targetId: id, unitId: ch.unit_id, after: { enabled } }, now);
  });
  return (await present(deps, [{ ...ch, enabled: enabled ? 1 : 0 }]))[0]!;
}

/** The delivery log of channels and cases in scope, newest first. */
export async function listDeliveries(deps: Deps, actor: Actor, limit: number) {
  const scope = scopeOf(actor, 'notification.manage');
  const rows = await deps.db.selectFrom('notification_deliveries as d').leftJoin('notification_channels as ch', 'ch.id', 'd.channel_id')
    .selectAll('d').select(['ch.name as channel_name'])
    .where(pathInScope('d.unit_path', scope)).orderBy('d.created_at', 'desc').limit(limit).execute();
  return {
    items: rows.map((d) => ({
      id: d.id, channel: d.channel_name ?? 'Người nhận theo sự cố', kind: d.kind as 'email', event: d.event, caseId: d.case_id, target: d.target_label,
      status: d.status as 'sent', attempts: d.attempts, nextAttemptAt: d.next_attempt_at, lastError: d.last_error, responseStatus: d.response_status, createdAt: d.created_at, sentAt: d.sent_at,
    })),
  };
}

export async function getPreferences(deps: Deps, actor: Actor): Promise<z.infer<typeof PreferencesSchema>> {
  const p = await deps.db.selectFrom('notification_prefs').selectAll().where('user_id', '=', actor.userId).executeTakeFirst();
  return { email: p ? p.email === 1 : true, telegramChatId: p?.telegram_chat_id ?? null, minSeverity: (p?.min_severity as CaseSeverity) ?? 'low', events: fromJson<NotifyEvent[]>(p?.events_json) ?? [] };
}

export async function savePreferences(deps: Deps, actor: Actor, input: z.infer<typeof PreferencesSchema>) {
  const now = nowIso(deps.clock);
  const row = { user_id: actor.userId, email: input.email ? 1 : 0, telegram_chat_id: input.telegramChatId || null, min_severity: input.minSeverity, events_json: JSON.stringify(input.events), updated_at: now };
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('notification_prefs').where('user_id', '=', actor.userId).execute();
    await tx.insertInto('notification_prefs').values(row).execute();
    await recordAudit(tx, actor, { action: 'notification_prefs.update', targetType: 'user', targetId: actor.userId, after: input }, now);
  });
  return getPreferences(deps, actor);
}
