import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/core/config.js';
import { createKeys } from '../../src/server/core/keys.js';
import { openDatabase } from '../../src/server/db/database.js';

/**
 * Walks every registered route and fails on one without a response schema, an operationId or an explicit
 * `config.auth`. Only routes of scopes that app.ts marks public (the Swagger UI and static web files) are
 * skipped: they serve documentation and the bundle, never data.
 */
interface Collected {
  method: string | string[];
  url: string;
  auth: unknown;
  publicScope: boolean;
  schema: { operationId?: string; response?: Record<string, unknown>; hide?: boolean } | undefined;
}

const routes: Collected[] = [];
let app: App;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'khien-routes-'));
  const handle = openDatabase(`sqlite:${join(dir, 'r.db')}`);
  const config = loadConfig({}, { dataDir: dir, webDir: join(dir, 'no-web'), logLevel: 'silent' });
  app = await buildApp(
    { config, db: handle.db, dialect: handle.dialect, keys: createKeys(randomBytes(32)), clock: Date.now },
    {
      logger: false,
      collectRoutes: (r) =>
        routes.push({ method: r.method, url: r.url, auth: r.config?.auth, publicScope: r.publicScope, schema: r.schema as Collected['schema'] }),
    },
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('route walk', () => {
  it('collects the API routes', () => {
    const api = routes.filter((r) => r.url.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(20);
    expect(api.map((r) => r.url)).toContain('/api/v1/org-units');
  });

  it('every route declares auth, an operationId and a response schema per status', () => {
    expect(routeProblems(routes)).toEqual([]);
  });

  it('the walk itself flags a route missing each element', () => {
    const bad: Collected = { method: 'GET', url: '/api/v1/x', auth: undefined, publicScope: false, schema: { response: { 400: {} } } };
    expect(routeProblems([bad])).toEqual(['GET /api/v1/x: no config.auth', 'GET /api/v1/x: no operationId', 'GET /api/v1/x: no 2xx response schema']);
  });

  it('operationIds are unique', () => {
    const ids = routes.filter((r) => r.method !== 'HEAD' && r.schema?.operationId).map((r) => r.schema!.operationId!);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});

function routeProblems(list: Collected[]): string[] {
  const problems: string[] = [];
    for (const r of list) {
      const name = `${String(r.method)} ${r.url}`;
      if (r.auth !== 'public' && r.auth !== 'pending' && r.auth !== 'user' && r.auth !== 'system_key') problems.push(`${name}: no config.auth`);
      if (r.publicScope) continue; // Swagger UI and static files, public by scope in app.ts
      if (r.method === 'HEAD') continue; // Fastify's automatic HEAD twin of a GET route
      if (!r.schema?.operationId) problems.push(`${name}: no operationId`);
      const response = r.schema?.response;
      if (!response || Object.keys(response).length === 0) problems.push(`${name}: no response schema`);
      else if (!Object.keys(response).some((s) => s.startsWith('2'))) problems.push(`${name}: no 2xx response schema`);
    }
    return problems;
}
