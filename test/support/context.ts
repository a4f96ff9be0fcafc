import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../src/contracts/roles.js';
import { type App, buildApp } from '../../src/server/app.js';
import { type Config, loadConfig } from '../../src/server/core/config.js';
import { createKeys, type Keys } from '../../src/server/core/keys.js';
import { newId, nowIso } from '../../src/server/db/columns.js';
import { type Db, type DialectName, openDatabase } from '../../src/server/db/database.js';
import { migrateToLatest } from '../../src/server/db/migrator.js';
import { SESSION_COOKIE, sessionIdFromToken } from '../../src/server/modules/auth/session-guard.js';
import { scratchDatabase } from './scratch-db.js';

/**
 * One real, migrated database per test file — a temporary SQLite file, or a fresh PostgreSQL database when
 * KHIEN_TEST_DB=postgres — and an app built on it. Time is controlled through `clock`.
 */
export interface TestContext {
  app: App;
  db: Db;
  dialect: DialectName;
  keys: Keys;
  /** The configuration the app was built with (data directory, case notification settings …). */
  config: Config;
  /** Milliseconds since epoch as the app sees it; move it with advance(). */
  now(): number;
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function createTestContext(opts: { configure?: (c: Config) => Config } = {}): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'khien-test-'));
  const { url, drop: cleanup } = await scratchDatabase({ dir, prefix: 'khien_t', file: 'test.db' });
  const handle = openDatabase(url);
  await migrateToLatest(handle.db, handle.dialect);
  let current = Date.now();
  const clock = () => current;
  const keys = createKeys(randomBytes(32));
  const base = loadConfig({}, { dataDir: dir, webDir: join(dir, 'no-web'), logLevel: 'silent', databaseUrl: url });
  const config = opts.configure ? opts.configure(base) : base;
  const app = await buildApp({ config, db: handle.db, dialect: handle.dialect, keys, clock }, { logger: false });
  await app.ready();
  return {
    app,
    db: handle.db,
    dialect: handle.dialect,
    keys,
    config,
    now: clock,
    advance: (ms) => {
      current += ms;
    },
    close: async () => {
      await app.close();
      await handle.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface UnitInput {
  code?: string;
  name?: string;
  type?: string;
  parentId?: string | null;
  /** First valid day; default 2025-07-01. A unit can only be merged after it (merge-rules.ts). */
  validFrom?: string | null;
}

/** Insert an org unit directly (factories bypass the API so tests set up quickly). */
export async function insertUnit(ctx: TestContext, input: UnitInput = {}): Promise<{ id: string; path: string; code: string }> {
  const id = newId();
  const parent = input.parentId
    ? await ctx.db.selectFrom('org_units').select(['path', 'depth']).where('id', '=', input.parentId).executeTakeFirstOrThrow()
    : null;
  const code = input.code ?? `U-${id.slice(-8)}`;
  const name = input.name ?? `Đơn vị ${code}`;
  const now = nowIso(ctx.now);
  const path = `${parent?.path ?? '/'}${id}/`;
  await ctx.db
    .insertInto('org_units')
    .values({
      id,
      code,
      name,
      short_name: null,
      type: input.type ?? 'department',
      parent_id: input.parentId ?? null,
      path,
      depth: parent ? parent.depth + 1 : 0,
      valid_from: input.validFrom === undefined ? '2025-07-01' : input.validFrom,
      valid_to: null,
      merged_into_id: null,
      merged_on: null,
      merger_decision: null,
      name_folded: name.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase(),
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id, path, code };
}

export interface TestUser {
  id: string;
  username: string;
  /** Headers for an authenticated, MFA-complete request (cookie + CSRF token). */
  headers: Record<string, string>;
  sessionId: string;
}

/**
 * Insert a user with role grants and an active (MFA-complete) session, for tests of everything but the login
 * flow itself (which has its own tests through the real API).
 */
export async function insertUserWithSession(
  ctx: TestContext,
  input: { unitId: string; grants?: { role: Role; unitId: string }[]; username?: string; personId?: string | null },
): Promise<TestUser> {
  const id = newId();
  const now = nowIso(ctx.now);
  const username = input.username ?? `u${id.slice(-10).replace(/-/g, '')}`;
  await ctx.db
    .insertInto('users')
    .values({
      id,
      username,
      display_name: `Người dùng ${username}`,
      person_id: input.personId ?? null,
      unit_id: input.unitId,
      email: null,
      password_hash: null,
      password_changed_at: null,
      must_change_password: 0,
      status: 'active',
      failed_logins: 0,
      locked_until: null,
      lockouts: 0,
      last_login_at: null,
      locale: 'vi',
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const g of input.grants ?? []) {
    await ctx.db
      .insertInto('role_grants')
      .values({ id: newId(), user_id: id, role: g.role, unit_id: g.unitId, granted_by: null, granted_at: now, expires_at: null, note: null })
      .execute();
  }
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const sessionId = sessionIdFromToken(token);
  await ctx.db
    .insertInto('sessions')
    .values({
      id: sessionId,
      user_id: id,
      stage: 'active',
      csrf_token: csrf,
      mfa_method: 'totp',
      challenge: null,
      ip: '127.0.0.1',
      user_agent: 'vitest',
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(ctx.now() + 12 * 3600_000).toISOString(),
      ended_at: null,
      end_reason: null,
    })
    .execute();
  return { id, username, sessionId, headers: { cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrf } };
}
