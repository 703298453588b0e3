import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../server/gateway-context.js';
import { runOpenAIChat } from '../../pipeline/run-openai-chat.js';
import { createChatImagePreparer } from '../../images/prepare-chat-images.js';
import { chatRequestSchema, chatResponseSchema, errorResponses, noValidation } from './openapi-schemas.js';
import { validateChatBody } from './validate-chat-body.js';

/** `/v1/chat/completions` and the prototype's `/api/v1/chat/completions`: one handler. */
export const registerChatCompletionsRoute = (app: FastifyInstance, ctx: GatewayContext) => {
  // image_url parts go through the same pipeline as the vision endpoint, per target vendor.
  const preparer = createChatImagePreparer({ config: ctx.config });
  const prepareImages = async (model: Parameters<typeof preparer>[0], body: Record<string, unknown>) => (await preparer(model, body)).body;
  for (const url of ['/v1/chat/completions', '/api/v1/chat/completions']) {
    app.post(url, {
      schema: {
        tags: ['OpenAI compatible'],
        summary: 'Create a chat completion (JSON or SSE stream)',
        body: chatRequestSchema,
        response: { 200: chatResponseSchema, ...errorResponses },
        security: [{ bearerAuth: [] }],
      },
      validatorCompiler: noValidation,
      // The upstream JSON is passed through as text: no response serializer.
      serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
      handler: async (request, reply) => {
        const caller = ctx.authenticate(request);
        const body = validateChatBody(request.body);
        return runOpenAIChat(ctx, request, reply, body, caller, { prepareImages });
      },
    });
  }
};
