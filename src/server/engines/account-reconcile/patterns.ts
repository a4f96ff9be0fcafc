/**
 * Username conventions seen in Vietnamese public bodies, derived from a folded full name ("nguyen van an"):
 * `nguyenvanan`, `annv`, `an.nv`, `an.nguyen`, `nguyen.van.an`, `nva.nguyen`, `nvan`. Pure string functions:
 * the engine indexes every person under each key so correlation by username is a hash look-up, not a scan.
 */

/** Names used by several people or by a function, never by one official (shared account by name). */
export const GENERIC_USERNAMES: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'root', 'quantri', 'qtv', 'test', 'tester', 'demo', 'guest', 'khach', 'user', 'support',
  'vanthu', 'ketoan', 'thuquy', 'tiepdan', 'motcua', 'bophanmotcua', 'hotro', 'kythuat', 'lanhdao', 'thuky', 'vanphong',
  'service', 'backup', 'operator', 'helpdesk', 'it', 'cntt', 'sa', 'system', 'webmaster', 'postmaster',
]);

/** Reduce an account name to its comparable core: lower case, no domain (`GL\\an`, `an@x`), no trailing digits. */
export function normalizeUsername(username: string): string {
  let u = username.trim().toLowerCase();
  const slash = u.lastIndexOf('\\');
  if (slash >= 0) u = u.slice(slash + 1);
  const at = u.indexOf('@');
  if (at >= 0) u = u.slice(0, at);
  if (!/^[\x20-\x7e]*$/.test(u)) u = u.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd');
  return u.replace(/[0-9]+$/, '').replace(/[_-]/g, '.');
}

/** Whether the name is a generic/functional one (`admin`, `vanthu`, `ketoan01`, `test_2`). */
export function isGenericUsername(username: string): boolean {
  const u = normalizeUsername(username).replace(/\./g, '');
  return GENERIC_USERNAMES.has(u);
}

/** Every username key a person with this folded full name may be known by. Empty for one-word names. */
export function usernameKeys(nameFolded: string): string[] {
  const parts = nameFolded.replace(/[^a-z ]/g, '').split(' ').filter(Boolean);
  if (parts.length < 2) return [];
  const given = parts[parts.length - 1]!;
  const family = parts[0]!;
  const rest = parts.slice(0, -1);
  const initials = rest.map((p) => p[0]).join('');
  const allInitials = parts.map((p) => p[0]).join('');
  const keys = new Set<string>([
    parts.join(''),
    parts.join('.'),
    `${given}${initials}`,
    `${given}.${initials}`,
    `${given}.${family}`,
    `${allInitials}.${family}`,
    `${initials}${given}`,
  ]);
  return [...keys];
}
