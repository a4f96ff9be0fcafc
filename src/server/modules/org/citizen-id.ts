import type { Keys } from '../../core/keys.js';

/**
 * Citizen ID (CCCD, 12 digits: 3-digit province code, gender/century digit, 2-digit birth year, 6 digits —
 * Thông tư 59/2021/TT-BCA). Khiên never stores it in clear: a keyed hash lets records be matched, and a
 * masked form is what people see.
 */
export const CITIZEN_ID_RE = /^\d{12}$/;

export function isValidCitizenId(value: string): boolean {
  return CITIZEN_ID_RE.test(value);
}

/** `064123456789` → `064******789`. */
export function maskCitizenId(value: string): string {
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 6)}${value.slice(-3)}`;
}

/** Keyed hash (HMAC-SHA-256 under the instance key) used to store and match a CCCD. */
export function hashCitizenId(keys: Keys, value: string): string {
  return keys.hmac('citizen_id', value);
}
