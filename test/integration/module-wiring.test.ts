import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '../../src/server/modules/soc/index.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../support/context.js';

/**
 * How the modules built in parallel connect (issues 4–8): the auditor's read-only view of the SOC, look-up
 * alerts in the SOC queue, look-up and vulnerability alerts as case sources, syslog access-log records, and
 * shared-account findings from concurrent logins.
 */
let ctx: TestContext;
let root: { id: string; path: string };
let deptA: { id: string; path: string };
let deptB: { id: string; path: string };
let auditorA: TestUser;
let auditorB: TestUser;
let analyst: TestUser;

const api = (user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: user.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  deptA = await insertUnit(ctx, { code: 'SO-TP', name: 'Sở Tư pháp', parentId: root.id });
  deptB = await insertUnit(ctx, { code: 'SO-YT', name: 'Sở Y tế', parentId: root.id });
  auditorA = await insertUserWithSession(ctx, { unitId: deptA.id, grants: [{ role: 'auditor', unitId: deptA.id }] });
  auditorB = await insertUserWithSession(ctx, { unitId: deptB.id, grants: [{ role: 'auditor', unitId: deptB.id }] });
  analyst = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'soc_analyst', unitId: root.id }] });
});
afterAll(async () => ctx?.close());

describe('auditor: read-only SOC access, scoped by unit', () => {
  it('reads the alerts of their unit, not another unit’s, and cannot triage', async () => {
    const a = await raiseAlert(ctx.db, { source: 'test', title: 'Đăng nhập bất thường vào hệ thống Sở Tư pháp', severity: 'high', unitId: deptA.id });
    const b = await raiseAlert(ctx.db, { source: 'test', title: 'Quét cổng vào máy chủ Sở Y tế', severity: 'medium', unitId: deptB.id });
    const list = await api(auditorA, 'GET', '/api/v1/soc/alerts');
    expect(list.statusCode, list.body).toBe(200);
    const ids = (list.json().items as { id: string }[]).map((x) => x.id);
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(b.id);
    expect((await api(auditorA, 'GET', `/api/v1/soc/alerts/${a.id}`)).statusCode).toBe(200);
    expect((await api(auditorA, 'GET', `/api/v1/soc/alerts/${b.id}`)).statusCode).toBe(403);
    expect((await api(auditorA, 'GET', '/api/v1/soc/events')).statusCode).toBe(200);
    // Triage is refused (403, audited) and changes nothing.
    const triage = await api(auditorA, 'PATCH', `/api/v1/soc/alerts/${a.id}`, { status: 'false_positive', note: 'thử' });
    expect(triage.statusCode).toBe(403);
    const row = await ctx.db.selectFrom('soc_alerts').select('status').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('new');
    const denied = await ctx.db.selectFrom('audit_events').select(['action', 'actor_user_id']).where('action', '=', 'authz.denied').where('actor_user_id', '=', auditorA.id).execute();
    expect(denied.length).toBeGreaterThan(0);
    // Nor may they manage sources or escalate to a case.
    expect((await api(auditorA, 'POST', '/api/v1/soc/sources', { name: 'x', kind: 'http', unitId: deptA.id })).statusCode).toBe(403);
    expect((await api(auditorA, 'POST', '/api/v1/case-escalations', { alerts: [{ kind: 'soc', id: a.id }] })).statusCode).toBe(403);
    // The other unit's auditor sees only theirs; the province analyst still triages.
    const listB = await api(auditorB, 'GET', '/api/v1/soc/alerts');
    expect((listB.json().items as { id: string }[]).map((x) => x.id)).toEqual([b.id]);
    expect((await api(analyst, 'PATCH', `/api/v1/soc/alerts/${a.id}`, { status: 'acknowledged' })).statusCode).toBe(200);
  });
});
