import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppDeps } from './core/context.js';
import { installErrorHandler } from './core/http.js';
import { loggerOptions } from './core/logger.js';
import { newId } from './db/columns.js';
import { authenticate } from './modules/auth/session-guard.js';
import { registerModules } from './modules/index.js';

export type App = FastifyInstance;

/** Upload limit for imports (CSV/XLSX): bounded so a hostile file cannot exhaust memory. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Build the Fastify application from its modules. Routes must declare `config.auth`; a route without it
 * fails at start-up (deny by default), and a test walks every route for schemas and operationIds.
 */
export async function buildApp(
  deps: Omit<AppDeps, 'log'>,
  options: {
    logger?: boolean;
    /** Test hook: called with every route as registered (test/integration/routes.test.ts walks them). */
    collectRoutes?: (route: RouteOptions & { publicScope: boolean }) => void;
  } = {},
): Promise<App> {
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(deps.config),
    genReqId: () => newId(),
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  const full: AppDeps = { ...deps, log: app.log };

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, full);
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionUser', null);

  app.addHook('onRoute', function (route) {
    // Scopes that serve only public material (API docs, the web bundle) mark themselves explicitly.
    if (route.config?.auth === undefined && this.hasDecorator('khienPublicScope')) {
      route.config = { ...route.config, auth: 'public' };
    }
    const auth = route.config?.auth;
    if (auth !== 'public' && auth !== 'pending' && auth !== 'user' && auth !== 'system_key') {
      throw new Error(`route ${route.method} ${route.url} has no config.auth (public | pending | user | system_key)`);
    }
    options.collectRoutes?.({ ...route, publicScope: this.hasDecorator('khienPublicScope') });
  });

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, parts: 25 } });
  app.addHook('onRequest', async (req) => {
    const auth = req.routeOptions.config?.auth;
    if (auth) await authenticate(full, req, auth);
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Khiên API', version: '1', description: 'API của nền tảng Khiên (an toàn, an ninh mạng cấp tỉnh)' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-khien_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  // The documentation UI is public by explicit decision: it shows the API's shape, never data.
  await app.register(async (docs) => {
    docs.decorate('khienPublicScope', true);
    await docs.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  });

  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: { operationId: 'health', tags: ['system'], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'ready',
        tags: ['system'],
        response: { 200: z.object({ status: z.literal('ready'), database: z.string() }), 503: z.object({ status: z.literal('unavailable'), database: z.string() }) },
      },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(full.db);
        return { status: 'ready' as const, database: full.dialect };
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, database: full.dialect });
      }
    },
  );

  await registerModules(app, full);

  const webDir = resolve(deps.config.webDir);
  if (existsSync(resolve(webDir, 'index.html'))) {
    await app.register(async (web) => {
      web.decorate('khienPublicScope', true);
      await web.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] });
      // Client-side routes: any non-API GET falls back to the single-page app.
      web.get('/*', { schema: { hide: true } }, (req, reply) => {
        if (req.url.startsWith('/api/')) {
          return reply.status(404).send({ error: { code: 'route.not_found', message: 'Không tìm thấy đường dẫn.', requestId: req.id } });
        }
        return reply.sendFile('index.html');
      });
    });
  }
  return app;
}
