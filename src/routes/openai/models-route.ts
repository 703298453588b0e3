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
        return {
          object: 'list',
          data: catalog.models
            .filter((m) => m.status === 'usable')
            .map((m) => ({
              id: m.name,
              object: 'model',
              created,
              owned_by: m.provider.toLowerCase(),
              provider: m.provider,
              type: m.types[0],
              types: m.types,
              display_name: m.displayName,
              aliases: m.aliases,
            })),
        };
      },
    });
  }
};
