import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient, totpCode } from '../../../../test/support/auth-client.js';
import { createTestContext, insertUnit, insertUserWithSession, type TestContext } from '../../../../test/support/context.js';
import { FactorEnrolledSchema } from '../../../contracts/auth.js';
import { createAdminUser } from './bootstrap.js';

const NEW_PASSWORD = 'hoa sen nở trên hồ tây sáng nay';

let ctx: TestContext;
let unitId: string;
let n = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  unitId = (await insertUnit(ctx, { name: 'Sở Khoa học và Công nghệ' })).id;
});
afterAll(async () => ctx?.close());

async function audits(action: string, userId?: string) {
  let q = ctx.db.selectFrom('audit_events').selectAll().where('action', '=', action);
  if (userId) q = q.where('actor_user_id', '=', userId);
  return q.orderBy('occurred_at').orderBy('id').execute();
}

/** A new user who has changed the one-time password and enrolled TOTP; logged out afterwards. */
async function enrolledUser() {
  n += 1;
  const username = `canbo${n}`;
  const { userId, password } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username, displayName: `Cán bộ Thứ ${n}`, unitId });
  const c = new AuthClient(ctx.app);
  expect((await c.post('/auth/login', { username, password })).body.stage).toBe('password_change');
  expect((await c.post('/auth/password', { currentPassword: password, newPassword: NEW_PASSWORD })).body.stage).toBe('mfa_enrolment');
  const enrol = await c.post('/auth/totp/enrol');
  const confirm = await c.post('/auth/totp/confirm', { code: totpCode(enrol.body.secret, ctx.now()) });
  expect(confirm.status).toBe(200);
  await c.post('/auth/logout');
  ctx.advance(30_000); // the next code belongs to a later step
  return { userId, username, secret: enrol.body.secret as string, recoveryCodes: confirm.body.recoveryCodes as string[] };
}

async function loginToMfa(username: string) {
  const c = new AuthClient(ctx.app);
  const res = await c.post('/auth/login', { username, password: NEW_PASSWORD });
  expect(res.status).toBe(200);
  expect(res.body.stage).toBe('mfa');
  return c;
}

describe('login flow', () => {
  it('takes a new admin from the one-time password through password change, TOTP enrolment and recovery codes to an active session', async () => {
    const { userId, password } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'quantri', displayName: 'Quản trị viên', unitId });
    const c = new AuthClient(ctx.app);

    const login = await c.post('/auth/login', { username: 'quantri', password });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ stage: 'password_change', methods: [] });
    const cookie = login.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^__Host-khien_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);

    // Not yet allowed to use the application.
    expect((await c.get('/auth/sessions')).body.error.code).toBe('auth.mfa_required');
    expect((await c.post('/auth/totp/enrol')).status).toBe(403);

    const changed = await c.post('/auth/password', { currentPassword: password, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect(changed.body.stage).toBe('mfa_enrolment');

    const enrol = await c.post('/auth/totp/enrol');
    expect(enrol.status).toBe(200);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Kh/);
    expect(enrol.body.otpauthUrl).toContain('issuer=Kh');
    expect(enrol.body.otpauthUrl).toContain('quantri');
    expect(enrol.body.qrSvg).toMatch(/<svg/);
    const secret: string = enrol.body.secret;
    expect(Buffer.from(secret.replace(/=+$/, ''), 'utf8').length).toBe(32); // 20 bytes in base32
    const stored = await ctx.db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(secret);

    const preToken = c.token;
    const confirm = await c.post('/auth/totp/confirm', { code: totpCode(secret, ctx.now()) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.stage).toBe('active');
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirm.body.recoveryCodes).size).toBe(10);
    // The answer is exactly the contract's FactorEnrolled: session state (new CSRF token) and the codes, nothing more.
    expect(FactorEnrolledSchema.strict().safeParse(confirm.body).success, JSON.stringify(Object.keys(confirm.body))).toBe(true);
    expect(confirm.body).toMatchObject({ stage: 'active', methods: ['totp', 'recovery'] });
    // The session was rotated on reaching `active` (ASVS 5 7.2.4): the old token no longer works.
    expect(c.token).not.toBe(preToken);
    const old = new AuthClient(ctx.app);
    old.token = preToken;
    expect((await old.get('/auth/me')).body.error.code).toBe('auth.session_ended');

    const me = await c.get('/auth/me');
    expect(me.body).toMatchObject({ stage: 'active', user: { username: 'quantri', unitId, unitName: 'Sở Khoa học và Công nghệ', locale: 'vi' }, factors: { totp: true, webauthn: 0, recoveryCodesLeft: 10 } });
    expect(me.body.grants).toEqual([expect.objectContaining({ role: 'admin', unitId })]);
    expect(me.body.permissions).toContain('user.write');
    const codesStored = await ctx.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', userId).execute();
    expect(codesStored.map((r) => r.code_hash)).not.toContain(confirm.body.recoveryCodes[0]);

    expect((await c.post('/auth/logout')).status).toBe(200);
    expect((await c.get('/auth/me')).status).toBe(401);

    ctx.advance(30_000);
    const again = new AuthClient(ctx.app);
    const second = await again.post('/auth/login', { username: 'quantri', password: NEW_PASSWORD });
    expect(second.body).toMatchObject({ stage: 'mfa', methods: ['totp', 'recovery'] });
    const mfa = await again.post('/auth/mfa/totp', { code: totpCode(secret, ctx.now()) });
    expect(mfa.status).toBe(200);
    expect(mfa.body.stage).toBe('active');
    expect((await again.get('/auth/me')).body.stage).toBe('active');

    const actions = (await ctx.db.selectFrom('audit_events').select(['action', 'outcome']).where('actor_user_id', '=', userId).orderBy('id').execute()).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['auth.login', 'auth.password_change', 'auth.factor_enrol', 'auth.recovery_codes_issue', 'auth.logout', 'auth.mfa']),
    );
    // Nothing secret ends up in the audit trail.
    const all = JSON.stringify(await ctx.db.selectFrom('audit_events').selectAll().execute());
    for (const s of [password, NEW_PASSWORD, secret, confirm.body.recoveryCodes[0]]) expect(all).not.toContain(s);
  });

  it('refuses a wrong TOTP code with 401 and audits it', async () => {
    const u = await enrolledUser();
    const c = await loginToMfa(u.username);
    const good = totpCode(u.secret, ctx.now());
    const bad = good === '000000' ? '000001' : '000000';
    const res = await c.post('/auth/mfa/totp', { code: bad });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.mfa_invalid');
    const entries = await audits('auth.mfa', u.userId);
    expect(entries.at(-1)).toMatchObject({ outcome: 'failure', reason: 'totp_invalid' });
    expect(entries.at(-1)!.details_json).not.toContain(bad);
  });

  it('refuses a replayed TOTP code, and an older-step code after a newer one, auditing totp_replayed', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    const code = totpCode(u.secret, ctx.now());
    expect((await a.post('/auth/mfa/totp', { code })).status).toBe(200);

    const b = await loginToMfa(u.username);
    const replay = await b.post('/auth/mfa/totp', { code });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('auth.totp_replayed');
    expect((await audits('auth.mfa', u.userId)).at(-1)).toMatchObject({ outcome: 'failure', reason: 'totp_replayed' });

    // A newer code is used; then the previous step's code (still inside the ±1 window) is a replay too.
    ctx.advance(30_000);
    expect((await b.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) })).status).toBe(200);
    const c = await loginToMfa(u.username);
    const previous = totpCode(u.secret, ctx.now(), -1);
    const res = await c.post('/auth/mfa/totp', { code: previous });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.totp_replayed');
    expect((await audits('auth.mfa', u.userId)).at(-1)).toMatchObject({ reason: 'totp_replayed' });
  });

  it('lets only one of two concurrent uses of the same code through', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    const b = await loginToMfa(u.username);
    const code = totpCode(u.secret, ctx.now());
    const results = await Promise.all([a.post('/auth/mfa/totp', { code }), b.post('/auth/mfa/totp', { code })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('accepts a recovery code once', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    const code = u.recoveryCodes[3]!.toUpperCase(); // typed in capitals: still accepted
    const ok = await a.post('/auth/mfa/recovery', { code });
    expect(ok.status).toBe(200);
    expect(ok.body.stage).toBe('active');
    expect((await a.get('/auth/me')).body.factors.recoveryCodesLeft).toBe(9);

    const b = await loginToMfa(u.username);
    const again = await b.post('/auth/mfa/recovery', { code });
    expect(again.status).toBe(401);
    expect((await audits('auth.mfa', u.userId)).at(-1)).toMatchObject({ outcome: 'failure', reason: 'recovery_invalid' });
  });

  it('regenerates recovery codes after re-entering the password; the old ones stop working', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    await a.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    expect((await a.post('/auth/recovery-codes', { password: 'sai mật khẩu rồi nhé' })).status).toBe(400);
    const regen = await a.post('/auth/recovery-codes', { password: NEW_PASSWORD });
    expect(regen.status).toBe(200);
    expect(regen.body.recoveryCodes).toHaveLength(10);
    const b = await loginToMfa(u.username);
    expect((await b.post('/auth/mfa/recovery', { code: u.recoveryCodes[0] })).status).toBe(401);
    expect((await b.post('/auth/mfa/recovery', { code: regen.body.recoveryCodes[0] })).status).toBe(200);
    expect((await audits('auth.recovery_codes_regenerate', u.userId)).map((e) => e.outcome)).toEqual(['failure', 'success']);
  });

  it('replaces the TOTP app only from a recent login; the old seed then stops working', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    await a.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    ctx.advance(16 * 60_000);
    const stale = await a.post('/auth/totp/enrol');
    expect(stale.status).toBe(403);
    expect(stale.body.error.code).toBe('auth.reauth_required');

    const b = await loginToMfa(u.username);
    await b.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    const enrol = await b.post('/auth/totp/enrol');
    expect(enrol.status).toBe(200);
    ctx.advance(30_000);
    const confirm = await b.post('/auth/totp/confirm', { code: totpCode(enrol.body.secret, ctx.now()) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toBeNull(); // the existing codes stay valid
    expect(FactorEnrolledSchema.strict().parse(confirm.body)).toMatchObject({ stage: 'active', csrfToken: b.csrf });
    ctx.advance(30_000);
    const c = await loginToMfa(u.username);
    expect((await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) })).status).toBe(401);
    expect((await c.post('/auth/mfa/totp', { code: totpCode(enrol.body.secret, ctx.now()) })).status).toBe(200);
  });

  it('keeps a session in stage mfa out of user routes (403 auth.mfa_required)', async () => {
    const u = await enrolledUser();
    const c = await loginToMfa(u.username);
    const res = await c.get('/auth/sessions');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('auth.mfa_required');
    const me = await c.get('/auth/me');
    expect(me.body.stage).toBe('mfa');
    expect(me.body.grants).toEqual([]);
  });
});

describe('sessions', () => {
  it('lists and ends one’s own sessions, not other users’', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    await a.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    ctx.advance(30_000);
    const b = await loginToMfa(u.username);
    await b.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });

    const list = await a.get('/auth/sessions');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    const other = list.body.items.find((s: { current: boolean }) => !s.current);
    expect(other.mfaMethod).toBe('totp');

    const someoneElse = await enrolledUser();
    const x = await loginToMfa(someoneElse.username);
    await x.post('/auth/mfa/totp', { code: totpCode(someoneElse.secret, ctx.now()) });
    expect((await x.del(`/auth/sessions/${other.id}`)).status).toBe(404);

    expect((await a.del(`/auth/sessions/${other.id}`)).status).toBe(200);
    expect((await b.get('/auth/me')).body.error.code).toBe('auth.session_ended');
    expect((await a.get('/auth/sessions')).body.items).toHaveLength(1);
    expect((await audits('auth.session_end', u.userId)).length).toBe(1);
  });

  it('expires an idle session and one past its absolute lifetime (401 auth.session_expired)', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    await a.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    ctx.advance(31 * 60_000);
    const idle = await a.get('/auth/me');
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('auth.session_expired');
    expect((await audits('auth.session_end', u.userId)).at(-1)).toMatchObject({ reason: 'idle' });

    const b = await loginToMfa(u.username);
    await b.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    for (let i = 0; i < 25; i++) {
      ctx.advance(29 * 60_000); // active all day, never idle for 30 minutes
      const me = await b.get('/auth/me');
      if (me.status !== 200) {
        expect(me.body.error.code).toBe('auth.session_expired');
        expect(i).toBe(24); // 12 h = 24.8 × 29 min
        return;
      }
    }
    throw new Error('session never expired');
  });

  it('ends a session stuck before MFA after 10 minutes', async () => {
    const u = await enrolledUser();
    const c = await loginToMfa(u.username);
    ctx.advance(10 * 60_000 + 1);
    const res = await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.session_expired');
  });

  it('refuses state-changing requests without or with a wrong CSRF token (403, audited)', async () => {
    const u = await enrolledUser();
    const c = await loginToMfa(u.username);
    const missing = await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) }, { csrf: null });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('auth.csrf_invalid');
    const wrong = await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) }, { csrf: 'x'.repeat(32) });
    expect(wrong.status).toBe(403);
    const loginNoCsrf = await new AuthClient(ctx.app).post('/auth/login', { username: u.username, password: NEW_PASSWORD }, { csrf: null });
    expect(loginNoCsrf.status).toBe(403);
    expect(loginNoCsrf.body.error.code).toBe('auth.csrf_missing');
    const denied = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'authz.denied').execute();
    expect(denied.map((d) => d.reason)).toEqual(expect.arrayContaining(['auth.csrf_invalid', 'auth.csrf_missing']));
    // The code was never consumed: the legitimate request still passes.
    expect((await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) })).status).toBe(200);
  });

  it('tells the header the name of the user’s own unit, also when their grants lie elsewhere or they have none', async () => {
    const home = await insertUnit(ctx, { name: 'Phòng Công nghệ thông tin' });
    const other = await insertUnit(ctx, { name: 'Sở Tài chính' });
    const granted = await insertUserWithSession(ctx, { unitId: home.id, grants: [{ role: 'auditor', unitId: other.id }] });
    const plain = await insertUserWithSession(ctx, { unitId: home.id });
    for (const u of [granted, plain]) {
      const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({ unitId: home.id, unitName: 'Phòng Công nghệ thông tin' });
    }
  });

  it('names the user (id and username) on every audit entry made in their session, pending or active', async () => {
    const before = new Set((await ctx.db.selectFrom('audit_events').select('id').execute()).map((r) => r.id));
    const u = await enrolledUser(); // login, password change, TOTP enrolment, recovery codes, logout
    const c = await loginToMfa(u.username);
    expect((await c.get('/auth/sessions')).status).toBe(403); // auth.mfa_required, audited as authz.denied
    expect((await c.post('/auth/mfa/totp', { code: '000000' }, { csrf: 'x'.repeat(32) })).status).toBe(403); // CSRF refusal
    expect((await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) === '000000' ? '111111' : '000000' })).status).toBe(401);
    expect((await c.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) })).status).toBe(200);
    const regen = await c.post('/auth/recovery-codes', { password: NEW_PASSWORD });
    expect(regen.status, JSON.stringify(regen.body)).toBe(200);
    expect((await c.post('/auth/logout')).status).toBe(200);
    const idle = await loginToMfa(u.username);
    ctx.advance(10 * 60_000 + 1);
    expect((await idle.get('/auth/me')).status).toBe(401); // session_end, expired before MFA

    const rows = (await ctx.db.selectFrom('audit_events').selectAll().orderBy('id').execute()).filter((r) => !before.has(r.id) && r.actor_label !== 'system');
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['auth.login', 'auth.password_change', 'auth.factor_enrol', 'auth.recovery_codes_issue', 'auth.mfa', 'auth.logout', 'auth.session_end', 'authz.denied', 'auth.recovery_codes_regenerate']) {
      expect(actions, a).toContain(a);
    }
    expect(rows.filter((r) => r.actor_user_id !== u.userId || r.actor_label !== u.username).map((r) => `${r.action}: ${r.actor_user_id} ${r.actor_label}`)).toEqual([]);
    expect(rows.filter((r) => r.action === 'auth.mfa').map((r) => r.outcome)).toEqual(['failure', 'success']);
  });

  it('changing the password ends the user’s other sessions; the locale is remembered', async () => {
    const u = await enrolledUser();
    const a = await loginToMfa(u.username);
    await a.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    ctx.advance(30_000);
    const b = await loginToMfa(u.username);
    await b.post('/auth/mfa/totp', { code: totpCode(u.secret, ctx.now()) });
    const res = await a.post('/auth/password', { currentPassword: NEW_PASSWORD, newPassword: 'mây trắng bay qua đèo mang yang' });
    expect(res.status).toBe(200);
    expect((await b.get('/auth/me')).body.error.code).toBe('auth.session_ended');
    expect((await a.request('PUT', '/auth/locale', { locale: 'en' })).status).toBe(200);
    expect((await a.get('/auth/me')).body.user.locale).toBe('en');
  });
});
