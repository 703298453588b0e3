import type { FastifyInstance } from 'fastify';

/**
 * `GET /`: a person opening the gateway's address in a browser lands on the console; an API
 * client (anything that does not ask for HTML) gets a small JSON index of where things are.
 */
export const registerRootRoute = (app: FastifyInstance, info: { name: string; version: string }) => {
  const index = {
    name: info.name,
    service: 'sk-llm-gateway',
    version: info.version,
    links: { api: '/v1', models: '/v1/models', docs: '/docs', openapi: '/openapi.json', admin: '/admin', health: '/health' },
  };
  app.get('/', { schema: { tags: ['System'], summary: 'Browsers: redirect to /admin; API clients: a JSON index' } }, async (request, reply) => {
    const accept = request.headers.accept ?? '';
    reply.header('vary', 'Accept');
    if (accept.includes('text/html')) return reply.redirect('/admin', 302);
    return index;
  });
};
