import { CASE_SEVERITIES, type CaseSeverity, type NotifyEvent } from '../../../contracts/cases.js';
import type { Config } from '../../core/config.js';
import type { Keys } from '../../core/keys.js';
import { fromJson, newId } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { CaseRow, DeliveryRow } from './cases.table.js';
import { DeliveryError, sendEmail, sendTelegram, sendWebhook, type Message } from './notify-transports.js';

/**
 * Notifications are an outbox: events write delivery rows in the same transaction as the change that caused
 * them (nothing acknowledged is lost), and the scheduler sends them, retrying with exponential back-off.
 * Routing: channels of the case's unit or an ancestor (unit subtree), at or above their minimum severity, for
 * their categories and events (empty = all); plus the case's assignees and watchers by their preferences.
 */

const rank = (s: string) => CASE_SEVERITIES.indexOf(s as CaseSeverity);
const EVENT_LABEL: Record<NotifyEvent, string> = {
  'case.created': 'Sự cố mới',
  'case.phase_changed': 'Chuyển giai đoạn',
  'case.closed': 'Đóng sự cố',
  'case.reportable': 'Sự cố phải báo cáo',
  'clock.warning': 'Sắp đến hạn',
  'clock.overdue': 'Quá hạn',
  'task.assigned': 'Giao việc',
};

/** Maximum attempts before a delivery is marked failed; back-off 30 s × 4^(n−1), at most one hour. */
export const MAX_ATTEMPTS = 6;
export const backoffMs = (attempts: number) => Math.min(3_600_000, 30_000 * 4 ** Math.max(0, attempts - 1));

/** What leaves Khiên about a case. A TLP:RED case is named only by number (its title may itself be sensitive). */
function messageOf(event: NotifyEvent, c: CaseRow, text: string, at: string): Message {
  const red = c.tlp === 'red';
  const title = red ? '(TLP:RED — xem trong Khiên)' : c.title;
  return {
    subject: `[Khiên] ${EVENT_LABEL[event]}: ${c.number} — ${title}`,
    text: `${text}\nSự cố: ${c.number} — ${title}\nMức độ: ${c.severity} · Loại: ${c.category} · Giai đoạn: ${c.phase}\nTLP: ${c.tlp.toUpperCase()}`,
    payload: { event, at, text, case: { id: c.id, number: c.number, title, severity: c.severity, category: c.category, phase: c.phase, tlp: c.tlp, unitId: c.unit_id } },
  };
}

/** Queue the deliveries an event on a case causes (call inside the change's transaction). */
export async function enqueueNotifications(tx: Tx, e: { event: NotifyEvent; caseRow: CaseRow; text: string; at: string; onlyUserIds?: string[] }): Promise<number> {
  const c = e.caseRow;
  const m = messageOf(e.event, c, e.text, e.at);
  const payload = JSON.stringify(m);
  const rows: DeliveryRow[] = [];
  const base = { event: e.event, case_id: c.id, unit_path: c.unit_path, payload_json: payload, status: 'pending', attempts: 0, next_attempt_at: e.at, last_error: null, response_status: null, created_at: e.at, sent_at: null };
  if (!e.onlyUserIds) {
    const channels = await tx.selectFrom('notification_channels').selectAll().where('enabled', '=', 1).execute();
    for (const ch of channels) {
      if (!c.unit_path.startsWith(ch.unit_path)) continue;
      if (rank(c.severity) < rank(ch.min_severity)) continue;
      const cats = fromJson<string[]>(ch.categories_json) ?? [];
      const evs = fromJson<string[]>(ch.events_json) ?? [];
      if (cats.length && !cats.includes(c.category)) continue;
      if (evs.length && !evs.includes(e.event)) continue;
      rows.push({ id: newId(), channel_id: ch.id, user_id: null, kind: ch.kind, target_label: ch.kind === 'webhook' ? new URL(ch.target).host : ch.target, ...base });
    }
  }
  const members = await tx
    .selectFrom('case_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('notification_prefs as p', 'p.user_id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.status', 'p.email as pref_email', 'p.telegram_chat_id', 'p.min_severity', 'p.events_json'])
    .where('m.case_id', '=', c.id)
    .execute();
  const seen = new Set<string>();
  for (const u of members) {
    if (seen.has(u.id) || u.status !== 'active') continue;
    if (e.onlyUserIds && !e.onlyUserIds.includes(u.id)) continue;
    seen.add(u.id);
    if (u.min_severity && rank(c.severity) < rank(u.min_severity)) continue;
    const evs = fromJson<string[]>(u.events_json) ?? [];
    if (evs.length && !evs.includes(e.event)) continue;
    if (u.email && u.pref_email !== 0) rows.push({ id: newId(), channel_id: null, user_id: u.id, kind: 'email', target_label: u.email, ...base });
    if (u.telegram_chat_id) rows.push({ id: newId(), channel_id: null, user_id: u.id, kind: 'telegram', target_label: u.telegram_chat_id, ...base });
  }
  if (rows.length) await tx.insertInto('notification_deliveries').values(rows).execute();
  return rows.length;
}

export interface DispatchDeps {
  db: Db;
  keys: Keys;
  config: Pick<Config, 'cases'>;
  clock: () => number;
}

/**
 * Send every pending delivery that is due (one scheduler step). Success → sent; failure → attempts+1 and the
 * next attempt after the back-off, or failed after MAX_ATTEMPTS. The error kept in the log names no secret.
 */
export async function dispatchDeliveries(deps: DispatchDeps, limit = 200): Promise<{ sent: number; retried: number; failed: number }> {
  const now = deps.clock();
  const at = new Date(now).toISOString();
  const due = await deps.db.selectFrom('notification_deliveries').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', at).orderBy('next_attempt_at').limit(limit).execute();
  const out = { sent: 0, retried: 0, failed: 0 };
  const cfg = deps.config.cases;
  for (const d of due) {
    const m = JSON.parse(d.payload_json) as Message;
    let status: number | null = null;
    try {
      if (d.kind === 'email') {
        if (!cfg.smtpUrl) throw new DeliveryError('SMTP chưa được cấu hình (KHIEN_SMTP_URL).');
        await sendEmail(cfg.smtpUrl, cfg.smtpFrom, d.target_label, m);
        status = 250;
      } else if (d.kind === 'telegram') {
        if (!cfg.telegramBotToken) throw new DeliveryError('Telegram chưa được cấu hình (KHIEN_TELEGRAM_BOT_TOKEN).');
        const chatId = d.channel_id
          ? (await deps.db.selectFrom('notification_channels').select('target').where('id', '=', d.channel_id).executeTakeFirst())?.target
          : d.target_label;
        if (!chatId) throw new DeliveryError('Kênh đã bị xoá.');
        status = await sendTelegram(cfg.telegramApiUrl, cfg.telegramBotToken, chatId, m);
      } else {
        const ch = d.channel_id ? await deps.db.selectFrom('notification_channels').selectAll().where('id', '=', d.channel_id).executeTakeFirst() : undefined;
        if (!ch) throw new DeliveryError('Kênh đã bị xoá.');
        status = await sendWebhook(ch.target, ch.secret_enc ? deps.keys.decrypt(ch.secret_enc) : null, d.id, d.event, m, now);
      }
      await deps.db.updateTable('notification_deliveries').set({ status: 'sent', attempts: d.attempts + 1, sent_at: at, next_attempt_at: null, response_status: status, last_error: null }).where('id', '=', d.id).execute();
      out.sent += 1;
    } catch (err) {
      const attempts = d.attempts + 1;
      const failed = attempts >= MAX_ATTEMPTS;
      const message = err instanceof DeliveryError ? err.message : 'Lỗi gửi không xác định.';
      await deps.db.updateTable('notification_deliveries').set({
        status: failed ? 'failed' : 'pending', attempts, last_error: message, response_status: err instanceof DeliveryError ? err.status : null,
        next_attempt_at: failed ? null : new Date(now + backoffMs(attempts)).toISOString(),
      }).where('id', '=', d.id).execute();
      if (failed) out.failed += 1;
      else out.retried += 1;
    }
  }
  return out;
}
