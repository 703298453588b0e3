import type { FastifyInstance } from 'fastify';
import { GatewayError, badRequest } from '../../server/errors.js';
import { encodeHeaderValue } from '../../server/header-value.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { costOf } from '../../observability/usage-record.js';
import { plainUsage } from '../../core/usage.js';
import { resolveModel } from '../../router/model-resolver.js';
import type { CatalogModel } from '../../router/model-catalog.js';
import { prepareChatCall } from '../../upstream/chat-request.js';
import { countTokens, quickTokenEstimate } from '../../upstream/estimate-tokens.js';
import { openRoutedCall } from '../../upstream/routed-call.js';
import { singleModelGroup } from '../../router/model-groups.js';
import { boundText, MAX_NAME_LENGTH } from '../../core/bounded-text.js';
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

const inputText = (input: unknown): string =>
  typeof input === 'string' ? input : Array.isArray(input) ? input.filter((x) => typeof x === 'string').join('\n') : '';

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
        const started = performance.now();
        const caller = ctx.authenticate(request);
        const body = validateEmbeddingsBody(request.body);
        let model: CatalogModel | null = null;
        let status = 200;
        let errorCode: string | null = null;
        let promptTokens = 0;
        let estimated = false;
        let keyLabel: string | null = null;
        try {
          const catalog = ctx.catalog();
          model = resolveModel(catalog, body.model as string, 'embedding');
          if (!model.types.includes('embedding')) {
            throw new GatewayError(`The model \`${model.key}\` is not an embedding model.`, {
              status: 400,
              code: 'model_not_embedding_capable',
              param: 'model',
            });
          }
          const limitHeaders = await ctx.admit(caller, model, body.model as string, quickTokenEstimate(inputText(body.input)));
          // The same attempt path as chat (breaker, timeouts, error mapping), on /embeddings.
          const controller = new AbortController();
          const onClientGone = () => {
            if (!reply.raw.writableFinished) controller.abort();
          };
          reply.raw.once('close', onClientGone);
          const result = await openRoutedCall({
            upstream: ctx.upstream,
            runtime: ctx.routing,
            catalog,
            groups: catalog.groups,
            route: { group: singleModelGroup(model), publicName: body.model as string, primary: model },
            signal: controller.signal,
            mode: 'json',
            buildCall: async (target) =>
              prepareChatCall(target, body, { requestId: request.id, defaults: ctx.settings.timeouts, path: '/embeddings' }),
          }).finally(() => reply.raw.off('close', onClientGone));
          result.release();
          keyLabel = result.poolKey?.label ?? null;
          const json = result.json!;
          const renamed = json.model !== body.model;
          if (renamed) json.model = body.model;
          const usage = json.usage as { prompt_tokens?: number } | undefined;
          if (typeof usage?.prompt_tokens === 'number') promptTokens = usage.prompt_tokens;
          else {
            estimated = true;
            promptTokens = await countTokens(inputText(body.input));
          }
          return reply
            .headers({ 'x-request-id': request.id, 'x-gateway-provider': encodeHeaderValue(model.provider), 'x-gateway-model': encodeHeaderValue(model.key), ...limitHeaders })
            .type('application/json')
            .send(renamed ? JSON.stringify(json) : result.text!);
        } catch (error) {
          status = error instanceof GatewayError ? error.status : 500;
          errorCode = error instanceof GatewayError ? error.code : 'internal_error';
          throw error;
        } finally {
          const cost = model ? costOf(model.pricing, plainUsage(promptTokens, 0)) : 0;
          const currency = model?.pricing?.currency ?? 'USD';
          ctx.settle(caller, promptTokens, cost, currency);
          ctx.usage.record({
            requestId: request.id,
            time: Date.now(),
            keyId: caller.keyId,
            keyName: caller.keyName,
            model: model?.name ?? (boundText(String(body.model ?? ''), MAX_NAME_LENGTH) || '(none)'),
            provider: model?.provider ?? '(none)',
            status,
            errorCode,
            promptTokens,
            completionTokens: 0,
            totalTokens: promptTokens,
            tokensEstimated: estimated,
            providerKeyLabel: keyLabel,
            cost,
            currency,
            protocol: 'openai-embeddings',
            latencyMs: performance.now() - started,
            ttftMs: null,
            stream: false,
            attempts: 1,
            cached: false,
          });
        }
      },
    });
  }
};
