import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiCaller } from '../../server/api-auth.js';
import { GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { costOf } from '../../observability/usage-record.js';
import type { TokenUsage } from '../../providers/spec/provider-adapter.js';
import { resolveModel } from '../../router/model-resolver.js';
import type { CatalogModel } from '../../router/model-catalog.js';
import { prepareChatCall } from '../../upstream/chat-request.js';
import { countTokens, estimatePromptTokens } from '../../upstream/estimate-tokens.js';
import { relayStream } from '../../upstream/relay-stream.js';
import { upstreamHttpError } from '../../upstream/upstream-error.js';
import type { UpstreamResponse } from '../../upstream/upstream-client.js';

export interface ChatHandlerOptions {
  /** Rewrites image parts for the chosen model (the vision pipeline); returns the new body. */
  prepareImages?: (model: CatalogModel, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** Extra response headers (e.g. what the image pipeline did). */
  extraHeaders?: () => Record<string, string>;
  /** Forces the vision model when no model is named (the vision endpoint). */
  kind?: 'language' | 'vision';
}

export const hasImageParts = (messages: unknown): boolean =>
  Array.isArray(messages) &&
  messages.some(
    (m) =>
      m &&
      typeof m === 'object' &&
      Array.isArray((m as { content?: unknown }).content) &&
      ((m as { content: unknown[] }).content as Array<{ type?: string }>).some((p) => p && p.type === 'image_url'),
  );

const visionRefusal = (model: CatalogModel, catalogModels: CatalogModel[]) => {
  const seeing = catalogModels.filter((m) => m.seesImages && m.status === 'usable').map((m) => m.key);
  return new GatewayError(
    `The model \`${model.key}\` cannot see images. ${
      seeing.length > 0 ? `Models that can: ${seeing.slice(0, 20).join(', ')}${seeing.length > 20 ? ', …' : ''}.` : 'No vision model is usable on this gateway.'
    }`,
    { status: 400, code: 'model_not_vision_capable', param: 'model', details: { vision_models: seeing } },
  );
};

const readBody = async (upstream: UpstreamResponse): Promise<string> => {
  try {
    return await upstream.body.text();
  } catch (error) {
    throw upstream.mapError(error);
  } finally {
    upstream.done();
  }
};

export const handleChatCompletion = async (
  ctx: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  inputBody: Record<string, unknown>,
  caller: ApiCaller,
  options: ChatHandlerOptions = {},
): Promise<unknown> => {
  const started = performance.now();
  const catalog = ctx.catalog();
  const requested = typeof inputBody.model === 'string' && inputBody.model !== '' ? inputBody.model : undefined;
  const withImages = hasImageParts(inputBody.messages);
  const stream = inputBody.stream === true;
  let model: CatalogModel | null = null;
  let status = 200;
  let errorCode: string | null = null;
  let usage: TokenUsage | null = null;
  let estimated = false;
  let ttftMs: number | null = null;
  let promptEstimate = 0;
  let completionText = '';

  try {
    model = resolveModel(catalog, requested, withImages || options.kind === 'vision' ? 'vision' : 'language');
    if (withImages && !model.seesImages) throw visionRefusal(model, catalog.models);
    if (model.types.length === 1 && model.types[0] === 'embedding') {
      throw new GatewayError(`The model \`${model.key}\` is an embedding model; use /v1/embeddings.`, {
        status: 400,
        code: 'model_not_chat_capable',
        param: 'model',
      });
    }
    const publicName = requested ?? model.name;
    promptEstimate = estimatePromptTokens(inputBody.messages);
    const limitHeaders = ctx.admit(caller, model, requested, promptEstimate + Number(inputBody.max_tokens ?? inputBody.max_completion_tokens ?? 0));
    const body = options.prepareImages ? await options.prepareImages(model, inputBody) : inputBody;
    const call = prepareChatCall(model, body, { requestId: request.id, defaults: ctx.settings.timeouts });
    const controller = new AbortController();
    const onClientGone = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.once('close', onClientGone);
    const beforeUpstream = performance.now();
    let upstream: UpstreamResponse;
    try {
      upstream = await ctx.upstream.request(model.provider, {
        url: call.url,
        headers: call.headers,
        body: call.body,
        timeouts: call.timeouts,
        signal: controller.signal,
      });
    } finally {
      reply.raw.off('close', onClientGone);
    }
    if (upstream.status < 200 || upstream.status >= 300) {
      const text = await readBody(upstream);
      throw upstreamHttpError(upstream.status, text, upstream.headers, call.adapter, model.provider, model.providerState.apiKey);
    }
    const headers: Record<string, string> = {
      'x-request-id': request.id,
      'x-gateway-provider': model.provider,
      'x-gateway-model': model.key,
      'x-gateway-attempts': '1',
      ...limitHeaders,
      ...(options.extraHeaders?.() ?? {}),
    };

    if (!stream) {
      const upstreamStarted = performance.now();
      const text = await readBody(upstream);
      const upstreamFinished = performance.now();
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
        if (!json || typeof json !== 'object') throw new Error('not an object');
      } catch {
        throw new GatewayError(`The upstream provider ${model.provider} sent a malformed response.`, {
          status: 502,
          code: 'upstream_malformed_response',
        });
      }
      json.model = publicName;
      usage = (json.usage as TokenUsage | undefined) ?? null;
      if (!usage) {
        const message = (json.choices as Array<{ message?: { content?: unknown } }> | undefined)?.[0]?.message;
        completionText = typeof message?.content === 'string' ? message.content : JSON.stringify(message ?? '');
      }
      const overhead = beforeUpstream - started + (performance.now() - upstreamFinished);
      headers['x-gateway-overhead-ms'] = overhead.toFixed(3);
      void upstreamStarted;
      return reply.code(200).headers(headers).type('application/json').send(JSON.stringify(json));
    }

    reply.hijack();
    headers['x-gateway-overhead-ms'] = (beforeUpstream - started).toFixed(3);
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    const outcome = await relayStream(upstream, reply.raw, {
      requestedModel: publicName,
      clientWantsUsage: (inputBody.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
      adapter: call.adapter,
      providerName: model.provider,
      drainOnDisconnect: model.providerState.config.drainOnDisconnect,
    });
    usage = outcome.usage;
    completionText = outcome.completionText;
    ttftMs = outcome.firstTokenAt === null ? null : outcome.firstTokenAt - started;
    if (outcome.error) {
      status = outcome.error.status;
      errorCode = outcome.error.code;
    } else if (outcome.clientAborted) {
      status = 499;
      errorCode = 'client_disconnected';
    }
    return reply;
  } catch (error) {
    const mapped = error instanceof GatewayError ? error : null;
    status = mapped?.status ?? 500;
    errorCode = mapped?.code ?? 'internal_error';
    throw error;
  } finally {
    let promptTokens = usage?.prompt_tokens ?? 0;
    let completionTokens = usage?.completion_tokens ?? 0;
    if (!usage && model && status < 400) {
      estimated = true;
      promptTokens = promptEstimate;
      completionTokens = countTokens(completionText);
    }
    const cost = model ? costOf(model.pricing, promptTokens, completionTokens) : 0;
    ctx.settle(caller, promptTokens + completionTokens, cost);
    ctx.usage.record({
      requestId: request.id,
      time: Date.now(),
      keyId: caller.keyId,
      keyName: caller.keyName,
      model: model?.name ?? requested ?? '(none)',
      provider: model?.provider ?? '(none)',
      status,
      errorCode,
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      tokensEstimated: estimated,
      cost,
      latencyMs: performance.now() - started,
      ttftMs,
      stream,
      attempts: 1,
      cached: false,
    });
  }
};
