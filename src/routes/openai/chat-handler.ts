import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiCaller } from '../../server/api-auth.js';
import { endHijackedWithError } from '../../server/error-handler.js';
import { GatewayError } from '../../server/errors.js';
import { encodeHeaderValue } from '../../server/header-value.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { costOf } from '../../observability/usage-record.js';
import { neutralUsageFromOpenAI, plainUsage, totalTokensOf, type NeutralUsage } from '../../core/usage.js';
import type { TokenUsage } from '../../providers/spec/provider-adapter.js';
import type { CatalogModel } from '../../router/model-catalog.js';
import { resolveRoute } from '../../router/model-groups.js';
import { cacheKey } from '../../router/response-cache.js';
import { prepareChatCall } from '../../upstream/chat-request.js';
import { countTokens, estimatePromptTokens, quickPromptEstimate } from '../../upstream/estimate-tokens.js';
import { relayStream } from '../../upstream/relay-stream.js';
import { openRoutedCall } from '../../upstream/routed-call.js';
import type { PoolKey } from '../../router/key-pool.js';
import { callerModelAccess } from '../../server/key-guard.js';
import { cachePolicy } from './response-cache-policy.js';
import { hasImageParts } from '../../images/has-image-parts.js';
import { tracing } from '../../observability/tracing.js';
import { leavesClientProtocol } from '../../pipeline/protocol-routing.js';
import { handleChatThroughPipeline } from './chat-protocol-bridge.js';
import { boundText, MAX_NAME_LENGTH } from '../../core/bounded-text.js';

export interface ChatHandlerOptions {
  /** Rewrites image parts for a model about to be tried (the vision pipeline); returns the body to send. */
  prepareImages?: (model: CatalogModel, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** Extra response headers (e.g. what the image pipeline did), read when headers are written. */
  extraHeaders?: () => Record<string, string>;
  /** Forces the vision model when no model is named (the vision endpoint). */
  kind?: 'language' | 'vision';
}


const visionRefusal = (model: CatalogModel, catalogModels: CatalogModel[]) => {
  const seeing = catalogModels.filter((m) => m.seesImages && m.status === 'usable').map((m) => m.key);
  return new GatewayError(
    `The model \`${model.key}\` cannot see images. ${
      seeing.length > 0 ? `Models that can: ${seeing.slice(0, 20).join(', ')}${seeing.length > 20 ? ', …' : ''}.` : 'No vision model is usable on this gateway.'
    }`,
    { status: 400, code: 'model_not_vision_capable', param: 'model', details: { vision_models: seeing } },
  );
};

const chatCapabilityCheck = (withImages: boolean, catalogModels: CatalogModel[]) => (model: CatalogModel) => {
  if (withImages && !model.seesImages) throw visionRefusal(model, catalogModels);
  if (model.types.length === 1 && model.types[0] === 'embedding') {
    throw new GatewayError(`The model \`${model.key}\` is an embedding model; use /v1/embeddings.`, {
      status: 400,
      code: 'model_not_chat_capable',
      param: 'model',
    });
  }
};

/** The request's output cap (max_tokens / max_completion_tokens); null when it sets none. */
const requestedMaxOutput = (body: Record<string, unknown>): number | null => {
  const value = body.max_tokens ?? body.max_completion_tokens;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
};

/** How a finished request is charged. */
type ChargeBasis = 'vendor-usage' | 'estimate' | 'nothing';

/**
 * Every request that reached a vendor is charged: with the vendor's usage when it came,
 * otherwise with an estimate of the prompt plus what was streamed (marked estimated) —
 * a client that hung up (499) or a stream that broke after content is billed by the
 * vendor all the same. Cache hits and requests refused before any vendor call are free.
 */
export const chargeBasis = (cached: boolean, hasUsage: boolean, reachedVendor: boolean, status: number, streamedText: string): ChargeBasis => {
  if (cached) return 'nothing';
  if (hasUsage) return 'vendor-usage';
  if (!reachedVendor) return 'nothing';
  if (status < 400 || status === 499) return 'estimate';
  return streamedText !== '' ? 'estimate' : 'nothing';
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
  // One cached lookup when every deployment speaks OpenAI; otherwise the protocol pipeline.
  if (leavesClientProtocol(catalog, 'openai', requested, withImages || options.kind === 'vision' ? 'vision' : 'language')) {
    return handleChatThroughPipeline(ctx, request, reply, inputBody, caller, options);
  }
  const stream = inputBody.stream === true;
  let model: CatalogModel | null = null;
  let status = 200;
  let errorCode: string | null = null;
  let usage: TokenUsage | null = null;
  let ttftMs: number | null = null;
  let promptEstimate = 0;
  let completionText = '';
  let attempts = 0;
  let cached = false;
  // The pool key that served (label for usage, key for its TPM), when the provider has a pool.
  let poolKey: PoolKey | null = null;
  // Tracing (issue 16): one boolean when off; a span per request and per attempt when on.
  const trace = tracing.enabled
    ? tracing.impl!.startRequest({
        requestId: request.id,
        route: request.routeOptions.url ?? '/v1/chat/completions',
        requestedModel: requested,
        stream,
        traceparent: request.headers.traceparent,
        messages: inputBody.messages,
      })
    : null;
  let finishReasons: string[] | null = null;
  // Set once an upstream request is about to go out: from then on the vendor may bill it.
  let reachedVendor = false;
  // Resolves a shutdown wait started when the client left before the end.
  let endGrace: (() => void) | null = null;
  const holdShutdownForGrace = () => {
    if (endGrace) return;
    void ctx.pending.track(new Promise<void>((resolve) => (endGrace = resolve)));
  };

  try {
    // A restricted key's route keeps only deployments it may use; fallbacks are checked too.
    const access = callerModelAccess(caller);
    const route = resolveRoute(catalog, catalog.groups, requested, withImages || options.kind === 'vision' ? 'vision' : 'language', access);
    model = route.primary;
    const checkModel = chatCapabilityCheck(withImages, catalog.models);
    // A plain model gets its clear error at once; a group tries its other deployments first.
    if (route.group.deployments.length === 1) checkModel(route.primary);
    promptEstimate = quickPromptEstimate(inputBody.messages);
    const limitHeaders = await ctx.admit(caller, route.primary, requested, promptEstimate, requestedMaxOutput(inputBody));

    const cache = cachePolicy(request, route.primary, caller, ctx.config.cache.defaultTtlMs, stream);
    const keyForCache = cache ? cacheKey({ ...inputBody, model: route.publicName }, cache.scope) : null;
    if (keyForCache) {
      let hit = ctx.routing.cache.get(keyForCache);
      // Shared cache (REDIS_URL, issue 16): asked only on a local miss.
      if (!hit && ctx.routing.sharedCache) {
        const shared = await ctx.routing.sharedCache.get(keyForCache);
        if (shared) ctx.routing.cache.set(keyForCache, (hit = shared.value), shared.ttlMs);
      }
      if (hit) {
        cached = true;
        usage = null;
        return reply
          .code(200)
          .headers({ ...hit.headers, 'x-request-id': request.id, 'x-gateway-cache': 'hit', 'x-gateway-attempts': '0', ...limitHeaders })
          .type('application/json')
          .send(hit.body);
      }
    }

    const controller = new AbortController();
    const graceMs = ctx.settings.disconnectGraceMs;
    let graceTimer: NodeJS.Timeout | null = null;
    const onClientGone = () => {
      if (reply.raw.writableFinished) return;
      // A non-stream answer on its way is billed by the vendor: give it a moment to arrive
      // so it is charged from its usage; a stream's headers are not even there yet.
      if (!stream && reachedVendor && graceMs > 0) {
        holdShutdownForGrace();
        graceTimer = setTimeout(() => controller.abort(), graceMs);
        graceTimer.unref();
      } else controller.abort();
    };
    reply.raw.once('close', onClientGone);
    let lastUpstreamStart = started;
    let result;
    try {
      result = await openRoutedCall({
        upstream: ctx.upstream,
        runtime: ctx.routing,
        catalog,
        groups: catalog.groups,
        route,
        checkModel,
        access,
        signal: controller.signal,
        mode: stream ? 'stream' : 'json',
        trace,
        buildCall: async (candidate) => {
          const body = options.prepareImages ? await options.prepareImages(candidate, inputBody) : inputBody;
          const call = prepareChatCall(candidate, body, { requestId: request.id, defaults: ctx.settings.timeouts });
          lastUpstreamStart = performance.now();
          reachedVendor = true;
          return call;
        },
      });
    } finally {
      reply.raw.off('close', onClientGone);
      if (graceTimer) clearTimeout(graceTimer);
    }
    model = result.model;
    attempts = result.attempts;
    poolKey = result.poolKey;
    const headers: Record<string, string> = {
      'x-request-id': request.id,
      'x-gateway-provider': encodeHeaderValue(model.provider),
      'x-gateway-model': encodeHeaderValue(model.key),
      'x-gateway-attempts': String(result.attempts),
      ...(result.fallbacks > 0 ? { 'x-gateway-fallbacks': String(result.fallbacks) } : {}),
      ...(keyForCache ? { 'x-gateway-cache': 'miss' } : {}),
      ...limitHeaders,
      ...(options.extraHeaders?.() ?? {}),
    };

    if (!stream) {
      const upstreamDone = performance.now();
      const json = result.json!;
      result.release();
      // The upstream body goes out as received unless its model name must change.
      const renamed = json.model !== route.publicName;
      if (renamed) json.model = route.publicName;
      usage = (json.usage as TokenUsage | undefined) ?? null;
      if (trace) {
        const choices = json.choices as Array<{ finish_reason?: unknown; message?: { content?: unknown } }> | undefined;
        finishReasons = choices?.map((c) => String(c?.finish_reason ?? '')).filter(Boolean) ?? null;
        if (usage && typeof choices?.[0]?.message?.content === 'string') completionText = choices[0].message.content;
      }
      if (!usage) {
        const message = (json.choices as Array<{ message?: { content?: unknown } }> | undefined)?.[0]?.message;
        completionText = typeof message?.content === 'string' ? message.content : JSON.stringify(message ?? '');
      }
      const body = renamed ? JSON.stringify(json) : result.text!;
      if (reply.raw.destroyed) {
        // The client left while the answer was on its way: charged, recorded as 499.
        status = 499;
        errorCode = 'client_disconnected';
      }
      if (keyForCache && cache) {
        const { 'x-request-id': _id, 'x-gateway-cache': _c, ...cacheable } = headers;
        const entry = { body, headers: cacheable, status: 200 };
        ctx.routing.cache.set(keyForCache, entry, cache.ttlMs);
        ctx.routing.sharedCache?.set(keyForCache, entry, cache.ttlMs);
      }
      headers['x-gateway-overhead-ms'] = (lastUpstreamStart - started + (performance.now() - upstreamDone)).toFixed(3);
      return reply.code(200).headers(headers).type('application/json').send(body);
    }

    reply.hijack();
    headers['x-gateway-overhead-ms'] = (lastUpstreamStart - started).toFixed(3);
    let outcome;
    try {
      try {
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          ...headers,
        });
      } catch (error) {
        // The reply is hijacked, so nobody else would answer: end it here, and let go of
        // the upstream stream (the finally releases the deployment's in-flight slot).
        result.upstream.abort();
        result.upstream.done();
        status = 500;
        errorCode = 'response_header_error';
        endHijackedWithError(reply, error);
        return reply;
      }
      outcome = await relayStream(result.upstream, reply.raw, {
        requestedModel: route.publicName,
        clientWantsUsage: (inputBody.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
        adapter: result.call.adapter,
        providerName: model.provider,
        drainOnDisconnect: model.providerState.config.drainOnDisconnect,
        disconnectGraceMs: graceMs,
        onClientGone: holdShutdownForGrace,
      });
    } finally {
      result.release();
    }
    usage = outcome.usage;
    completionText = outcome.completionText;
    if (outcome.finishReason) finishReasons = [outcome.finishReason];
    ttftMs = outcome.firstTokenAt === null ? null : outcome.firstTokenAt - started;
    if (ttftMs !== null) ctx.routing.stats.recordTtft(result.deploymentId, ttftMs);
    if (outcome.error) {
      status = outcome.error.status;
      errorCode = outcome.error.code;
      // The stream had started, so it is not retried; the deployment still pays for it.
      ctx.routing.breaker.onFailure(result.deploymentId, outcome.error.code === 'upstream_malformed_response' ? 'malformed-response' : 'server', Date.now());
    } else if (outcome.clientAborted) {
      status = 499;
      errorCode = 'client_disconnected';
    }
    return reply;
  } catch (error) {
    const mapped = error instanceof GatewayError ? error : null;
    status = mapped?.status ?? (reply.raw.destroyed ? 499 : 500);
    errorCode = mapped?.code ?? (reply.raw.destroyed ? 'client_disconnected' : 'internal_error');
    throw error;
  } finally {
    const latencyMs = performance.now() - started;
    const record = (tokens: NeutralUsage, estimated: boolean) => {
      // A cache hit costs nothing upstream.
      const cost = model && !cached ? costOf(model.pricing, tokens) : 0;
      const currency = model?.pricing?.currency ?? 'USD';
      const totalTokens = totalTokensOf(tokens);
      ctx.settle(caller, totalTokens, cost, currency);
      if (poolKey?.tpmLimit) model?.providerState.pool?.recordTokens(poolKey, totalTokens, Date.now());
      ctx.usage.record({
        requestId: request.id,
        time: Date.now(),
        keyId: caller.keyId,
        keyName: caller.keyName,
        // An unknown name is kept only in a bounded form (rows, metrics, memory).
        model: model?.name ?? (requested === undefined ? '(none)' : boundText(requested, MAX_NAME_LENGTH)),
        provider: model?.provider ?? '(none)',
        status,
        errorCode,
        promptTokens: tokens.inputTokens,
        completionTokens: tokens.outputTokens,
        cacheReadTokens: tokens.cacheReadTokens,
        cacheWriteTokens: tokens.cacheWriteTokens,
        reasoningTokens: tokens.reasoningTokens,
        totalTokens,
        tokensEstimated: estimated,
        cost,
        currency,
        protocol: 'openai-chat',
        latencyMs,
        ttftMs,
        stream,
        attempts,
        cached,
        providerKeyLabel: poolKey?.label ?? null,
      });
      // Tracing (issue 16): the request span ends with the tokens the usage row got.
      trace?.end({
        status,
        errorCode,
        provider: model?.provider ?? null,
        vendor: model?.providerState.config.vendor ?? null,
        responseModel: model?.upstreamName ?? null,
        // GenAI conventions count every input token, cached ones included.
        inputTokens: status < 400 || usage ? totalTokens - tokens.outputTokens : null,
        outputTokens: status < 400 || usage ? tokens.outputTokens : null,
        finishReasons,
        cached,
        attempts,
        completion: completionText,
      });
    };
    const basis = chargeBasis(cached, usage !== null, reachedVendor && model !== null, status, completionText);
    try {
      if (basis === 'estimate') {
        // Only a vendor that sent no usage needs the tokenizer (loaded on first use); shutdown
        // waits for this before flushing usage rows.
        const messages = inputBody.messages;
        const text = completionText;
        await ctx.pending.track(
          (async () => record(plainUsage(await estimatePromptTokens(messages), await countTokens(text)), true))(),
        );
      } else if (basis === 'vendor-usage') record(neutralUsageFromOpenAI(usage), false);
      else record(plainUsage(0, 0), false);
    } finally {
      // Assigned inside a callback, which narrowing cannot see.
      (endGrace as (() => void) | null)?.();
    }
  }
};
