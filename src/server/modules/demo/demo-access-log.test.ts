import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../../test/support/context.js';
import { hashCitizenId } from '../org/citizen-id.js';
import { DEMO_CITIZEN_ID } from './demo-access-log.js';
import { loadDemoData } from './demo-loader.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await loadDemoData({ db: ctx.db, keys: ctx.keys, clock: ctx.now });
}, 180_000);
afterAll(async () => ctx?.close());

describe('demo access logs', () => {
  it('two former provinces\' one-stop systems send four weeks of look-ups, attributed to officials', async () => {
    const by = await ctx.db.selectFrom('access_log_records as r').innerJoin('information_systems as s', 's.id', 'r.system_id')
      .select(['s.code', sql<number>`count(*)`.as('n'), sql<number>`count(distinct r.account)`.as('accounts'), sql<string>`min(r.occurred_at)`.as('first')])
      .groupBy('s.code').orderBy('s.code').execute();
    expect(by.map((b) => b.code)).toEqual(['BD-MCDT', 'GLC-MCDT']);
    for (const b of by) {
      expect(Number(b.n)).toBeGreaterThan(3000);
      expect(Number(b.accounts)).toBeGreaterThan(20);
      expect(ctx.now() - Date.parse(b.first)).toBeGreaterThan(21 * 86_400_000);
    }
    const linked = await ctx.db.selectFrom('access_log_records').select(sql<number>`count(*)`.as('n')).where('person_id', 'is not', null).executeTakeFirstOrThrow();
    const all = await ctx.db.selectFrom('access_log_records').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(Number(linked.n) / Number(all.n)).toBeGreaterThan(0.9);
    const citizen = await ctx.db.selectFrom('access_log_records').select(sql<number>`count(distinct account)`.as('n')).where('subject_hash', '=', hashCitizenId(ctx.keys, DEMO_CITIZEN_ID)).executeTakeFirstOrThrow();
    expect(Number(citizen.n)).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('the planted cases raise alerts: retired official, shared account, night-time bulk look-up, no MFA, unknown account', async () => {
    const kinds = await ctx.db.selectFrom('lookup_alerts').select(['kind', 'account', 'reason_key']).execute();
    const has = (kind: string, account: RegExp) => kinds.some((k) => k.kind === kind && account.test(k.account));
    expect(has('leaver_lookup', /^nghihuu\./)).toBe(true);
    expect(kinds.find((k) => k.account.startsWith('nghihuu.'))?.reason_key).toBe('accessLog.reasons.leaver_lookup.retired');
    expect(has('shared_account', /^motcua\.chung\./)).toBe(true);
    expect(has('off_hours', /^motcua\.gl06$/)).toBe(true);
    expect(has('volume_spike', /^motcua\.gl06$/)).toBe(true);
    expect(has('breadth_no_case', /^motcua\.gl06$/)).toBe(true);
    expect(has('no_mfa', /^motcua\.(bd|gl)0[12]$/)).toBe(true);
    expect(has('unlinked_account', /^tk\.tam\./)).toBe(true);
    // Ordinary staff with MFA and dossier numbers in working hours raise nothing.
    expect(kinds.filter((k) => /^motcua\.(bd|gl)(1\d|2\d)$/.test(k.account))).toEqual([]);
  });

  it('each look-up alert is in the SOC queue, and the shared counter account is an account finding with its concurrent logins', async () => {
    const n = await ctx.db.selectFrom('lookup_alerts').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const linked = await ctx.db.selectFrom('lookup_alerts as l').innerJoin('soc_alerts as a', 'a.id', 'l.soc_alert_id').select(sql<number>`count(*)`.as('n')).where('a.origin', '=', 'lookup').executeTakeFirstOrThrow();
    expect(Number(linked.n)).toBe(Number(n.n));
    const findings = await ctx.db.selectFrom('account_findings as f').innerJoin('system_accounts as a', 'a.id', 'f.account_id')
      .innerJoin('account_snapshots as s', 's.id', 'f.snapshot_id')
      .select(['a.username', 'f.reason', 'f.evidence_json', 'f.snapshot_id', 's.system_id']).where('f.kind', '=', 'shared').where('f.evidence_json', 'is not', null).execute();
    expect(findings.map((f) => f.username).sort()).toEqual(['motcua.chung.bd', 'motcua.chung.gl']);
    const ev = JSON.parse(findings[0]!.evidence_json!) as { count: number; terminals: string[] };
    expect(ev.terminals).toEqual(['device:QUAY-1', 'device:QUAY-2', 'device:QUAY-3']);
    expect(ev.count).toBeGreaterThanOrEqual(20);
    expect(findings[0]!.reason).toContain('đăng nhập đồng thời');
  });
});
