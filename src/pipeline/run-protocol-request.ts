import { streamFailureKind } from '../router/stream-failure.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../core/gateway-error.js';
import type { NeutralRequest } from '../core/neutral-request.js';
import type { Usage } from '../core/usage.js';
import type { IngressCodec } from '../protocols/codec.js';
import { fromAnthropicUsage } from '../protocols/anthropic-messages/usage-mapping.js';
import { fromOpenAIUsage, normalizeOpenAIAnswerUsage, openAIUsageOf } from '../protocols/openai-chat/finish-and-usage.js';
import { fromGeminiUsage } from '../protocols/gemini/finish-and-usage.js';
import { egressCodec } from '../protocols/registry.js';
import { fromResponsesUsage } from '../protocols/openai-responses/egress-decode.js';
import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { resolveRoute } from '../router/model-groups.js';
import { relayStream } from '../upstream/relay-stream.js';
import { openRoutedCall } from '../upstream/routed-call.js';
import { settleRequest } from './accounting.js';
import { tracing } from '../observability/tracing.js';
import { endHijackedWithError } from './hijacked-error.js';
import type { ReplySink } from './reply-sink.js';
import { callerModelAccess } from '../server/key-guard.js';
import { encodeHeaderValue } from '../server/header-value.js';
import { chatCapabilityCheck } from './model-checks.js';
import { RequestAccount } from './request-account.js';
import { cachePolicy } from './response-cache-policy.js';
import { cacheKey } from '../router/response-cache.js';
import { relayProtocolStream } from './protocol-stream.js';
import { deploymentProtocol, prepareProtocolCall, type ProtocolCall } from './upstream-call.js';
import { captureChatAnswer, captureNeutralAnswer, replayContextFor, StreamReasoningCapture, type ReplayContext } from '../providers/rules/reasoning-replay.js';
import { replayOwner } from './replay-owner.js';
import { normalizeChatAnswer, streamNormalizerFor } from '../providers/rules/reasoning-fields.js';

export interface ProtocolRequest {
  ingress: IngressCodec;
  /** The client protocol's name on usage rows (anthropic-messages, openai-chat). */
  usageProtocol: string;
  body: Record<string, unknown>;
  caller: ApiCaller;
  requestId: string;
  clientHeaders: IncomingHttpHeaders;
  /** The framework's reply: hijacked and its raw response written directly for streams. */
  reply: ReplySink;
  withImages: boolean;
  /** Forces the vision model when no model is named (the vision endpoint). */
  kind?: 'language' | 'vision';
  promptEstimate: number;
  /** The matched route, for the tracing span. */
  route?: string;
  /** OpenAI chat messages, tokenized when the vendor sends no usage; else promptEstimate is charged. */
  promptMessages?: unknown;
  /** The request's output cap; null when it sets none (the budget then reserves the model's maximum). */
  maxOutputTokens: number | null;
  prepareImages?: (model: CatalogModel, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** The model, when the client protocol names it outside the body (Gemini: in the path). */
  requestedModel?: string;
  /** Whether to stream, when the client protocol says so outside the body (Gemini: the method). */
  stream?: boolean;
  /** Re-encode passthrough streams too (a client framing the vendor's stream differently, e.g. Gemini's JSON array). */
  encodePassthroughStream?: boolean;
  /** The stream's content type; SSE unless the client protocol frames it otherwise. */
  streamContentType?: string;
  /**
   * Told the vendor's own final response object when a deployment answered in the
   * client's protocol untouched (passthrough), JSON or streamed; translated answers go
   * through the ingress codec instead. The Responses API stores it.
   */
  onPassthroughResponse?: (response: Record<string, unknown>) => void;
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Usage of a passthrough JSON answer, read in the deployment's own protocol. */
const passthroughUsage = (call: ProtocolCall, json: Record<string, unknown>): Usage | null =>
  call.protocol === 'anthropic'
    ? json.usage
      ? fromAnthropicUsage(json.usage)
      : null
    : call.protocol === 'openai-responses'
      ? fromResponsesUsage(json.usage)
      : call.protocol === 'gemini'
        ? fromGeminiUsage(json.usageMetadata)
        : fromOpenAIUsage(openAIUsageOf(json));

/**
 * One request from a client protocol, through routing, to whatever each deployment
 * speaks: passthrough when it is the client's protocol, translation otherwise. Returns
 * the JSON answer, or null once a stream has been written.
 */
export const runProtocolRequest = async (ctx: GatewayContext, input: ProtocolRequest): Promise<JsonAnswer | null> => {
  const { ingress, body } = input;
  const res = input.reply.raw;
  const catalog = ctx.catalog();
  const requested = input.requestedModel ?? (typeof body.model === 'string' && body.model !== '' ? body.model : undefined);
  const stream = input.stream ?? body.stream === true;
  const account = new RequestAccount(ctx, input.requestId, input.caller, requested, stream, input.usageProtocol);
  account.promptEstimate = input.promptEstimate;
  account.promptMessages = input.promptMessages;
  if (tracing.enabled) {
    account.trace = tracing.impl!.startRequest({
      requestId: input.requestId,
      route: input.route ?? '/v1/messages',
      requestedModel: requested,
      stream,
      traceparent: input.clientHeaders.traceparent,
      messages: body.messages,
    });
  }
  let neutral: NeutralRequest | null = null;
  const toNeutral = () => (neutral ??= ingress.parseRequest(body));
  // Reasoning replay concerns OpenAI-protocol deployments whose rules require it (DeepSeek's tool loop).
  const owner = replayOwner(input.caller);
  const replayFor = (candidate: CatalogModel): ReplayContext | null =>
    ctx.routing.reasoning !== null && deploymentProtocol(candidate) === 'openai' ? replayContextFor(candidate.rules, ctx.routing.reasoning, owner) : null;

  try {
    // A restricted key's route keeps only deployments it may use; fallbacks are checked too.
    const access = callerModelAccess(input.caller);
    const route = resolveRoute(catalog, catalog.groups, requested, input.withImages || input.kind === 'vision' ? 'vision' : 'language', access);
    account.model = route.primary;
    const checkModel = chatCapabilityCheck(input.withImages, catalog.models);
    if (route.group.deployments.length === 1) checkModel(route.primary);
    const limitHeaders = await ctx.admit(input.caller, route.primary, requested, input.promptEstimate, input.maxOutputTokens);

    // Same policy as the OpenAI passthrough; the key includes the client protocol, so an
    // Anthropic answer is never served to an OpenAI client for the same body.
    const cache = cachePolicy({ headers: input.clientHeaders }, route.primary, input.caller, ctx.config.cache.defaultTtlMs, stream);
    const keyForCache = cache ? cacheKey({ ...body, model: route.publicName }, cache.scope, ingress.protocol) : null;
    if (keyForCache) {
      let hit = ctx.routing.cache.get(keyForCache);
      // Shared cache (REDIS_URL): asked only on a local miss.
      if (!hit && ctx.routing.sharedCache) {
        const shared = await ctx.routing.sharedCache.get(keyForCache);
        if (shared) ctx.routing.cache.set(keyForCache, (hit = shared.value), shared.ttlMs);
      }
      if (hit) {
        account.cached = true;
        return {
          status: 200,
          headers: { ...hit.headers, 'x-request-id': input.requestId, 'x-gateway-cache': 'hit', 'x-gateway-attempts': '0', ...limitHeaders },
          body: hit.body,
        };
      }
    }

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
        signal: account.watchClient(res),
        mode: stream ? 'stream' : 'json',
        trace: account.trace,
        buildCall: async (candidate) => {
          const call = await prepareProtocolCall(candidate, {
            clientProtocol: ingress.protocol,
            body,
            neutral: toNeutral,
            parse: ingress.parseRequest,
            clientHeaders: input.clientHeaders,
            stream,
            requestId: input.requestId,
            defaults: ctx.settings.timeouts,
            prepareImages: input.prepareImages,
            replay: replayFor,
          });
          account.reachedVendor = true;
          return call;
        },
      });
    } finally {
      account.unwatchClient();
    }
    const model = result.model;
    const call = result.call as ProtocolCall;
    account.model = model;
    account.poolKey = result.poolKey;
    account.attempts = result.attempts;
    account.protocolPair = `${ingress.protocol}->${call.protocol}`;
    const replay = replayFor(model);
    const headers: Record<string, string> = {
      'x-request-id': input.requestId,
      'x-gateway-provider': encodeHeaderValue(model.provider),
      'x-gateway-model': encodeHeaderValue(model.key),
      'x-gateway-attempts': String(result.attempts),
      'x-gateway-protocol': account.protocolPair,
      ...(result.fallbacks > 0 ? { 'x-gateway-fallbacks': String(result.fallbacks) } : {}),
      ...(keyForCache ? { 'x-gateway-cache': 'miss' } : {}),
      ...limitHeaders,
    };

    if (!stream) {
      const json = result.json!;
      result.release();
      let text: string;
      if (call.plan === 'passthrough') {
        account.usage = passthroughUsage(call, json);
        if (replay) captureChatAnswer(json, replay);
        // Gemini names the model in the URL; its answer's modelVersion is the vendor's own and stays.
        let renamed = call.protocol !== 'gemini' && json.model !== route.publicName;
        if (renamed) json.model = route.publicName;
        if (call.protocol === 'openai' && normalizeChatAnswer(json, model.rules.reasoningField)) renamed = true;
        // OpenAI clients read cache and reasoning counts in OpenAI's fields, whatever the vendor's.
        const usageChanged = call.protocol === 'openai' && normalizeOpenAIAnswerUsage(json);
        text = renamed || usageChanged ? JSON.stringify(json) : result.text!;
        input.onPassthroughResponse?.(json);
      } else {
        const decoded = egressCodec(call.protocol).decodeResponse(json, { thinkTags: model.rules.reasoningField === 'think-tags' });
        account.usage = decoded.usage;
        if (replay) captureNeutralAnswer(decoded.content, replay);
        text = JSON.stringify(ingress.encodeResponse(decoded, { model: route.publicName, estimatedInputTokens: input.promptEstimate }));
      }
      if (!account.usage) account.completionText = text;
      if (res.destroyed) account.clientDisconnected();
      if (keyForCache && cache) {
        const { 'x-request-id': _id, 'x-gateway-cache': _c, ...cacheable } = headers;
        const entry = { body: text, headers: cacheable, status: 200 };
        ctx.routing.cache.set(keyForCache, entry, cache.ttlMs);
        ctx.routing.sharedCache?.set(keyForCache, entry, cache.ttlMs);
      }
      return { status: 200, headers, body: text };
    }

    input.reply.hijack();
    try {
      res.writeHead(200, {
        'content-type': input.streamContentType ?? 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...headers,
      });
    } catch (error) {
      // Hijacked, so nobody else would answer: end it in the client's envelope and let go of the upstream.
      result.upstream.abort();
      result.upstream.done();
      result.release();
      account.status = 500;
      account.errorCode = 'response_header_error';
      endHijackedWithError(input.reply, input.requestId, error, ingress.errorBody);
      return null;
    }
    const drainOnDisconnect = model.providerState.config.drainOnDisconnect;
    let outcome: { usage: Usage | null; completionText: string; firstTokenAt: number | null; error: GatewayError | null; clientAborted: boolean };
    try {
      if (call.plan === 'passthrough' && call.protocol === 'openai') {
        // OpenAI client, OpenAI deployment inside a mixed group: the no-parse relay.
        const relayed = await relayStream(result.upstream, res, {
          requestedModel: route.publicName,
          clientWantsUsage: (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
          adapter: call.adapter,
          providerName: model.provider,
          drainOnDisconnect,
          disconnectGraceMs: ctx.settings.disconnectGraceMs,
          onClientGone: account.holdForGrace,
          capture: replay ? new StreamReasoningCapture(replay) : null,
          normalize: streamNormalizerFor(model.rules.reasoningField),
        });
        outcome = { ...relayed, usage: relayed.usage ? fromOpenAIUsage(relayed.usage) : null };
      } else {
        outcome = await relayProtocolStream(result.upstream, res, {
          egress: egressCodec(call.protocol),
          decodeOptions: { thinkTags: model.rules.reasoningField === 'think-tags' },
          encoder:
            call.plan === 'translate' || input.encodePassthroughStream
              ? ingress.createStreamEncoder({
                  model: route.publicName,
                  estimatedInputTokens: input.promptEstimate,
                  includeUsage: (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
                })
              : null,
          publicModel: route.publicName,
          errorEvent: ingress.errorEvent,
          providerName: model.provider,
          drainOnDisconnect,
          disconnectGraceMs: ctx.settings.disconnectGraceMs,
          onClientGone: account.holdForGrace,
          capture: replay ? new StreamReasoningCapture(replay) : null,
          ...(call.plan === 'passthrough' && input.onPassthroughResponse ? { onFinalResponse: input.onPassthroughResponse } : {}),
        });
      }
    } finally {
      result.release();
    }
    account.usage = outcome.usage;
    account.completionText = outcome.completionText;
    account.ttftMs = outcome.firstTokenAt === null ? null : outcome.firstTokenAt - account.started;
    if (account.ttftMs !== null) ctx.routing.stats.recordTtft(result.deploymentId, account.ttftMs);
    if (outcome.error) {
      account.status = outcome.error.status;
      account.errorCode = outcome.error.code;
      // Only vendor-side trouble counts: a request-caused error event must not open it for every tenant.
      const failure = streamFailureKind(outcome.error, null);
      if (failure) ctx.routing.breaker.onFailure(result.deploymentId, failure, Date.now());
    } else if (outcome.clientAborted) account.clientDisconnected();
    return null;
  } catch (error) {
    account.failed(error, res);
    throw error;
  } finally {
    const estimating = settleRequest(account);
    if (estimating) await estimating;
  }
};
