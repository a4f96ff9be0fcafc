import { describe, expect, it } from 'vitest';
import { detectConcurrentLogins, type LoginEvent } from './concurrent-logins.js';

const ev = (account: string, action: string, at: string, device: string | null, ip: string | null, sessionId: string | null = null, outcome = 'success'): LoginEvent =>
  ({ account, action, outcome, occurredAt: `2026-11-20T${at}:00+07:00`, ip, device, sessionId });

describe('concurrent logins (shared account)', () => {
  it('finds two logins from different devices while the first session is open', () => {
    const r = detectConcurrentLogins([ev('motcua.chung', 'login', '08:00', 'PC-01', '10.1.1.1'), ev('motcua.chung', 'login', '08:12', 'PC-02', '10.1.1.2')], 30);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ account: 'motcua.chung', terminals: ['device:PC-01', 'device:PC-02'], windowMinutes: 30 });
    expect(r[0]!.pairs[0]).toMatchObject({ first: { device: 'PC-01', ip: '10.1.1.1' }, second: { device: 'PC-02', ip: '10.1.1.2' }, minutesApart: 12 });
  });

  it('does not flag a move to another device after logging out, nor after the window', () => {
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', 'PC-01', '10.1.1.1'), ev('an', 'logout', '08:10', 'PC-01', '10.1.1.1'), ev('an', 'login', '08:12', 'PC-02', '10.1.1.2')], 30)).toEqual([]);
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', 'PC-01', null), ev('an', 'login', '08:31', 'PC-02', null)], 30)).toEqual([]);
    // The window is configurable per system: 12 minutes apart is concurrent at 30, not at 10.
    const pair = [ev('an', 'login', '08:00', 'PC-01', null), ev('an', 'login', '08:12', 'PC-02', null)];
    expect(detectConcurrentLogins(pair, 30)).toHaveLength(1);
    expect(detectConcurrentLogins(pair, 10)).toEqual([]);
  });

  it('matches a logout by session id, else by terminal', () => {
    // Logout of session S1 (sent from another IP by a load balancer) closes S1: no concurrency.
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', null, '10.1.1.1', 'S1'), ev('an', 'logout', '08:05', null, '10.9.9.9', 'S1'), ev('an', 'login', '08:06', null, '10.1.1.2', 'S2')], 30)).toEqual([]);
    // A logout of PC-02 does not close PC-01's session.
    const r = detectConcurrentLogins([ev('an', 'login', '08:00', 'PC-01', null), ev('an', 'logout', '08:05', 'PC-02', null), ev('an', 'login', '08:06', 'PC-03', null)], 30);
    expect(r[0]!.pairs).toHaveLength(1);
  });

  it('compares IPs when a device id is missing, ignores failures, other actions and the same terminal', () => {
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', null, '10.1.1.1'), ev('an', 'login', '08:05', null, '10.1.1.1')], 30)).toEqual([]);
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', null, '10.1.1.1'), ev('an', 'login', '08:05', null, '10.1.1.2', null, 'failure'), ev('an', 'lookup', '08:06', null, '10.1.1.3')], 30)).toEqual([]);
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', 'PC-01', '10.1.1.1'), ev('an', 'login', '08:05', null, '10.1.1.2')], 30)).toHaveLength(1);
    expect(detectConcurrentLogins([ev('an', 'login', '08:00', null, null), ev('an', 'login', '08:05', 'PC-02', '10.1.1.2')], 30)).toEqual([]);
  });

  it('counts every overlap and keeps accounts apart', () => {
    const r = detectConcurrentLogins([
      ev('chung', 'login', '08:00', 'Q1', null), ev('chung', 'login', '08:02', 'Q2', null), ev('chung', 'login', '08:04', 'Q3', null),
      ev('an', 'login', '08:01', 'PC-01', null),
    ], 30);
    expect(r.map((x) => x.account)).toEqual(['chung']);
    expect(r[0]!.pairs).toHaveLength(3); // Q1–Q2, Q1–Q3, Q2–Q3
    expect(r[0]!.terminals).toEqual(['device:Q1', 'device:Q2', 'device:Q3']);
  });
});
