import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { HostResolver } from '../../images/fetch-image-url.js';
import { createChatImagePreparer, type ChatImagePreparer } from '../../images/prepare-chat-images.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { chatResponseSchema, errorEnvelopeSchema, errorResponses, noValidation } from '../openai/openapi-schemas.js';
import { handleVisionCompletion } from './vision-handler.js';
import { MAX_FIELD_BYTES, MAX_FIELDS, MAX_FILES } from './vision-request.js';
import { visionRequestBody, visionResponseHeaders } from './vision-schemas.js';

export interface VisionRouteDeps {
  /** The image pipeline; default one built from `ctx.config`. */
  preparer?: ChatImagePreparer;
  /** Name resolution for image URL fetches (tests). */
  resolve?: HostResolver;
}

/**
 * Multipart parsing for a scope that serves the vision handler (also the admin
 * playground's). Limits are also passed per request by the handler; these are the
 * backstop. Registering twice in one scope is a no-op.
 */
export const registerVisionMultipart = async (scope: FastifyInstance, maxUploadBytes: number): Promise<void> => {
  if (scope.hasContentTypeParser('multipart/form-data')) return;
  await scope.register(multipart, {
    limits: { fileSize: maxUploadBytes, files: MAX_FILES, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FILES + MAX_FIELDS },
  });
};

/** `/v1/vision/completions` and the prototype's `/api/v1/vision/completions`: one handler. */
export const registerVisionRoutes = (app: FastifyInstance, ctx: GatewayContext, deps: VisionRouteDeps = {}) => {
  const preparer = deps.preparer ?? createChatImagePreparer({ config: ctx.config, resolve: deps.resolve });
  // Scoped: multipart bodies are accepted on these routes only.
  void app.register(async (scope) => {
    await registerVisionMultipart(scope, ctx.config.vision.maxUploadBytes);
    for (const url of ['/v1/vision/completions', '/api/v1/vision/completions']) {
      scope.post(url, {
        schema: {
          tags: ['OpenAI compatible'],
          summary: 'Ask a vision model about uploaded images or image URLs (JSON or SSE stream)',
          description:
            'Two request forms: `multipart/form-data` with files in `image`, or JSON with `images` (URLs or data URLs). ' +
            'Answered as an OpenAI `chat.completion` (or `chat.completion.chunk` events when `stream` is true) by the named ' +
            'model or the active vision model. Images are converted to fit the vendor; the response headers say how.',
          body: visionRequestBody,
          response: {
            200: {
              description: 'An OpenAI `chat.completion`, or `text/event-stream` when `stream` is true.',
              headers: visionResponseHeaders,
              content: {
                'application/json': { schema: chatResponseSchema },
                'text/event-stream': { schema: { type: 'string', description: '`data: {chat.completion.chunk}` events, then `data: [DONE]`.' } },
              },
            },
            ...errorResponses,
            413: { description: 'An upload, a form field or a fetched image is too large', ...errorEnvelopeSchema },
            415: { description: 'Not multipart/form-data or JSON, or not a supported image', ...errorEnvelopeSchema },
          },
          security: [{ bearerAuth: [] }],
        },
        validatorCompiler: noValidation,
        // The upstream JSON is passed through as text: no response serializer.
        serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
        handler: async (request, reply) => {
          const caller = ctx.authenticate(request);
          return handleVisionCompletion(ctx, request, reply, caller, { preparer });
        },
      });
    }
  });
};
