/**
 * Shared-account detection from concurrent logins in access logs (issue 4 item 3, "concurrent logins from
 * different devices in the access logs"; research/identity-audit.md §5 rule 5: "concurrent active sessions of one
 * account from different IP/device … within N minutes"). Pure: no database, no clock.
 *
 * Definition. For one account on one system, a *terminal* is the device id when the record has one, else the IP
 * address. A successful `login` opens a session on its terminal; the session is open until a `logout` of it (same
 * session id when both have one, else same terminal) or until `windowMinutes` after the login, whichever comes
 * first (systems that send no logout are judged by the window alone). A successful login from another terminal
 * while a session is open is a *concurrent login*: two people (or one person and a leaked password) are using the
 * account at once. Two terminals differ when both have device ids and they differ, or, when either lacks a device
 * id, their IPs differ; a login with neither device nor IP is not judged. One concurrent login is enough for the
 * finding (the directive's obligation is absolute: one named account per person, never shared — Thông báo
 * 09/TB-TBATANM, obligation 11 in ../shared/seed/directive-digest.en.md).
 */
export interface LoginEvent {
  account: string;
  /** login | logout | others (ignored) */
  action: string;
  /** success | failure (failures are ignored) */
  outcome: string;
  occurredAt: string;
  ip: string | null;
  device: string | null;
  sessionId: string | null;
}

export interface LoginSide {
  at: string;
  ip: string | null;
  device: string | null;
}

/** One concurrent login: `second` happened while the session opened by `first` was still open. */
export interface ConcurrentPair {
  first: LoginSide;
  second: LoginSide;
  /** Minutes between the two logins. */
  minutesApart: number;
}

export interface ConcurrentLoginResult {
  account: string;
  /** Every concurrent login found, oldest first (callers keep the first few as evidence). */
  pairs: ConcurrentPair[];
  /** Distinct terminals (device, else IP) that took part in a concurrent login. */
  terminals: string[];
  windowMinutes: number;
}

export const DEFAULT_CONCURRENT_LOGIN_MINUTES = 30;

interface OpenSession {
  at: number;
  iso: string;
  ip: string | null;
  device: string | null;
  sessionId: string | null;
}

function terminal(r: { ip: string | null; device: string | null }): string | null {
  return r.device ? `device:${r.device}` : r.ip ? `ip:${r.ip}` : null;
}

function differentTerminal(a: { ip: string | null; device: string | null }, b: { ip: string | null; device: string | null }): boolean {
  if (a.device && b.device) return a.device !== b.device;
  if (a.ip && b.ip) return a.ip !== b.ip;
  return false;
}

/** Find the concurrent logins of every account in `events` (any order, several accounts). */
export function detectConcurrentLogins(events: LoginEvent[], windowMinutes = DEFAULT_CONCURRENT_LOGIN_MINUTES): ConcurrentLoginResult[] {
  const windowMs = windowMinutes * 60_000;
  const byAccount = new Map<string, LoginEvent[]>();
  for (const e of events) {
    if (e.outcome !== 'success' || (e.action !== 'login' && e.action !== 'logout')) continue;
    const list = byAccount.get(e.account);
    if (list) list.push(e);
    else byAccount.set(e.account, [e]);
  }
  const out: ConcurrentLoginResult[] = [];
  for (const [account, list] of byAccount) {
    // Same instant: a logout before a login (a re-login on the same terminal is not concurrency).
    list.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.action === 'logout' ? -1 : 1));
    let open: OpenSession[] = [];
    const pairs: ConcurrentPair[] = [];
    const terminals = new Set<string>();
    for (const e of list) {
      const at = Date.parse(e.occurredAt);
      open = open.filter((s) => at - s.at < windowMs);
      if (e.action === 'logout') {
        let i = e.sessionId ? open.findIndex((s) => s.sessionId === e.sessionId) : -1;
        if (i < 0) i = open.findLastIndex((s) => !differentTerminal(s, e));
        if (i >= 0) open.splice(i, 1);
        continue;
      }
      if (!terminal(e)) continue;
      for (const s of open) {
        if (!differentTerminal(s, e)) continue;
        pairs.push({ first: { at: s.iso, ip: s.ip, device: s.device }, second: { at: e.occurredAt, ip: e.ip, device: e.device }, minutesApart: Math.round((at - s.at) / 60_000) });
        terminals.add(terminal(s)!);
        terminals.add(terminal(e)!);
      }
      // A new login on a terminal replaces that terminal's open session.
      open = open.filter((s) => differentTerminal(s, e));
      open.push({ at, iso: e.occurredAt, ip: e.ip, device: e.device, sessionId: e.sessionId });
    }
    if (pairs.length) out.push({ account, pairs, terminals: [...terminals].sort(), windowMinutes });
  }
  return out.sort((a, b) => a.account.localeCompare(b.account));
}
