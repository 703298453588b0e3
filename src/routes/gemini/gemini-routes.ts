import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { boundText, MAX_NAME_LENGTH } from '../../core/bounded-text.js';
import { badRequest, GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { toGatewayError } from '../../server/error-handler.js';
import { createChatImagePreparer } from '../../images/prepare-chat-images.js';
import { geminiIngressFor } from '../../protocols/gemini/index.js';
import { geminiErrorBody } from '../../protocols/gemini/error-envelope.js';
import { estimateGeminiInputTokens, field } from '../../protocols/gemini/parse-request.js';
import { runProtocolRequest } from '../../pipeline/run-protocol-request.js';
import { geminiCountTokens } from '../../pipeline/gemini-count-tokens.js';
import { listModels, visibleTo } from '../openai/models-route.js';

const METHOD = /^(.+):(generateContent|streamGenerateContent|countTokens)$/;
const KEY_IN_QUERY = /([?&])key=[^&#]*/g;

/** The part of the path after `/v1beta/models/`, decoded (`Provider/name` ids may contain `/`). */
const modelPath = (url: string, prefix: string): string => {
  const path = url.split('?', 1)[0]!.slice(`${prefix}/v1beta/models/`.length);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

const validateBody = (body: unknown): Record<string, unknown> => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Invalid JSON payload received: the body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.contents) || b.contents.length === 0) throw badRequest('* GenerateContentRequest.contents: contents is not specified', 'invalid_request', 'contents');
  return b;
};

const sendGeminiError = (reply: FastifyReply, error: GatewayError) => {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const { status, body } = geminiErrorBody(error);
  return reply.code(status).header('x-request-id', reply.request.id).type('application/json').send(body);
};

const modelEntry = (entry: ReturnType<typeof listModels>[number]) => ({
  name: `models/${entry.id}`,
  baseModelId: entry.id,
  version: '001',
  displayName: entry.display_name,
  description: `${entry.display_name} (${entry.provider}) via the gateway`,
  supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
});

/**
 * The Gemini API (for the Gemini CLI and @google/genai): generateContent,
 * streamGenerateContent (SSE with `alt=sse`, else one JSON array), countTokens and the
 * model list, at the root and under `/gemini`. The key comes in x-goog-api-key, `?key=`
 * or a Bearer token; a `?key=` is taken out of the URL before anything can log it.
 * Every configured model is reachable; Gemini-protocol deployments get the body untouched.
 */
export const registerGeminiRoutes = async (app: FastifyInstance, ctx: GatewayContext) => {
  const preparer = createChatImagePreparer({ config: ctx.config });
  const prepareImages = async (model: Parameters<typeof preparer>[0], body: Record<string, unknown>) => (await preparer(model, body)).body;
  await app.register(async (scope) => {
    scope.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const mapped = toGatewayError(error);
      if (mapped.status >= 500 && mapped.code === 'internal_error') request.log.error({ err: error, request_id: request.id }, 'unhandled error');
      return sendGeminiError(reply, mapped);
    });
    // Before the body is read: the key moves from the URL to its header, then the caller is authenticated.
    scope.addHook('onRequest', (request, reply, done) => {
      const url = request.raw.url ?? '';
      if (url.includes('key=')) {
        const key = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('key');
        if (key && request.headers['x-goog-api-key'] === undefined) request.headers['x-goog-api-key'] = key;
        request.raw.url = url.replace(KEY_IN_QUERY, '$1key=[redacted]');
        const query = request.query as Record<string, unknown> | undefined;
        if (query && 'key' in query) query.key = '[redacted]';
      }
      try {
        ctx.authenticate(request);
      } catch (error) {
        reply.header('connection', 'close');
        return done(error as Error);
      }
      done();
    });
    for (const prefix of ['', '/gemini']) {
      scope.post(`${prefix}/v1beta/models/*`, {
        schema: { tags: ['Gemini compatible'], summary: 'generateContent, streamGenerateContent (alt=sse or a JSON array) and countTokens (Gemini API)', security: [{ apiKeyAuth: [] }, { bearerAuth: [] }] },
        serializerCompiler: () => (data) => (typeof data === 'string' ? data : JSON.stringify(data)),
        handler: async (request, reply) => {
          const caller = ctx.authenticate(request);
          const match = METHOD.exec(modelPath(request.url, prefix));
          if (!match) throw new GatewayError('Method not found. Use {model}:generateContent, :streamGenerateContent or :countTokens.', { status: 404, code: 'route_not_found' });
          const model = boundText(match[1]!.replace(/^models\//, ''), MAX_NAME_LENGTH);
          const method = match[2]!;
          if (method === 'countTokens') {
            if (!request.body || typeof request.body !== 'object') throw badRequest('Invalid JSON payload received: the body must be a JSON object.');
            const counted = await geminiCountTokens(ctx, model, request.body as Record<string, unknown>, request.id);
            return reply.header('x-request-id', request.id).type('application/json').send(JSON.stringify(counted));
          }
          const body = validateBody(request.body);
          const stream = method === 'streamGenerateContent';
          const sse = (request.query as { alt?: unknown } | undefined)?.alt === 'sse';
          const estimate = estimateGeminiInputTokens(body);
          const config = field(body, 'generationConfig', 'generation_config') as Record<string, unknown> | undefined;
          const maxOutput = config ? field(config, 'maxOutputTokens', 'max_output_tokens') : undefined;
          const answer = await runProtocolRequest(ctx, {
            ingress: geminiIngressFor(model, stream, sse ? 'sse' : 'array'),
            body,
            caller,
            requestId: request.id,
            clientHeaders: request.headers,
            usageProtocol: 'gemini',
            route: request.routeOptions.url,
            reply,
            withImages: estimate.images > 0,
            promptEstimate: estimate.tokens,
            maxOutputTokens: typeof maxOutput === 'number' && Number.isFinite(maxOutput) && maxOutput > 0 ? maxOutput : null,
            prepareImages,
            requestedModel: model,
            stream,
            // Without alt=sse Gemini streams one JSON array: even a passthrough is re-framed.
            encodePassthroughStream: stream && !sse,
            ...(stream && !sse ? { streamContentType: 'application/json; charset=utf-8' } : {}),
          });
          if (!answer) return reply;
          return reply.code(answer.status).headers(answer.headers).type('application/json').send(answer.body);
        },
      });
      scope.get(`${prefix}/v1beta/models`, {
        schema: { tags: ['Gemini compatible'], summary: 'List models (Gemini format; only those the key may use)', security: [{ apiKeyAuth: [] }, { bearerAuth: [] }] },
        handler: async (request) => {
          const visible = visibleTo(ctx.authenticate(request));
          return { models: listModels(ctx.catalog()).filter(visible).map(modelEntry) };
        },
      });
      scope.get(`${prefix}/v1beta/models/*`, {
        schema: { tags: ['Gemini compatible'], summary: 'Get one model (Gemini format)', security: [{ apiKeyAuth: [] }, { bearerAuth: [] }] },
        handler: async (request) => {
          const visible = visibleTo(ctx.authenticate(request));
          const id = modelPath(request.url, prefix).replace(/^models\//, '').toLowerCase();
          const entries = listModels(ctx.catalog()).filter(visible);
          const found = entries.find((e) => e.id.toLowerCase() === id) ?? entries.find((e) => e.names.includes(id));
          if (!found) throw new GatewayError(`models/${boundText(id, MAX_NAME_LENGTH)} is not found or is not available to this key.`, { status: 404, code: 'model_not_found' });
          return modelEntry(found);
        },
      });
    }
  });
};
