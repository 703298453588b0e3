import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { ApiCaller } from '../../server/api-auth.js';
import type { CatalogModel } from '../../router/model-catalog.js';
import { createResponsesIngress, echoOfRequest, newItemId } from '../../protocols/openai-responses/index.js';
import type { Json } from '../../protocols/request-checks.js';
import { runProtocolRequest } from '../../pipeline/run-protocol-request.js';
import { quickTokenEstimate } from '../../upstream/estimate-tokens.js';
import { responseNotFound, type ResponseStore } from '../../storage/response-store.js';

const MAX_OUTPUT_CAP = 1_000_000;
export const MAX_RESPONSE_ID_LENGTH = 128;
/** Our ids and OpenAI's (`resp_…`): anything else is never looked up. */
export const RESPONSE_ID_SHAPE = /^[\w-]+$/;

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
  if (b.previous_response_id !== undefined && b.previous_response_id !== null && (typeof b.previous_response_id !== 'string' || b.previous_response_id.length > MAX_RESPONSE_ID_LENGTH)) {
    throw badRequest('`previous_response_id` must be a response id.', 'invalid_request', 'previous_response_id');
  }
  return b;
};

export interface CreateResponseOptions {
  ctx: GatewayContext;
  /** Null: nothing is stored and previous_response_id is refused. */
  store: ResponseStore | null;
  prepareImages: (model: CatalogModel, body: Json) => Promise<Json>;
  /** Why previous_response_id cannot be used when there is no store (the client's message). */
  noStoreReason?: string;
}

/**
 * One `POST /v1/responses` (or the console playground's copy of it) for `caller`:
 * rebuilds the history of previous_response_id, runs the request through the protocol
 * pipeline and keeps the final response when `store` is on — translated answers from
 * the codec's final object, passthrough ones (JSON or streamed) from the vendor's own.
 */
export const createResponse = async (options: CreateResponseOptions, request: FastifyRequest, reply: FastifyReply, caller: ApiCaller) => {
  const { ctx, store } = options;
  const received = validateResponsesBody(request.body);
  const owner = ownerOf(caller);
  const keep = received.store !== false && store !== null;
  // previous_response_id: the stored conversation goes in front of the new input.
  let history: Json[] = [];
  if (typeof received.previous_response_id === 'string') {
    if (!store) throw badRequest(options.noStoreReason ?? '`previous_response_id` needs stored responses, which are turned off.', 'invalid_request', 'previous_response_id');
    // Not shaped like a response id (NUL, slashes…): simply not found, never a database error.
    if (!RESPONSE_ID_SHAPE.test(received.previous_response_id)) throw responseNotFound(received.previous_response_id);
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
        if (typeof response.id === 'string' && RESPONSE_ID_SHAPE.test(response.id) && response.id.length <= MAX_RESPONSE_ID_LENGTH) save(response.id, response);
      }
    : undefined;
  const answer = await runProtocolRequest(ctx, {
    ingress: createResponsesIngress(shell, onFinal),
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
    prepareImages: options.prepareImages,
    ...(onPassthroughResponse ? { onPassthroughResponse } : {}),
  });
  if (!answer) return reply;
  return reply.code(answer.status).headers(answer.headers).type('application/json').send(answer.body);
};
