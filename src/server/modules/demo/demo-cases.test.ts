import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../../test/support/context.js';
import { loadDemoSocCase } from './demo-cases.js';
import { loadDemoData } from './demo-loader.js';
import { loadDemoSoc } from './demo-soc.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('demo incident cases', () => {
  it('a ransomware case mid-containment, a leaked-account case, a closed defacement case with its report, and history', async () => {
    const r = await loadDemoData({ db: ctx.db, keys: ctx.keys, clock: ctx.now, config: ctx.config });
    expect(r.loaded).toBe(true);
    const cases = await ctx.db.selectFrom('cases').selectAll().orderBy('created_at').execute();
    expect(cases.length).toBe(9);
    const ransom = cases.find((c) => c.category === 'ransomware')!;
    expect(ransom).toMatchObject({ phase: 'containment', reportable: 1, regime: 'nd331', severity: 'critical' });
    const leak = cases.find((c) => c.category === 'data_leak')!;
    expect(leak).toMatchObject({ phase: 'triage', reportable: 1 });
    const deface = cases.find((c) => c.category === 'web_defacement')!;
    expect(deface).toMatchObject({ phase: 'closed', close_reason: 'resolved' });
    const reports = await ctx.db.selectFrom('case_reports').select(['case_id', 'kind']).execute();
    expect(reports).toEqual(expect.arrayContaining([{ case_id: deface.id, kind: 'closing_report' }, { case_id: ransom.id, kind: 'initial_notice' }]));
    // The IP of the ransomware case is seen again in the leaked-account case.
    const ip = await ctx.db.selectFrom('case_observables').select('case_id').where('type', '=', 'ip').where('value', '=', '45.141.84.120').execute();
    expect(ip.map((x) => x.case_id).sort()).toEqual([ransom.id, leak.id].sort());
    const tasks = await ctx.db.selectFrom('case_tasks').select(['status']).where('case_id', '=', ransom.id).execute();
    expect(tasks.filter((t) => t.status === 'done').length).toBeGreaterThanOrEqual(4);
    expect(tasks.some((t) => t.status === 'todo')).toBe(true);
  }, 180_000); // loads the whole demo province: well over 30 s on a loaded 2-core machine

  it('after the SOC demo, a case escalated from a real SOC alert links back to it; the look-up alerts are in the SOC queue', async () => {
    const soc = await loadDemoSoc(ctx.db, ctx.dialect);
    expect(soc.loaded).toBe(true);
    const caseId = await loadDemoSocCase({ db: ctx.db, keys: ctx.keys, config: ctx.config, clock: ctx.now });
    expect(caseId).toBeTruthy();
    const c = await ctx.db.selectFrom('cases').selectAll().where('id', '=', caseId!).executeTakeFirstOrThrow();
    expect(c).toMatchObject({ category: 'account_compromise', phase: 'containment' });
    const link = await ctx.db.selectFrom('case_alerts').selectAll().where('case_id', '=', caseId!).executeTakeFirstOrThrow();
    expect(link.kind).toBe('soc');
    const alert = await ctx.db.selectFrom('soc_alerts').select(['title', 'status', 'origin']).where('id', '=', link.ref_id).executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ title: 'SSH Login Success After Repeated Failures', status: 'escalated', origin: 'correlation' });
    // The brute-force alert stays for the analyst (the end-to-end test escalates it).
    const brute = await ctx.db.selectFrom('soc_alerts').select('status').where('title', '=', 'SSH Brute Force From One Source Address').execute();
    expect(brute.some((b) => b.status === 'new')).toBe(true);
    // Look-up alerts of the access-log demo are SOC alerts too.
    const lookups = await ctx.db.selectFrom('soc_alerts').select(['title']).where('origin', '=', 'lookup').execute();
    expect(lookups.some((l) => l.title.includes('Dùng chung tài khoản: motcua.chung.'))).toBe(true);
  }, 120_000);
});
