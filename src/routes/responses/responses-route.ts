import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { toGatewayError } from '../../server/error-handler.js';
import { createChatImagePreparer } from '../../images/prepare-chat-images.js';
import { responsesErrorBody } from '../../protocols/openai-responses/index.js';
import type { Json } from '../../protocols/request-checks.js';
import type { ResponseStore } from '../../storage/response-store.js';
import { createResponse } from './create-response.js';
import { registerStoredResponseRoutes } from './stored-responses-routes.js';

const sendResponsesError = (reply: FastifyReply, error: GatewayError) => {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const { status, body } = responsesErrorBody(error);
  return reply.code(status).header('x-request-id', reply.request.id).type('application/json').send(body);
};

/**
 * OpenAI's Responses API, `POST /v1/responses` (also under `/openai`), translated
 * through the neutral form for every configured model, plus the stored-response
 * endpoints when a store is given. Errors in OpenAI's envelope.
 */
export const registerResponsesRoutes = async (app: FastifyInstance, ctx: GatewayContext, store: ResponseStore | null) => {
  const preparer = createChatImagePreparer({ config: ctx.config });
  const prepareImages = async (model: Parameters<typeof preparer>[0], body: Json) => (await preparer(model, body)).body;
  await app.register(async (scope) => {
    scope.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const mapped = toGatewayError(error);
      if (mapped.status >= 500 && mapped.code === 'internal_error') request.log.error({ err: error, request_id: request.id }, 'unhandled error');
      return sendResponsesError(reply, mapped);
    });
    scope.post('/v1/responses', {
      schema: { tags: ['OpenAI compatible'], summary: 'Create a model response (OpenAI Responses API, JSON or SSE stream)', security: [{ bearerAuth: [] }] },
      serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
      handler: async (request, reply) => createResponse({ ctx, store, prepareImages }, request, reply, ctx.authenticate(request)),
    });
    if (store) registerStoredResponseRoutes(scope, ctx, store);
  });
};
