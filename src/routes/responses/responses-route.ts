import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { ApiCaller } from '../../server/api-auth.js';
import { toGatewayError } from '../../server/error-handler.js';
import { createChatImagePreparer } from '../../images/prepare-chat-images.js';
import { createResponsesIngress, echoOfRequest, newItemId, responsesErrorBody } from '../../protocols/openai-responses/index.js';
import type { Json } from '../../protocols/request-checks.js';
import { runProtocolRequest } from '../../pipeline/run-protocol-request.js';
import { quickTokenEstimate } from '../../upstream/estimate-tokens.js';
import { responseNotFound, type ResponseStore } from '../../storage/response-store.js';
import { registerStoredResponseRoutes } from './stored-responses-routes.js';

const MAX_OUTPUT_CAP = 1_000_000;
const MAX_ID_LENGTH = 128;

const sendResponsesError = (reply: FastifyReply, error: GatewayError) => {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const { status, body } = responsesErrorBody(error);
  return reply.code(status).header('x-request-id', reply.request.id).type('application/json').send(body);
};

/** Who owns a stored response: the virtual key, or the master/anonymous caller as such. */
export const ownerOf = (caller: ApiCaller): string => caller.keyId ?? `(${caller.kind})`;

const hasImages = (input: unknown): boolean => {
  if (!Array.isArray(input)) return false;
  for (const item of input) {
    const content = (item as { content?: unknown } | null)?.content;
    if (Array.isArray(content) && content.some((part) => (part as { type?: unknown } | null)?.type === 'input_image')) return true;
  }
  return false;
};

/** Input items as stored and listed: each with an id (OpenAI's `msg_…` for messages). */
const withItemIds = (items: Json[]): Json[] =>
  items.map((item) => {
    if (!item || typeof item !== 'object' || typeof item.id === 'string') return item;
    const type = item.type ?? 'message';
    if (type !== 'message') return item;
    return { id: newItemId('msg'), type: 'message', ...item, content: typeof item.content === 'string' ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] : item.content };
  });

/** Enough validation for a clear 400 before routing; the codec judges the items. */
const validateResponsesBody = (body: unknown): Json => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  const b = body as Json;
  if (typeof b.model !== 'string' || b.model === '') throw badRequest('`model` is required.', 'missing_model', 'model');
  if (b.input === undefined || b.input === null || (Array.isArray(b.input) && b.input.length === 0 && !b.previous_response_id)) {
    throw badRequest('`input` is required (a string or a non-empty list of items).', 'invalid_request', 'input');
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw badRequest('`stream` must be a boolean.', 'invalid_request', 'stream');
  if (b.store !== undefined && b.store !== null && typeof b.store !== 'boolean') throw badRequest('`store` must be a boolean.', 'invalid_request', 'store');
  if (b.background === true) throw badRequest('`background` responses are not supported.', 'unsupported_parameter', 'background');
  if (b.max_output_tokens !== undefined && b.max_output_tokens !== null && (typeof b.max_output_tokens !== 'number' || !Number.isInteger(b.max_output_tokens) || b.max_output_tokens < 1 || b.max_output_tokens > MAX_OUTPUT_CAP)) {
    throw badRequest('`max_output_tokens` must be a positive integer.', 'invalid_request', 'max_output_tokens');
  }
  if (b.include !== undefined && b.include !== null && (!Array.isArray(b.include) || b.include.some((entry) => typeof entry !== 'string'))) {
    throw badRequest('`include` must be a list of strings.', 'invalid_request', 'include');
  }
  if (b.previous_response_id !== undefined && b.previous_response_id !== null && (typeof b.previous_response_id !== 'string' || b.previous_response_id.length > MAX_ID_LENGTH)) {
    throw badRequest('`previous_response_id` must be a response id.', 'invalid_request', 'previous_response_id');
  }
  return b;
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
      handler: async (request, reply) => {
        const caller = ctx.authenticate(request);
        const received = validateResponsesBody(request.body);
        const owner = ownerOf(caller);
        const keep = received.store !== false && store !== null;
        // previous_response_id: the stored conversation goes in front of the new input.
        let history: Json[] = [];
        if (typeof received.previous_response_id === 'string') {
          if (!store) throw badRequest('`previous_response_id` needs stored responses, which are turned off.', 'invalid_request', 'previous_response_id');
          // Not shaped like a response id (NUL, slashes…): simply not found, never a database error.
          if (!/^[\w-]+$/.test(received.previous_response_id)) throw responseNotFound(received.previous_response_id);
          history = await store.conversation(received.previous_response_id, owner);
        }
        const newInput = withItemIds(typeof received.input === 'string' ? [{ type: 'message', role: 'user', content: received.input }] : (received.input as Json[]));
        // The vendor never saw the gateway's response ids: the history replaces the reference.
        const body: Json = history.length > 0 ? { ...received, input: [...history, ...newInput], previous_response_id: undefined } : received;
        const include = Array.isArray(received.include) ? (received.include as string[]) : [];
        const shell = {
          id: newItemId('resp'),
          createdAt: Math.floor(Date.now() / 1000),
          echo: echoOfRequest(received),
          includeReasoningContent: include.includes('reasoning.encrypted_content'),
        };
        const save = (id: string, response: Json) =>
          store!.save({ id, owner, model: received.model as string, previousId: (received.previous_response_id as string | undefined) ?? null, input: newInput, response });
        const onFinal = keep ? (response: Json) => save(shell.id, response) : undefined;
        // A passthrough answer (JSON or stream) is the Responses vendor's own object, under its own id.
        const onPassthroughResponse = keep
          ? (response: Json) => {
              if (typeof response.id === 'string' && /^[\w-]+$/.test(response.id) && response.id.length <= MAX_ID_LENGTH) save(response.id, response);
            }
          : undefined;
        const ingress = createResponsesIngress(shell, onFinal);
        const answer = await runProtocolRequest(ctx, {
          ingress,
          body,
          caller,
          requestId: request.id,
          clientHeaders: request.headers,
          usageProtocol: 'openai-responses',
          route: request.routeOptions.url,
          reply,
          withImages: hasImages(body.input),
          promptEstimate: quickTokenEstimate(JSON.stringify(body.input)) + (typeof body.instructions === 'string' ? quickTokenEstimate(body.instructions) : 0),
          maxOutputTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
          prepareImages,
          ...(onPassthroughResponse ? { onPassthroughResponse } : {}),
        });
        if (!answer) return reply;
        return reply.code(answer.status).headers(answer.headers).type('application/json').send(answer.body);
      },
    });
    if (store) registerStoredResponseRoutes(scope, ctx, store);
  });
};
