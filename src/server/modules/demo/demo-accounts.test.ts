import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../../test/support/context.js';
import { loadDemoData } from './demo-loader.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await loadDemoData({ db: ctx.db, keys: ctx.keys, clock: ctx.now });
}, 120_000);
afterAll(async () => ctx?.close());

describe('demo accounts', { timeout: 120_000 }, () => {
  it('15,000+ accounts over 30 systems, reconciled, with every injected kind of finding', async () => {
    // The account exports of demo-accounts (the access-log demo adds one-stop staff snapshots of its own).
    const n = await ctx.db.selectFrom('system_accounts as a').innerJoin('account_snapshots as sn', 'sn.id', 'a.snapshot_id').innerJoin('account_sources as src', 'src.id', 'sn.source_id')
      .where('src.name', 'like', 'Xuất tài khoản %').select([sql<number>`count(*)`.as('n'), sql<number>`count(distinct a.system_id)`.as('s')]).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBeGreaterThanOrEqual(15_000);
    expect(Number(n.s)).toBe(30);
    const kinds = await ctx.db.selectFrom('account_findings').select(['kind', sql<number>`count(*)`.as('n')]).groupBy('kind').execute();
    const by = Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)]));
    for (const k of ['orphan', 'leaver', 'merged_unit', 'dormant', 'shared', 'privileged_no_mfa']) expect(by[k], k).toBeGreaterThan(0);
    const linked = await ctx.db.selectFrom('system_accounts').select(sql<number>`count(*)`.as('n')).where('situation', '=', 'linked').executeTakeFirstOrThrow();
    expect(Number(linked.n)).toBeGreaterThan(Number(n.n) / 2);
  }, 60_000);

  it('a running review campaign with decisions, open and overdue (escalated) revocation tasks and reminders', async () => {
    const c = await ctx.db.selectFrom('review_campaigns').selectAll().executeTakeFirstOrThrow();
    expect(c.status).toBe('running');
    const items = await ctx.db.selectFrom('review_items').select(['outcome', 'stage_outcome']).where('campaign_id', '=', c.id).execute();
    expect(items.length).toBeGreaterThan(20);
    expect(items.filter((i) => i.outcome === null && i.stage_outcome === null).length).toBeGreaterThan(0);
    expect(items.filter((i) => i.stage_outcome === 'accept').length).toBeGreaterThan(0);
    const tasks = await ctx.db.selectFrom('revocation_tasks').selectAll().execute();
    expect(tasks.filter((t) => t.status === 'open' && t.escalated_at !== null).length).toBeGreaterThan(0);
    expect(tasks.filter((t) => t.status === 'open' && t.escalated_at === null).length).toBeGreaterThan(0);
    const notices = await ctx.db.selectFrom('review_notices').select(['kind']).execute();
    expect(new Set(notices.map((n) => n.kind))).toEqual(new Set(['reminder', 'task_overdue']));
    expect(await ctx.db.selectFrom('account_api_keys').selectAll().execute()).toHaveLength(1);
  });
});
