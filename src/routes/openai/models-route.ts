import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../server/gateway-context.js';
import { errorResponses } from './openapi-schemas.js';

const created = Math.floor(Date.now() / 1000);

/** OpenAI list format, only models whose provider is usable, with the gateway's extra fields. */
export const registerModelsRoute = (app: FastifyInstance, ctx: GatewayContext) => {
  for (const url of ['/v1/models', '/api/v1/models']) {
    app.get(url, {
      schema: {
        tags: ['OpenAI compatible'],
        summary: 'List usable models',
        response: {
          200: {
            type: 'object',
            properties: {
              object: { type: 'string' },
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    object: { type: 'string' },
                    created: { type: 'integer' },
                    owned_by: { type: 'string' },
                    provider: { type: 'string' },
                    type: { type: 'string' },
                    types: { type: 'array', items: { type: 'string' } },
                    display_name: { type: 'string' },
                    aliases: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          401: errorResponses[401],
        },
        security: [{ bearerAuth: [] }],
      },
      handler: async (request) => {
        ctx.authenticate(request);
        const catalog = ctx.catalog();
        const usable = catalog.models.filter((m) => m.status === 'usable');
        // A name served by several providers is listed as `Provider/name`, the form that resolves.
        const counts = new Map<string, number>();
        for (const m of usable) counts.set(m.name.toLowerCase(), (counts.get(m.name.toLowerCase()) ?? 0) + 1);
        const groups = [...new Set(catalog.groups.values())];
        return {
          object: 'list',
          data: [
            ...groups.map((g) => ({
              id: g.name,
              object: 'model',
              created,
              owned_by: 'gateway',
              provider: 'group',
              type: 'group',
              types: [] as string[],
              display_name: g.name,
              aliases: [] as string[],
            })),
            ...usable.map((m) => ({
              id: (counts.get(m.name.toLowerCase()) ?? 0) > 1 ? m.key : m.name,
              object: 'model',
              created,
              owned_by: m.provider.toLowerCase(),
              provider: m.provider,
              type: m.types[0],
              types: m.types,
              display_name: m.displayName,
              aliases: m.aliases,
            })),
          ],
        };
      },
    });
  }
};
