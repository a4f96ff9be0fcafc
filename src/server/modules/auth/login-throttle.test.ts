import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient, totpCode } from '../../../../test/support/auth-client.js';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { createAdminUser } from './bootstrap.js';
import { IpRateLimiter, lockDurationMs } from './login-throttle.js';

let ctx: TestContext;
let unitId: string;
let n = 0;
const PASSWORD = 'gió lào thổi qua cánh đồng lúa';

beforeAll(async () => {
  ctx = await createTestContext();
  unitId = (await insertUnit(ctx)).id;
});
afterAll(async () => ctx?.close());

/** Each test uses its own client IP so the per-IP limit (30/min) does not interfere. */
let ip = 0;
const client = () => new AuthClient(ctx.app, `198.51.100.${++ip}`);

async function userWithPassword(opts: { totp?: boolean } = {}) {
  n += 1;
  const username = `nguoidung${n}`;
  const { userId, password } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username, displayName: `Người Dùng ${n}`, unitId });
  const c = client();
  await c.post('/auth/login', { username, password });
  await c.post('/auth/password', { currentPassword: password, newPassword: PASSWORD });
  let secret = '';
  if (opts.totp) {
    secret = (await c.post('/auth/totp/enrol')).body.secret;
    await c.post('/auth/totp/confirm', { code: totpCode(secret, ctx.now()) });
    ctx.advance(30_000);
  }
  return { userId, username, secret };
}

async function lastLogin(username: string) {
  return ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.login').where('actor_label', '=', username).orderBy('id', 'desc').executeTakeFirstOrThrow();
}

describe('account lockout', () => {
  it('locks after 5 bad passwords (423 even with the right password) and unlocks when the time has passed', async () => {
    const u = await userWithPassword();
    const c = client();
    for (let i = 0; i < 5; i++) {
      const res = await c.post('/auth/login', { username: u.username, password: `sai mật khẩu số ${i}` });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_credentials');
    }
    expect((await lastLogin(u.username)).reason).toBe('bad_password');
    const locked = await c.post('/auth/login', { username: u.username, password: PASSWORD });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('auth.locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await lastLogin(u.username)).reason).toBe('locked');

    ctx.advance(61_000);
    const ok = await c.post('/auth/login', { username: ` ${u.username.toUpperCase()} `, password: PASSWORD });
    expect(ok.status).toBe(200); // usernames are matched case-insensitively, trimmed
  });

  it('doubles the lock for each further lockout, up to 60 minutes', async () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((k) => lockDurationMs(k) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    const u = await userWithPassword();
    const c = client();
    for (let i = 0; i < 5; i++) await c.post('/auth/login', { username: u.username, password: 'không phải mật khẩu' });
    ctx.advance(61_000);
    for (let i = 0; i < 5; i++) await c.post('/auth/login', { username: u.username, password: 'không phải mật khẩu' });
    ctx.advance(61_000);
    expect((await c.post('/auth/login', { username: u.username, password: PASSWORD })).status).toBe(423); // second lock: 2 min
    ctx.advance(60_000);
    expect((await c.post('/auth/login', { username: u.username, password: PASSWORD })).status).toBe(200);
  });

  it('counts failed second-factor attempts towards the same lockout', async () => {
    const u = await userWithPassword({ totp: true });
    const c = client();
    await c.post('/auth/login', { username: u.username, password: PASSWORD });
    const wrong = totpCode(u.secret, ctx.now()) === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) expect((await c.post('/auth/mfa/totp', { code: wrong })).status).toBe(401);
    const locked = await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('auth.locked');
  });

  it('answers unknown usernames exactly like wrong passwords, including the lock', async () => {
    const c = client();
    for (let i = 0; i < 5; i++) {
      const res = await c.post('/auth/login', { username: 'khongtontai', password: `đoán mò lần thứ ${i}` });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_credentials');
    }
    expect((await lastLogin('khongtontai')).reason).toBe('unknown_user');
    expect((await c.post('/auth/login', { username: 'khongtontai', password: 'x' })).status).toBe(423);
  });

  it('refuses a disabled user with the same 401 and audits user_disabled', async () => {
    const u = await userWithPassword();
    await ctx.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', u.userId).execute();
    const res = await client().post('/auth/login', { username: u.username, password: PASSWORD });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.invalid_credentials');
    expect((await lastLogin(u.username)).reason).toBe('user_disabled');
  });
});

describe('per-IP rate limit', () => {
  it('answers 429 auth.rate_limited with Retry-After once an IP exceeds the per-minute limit', async () => {
    const c = new AuthClient(ctx.app, '192.0.2.99');
    let res = await c.post('/auth/login', { username: 'ai-do', password: 'x' });
    for (let i = 1; i < 30; i++) res = await c.post('/auth/login', { username: `ai-do-${i}`, password: 'x' });
    expect(res.status).toBe(401);
    const limited = await c.post('/auth/login', { username: 'ai-do-khac', password: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth.rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await lastLogin('ai-do-khac')).reason).toBe('rate_limited');
    // Another address is not affected.
    expect((await client().post('/auth/login', { username: 'ai-do', password: 'x' })).status).toBe(401);
    ctx.advance(60_000);
    expect((await c.post('/auth/login', { username: 'ai-do-sau', password: 'x' })).status).toBe(401);
  });

  it('slides the window', () => {
    const l = new IpRateLimiter(2);
    expect(l.hit('a', 0)).toBe(0);
    expect(l.hit('a', 30_000)).toBe(0);
    expect(l.hit('a', 40_000)).toBe(20);
    expect(l.hit('a', 60_001)).toBe(0);
  });
});
