import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Keys } from '../../core/keys.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';

/**
 * Time-based one-time passwords, RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, accepting the previous and
 * next step for clock drift (ASVS 5 6.5.5 bounded validity). Seeds are 20 bytes (160 bits, RFC 4226 §4) from
 * the CSPRNG and are stored encrypted with the instance key (secrets at rest, ASVS 5 11.x / 13.3).
 */
export const TOTP_ISSUER = 'Khiên';
export const TOTP_PERIOD = 30;
export const TOTP_WINDOW = 1;

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The 30-second step number at `now` (ms). */
export function totpStep(now: number): number {
  return TOTP.counter({ period: TOTP_PERIOD, timestamp: now });
}

/** The step the code belongs to (within ±1 step of `now`), or null if it matches none. */
export function matchTotpStep(secretBase32: string, code: string, now: number): number | null {
  const delta = totpFor(secretBase32, 'x').validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(now) + delta;
}

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/**
 * Start (or restart) TOTP enrolment: a fresh unconfirmed factor replaces any earlier unconfirmed one. The
 * confirmed factor, if any, stays in force until the new one is confirmed.
 */
export async function startTotpEnrolment(tx: Tx | Db, keys: Keys, userId: string, username: string, now: number): Promise<TotpEnrolment> {
  const secret = new Secret({ size: 20 }).base32;
  await tx.deleteFrom('totp_factors').where('user_id', '=', userId).where('confirmed_at', 'is', null).execute();
  await tx
    .insertInto('totp_factors')
    .values({ id: newId(now), user_id: userId, secret_enc: keys.encrypt(secret), confirmed_at: null, last_used_step: null, created_at: nowIso(() => now) })
    .execute();
  const otpauthUrl = totpFor(secret, username).toString();
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUrl, qrSvg };
}

export type TotpCheck = 'ok' | 'invalid' | 'replayed' | 'none';

/**
 * Check a code against the user's TOTP factor (the confirmed one, or the pending one when `pending`) and
 * consume its step. The step is recorded with a conditional UPDATE (`last_used_step < step`) and the affected
 * row count decides: of two concurrent uses of one code only one can pass (ASVS 5 6.5.1; ASVS 4 2.8.5 —
 * a replay is reported as such so it can be audited). A code of an older step than the last accepted one is
 * also a replay.
 */
export async function checkTotp(
  tx: Tx | Db,
  keys: Keys,
  userId: string,
  code: string,
  now: number,
  which: 'confirmed' | 'pending' = 'confirmed',
): Promise<{ result: TotpCheck; factorId: string | null }> {
  let q = tx.selectFrom('totp_factors').selectAll().where('user_id', '=', userId);
  q = which === 'confirmed' ? q.where('confirmed_at', 'is not', null) : q.where('confirmed_at', 'is', null);
  const factor = await q.orderBy('created_at', 'desc').executeTakeFirst();
  if (!factor) return { result: 'none', factorId: null };
  const step = matchTotpStep(keys.decrypt(factor.secret_enc), code, now);
  if (step === null) return { result: 'invalid', factorId: factor.id };
  const res = await tx
    .updateTable('totp_factors')
    .set({ last_used_step: step })
    .where('id', '=', factor.id)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return { result: Number(res.numUpdatedRows) === 1 ? 'ok' : 'replayed', factorId: factor.id };
}

/** Make the pending factor the user's TOTP factor, removing the one it replaces. */
export async function confirmTotpFactor(tx: Tx | Db, userId: string, factorId: string, now: number): Promise<void> {
  await tx.deleteFrom('totp_factors').where('user_id', '=', userId).where('id', '!=', factorId).execute();
  await tx.updateTable('totp_factors').set({ confirmed_at: nowIso(() => now) }).where('id', '=', factorId).execute();
}

export async function hasConfirmedTotp(tx: Tx | Db, userId: string): Promise<boolean> {
  const row = await tx.selectFrom('totp_factors').select('id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
  return row !== undefined;
}
