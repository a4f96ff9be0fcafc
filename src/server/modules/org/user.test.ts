import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';
import { verifyPassword } from '../auth/password.js';

let ctx: TestContext;
let admin: TestUser;
let root: { id: string; path: string };
let dept: { id: string; path: string };
let sibling: { id: string; path: string };

beforeAll(async () => {
  ctx = await createTestContext();
  root = await insertUnit(ctx, { code: 'GL', name: 'Tỉnh Gia Lai', type: 'province' });
  dept = await insertUnit(ctx, { code: 'SO-A', name: 'Sở A', parentId: root.id });
  sibling = await insertUnit(ctx, { code: 'SO-B', name: 'Sở B', parentId: root.id });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
});
afterAll(async () => ctx.close());

describe('users', () => {
  it('creates a user with a one-time initial password that must be changed', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { username: 'nguyen.an', displayName: 'Nguyễn An', unitId: dept.id, email: 'An@GiaLai.gov.vn' } });
    expect(res.statusCode, res.body).toBe(201);
    const { user, initialPassword } = res.json();
    expect(user).toMatchObject({ username: 'nguyen.an', status: 'active', mfaEnrolled: false, email: 'an@gialai.gov.vn', grants: [] });
    const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(1);
    expect(row.password_hash).not.toContain(initialPassword);
    expect(await verifyPassword(row.password_hash!, initialPassword)).toBe(true);
    expect(res.body).not.toContain('password_hash');
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.create').execute();
    expect(JSON.stringify(audit)).not.toContain(initialPassword);
    const dup = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { username: 'nguyen.an', displayName: 'Trùng', unitId: dept.id } });
    expect(dup.statusCode).toBe(409);
  });

  it('disabling a user ends all their sessions at once: their next request is 401', async () => {
    const target = await insertUserWithSession(ctx, { unitId: dept.id, grants: [{ role: 'official', unitId: dept.id }] });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/dashboard', headers: target.headers })).statusCode).toBe(200);
    const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/users/${target.id}`, headers: admin.headers, payload: { status: 'disabled' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('disabled');
    const s = await ctx.db.selectFrom('sessions').select(['ended_at', 'end_reason']).where('user_id', '=', target.id).execute();
    expect(s.every((x) => x.ended_at && x.end_reason === 'disabled')).toBe(true);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/dashboard', headers: target.headers })).statusCode).toBe(401);
    const self = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/users/${admin.id}`, headers: admin.headers, payload: { status: 'disabled' } });
    expect(self.statusCode).toBe(409);
  });

  it('lists and revokes sessions: admin ends anyone’s, others only their own', async () => {
    const target = await insertUserWithSession(ctx, { unitId: dept.id, grants: [{ role: 'unit_manager', unitId: dept.id }] });
    const list = await ctx.app.inject({ method: 'GET', url: `/api/v1/users/${target.id}/sessions`, headers: admin.headers });
    expect(list.json().items).toHaveLength(1);
    const other = await insertUserWithSession(ctx, { unitId: dept.id, grants: [{ role: 'unit_manager', unitId: dept.id }] });
    const denied = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${other.id}/sessions/revoke`, headers: target.headers });
    expect(denied.statusCode).toBe(403);
    const ok = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${target.id}/sessions/revoke`, headers: admin.headers });
    expect(ok.json()).toEqual({ ended: 1 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/org-units', headers: target.headers })).statusCode).toBe(401);
  });
});

describe('role grants', () => {
  it('enforces who may grant what, where', async () => {
    // A unit-level grant manager: admin of the department subtree only via role_grant.write? Only admin holds it,
    // so a departmental admin is modelled as admin at the department.
    const deptAdmin = await insertUserWithSession(ctx, { unitId: dept.id, grants: [{ role: 'admin', unitId: dept.id }] });
    const manager = await insertUserWithSession(ctx, { unitId: dept.id, grants: [{ role: 'unit_manager', unitId: dept.id }] });
    const target = await insertUserWithSession(ctx, { unitId: dept.id });

    const grant = (who: TestUser, userId: string, role: string, unitId: string) =>
      ctx.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/grants`, headers: who.headers, payload: { role, unitId } });

    // unit_manager lacks role_grant.write.
    expect((await grant(manager, target.id, 'operator', dept.id)).statusCode).toBe(403);
    // Department admin grants inside the department…
    const ok = await grant(deptAdmin, target.id, 'operator', dept.id);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().grants).toEqual([expect.objectContaining({ role: 'operator', unitId: dept.id })]);
    // …but not at a unit outside their scope,
    expect((await grant(deptAdmin, target.id, 'operator', sibling.id)).statusCode).toBe(403);
    expect((await grant(deptAdmin, target.id, 'operator', root.id)).statusCode).toBe(403);
    // and not to themselves.
    const self = await grant(deptAdmin, deptAdmin.id, 'auditor', dept.id);
    expect(self.json().error.code).toBe('role_grant.self');
    // Only an admin (covering the unit) grants admin.
    expect((await grant(deptAdmin, target.id, 'admin', dept.id)).statusCode).toBe(201);
    expect((await grant(deptAdmin, target.id, 'admin', sibling.id)).statusCode).toBe(403);
    const rootGrant = await grant(admin, target.id, 'admin', sibling.id);
    expect(rootGrant.statusCode).toBe(201);
    // Removing follows the same rules: the department admin cannot remove a grant at the sibling unit.
    const sib = rootGrant.json().grants.find((g: { unitId: string }) => g.unitId === sibling.id);
    const del = (who: TestUser, id: string) => ctx.app.inject({ method: 'DELETE', url: `/api/v1/users/${target.id}/grants/${id}`, headers: who.headers });
    expect((await del(deptAdmin, sib.id)).statusCode).toBe(403);
    const removed = await del(admin, sib.id);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().grants.some((g: { id: string }) => g.id === sib.id)).toBe(false);
    const audited = await ctx.db.selectFrom('audit_events').select(['action', 'unit_id']).where('target_id', '=', target.id).where('action', 'like', 'role_grant.%').execute();
    expect(audited.map((a) => a.action).sort()).toEqual(['role_grant.create', 'role_grant.create', 'role_grant.create', 'role_grant.delete']);
  });
});
