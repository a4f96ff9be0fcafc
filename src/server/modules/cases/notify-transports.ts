import { createHmac } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';

/**
 * The three ways a notification leaves Khiên. Each returns normally on success and throws `DeliveryError` on
 * failure with a message that names no secret: URLs with tokens are never put in messages or logs.
 */
export class DeliveryError extends Error {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Replace every occurrence of the given secrets in a message (an upstream error may echo a URL). */
export function redact(message: string, secrets: (string | undefined | null)[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out.slice(0, 500);
}

export interface Message {
  subject: string;
  text: string;
  payload: unknown;
}

const transporters = new Map<string, Transporter>();

/** E-mail over SMTP (nodemailer); one pooled transporter per SMTP URL. */
export async function sendEmail(smtpUrl: string, from: string, to: string, m: Message): Promise<void> {
  let t = transporters.get(smtpUrl);
  if (!t) {
    t = nodemailer.createTransport(smtpUrl);
    transporters.set(smtpUrl, t);
  }
  try {
    await t.sendMail({ from, to, subject: m.subject, text: m.text });
  } catch (err) {
    const e = err as { message?: string; responseCode?: number };
    throw new DeliveryError(redact(`SMTP: ${e.message ?? 'error'}`, [smtpUrl, new URL(smtpUrl).password]), e.responseCode ?? null);
  }
}

/** Telegram Bot API `sendMessage` (https://core.telegram.org/bots/api#sendmessage): POST {chat_id, text}. */
export async function sendTelegram(apiUrl: string, token: string, chatId: string, m: Message): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/bot${token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: `${m.subject}\n${m.text}`.slice(0, 4096), disable_web_page_preview: true }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new DeliveryError(redact(`Telegram: ${(err as Error).message}`, [token]));
  }
  const body = (await res.json().catch(() => null)) as { ok?: boolean; description?: string } | null;
  if (!res.ok || !body?.ok) throw new DeliveryError(redact(`Telegram ${res.status}: ${body?.description ?? 'error'}`, [token]), res.status);
  return res.status;
}

/**
 * The signature of a webhook body: `sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>` with the channel's
 * secret (the timestamp is signed too, so a receiver can refuse replays older than a few minutes).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A signed generic webhook: JSON body, `x-khien-signature` and `x-khien-timestamp` headers. */
export async function sendWebhook(url: string, secret: string | null, deliveryId: string, event: string, m: Message, nowMs: number): Promise<number> {
  const body = JSON.stringify(m.payload);
  const ts = String(Math.floor(nowMs / 1000));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-khien-event': event, 'x-khien-delivery': deliveryId, 'x-khien-timestamp': ts, 'user-agent': 'Khien-Webhook/1' };
  if (secret) headers['x-khien-signature'] = webhookSignature(secret, ts, body);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
  } catch (err) {
    throw new DeliveryError(redact(`Webhook: ${(err as Error).message}`, [secret]));
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new DeliveryError(`Webhook HTTP ${res.status}`, res.status);
  return res.status;
}
