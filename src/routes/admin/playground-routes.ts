import type { FastifyInstance } from 'fastify';
import { createChatImagePreparer } from '../../images/prepare-chat-images.js';
import type { ApiCaller } from '../../server/api-auth.js';
import { runOpenAIChat } from '../../pipeline/run-openai-chat.js';
import { createResponse } from '../responses/create-response.js';
import { chatRequestSchema, noValidation } from '../openai/openapi-schemas.js';
import { validateChatBody } from '../openai/validate-chat-body.js';
import { handleVisionCompletion } from '../vision/vision-handler.js';
import { registerVisionMultipart } from '../vision/vision-routes.js';
import { visionRequestBody } from '../vision/vision-schemas.js';
import type { AdminServices } from './admin-http.js';

/** Playground requests count as the operator's own: no virtual-key limits, logged as "admin". */
export const adminCaller: ApiCaller = { kind: 'master', keyId: null, keyName: 'admin' };

const security = [{ adminSession: [] }];
// The upstream JSON is passed through as text, as on /v1.
const passThrough = () => (data: unknown) => (typeof data === 'string' ? data : JSON.stringify(data));

/** The public chat and vision handlers behind the admin session (the guard has checked it and CSRF). */
export const registerPlaygroundRoutes = async (app: FastifyInstance, services: AdminServices): Promise<void> => {
  const { ctx } = services;
  const preparer = createChatImagePreparer({ config: ctx.config });
  const prepareImages = async (model: Parameters<typeof preparer>[0], body: Record<string, unknown>) => (await preparer(model, body)).body;
  app.post('/admin/api/playground/chat/completions', {
    schema: {
      tags: ['Admin'],
      summary: 'Playground: a chat completion as /v1/chat/completions, authenticated by the admin session',
      security,
      body: chatRequestSchema,
    },
    validatorCompiler: noValidation,
    serializerCompiler: passThrough,
    config: { adminRole: 'operator' },
    handler: async (request, reply) => runOpenAIChat(ctx, request, reply, validateChatBody(request.body), adminCaller, { prepareImages }),
  });

  // The playground's caller is the operator, not a key: nothing is stored under it (it
  // would share the master key's owner), so store and previous_response_id are off.
  app.post('/admin/api/playground/responses', {
    schema: { tags: ['Admin'], summary: 'Playground: a response as /v1/responses (not stored), authenticated by the admin session', security },
    serializerCompiler: passThrough,
    config: { adminRole: 'operator' },
    handler: async (request, reply) =>
      createResponse({ ctx, store: null, prepareImages, noStoreReason: 'The playground keeps no responses: `previous_response_id` cannot be used here.' }, request, reply, adminCaller),
  });

  // Scoped like /v1/vision/completions: multipart bodies are accepted on this route only.
  await app.register(async (scope) => {
    await registerVisionMultipart(scope, ctx.config.vision.maxUploadBytes);
    scope.post('/admin/api/playground/vision/completions', {
      schema: {
        tags: ['Admin'],
        summary: 'Playground: an image question as /v1/vision/completions (multipart or JSON), authenticated by the admin session',
        security,
        body: visionRequestBody,
      },
      validatorCompiler: noValidation,
      serializerCompiler: passThrough,
      config: { adminRole: 'operator' },
      handler: async (request, reply) => handleVisionCompletion(ctx, request, reply, adminCaller, { preparer }),
    });
  });
};
