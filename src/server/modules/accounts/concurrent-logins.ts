import { newId } from '../../db/columns.js';
import type { Tx } from '../../db/database.js';
import { DEFAULT_CONCURRENT_LOGIN_MINUTES, detectConcurrentLogins, type ConcurrentLoginResult } from '../../engines/account-reconcile/concurrent-logins.js';
import { latestSnapshot } from './accounts.repository.js';

/**
 * Shared-account findings from concurrent logins (issue 4 item 3). The access logs a system sends (modules/
 * access-log, table `access_log_records`, read here as the one join into another module's table) are checked for
 * concurrent logins over the last 30 days, with the window of the system's account source
 * (`concurrent_login_minutes`, default 30); each account of the latest snapshot that had one gets a `shared`
 * finding with its evidence. Refreshed after every account import or re-reconciliation, and after every
 * access-log ingestion of the system, so the finding appears as soon as either side changes.
 */
export const CONCURRENT_LOOKBACK_DAYS = 30;
/** Pairs kept as evidence (the count says how many there were). */
const EVIDENCE_PAIRS = 10;

/** The clause a concurrent-login finding comes from (the directive, then the national standard). */
export const CONCURRENT_LOGIN_CLAUSE =
  'Thông báo 09/TB-TBATANM (nhiệm vụ 11): nhật ký đăng nhập gắn với tài khoản cụ thể, không chia sẻ, dùng chung tài khoản; TCVN 14423:2026 nhóm 6: mỗi tài khoản gắn với một người';

export interface ConcurrentEvidence {
  rule: 'concurrent_logins';
  windowMinutes: number;
  lookbackDays: number;
  count: number;
  terminals: string[];
  pairs: ConcurrentLoginResult['pairs'];
}

function fmt(iso: string): string {
  // Vietnam time, as the reason is read by Vietnamese officials.
  const d = new Date(Date.parse(iso) + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())} ${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

function where(s: { ip: string | null; device: string | null }): string {
  return [s.device ? `máy ${s.device}` : null, s.ip ? `IP ${s.ip}` : null].filter(Boolean).join(', ');
}

export function concurrentReason(r: ConcurrentLoginResult): string {
  const p = r.pairs[0]!;
  const more = r.pairs.length > 1 ? ` (${r.pairs.length} lần trong ${CONCURRENT_LOOKBACK_DAYS} ngày, từ ${r.terminals.length} thiết bị/địa chỉ)` : '';
  return `Tài khoản "${r.account}" đăng nhập đồng thời từ nhiều nơi: lúc ${fmt(p.first.at)} từ ${where(p.first)} và lúc ${fmt(p.second.at)} từ ${where(p.second)}, `
    + `cách nhau ${p.minutesApart} phút khi phiên trước chưa đăng xuất${more}: tài khoản đang bị dùng chung.`;
}

/** Recompute the concurrent-login findings of a system's latest snapshot (inside the caller's transaction). */
export async function refreshConcurrentLoginFindings(tx: Tx, systemId: string, now: string, clock: () => number): Promise<number> {
  const snap = await latestSnapshot(tx, systemId);
  if (!snap) return 0;
  const src = await tx.selectFrom('account_sources').select('concurrent_login_minutes').where('id', '=', snap.source_id).executeTakeFirst();
  const windowMinutes = src?.concurrent_login_minutes ?? DEFAULT_CONCURRENT_LOGIN_MINUTES;
  await tx.deleteFrom('account_findings').where('snapshot_id', '=', snap.id).where('kind', '=', 'shared').where('evidence_json', 'is not', null).execute();
  const since = new Date(Date.parse(now) - CONCURRENT_LOOKBACK_DAYS * 86_400_000).toISOString();
  const events = await tx.selectFrom('access_log_records').select(['account', 'action', 'outcome', 'occurred_at', 'ip', 'device', 'session_id'])
    .where('system_id', '=', systemId).where('action', 'in', ['login', 'logout']).where('occurred_at', '>=', since).where('occurred_at', '<=', now).execute();
  const results = detectConcurrentLogins(events.map((e) => ({ account: e.account, action: e.action, outcome: e.outcome, occurredAt: e.occurred_at, ip: e.ip, device: e.device, sessionId: e.session_id })), windowMinutes);
  let written = 0;
  if (results.length) {
    const accounts = await tx.selectFrom('system_accounts').select(['id', 'username', 'person_id', 'enabled']).where('snapshot_id', '=', snap.id).execute();
    const byName = new Map(accounts.map((a) => [a.username.toLowerCase(), a]));
    const rows = [];
    for (const r of results) {
      const acc = byName.get(r.account.toLowerCase());
      if (!acc) continue; // an account the snapshot does not know is already an access-log finding (unlinked_account)
      const evidence: ConcurrentEvidence = { rule: 'concurrent_logins', windowMinutes, lookbackDays: CONCURRENT_LOOKBACK_DAYS, count: r.pairs.length, terminals: r.terminals, pairs: r.pairs.slice(0, EVIDENCE_PAIRS) };
      rows.push({
        id: newId(clock()), snapshot_id: snap.id, account_id: acc.id, system_id: systemId, kind: 'shared', severity: acc.enabled ? 'high' : 'low',
        person_id: acc.person_id, reason: concurrentReason(r), clause: CONCURRENT_LOGIN_CLAUSE, created_at: now, evidence_json: JSON.stringify(evidence),
      });
    }
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto('account_findings').values(rows.slice(i, i + 200)).execute();
    written = rows.length;
  }
  // The snapshot's finding counts include them.
  const counts = await tx.selectFrom('account_findings').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).where('snapshot_id', '=', snap.id).groupBy('kind').execute();
  const summary = JSON.parse(snap.summary_json) as { situations: Record<string, number>; findings: Record<string, number> };
  summary.findings = Object.fromEntries(counts.map((c) => [c.kind, Number(c.n)]));
  await tx.updateTable('account_snapshots').set({ summary_json: JSON.stringify(summary) }).where('id', '=', snap.id).execute();
  return written;
}
