import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { toGatewayError } from '../../server/error-handler.js';
import { createChatImagePreparer } from '../../images/prepare-chat-images.js';
import { anthropicIngress } from '../../protocols/anthropic-messages/index.js';
import { anthropicErrorBody } from '../../protocols/anthropic-messages/error-envelope.js';
import { anthropicHasImages, estimateAnthropicInputTokens } from '../../protocols/anthropic-messages/estimate-tokens.js';
import { runProtocolRequest } from '../../pipeline/run-protocol-request.js';
import { countTokensRequest } from '../../pipeline/count-tokens.js';

const MAX_TOKENS_CAP = 1_000_000;

/** Enough validation for a clear 400 before routing; the codecs (or the vendor) judge the rest. */
const validateMessagesBody = (body: unknown, countOnly: boolean): Record<string, unknown> => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') throw badRequest('model: Field required', 'missing_model', 'model');
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw badRequest('messages: Field required (a non-empty list)', 'invalid_messages', 'messages');
  if (!countOnly && b.max_tokens !== undefined && (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1 || b.max_tokens > MAX_TOKENS_CAP)) {
    throw badRequest('max_tokens: must be a positive integer', 'invalid_request', 'max_tokens');
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean') throw badRequest('stream: must be a boolean', 'invalid_request', 'stream');
  return b;
};

const sendAnthropicError = (reply: FastifyReply, error: GatewayError) => {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const { status, body } = anthropicErrorBody(error);
  return reply.code(status).header('x-request-id', reply.request.id).type('application/json').send({ ...body, request_id: reply.request.id });
};

/**
 * The Anthropic Messages API: `/v1/messages` and `/v1/messages/count_tokens`, also under
 * `/anthropic` for clients that take a base URL with a path. Authenticated with
 * `x-api-key` or a Bearer token; every error in Anthropic's envelope.
 */
export const registerAnthropicRoutes = async (app: FastifyInstance, ctx: GatewayContext) => {
  const preparer = createChatImagePreparer({ config: ctx.config });
  const prepareImages = async (model: Parameters<typeof preparer>[0], body: Record<string, unknown>) => (await preparer(model, body)).body;
  await app.register(async (scope) => {
    scope.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const mapped = toGatewayError(error);
      if (mapped.status >= 500 && mapped.code === 'internal_error') request.log.error({ err: error, request_id: request.id }, 'unhandled error');
      return sendAnthropicError(reply, mapped);
    });
    for (const prefix of ['', '/anthropic']) {
      scope.post(`${prefix}/v1/messages`, {
        schema: { tags: ['Anthropic compatible'], summary: 'Create a message (Anthropic Messages API, JSON or SSE stream)', security: [{ apiKeyAuth: [] }, { bearerAuth: [] }] },
        serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
        handler: async (request, reply) => {
          const caller = ctx.authenticate(request);
          const body = validateMessagesBody(request.body, false);
          const answer = await runProtocolRequest(ctx, {
            ingress: anthropicIngress,
            usageProtocol: 'anthropic-messages',
            route: request.routeOptions.url,
            body,
            caller,
            requestId: request.id,
            clientHeaders: request.headers,
            reply,
            withImages: anthropicHasImages(body.messages),
            promptEstimate: estimateAnthropicInputTokens(body),
            maxOutputTokens: typeof body.max_tokens === 'number' ? body.max_tokens : null,
            prepareImages,
          });
          if (!answer) return reply;
          return reply.code(answer.status).headers(answer.headers).type('application/json').send(answer.body);
        },
      });
      scope.post(`${prefix}/v1/messages/count_tokens`, {
        schema: { tags: ['Anthropic compatible'], summary: 'Count input tokens (local estimate, or the vendor\'s count for Anthropic-protocol vendors); not billed', security: [{ apiKeyAuth: [] }, { bearerAuth: [] }] },
        handler: async (request, reply) => {
          ctx.authenticate(request);
          const body = validateMessagesBody(request.body, true);
          const counted = await countTokensRequest(ctx, body, request.id, request.headers);
          return reply.header('x-request-id', request.id).type('application/json').send(counted);
        },
      });
    }
  });
};
