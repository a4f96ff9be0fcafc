import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { newId, nowIso } from '../../db/columns.js';

let ctx: TestContext;
let soc: TestUser;
let other: TestUser;
let alertId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  const unit = await insertUnit(ctx, { code: 'TT-CDS', name: 'Trung tâm Chuyển đổi số', parentId: root.id });
  const b = await insertUnit(ctx, { code: 'SO-NV', name: 'Sở Nội vụ', parentId: root.id });
  soc = await insertUserWithSession(ctx, { unitId: unit.id, grants: [{ role: 'soc_analyst', unitId: unit.id }] });
  other = await insertUserWithSession(ctx, { unitId: b.id, grants: [{ role: 'soc_analyst', unitId: b.id }] });
  alertId = newId();
  const now = nowIso(ctx.now);
  // A grouped brute-force alert as the SOC pipeline stores it (modules/soc, soc_alerts).
  await ctx.db.insertInto('soc_alerts').values({
    id: alertId, origin: 'correlation', rule_id: 'khien-ssh-brute-force', rule_author: 'Khiên', title: 'SSH brute force từ 185.220.101.4', severity: 'high',
    tags_json: '["attack.t1110"]', group_key: 'k', status: 'new', assignee_id: null, unit_id: unit.id, system_id: null, asset_id: null, host: 'mail-gw',
    count: 42, first_seen: now, last_seen: now, details_json: '{}', created_at: now, updated_at: now,
  }).execute();
});
afterAll(async () => ctx?.close());

describe('escalating a SOC alert', () => {
  it('creates a case with the alert snapshot, attaches the rule\'s playbook and marks the alert escalated', async () => {
    const cand = (await ctx.app.inject({ method: 'GET', url: '/api/v1/case-escalation-candidates?kind=soc', headers: soc.headers })).json();
    expect(cand.items.map((a: { id: string }) => a.id)).toEqual([alertId]);
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/case-escalations', headers: soc.headers, payload: { alerts: [{ kind: 'soc', id: alertId }] } });
    expect(r.statusCode, r.body).toBe(201);
    const c = r.json();
    expect(c).toMatchObject({ title: 'SSH brute force từ 185.220.101.4 (×42)', severity: 'high', category: 'account_compromise' });
    expect(c.alerts[0]).toMatchObject({ kind: 'soc', refId: alertId, rule: 'khien-ssh-brute-force' });
    expect(c.playbooks.map((p: { key: string }) => p.key)).toEqual(['compromised-account']);
    const a = await ctx.db.selectFrom('soc_alerts').select('status').where('id', '=', alertId).executeTakeFirstOrThrow();
    expect(a.status).toBe('escalated');
  });

  it('another unit\'s analyst cannot escalate it', async () => {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/case-escalations', headers: other.headers, payload: { alerts: [{ kind: 'soc', id: alertId }] } });
    expect(r.statusCode).toBe(403);
  });
});
