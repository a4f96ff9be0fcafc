import type { Db, Tx } from '../../db/database.js';

/**
 * End every open session of a user (logout everywhere, disabled account, password change, admin action),
 * optionally keeping one. ASVS 5 7.4.2: disabling an account ends all its sessions at once.
 * Returns how many sessions were ended.
 */
export async function endAllSessions(
  tx: Tx | Db,
  userId: string,
  reason: string,
  now: string,
  exceptSessionId?: string,
): Promise<number> {
  let q = tx
    .updateTable('sessions')
    .set({ ended_at: now, end_reason: reason })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null);
  if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}
