import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { runEmbeddings } from '../../pipeline/run-embeddings.js';
import { errorResponses, noValidation } from './openapi-schemas.js';

const validateEmbeddingsBody = (body: unknown): Record<string, unknown> => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') throw badRequest('`model` is required.', 'missing_required_parameter', 'model');
  const input = b.input;
  const valid =
    typeof input === 'string' ||
    (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string' || typeof x === 'number' || Array.isArray(x)));
  if (!valid) throw badRequest('`input` must be a string or a non-empty array.', 'invalid_type', 'input');
  return b;
};

export const registerEmbeddingsRoute = (app: FastifyInstance, ctx: GatewayContext) => {
  for (const url of ['/v1/embeddings', '/api/v1/embeddings']) {
    app.post(url, {
      schema: {
        tags: ['OpenAI compatible'],
        summary: 'Create embeddings',
        body: {
          type: 'object',
          required: ['model', 'input'],
          additionalProperties: true,
          properties: {
            model: { type: 'string' },
            input: { oneOf: [{ type: 'string' }, { type: 'array' }] },
            dimensions: { type: 'integer' },
            encoding_format: { type: 'string', enum: ['float', 'base64'] },
          },
        },
        response: { ...errorResponses },
        security: [{ bearerAuth: [] }],
      },
      validatorCompiler: noValidation,
      handler: async (request, reply) => {
        const caller = ctx.authenticate(request);
        return runEmbeddings(ctx, request, reply, validateEmbeddingsBody(request.body), caller);
      },
    });
  }
};
