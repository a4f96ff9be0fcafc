import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient, totpCode } from '../../../../test/support/auth-client.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext, type TestUser } from '../../../../test/support/context.js';

/** An official forgot their password and lost their phone: the administrator issues a one-time password and resets MFA. */
let ctx: TestContext;
let admin: TestUser;
let userId: string;

async function enrolledUser(client: AuthClient, password: string): Promise<void> {
  // Admin creates the account; the official logs in, changes the password and enrols TOTP.
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { username: 'nva.nguyen', displayName: 'Nguyễn Văn An', unitId: (await ctx.db.selectFrom('users').select('unit_id').where('id', '=', admin.id).executeTakeFirstOrThrow()).unit_id } });
  expect(created.statusCode, created.body).toBe(201);
  userId = created.json().user.id;
  await client.post('/auth/login', { username: 'nva.nguyen', password: created.json().initialPassword });
  expect((await client.post('/auth/password', { currentPassword: created.json().initialPassword, newPassword: password })).status).toBe(200);
  const enrol = await client.post('/auth/totp/enrol');
  const confirmed = await client.post('/auth/totp/confirm', { code: totpCode(enrol.body.secret, ctx.now()) });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
}

beforeAll(async () => {
  ctx = await createTestContext();
  const root = await insertUnit(ctx, { code: 'GL', name: 'UBND tỉnh Gia Lai', type: 'province' });
  admin = await insertUserWithSession(ctx, { unitId: root.id, grants: [{ role: 'admin', unitId: root.id }] });
});
afterAll(async () => ctx?.close());

describe('administrator resets a user credentials', () => {
  it('issues a one-time password, removes the second factors, ends sessions and audits the reason', async () => {
    const official = new AuthClient(ctx.app);
    await enrolledUser(official, 'cây cà phê mùa khô năm nay thơm');
    expect((await official.get('/auth/me')).body.stage).toBe('active');

    const reset = await ctx.app.inject({
      method: 'POST', url: `/api/v1/users/${userId}/credentials/reset`, headers: admin.headers,
      payload: { resetMfa: true, reason: 'Mất điện thoại; đã đối chiếu CCCD trực tiếp tại Văn phòng sở' },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().user.mfaEnrolled).toBe(false);
    expect((await official.get('/auth/me')).status).toBe(401);

    const again = new AuthClient(ctx.app);
    const login = await again.post('/auth/login', { username: 'nva.nguyen', password: reset.json().initialPassword });
    expect(login.body.stage).toBe('password_change');
    const changed = await again.post('/auth/password', { currentPassword: reset.json().initialPassword, newPassword: 'trời xanh sau cơn mưa rào tháng sáu' });
    expect(changed.body.stage).toBe('mfa_enrolment');

    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.credentials_reset').executeTakeFirstOrThrow();
    expect(audit.reason).toContain('đối chiếu CCCD');
    expect(audit.actor_user_id).toBe(admin.id);
  });

  it('refuses resetting one’s own credentials and a reason that is too short', async () => {
    const self = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${admin.id}/credentials/reset`, headers: admin.headers, payload: { reason: 'tự cấp lại mật khẩu' } });
    expect(self.statusCode).toBe(403);
    const short = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/credentials/reset`, headers: admin.headers, payload: { reason: 'x' } });
    expect(short.statusCode).toBe(400);
  });
});
