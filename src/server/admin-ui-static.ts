import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { GatewayError } from './errors.js';

export const adminUiDist = resolve(new URL('../..', import.meta.url).pathname, 'admin-ui/dist');

/**
 * The built admin console at /admin: hashed assets with long caching, every other
 * client-side route falls back to index.html (which is never cached, so a new build
 * is picked up at once). API paths under /admin never fall back.
 */
export const registerAdminUi = async (app: FastifyInstance, dist = adminUiDist) => {
  const indexPath = join(dist, 'index.html');
  if (!existsSync(indexPath)) {
    app.get('/admin', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The admin console is not built yet: run `npm run build:admin` (npm start does this for you).'),
    );
    return;
  }
  const index = readFileSync(indexPath);
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/admin/',
    wildcard: false,
    index: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const sendIndex = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; script-src 'self'; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff')
      .send(index);
  app.get('/admin', { schema: { hide: true } }, sendIndex);
  app.get('/admin/', { schema: { hide: true } }, sendIndex);
  app.get('/admin/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path.startsWith('/admin/api/') || path.startsWith('/admin/auth/') || path.startsWith('/admin/assets/')) {
      throw new GatewayError(`No route for GET ${path}.`, { status: 404, code: 'route_not_found' });
    }
    return sendIndex(request, reply);
  });
};
