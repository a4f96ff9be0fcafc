import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient } from '../../../../test/support/auth-client.js';
import { createTestContext, insertUnit, type TestContext } from '../../../../test/support/context.js';
import { createAdminUser, resetBootstrapPassword } from './bootstrap.js';
import { hash } from '@node-rs/argon2';
import { checkPasswordPolicy, generateInitialPassword, hashPassword, isCommonPassword, verifyPassword } from './password.js';

describe('password policy', () => {
  const who = { username: 'tranthimai', displayName: 'Trần Thị Mai', email: 'mai.tran@gialai.gov.vn' };

  it('accepts a long passphrase without composition rules, in Vietnamese, up to 128 characters', () => {
    expect(checkPasswordPolicy('hoa sen nở trên hồ tây sáng nay', who)).toEqual([]);
    expect(checkPasswordPolicy('đàn chim én bay về phương nam'.padEnd(128, '!'), who)).toEqual([]);
  });

  it('refuses short, too long, common and context-specific passwords with the reason', () => {
    expect(checkPasswordPolicy('ngắn quá', who)[0]).toMatch(/ít nhất 12 ký tự/);
    expect(checkPasswordPolicy('a'.repeat(64) + 'b'.repeat(65), who).join(' ')).toMatch(/không được dài quá 128/);
    expect(checkPasswordPolicy('password123456', who).join(' ')).toMatch(/quá phổ biến/);
    expect(checkPasswordPolicy('Iloveyou!!2024', who).join(' ')).toMatch(/quá phổ biến/);
    expect(checkPasswordPolicy('1111111111111111', who).join(' ')).toMatch(/dễ đoán|phổ biến/);
    expect(checkPasswordPolicy('tranthimai-2026-xyz', who).join(' ')).toMatch(/không được chứa/);
    expect(checkPasswordPolicy('Khiên an toàn 2026!', who).join(' ')).toMatch(/không được chứa/);
    expect(checkPasswordPolicy('GiaLai mùa hoa dã quỳ', who).join(' ')).toMatch(/không được chứa/);
    expect(checkPasswordPolicy('đêm trăng Quy Nhơn trên biển', who).join(' ')).toMatch(/không được chứa/);
    expect(checkPasswordPolicy('cây bàng sở khoa học xanh', { ...who, unitNames: ['Sở Khoa học'] }).join(' ')).toMatch(/không được chứa/);
  });

  it('ships at least 10 000 common passwords', () => {
    expect(isCommonPassword('123456')).toBe(true);
    expect(isCommonPassword('sunshine')).toBe(true);
    expect(isCommonPassword('mùa xuân trên cao nguyên')).toBe(false);
  });

  it('hashes with argon2id, normalises Unicode and never truncates', async () => {
    const h = await hashPassword('Mật khẩu dài dòng văn tự');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
    expect(await verifyPassword(h, 'Mật khẩu dài dòng văn tự'.normalize('NFD'))).toBe(true);
    expect(await verifyPassword(h, 'Mật khẩu dài dòng văn tự!')).toBe(false);
    const long = 'x'.repeat(100);
    const h2 = await hashPassword(`${long}1`);
    expect(await verifyPassword(h2, `${long}2`)).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('generates readable one-time passwords of at least 16 characters', () => {
    const all = new Set(Array.from({ length: 50 }, generateInitialPassword));
    expect(all.size).toBe(50);
    for (const p of all) {
      expect(p.length).toBeGreaterThanOrEqual(16);
      expect(p).toMatch(/^[A-Za-z2-9-]+$/);
      expect(p).not.toMatch(/[01OlI]/);
    }
  });
});

describe('password change and bootstrap (API)', () => {
  let ctx: TestContext;
  let unitId: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    unitId = (await insertUnit(ctx, { name: 'Công an tỉnh' })).id;
  });
  afterAll(async () => ctx?.close());

  it('refuses weak new passwords with the reasons, and a wrong current password', async () => {
    const { password } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'lethanh', displayName: 'Lê Văn Thanh', unitId });
    const c = new AuthClient(ctx.app);
    await c.post('/auth/login', { username: 'lethanh', password });
    for (const [pw, reason] of [
      ['ngắn', /ít nhất 12/],
      ['qwertyuiop123', /phổ biến/],
      ['lethanh-mat-khau-moi', /không được chứa/],
      ['công an tỉnh nhà mình', /không được chứa/],
    ] as const) {
      const res = await c.post('/auth/password', { currentPassword: password, newPassword: pw });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('auth.password_policy');
      expect(res.body.error.details.problems.join(' ')).toMatch(reason);
    }
    expect((await c.post('/auth/password', { currentPassword: password, newPassword: password })).status).toBe(422);
    const wrong = await c.post('/auth/password', { currentPassword: 'không đúng đâu', newPassword: 'trời xanh mây trắng nắng vàng' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('auth.current_password_invalid');
    const ok = await c.post('/auth/password', { currentPassword: password, newPassword: 'trời xanh mây trắng nắng vàng' });
    expect(ok.status).toBe(200);
    expect(ok.body.stage).toBe('mfa_enrolment');
    expect((await c.post('/auth/password', { currentPassword: 'trời xanh mây trắng nắng vàng', newPassword: 'một mật khẩu khác hẳn luôn' })).status).toBe(403);
  });

  it('lets a one-time password expire after 72 hours', async () => {
    const { userId, password } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'moi', displayName: 'Tài khoản mới', unitId });
    ctx.advance(72 * 3_600_000 + 1000);
    const res = await new AuthClient(ctx.app, '192.0.2.51').post('/auth/login', { username: 'moi', password });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.initial_password_expired');
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.login').where('actor_user_id', '=', userId).executeTakeFirstOrThrow();
    expect(audit.reason).toBe('initial_password_expired');
    // A wrong password still gets the generic answer: expiry is only revealed to who knows the password.
    expect((await new AuthClient(ctx.app, '192.0.2.51').post('/auth/login', { username: 'moi', password: 'sai rồi bạn ơi' })).body.error.code).toBe('auth.invalid_credentials');
  });

  it('upgrades a hash made with weaker argon2 parameters at the next login', async () => {
    const { userId } = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'cu', displayName: 'Tài khoản cũ', unitId });
    const pw = 'một mật khẩu từ thời trước';
    await ctx.db.updateTable('users').set({ password_hash: await hash(pw, { memoryCost: 19_456, timeCost: 2, parallelism: 1 }) }).where('id', '=', userId).execute();
    expect((await new AuthClient(ctx.app, '192.0.2.50').post('/auth/login', { username: 'cu', password: pw })).status).toBe(200);
    const row = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
  });

  it('creates the bootstrap admin (audited) and re-issues its one-time password only until it logs in', async () => {
    const first = await createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'admin', displayName: 'Quản trị hệ thống', unitId });
    const audit = await ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.create_admin').where('target_id', '=', first.userId).executeTakeFirstOrThrow();
    expect(audit.after_json).not.toContain(first.password);
    const grant = await ctx.db.selectFrom('role_grants').selectAll().where('user_id', '=', first.userId).executeTakeFirstOrThrow();
    expect(grant).toMatchObject({ role: 'admin', unit_id: unitId });
    await expect(createAdminUser({ db: ctx.db, clock: ctx.now }, { username: 'admin', displayName: 'X', unitId })).rejects.toThrow(/đã được dùng/);

    const { password } = await resetBootstrapPassword({ db: ctx.db, clock: ctx.now }, first.userId);
    expect(password).not.toBe(first.password);
    const c = new AuthClient(ctx.app);
    expect((await c.post('/auth/login', { username: 'admin', password: first.password })).status).toBe(401);
    expect((await c.post('/auth/login', { username: 'admin', password })).body.stage).toBe('password_change');

    await ctx.db.updateTable('users').set({ last_login_at: new Date(ctx.now()).toISOString() }).where('id', '=', first.userId).execute();
    await expect(resetBootstrapPassword({ db: ctx.db, clock: ctx.now }, first.userId)).rejects.toThrow();
  });
});
