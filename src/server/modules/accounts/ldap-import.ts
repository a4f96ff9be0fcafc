import { Client, type Entry } from 'ldapts';
import type { LdapSettings } from '../../../contracts/accounts.js';
import { AppError } from '../../core/errors.js';
import { foldText } from '../../core/text.js';
import type { ImportedAccount } from './account-file.js';

/**
 * LDAP / Active Directory account import (ldapts 8). The network part (bind, paged search) is one small
 * function; turning entries into accounts is pure and tested on crafted results as well as a real slapd.
 */

/** userAccountControl bits (Microsoft "UserAccountControl property flags"). */
export const UAC = { ACCOUNTDISABLE: 0x2, LOCKOUT: 0x10, DONT_EXPIRE_PASSWORD: 0x10000, SMARTCARD_REQUIRED: 0x40000 } as const;

export interface UacFlags {
  disabled: boolean;
  locked: boolean;
  passwordNeverExpires: boolean;
  smartcardRequired: boolean;
}

export function decodeUserAccountControl(value: number): UacFlags {
  return {
    disabled: (value & UAC.ACCOUNTDISABLE) !== 0,
    locked: (value & UAC.LOCKOUT) !== 0,
    passwordNeverExpires: (value & UAC.DONT_EXPIRE_PASSWORD) !== 0,
    smartcardRequired: (value & UAC.SMARTCARD_REQUIRED) !== 0,
  };
}

/** Windows FILETIME between 1601-01-01 and the Unix epoch, in 100 ns ticks. */
const EPOCH_DIFF_TICKS = 116_444_736_000_000_000n;

/**
 * `lastLogonTimestamp` (FILETIME: 100 ns ticks since 1601-01-01 UTC) → ISO instant; 0 or the "never" value →
 * null. AD replicates it lazily (up to ~14 days late), which is fine for a 45-day rule.
 */
export function fileTimeToIso(value: string | null | undefined): string | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const ticks = BigInt(value);
  if (ticks === 0n || ticks >= 0x7fffffffffffffffn) return null;
  const ms = Number((ticks - EPOCH_DIFF_TICKS) / 10_000n);
  return new Date(ms).toISOString();
}

/** LDAP GeneralizedTime (`20261101083000Z`, also `.0Z`) → ISO instant. */
export function generalizedTimeToIso(value: string | null | undefined): string | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(value) : null;
  if (!m) return null;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0))).toISOString();
}

function one(e: Entry, attr: string): string | null {
  const key = Object.keys(e).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? e[key] : undefined;
  if (v === undefined) return null;
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return null;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

function many(e: Entry, attr: string): string[] {
  const key = Object.keys(e).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? e[key] : undefined;
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

/** The CN of a group DN (`CN=Domain Admins,CN=Users,DC=gialai,DC=gov,DC=vn` → `Domain Admins`). */
export function groupName(dn: string): string {
  const m = /^\s*cn=((?:\\,|[^,])+)/i.exec(dn);
  return (m ? m[1]! : dn).replace(/\\,/g, ',').trim();
}

/**
 * Search entries → accounts. AD: sAMAccountName, userAccountControl, lastLogonTimestamp, memberOf, whenCreated.
 * OpenLDAP: uid, pwdAccountLockedTime, and group membership passed in `groupsByMember` (from groupOfNames /
 * posixGroup searched separately), since plain slapd has no memberOf.
 */
export function entriesToAccounts(entries: Entry[], settings: Pick<LdapSettings, 'privilegedGroups' | 'mfaAttribute'>, groupsByMember: Map<string, string[]> = new Map()): ImportedAccount[] {
  const privileged = new Set(settings.privilegedGroups.map((g) => foldText(g)));
  const out: ImportedAccount[] = [];
  for (const e of entries) {
    const username = one(e, 'sAMAccountName') ?? one(e, 'uid');
    if (!username) continue;
    const uacRaw = one(e, 'userAccountControl');
    const uac = uacRaw && /^\d+$/.test(uacRaw) ? decodeUserAccountControl(Number(uacRaw)) : null;
    const lockedTime = one(e, 'pwdAccountLockedTime');
    const groups = [...many(e, 'memberOf'), ...(groupsByMember.get(e.dn.toLowerCase()) ?? [])].map(groupName);
    const mfaRaw = settings.mfaAttribute ? one(e, settings.mfaAttribute) : null;
    out.push({
      username,
      displayName: one(e, 'displayName') ?? one(e, 'cn'),
      email: one(e, 'mail')?.toLowerCase() ?? null,
      citizenIdHash: null,
      dateOfBirth: null,
      unitText: one(e, 'department') ?? one(e, 'ou') ?? one(e, 'company'),
      roles: [...new Set(groups)],
      privileged: groups.some((g) => privileged.has(foldText(g))) || one(e, 'adminCount') === '1',
      enabled: uac ? !uac.disabled : lockedTime !== '000001010000Z',
      locked: uac?.locked ?? !!lockedTime,
      lastLoginAt: fileTimeToIso(one(e, 'lastLogonTimestamp')) ?? generalizedTimeToIso(one(e, 'authTimestamp')),
      mfa: mfaRaw === null ? (uac?.smartcardRequired ? true : null) : /^(true|1|yes)$/i.test(mfaRaw),
      createdAt: generalizedTimeToIso(one(e, 'whenCreated') ?? one(e, 'createTimestamp')),
    });
  }
  return out;
}

/** Bind and read every user (paged), plus group membership for directories without memberOf. */
export async function fetchLdapAccounts(settings: LdapSettings, password: string, timeoutMs = 15_000): Promise<ImportedAccount[]> {
  const client = new Client({ url: settings.url, timeout: timeoutMs, connectTimeout: timeoutMs });
  try {
    await client.bind(settings.bindDn, password);
    const attributes = ['sAMAccountName', 'uid', 'cn', 'displayName', 'mail', 'department', 'ou', 'company', 'userAccountControl', 'lastLogonTimestamp',
      'memberOf', 'whenCreated', 'createTimestamp', 'adminCount', 'pwdAccountLockedTime', 'authTimestamp', ...(settings.mfaAttribute ? [settings.mfaAttribute] : [])];
    const entries: Entry[] = [];
    for await (const page of client.searchPaginated(settings.baseDn, { scope: 'sub', filter: settings.filter, attributes, paged: { pageSize: settings.pageSize } })) {
      entries.push(...page.searchEntries);
    }
    const groupsByMember = new Map<string, string[]>();
    const { searchEntries: groups } = await client.search(settings.baseDn, { scope: 'sub', filter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))', attributes: ['cn', 'member', 'uniqueMember'] });
    for (const g of groups) {
      for (const m of [...many(g, 'member'), ...many(g, 'uniqueMember')]) {
        const k = m.toLowerCase().replace(/\s*,\s*/g, ',');
        groupsByMember.set(k, [...(groupsByMember.get(k) ?? []), g.dn]);
      }
    }
    const normalized = new Map([...groupsByMember].map(([k, v]) => [k, v]));
    return entriesToAccounts(entries.map((e) => ({ ...e, dn: e.dn.replace(/\s*,\s*/g, ',') })), settings, normalized);
  } catch (err) {
    throw new AppError('account.ldap_failed', 502, `Không đọc được thư mục LDAP: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
