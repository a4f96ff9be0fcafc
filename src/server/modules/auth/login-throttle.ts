import { sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { Db, Tx } from '../../db/database.js';

/**
 * Guessing defences (ASVS 5 6.1.1, 6.3.1; NIST SP 800-63B rev 4 §3.2.2 rate limiting):
 * - per-IP sliding window on POST /auth/login (in memory, per process);
 * - per-account progressive lockout stored on the users row: 5 consecutive failures (password or second
 *   factor) lock the account for 1 minute, doubling with each further lockout, capped at 60 minutes;
 * - the same lockout kept in memory for usernames that do not exist, so a locked answer (423) does not
 *   reveal that an account exists (ASVS 5 6.3.8).
 */

export const MAX_CONSECUTIVE_FAILURES = 5;
export const FIRST_LOCK_MS = 60_000;
export const MAX_LOCK_MS = 60 * 60_000;

/** Lock duration for the n-th lockout (1-based): 1, 2, 4, … minutes, at most 60. */
export function lockDurationMs(lockoutNumber: number): number {
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.max(0, lockoutNumber - 1));
}

export class AccountLockedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('auth.locked', 423, `Tài khoản tạm thời bị khoá do đăng nhập sai nhiều lần. Thử lại sau ${Math.ceil(retryAfterSeconds / 60)} phút.`, {
      details: { retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Seconds left on a lock at `now`, or 0 when not locked. */
export function lockRemainingSeconds(lockedUntil: string | null, now: number): number {
  if (!lockedUntil) return 0;
  const left = Date.parse(lockedUntil) - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

/**
 * Count one failed attempt for an account; locks it when the count reaches the limit. Atomic increment so
 * concurrent failures are all counted. Returns whether this failure locked the account.
 */
export async function recordAccountFailure(tx: Tx | Db, userId: string, now: number): Promise<boolean> {
  await tx
    .updateTable('users')
    .set({ failed_logins: sql<number>`failed_logins + 1` })
    .where('id', '=', userId)
    .execute();
  const row = await tx.selectFrom('users').select(['failed_logins', 'lockouts']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (row.failed_logins < MAX_CONSECUTIVE_FAILURES) return false;
  const lockouts = row.lockouts + 1;
  await tx
    .updateTable('users')
    .set({ failed_logins: 0, lockouts, locked_until: new Date(now + lockDurationMs(lockouts)).toISOString() })
    .where('id', '=', userId)
    .execute();
  return true;
}

/** A complete authentication (password and second factor) clears the failure count and the lockout ladder. */
export async function resetAccountFailures(tx: Tx | Db, userId: string): Promise<void> {
  await tx.updateTable('users').set({ failed_logins: 0, lockouts: 0, locked_until: null }).where('id', '=', userId).execute();
}

interface PhantomState {
  failed: number;
  lockouts: number;
  lockedUntil: number;
  touched: number;
}

/** Lockout bookkeeping for usernames without an account, so they behave exactly like real ones. */
export class PhantomLockouts {
  private readonly map = new Map<string, PhantomState>();
  constructor(private readonly maxEntries = 10_000) {}

  remainingSeconds(username: string, now: number): number {
    const s = this.map.get(username.toLowerCase());
    return s && s.lockedUntil > now ? Math.ceil((s.lockedUntil - now) / 1000) : 0;
  }

  fail(username: string, now: number): void {
    const key = username.toLowerCase();
    const s = this.map.get(key) ?? { failed: 0, lockouts: 0, lockedUntil: 0, touched: now };
    s.failed += 1;
    s.touched = now;
    if (s.failed >= MAX_CONSECUTIVE_FAILURES) {
      s.failed = 0;
      s.lockouts += 1;
      s.lockedUntil = now + lockDurationMs(s.lockouts);
    }
    this.map.delete(key);
    this.map.set(key, s);
    // Bounded memory: forget the least recently touched names (Map keeps insertion order).
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }
}

/** Sliding one-minute window of login attempts per client IP. */
export class IpRateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly maxPerMinute: number,
    private readonly maxIps = 50_000,
  ) {}

  /** Count an attempt; returns 0 if allowed, else the seconds until the oldest attempt leaves the window. */
  hit(ip: string, now: number): number {
    const windowStart = now - 60_000;
    const list = (this.hits.get(ip) ?? []).filter((t) => t > windowStart);
    if (list.length >= this.maxPerMinute) {
      this.hits.set(ip, list);
      return Math.max(1, Math.ceil((list[0]! + 60_000 - now) / 1000));
    }
    list.push(now);
    this.hits.delete(ip);
    this.hits.set(ip, list);
    while (this.hits.size > this.maxIps) this.hits.delete(this.hits.keys().next().value as string);
    return 0;
  }
}
