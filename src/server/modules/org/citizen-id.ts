import type { Keys } from '../../core/keys.js';

/**
 * CCCD (căn cước công dân, 12 digits). Personal data under NĐ 13/2023: never stored in clear. We keep a keyed
 * hash (HMAC with the instance secret, so a leaked table cannot be reversed by enumerating the 10^12 space
 * without the key) for exact matching, and a masked form (first 3 + last 3 digits) for display.
 */
export const CITIZEN_ID_RE = /^\d{12}$/;

export function isCitizenId(value: string): boolean {
  return CITIZEN_ID_RE.test(value);
}

/** The keyed hash used to store and match a CCCD. */
export function hashCitizenId(keys: Keys, cccd: string): string {
  return keys.hmac('citizen_id', cccd);
}

/** `064123456789` → `064******789`. */
export function maskCitizenId(cccd: string): string {
  return `${cccd.slice(0, 3)}${'*'.repeat(Math.max(0, cccd.length - 6))}${cccd.slice(-3)}`;
}
