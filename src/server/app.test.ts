import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/support/context.js';
import { ConfigError, loadConfig } from './core/config.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('server core', () => {
  it('answers health and readiness with the database dialect', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: ctx.dialect });
  });

  it('publishes an OpenAPI document in which every operation has an operationId', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { operationId?: string }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(ops.length).toBeGreaterThan(2);
    expect(ops.filter((o) => !o.operationId)).toEqual([]);
  });

  it('answers unknown routes with the error envelope and a request id', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/khong-co' });
    expect(res.statusCode).toBe(404);
    const body = res.json() as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('route.not_found');
    expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets defensive headers on every response', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});

describe('configuration', () => {
  it('lists every invalid KHIEN_ variable at once', () => {
    let err: unknown;
    try {
      loadConfig({ KHIEN_PORT: 'tám nghìn', KHIEN_DATABASE_URL: 'mysql://x', KHIEN_SECRET_KEY: 'short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toContain('KHIEN_PORT');
    expect(problems).toContain('KHIEN_DATABASE_URL');
    expect(problems).toContain('KHIEN_SECRET_KEY');
  });

  it('has no default secret', () => {
    expect(loadConfig({}).secretKey).toBeUndefined();
  });
});
