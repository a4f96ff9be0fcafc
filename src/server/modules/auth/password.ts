import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hash, type Options, verify } from '@node-rs/argon2';

/**
 * Passwords: storage (argon2id) and the choice policy.
 *
 * Khiên always requires a second factor, so a password is never a single-factor authenticator
 * (NIST SP 800-63B rev 4 §3.1.1.2: ≥ 8 characters when used with MFA). We still require 12 (ASVS 4 2.1.1),
 * allow up to 128 (ASVS 5 6.2.9: at least 64), impose no composition rules (ASVS 5 6.2.5, 800-63B
 * §3.1.1.2), never truncate, and refuse common/breached passwords (ASVS 5 6.2.4, 6.2.12) and
 * context-specific words (ASVS 5 6.2.11).
 */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * argon2id (ASVS 5 11.4.2). The ASVS 5 appendix / OWASP floor is m = 19 MiB, t = 2, p = 1; we use the memory
 * and passes of RFC 9106 §4's second recommended option (m = 64 MiB, t = 3) with p = 1, so one login takes
 * one libuv thread: ≈ 3.4× the floor's memory and ≈ 5× its work for an offline attacker, at about 65 ms per
 * hash on the reference machine (docs/benchmarks.md, "auth"). Hashes made with weaker parameters are
 * upgraded at the next successful login (needsRehash).
 */
export const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Options['algorithm'], // Argon2id (a const enum in the typings; not importable with isolatedModules)
  memoryCost: 65_536,
  timeCost: 3,
  parallelism: 1,
};

/**
 * Unicode normalisation before hashing (800-63B §3.1.1.2: NFKC or NFKD), so Vietnamese typed with composed or
 * decomposed diacritics (different keyboards/IMEs) is the same password.
 */
function normalise(pw: string): string {
  return pw.normalize('NFKC');
}

export async function hashPassword(pw: string): Promise<string> {
  return hash(normalise(pw), ARGON2_OPTIONS);
}

/** Constant-time comparison inside argon2; a malformed stored hash counts as a mismatch. */
export async function verifyPassword(storedHash: string, pw: string): Promise<boolean> {
  try {
    return await verify(storedHash, normalise(pw));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;
/**
 * A hash of a random password with the same parameters: verifying against it for unknown usernames keeps
 * the response time of "no such user" equal to "wrong password" (ASVS 5 6.3.8, no account enumeration).
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(generateInitialPassword());
  return dummyHash;
}

/** Whether a stored hash was made with weaker parameters than today's (rehash on next successful login). */
export function needsRehash(storedHash: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
  if (!m) return true;
  return Number(m[1]) < ARGON2_OPTIONS.memoryCost! || Number(m[2]) < ARGON2_OPTIONS.timeCost!;
}

// ---------------------------------------------------------------------------------------------------------
// Common / breached passwords (ASVS 5 6.2.4: at least the top 3000; we ship 30 000 — see data/passwords/README.md)

let commonSet: Set<string> | null = null;
function commonPasswords(): Set<string> {
  if (!commonSet) {
    const url = new URL('../../../../data/passwords/common-passwords.txt', import.meta.url);
    commonSet = new Set(
      readFileSync(url, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }
  return commonSet;
}

/** Whether the password, lowercased (and with trailing digits/symbols removed), is a known common password. */
export function isCommonPassword(pw: string): boolean {
  const set = commonPasswords();
  const lower = normalise(pw).toLowerCase();
  if (set.has(lower)) return true;
  const compact = lower.replace(/\s+/g, '');
  if (set.has(compact)) return true;
  // "dragon2024!!", "password123456": a common password padded to the length rule.
  const stripped = compact.replace(/[^\p{L}]+$/u, '').replace(/^[^\p{L}]+/u, '');
  return stripped.length >= 4 && set.has(stripped);
}

/** Lowercase, strip Vietnamese diacritics (đ → d), keep letters and digits only. */
export function foldForCompare(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Words specific to Khiên and the province that make a password easy to guess here (ASVS 5 6.2.11). */
export const CONTEXT_WORDS = [
  'khien',
  'gialai',
  'binhdinh',
  'pleiku',
  'quynhon',
  'anninh',
  'anninhmang',
  'antoan',
  'congan',
  'sotttt',
  'thongtin',
  'truyenthong',
  'ubnd',
  'matkhau',
  'password',
  'admin',
  'quantri',
];

export interface PasswordContext {
  username?: string;
  displayName?: string;
  email?: string | null;
  /** Names of the user's unit and its ancestors, if known. */
  unitNames?: string[];
}

function contextTokens(context: PasswordContext): string[] {
  const tokens = new Set<string>(CONTEXT_WORDS);
  const add = (s: string | null | undefined) => {
    const f = foldForCompare(s ?? '');
    if (f.length >= 4) tokens.add(f);
  };
  add(context.username);
  add(context.displayName);
  for (const part of (context.displayName ?? '').split(/\s+/)) add(part);
  if (context.email) {
    const local = context.email.split('@')[0] ?? '';
    add(local);
    for (const part of local.split(/[._\-+]/)) add(part);
  }
  for (const unit of context.unitNames ?? []) add(unit);
  return [...tokens];
}

/**
 * Problems with a new password, in Vietnamese; an empty list means it is acceptable.
 * Length counts Unicode code points after NFKC (800-63B §3.1.1.2); no composition rules.
 */
export function checkPasswordPolicy(pw: string, context: PasswordContext = {}): string[] {
  const problems: string[] = [];
  const length = [...normalise(pw)].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`Mật khẩu phải có ít nhất ${PASSWORD_MIN_LENGTH} ký tự (hiện có ${length}).`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`Mật khẩu không được dài quá ${PASSWORD_MAX_LENGTH} ký tự.`);
  if (pw.trim().length === 0 && length > 0) problems.push('Mật khẩu không được chỉ gồm khoảng trắng.');
  if (isCommonPassword(pw)) problems.push('Mật khẩu này quá phổ biến (nằm trong danh sách mật khẩu thường bị lộ). Hãy chọn mật khẩu khác.');
  const folded = foldForCompare(pw);
  if (folded.length > 0 && new Set(folded).size <= 3) {
    problems.push('Mật khẩu lặp lại quá ít ký tự khác nhau, rất dễ đoán.');
  }
  const hits = contextTokens(context).filter((t) => folded.includes(t));
  if (hits.length > 0) {
    problems.push('Mật khẩu không được chứa tên đăng nhập, họ tên, email, tên đơn vị hoặc các từ dễ đoán như "khien", "gialai", "binhdinh".');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// One-time passwords handed out by administrators

/** No 0/O, 1/l/I: read aloud or copied from paper without mistakes. */
const READABLE = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A random one-time password: 4 groups of 5 readable characters joined by '-' (23 characters,
 * ≈ 116 bits of entropy from the CSPRNG). The user must change it at first login.
 */
export function generateInitialPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 5; i++) s += READABLE[randomInt(READABLE.length)];
    groups.push(s);
  }
  return groups.join('-');
}
