import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { recordAudit } from '../../core/audit.js';
import { newId, nowIso } from '../../db/columns.js';

let ctx: TestContext;
let root: { id: string; path: string };
let a: { id: string; path: string };
let b: { id: string; path: string };
let rootAuditor: TestUser;
let unitAuditor: TestUser;
let official: TestUser;

const meta = { ip: '10.0.0.1', userAgent: 'test', requestId: 'r' };

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'Tỉnh Gia Lai', type: 'province' });
  a = await insertUnit(ctx, { code: 'A', name: 'Sở A', parentId: root.id });
  b = await insertUnit(ctx, { code: 'B', name: 'Sở B', parentId: root.id });
  rootAuditor = await insertUserWithSession(ctx, { unitId: root.id, username: 'kiemtoan.tinh', grants: [{ role: 'auditor', unitId: root.id }] });
  unitAuditor = await insertUserWithSession(ctx, { unitId: a.id, username: 'kiemtoan.a', grants: [{ role: 'auditor', unitId: a.id }] });
  official = await insertUserWithSession(ctx, { unitId: a.id, grants: [{ role: 'official', unitId: a.id }] });
  const t0 = Date.parse('2026-01-10T03:00:00Z');
  await recordAudit(ctx.db, meta, { action: 'org_unit.update', unitId: a.id, targetId: a.id, actorLabel: 'nguoi.a' }, new Date(t0).toISOString());
  await recordAudit(ctx.db, meta, { action: 'person.create', unitId: b.id, targetId: 'p-b', actorLabel: 'nguoi.b' }, new Date(t0 + 86400_000).toISOString());
  await recordAudit(ctx.db, meta, { action: 'auth.login', outcome: 'failure', reason: 'bad_password', actorLabel: 'ai.do' }, nowIso(ctx.now));
});
afterAll(async () => ctx.close());

const list = (who: TestUser, qs = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/audit-events${qs}`, headers: who.headers });

describe('audit trail API', () => {
  it('shows a root auditor everything, newest first, including entries without a unit', async () => {
    const res = await list(rootAuditor);
    expect(res.statusCode).toBe(200);
    const actions = res.json().items.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 3)).toEqual(['auth.login', 'person.create', 'org_unit.update']);
    const seqs = res.json().items.map((e: { seq: number }) => e.seq);
    expect([...seqs].sort((x, y) => y - x)).toEqual(seqs);
  });

  it('shows a unit auditor only entries of their units, never unit-less ones', async () => {
    const items = (await list(unitAuditor)).json().items as { action: string; unitId: string | null }[];
    expect(items.map((e) => e.action)).toEqual(['org_unit.update']);
    const denied = await list(unitAuditor, `?unitId=${b.id}`);
    expect(denied.statusCode).toBe(403);
  });

  it('filters by action prefix, outcome, actor, target, unit and time', async () => {
    const n = async (qs: string) => (await list(rootAuditor, qs)).json().items.length as number;
    expect(await n('?action=person.')).toBe(1);
    expect(await n('?outcome=failure')).toBe(1);
    expect(await n('?actor=nguoi.a')).toBe(1);
    expect(await n('?targetId=p-b')).toBe(1);
    expect(await n(`?unitId=${a.id}`)).toBe(1);
    expect(await n('?from=2026-01-10&to=2026-01-10')).toBe(1);
    expect(await n('?from=2026-01-10&to=2026-01-11')).toBe(2);
    expect((await list(rootAuditor, '?from=not-a-date')).statusCode).toBe(400);
    const page = (await list(rootAuditor, '?pageSize=1&page=2')).json();
    expect(page.items).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(3);
  });

  it('refuses without audit.read and audits the denial', async () => {
    const res = await list(official);
    expect(res.statusCode).toBe(403);
    const denial = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'authz.denied').where('actor_user_id', '=', official.id).execute();
    expect(denial).toHaveLength(1);
  });
});

describe('dashboard', () => {
  it('counts only what lies in scope', async () => {
    const now = nowIso(ctx.now);
    const base = { full_name: 'X', name_folded: 'x', citizen_id_hash: null, citizen_id_masked: null, date_of_birth: null, gender: null, email: null, phone: null, position: null, status_since: null, created_at: now, updated_at: now };
    await ctx.db.insertInto('people').values([
      { ...base, id: newId(), unit_id: a.id, status: 'active' },
      { ...base, id: newId(), unit_id: a.id, status: 'retired' },
      { ...base, id: newId(), unit_id: b.id, status: 'active' },
    ]).execute();
    await ctx.db.insertInto('totp_factors').values({ id: newId(), user_id: unitAuditor.id, secret_enc: 'x', confirmed_at: now, last_used_step: null, created_at: now }).execute();
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/v1/dashboard', headers: unitAuditor.headers })).json();
    expect(mine.units).toEqual({ current: 1, former: 0 });
    expect(mine.people).toEqual({ total: 2, byStatus: { active: 1, retired: 1 } });
    expect(mine.users).toEqual({ total: 2, active: 2, withoutMfa: 1 });
    expect(mine.failedLogins24h).toBe(0);
    const all = (await ctx.app.inject({ method: 'GET', url: '/api/v1/dashboard', headers: rootAuditor.headers })).json();
    expect(all.units.current).toBe(3);
    expect(all.people.total).toBe(3);
    expect(all.users.total).toBe(3);
    expect(all.failedLogins24h).toBe(1);
  });
});

// After the dashboard counts: this adds a user.
describe('authorisation denials in the audit trail', () => {
  it('shows a unit auditor the denials concerning their unit, and not those of other units', async () => {
    const outsider = await insertUserWithSession(ctx, { unitId: b.id, username: 'canbo.b', grants: [{ role: 'official', unitId: b.id }] });
    const intoA = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/org-units/${a.id}`, headers: outsider.headers, payload: { name: 'Sở A mới' } });
    expect(intoA.statusCode).toBe(403);
    // The 403 body names only what the caller sent; the unit goes to the audit entry alone.
    expect(intoA.json().error.details.target).toEqual({ type: 'org_unit', id: a.id });
    const intoB = await ctx.app.inject({ method: 'GET', url: `/api/v1/org-units/${b.id}`, headers: official.headers });
    expect(intoB.statusCode).toBe(403);

    const seen = (await list(unitAuditor, '?action=authz.denied')).json().items as { actorLabel: string | null; unitId: string | null; reason: string | null }[];
    expect(seen).toEqual([expect.objectContaining({ actorLabel: 'canbo.b', unitId: a.id, reason: 'auth.forbidden' })]);
    const all = (await list(rootAuditor, '?action=authz.denied')).json().items as { unitId: string | null }[];
    expect(all.map((e) => e.unitId)).toEqual(expect.arrayContaining([a.id, b.id]));
  });
});
