import { randomInt } from 'node:crypto';
import type { Keys } from '../../core/keys.js';
import { newId, nowIso } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';

/**
 * One-time recovery codes (lookup secrets). Each code is 25 characters from a 31-symbol alphabet
 * (≈ 124 bits from the CSPRNG), so a keyed SHA-256 (HMAC with the instance key) is an acceptable way to
 * store them: ASVS 5 6.5.2 allows a plain hash for lookup secrets of ≥ 112 bits. Each code works once
 * (ASVS 5 6.5.1); a new set replaces the old one entirely.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no i, l, o, 0, 1

function newCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < 5; g++) {
    let s = '';
    for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(s);
  }
  return groups.join('-');
}

/** Accept codes typed with capitals, spaces or without dashes. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Replace the user's recovery codes with a fresh set; returns the codes in clear (shown once). */
export async function replaceRecoveryCodes(tx: Tx | Db, keys: Keys, userId: string, now: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  const created = nowIso(() => now);
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await tx
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ id: newId(now), user_id: userId, code_hash: keys.hmac('recovery_code', normaliseRecoveryCode(c)), created_at: created, used_at: null })))
    .execute();
  return codes;
}

/** Use a recovery code: true when an unused code matched and is now spent (conditional UPDATE: once only). */
export async function consumeRecoveryCode(tx: Tx | Db, keys: Keys, userId: string, code: string, now: number): Promise<boolean> {
  const hash = keys.hmac('recovery_code', normaliseRecoveryCode(code));
  const res = await tx
    .updateTable('recovery_codes')
    .set({ used_at: nowIso(() => now) })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function recoveryCodesLeft(tx: Tx | Db, userId: string): Promise<number> {
  const row = await tx
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
