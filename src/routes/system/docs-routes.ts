import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

const require = createRequire(import.meta.url);

/** OpenAPI at /openapi.json, Swagger UI at /docs and ReDoc at /redoc, all assets local (no CDN). */
export const registerDocs = async (app: FastifyInstance, info: { title: string; version: string }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: info.title,
        version: info.version,
        description: 'OpenAI-compatible API over many model vendors, plus the admin API.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          adminSession: { type: 'apiKey', in: 'cookie', name: 'skgw_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false, uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Resolved now (a missing package still fails at start-up), read on the first request: the
  // 1 MB bundle need not sit in every gateway's memory when nobody opens /redoc.
  const redocPath = require.resolve('redoc/bundles/redoc.standalone.js');
  let redocBundle: Buffer | null = null;
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send((redocBundle ??= readFileSync(redocPath))),
  );
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>${info.title} – API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>body{margin:0}</style></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>`;
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
};
