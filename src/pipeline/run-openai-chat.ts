import { streamFailureKind } from '../router/stream-failure.js';
import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { resolveRoute } from '../router/model-groups.js';
import { cacheKey } from '../router/response-cache.js';
import { prepareChatCall } from '../upstream/chat-request.js';
import { quickPromptEstimate } from '../upstream/estimate-tokens.js';
import { relayStream } from '../upstream/relay-stream.js';
import { openRoutedCall } from '../upstream/routed-call.js';
import { hasImageParts } from '../images/has-image-parts.js';
import { openAIChatIngress } from '../protocols/openai-chat/index.js';
import { normalizeOpenAIAnswerUsage } from '../protocols/openai-chat/finish-and-usage.js';
import { callerModelAccess } from '../server/key-guard.js';
import { encodeHeaderValue } from '../server/header-value.js';
import { endHijackedWithError } from './hijacked-error.js';
import { tracing } from '../observability/tracing.js';
import { settleRequest } from './accounting.js';
import { chatCapabilityCheck, requestedMaxOutput } from './model-checks.js';
import { leavesClientProtocol } from './protocol-routing.js';
import type { ReplySink, RequestInfo } from './reply-sink.js';
import { RequestAccount, type OpenAIWireUsage } from './request-account.js';
import { cachePolicy } from './response-cache-policy.js';
import { runProtocolRequest } from './run-protocol-request.js';
import { captureChatAnswer, fetchSharedReasoning, replayContextFor, StreamReasoningCapture } from '../providers/rules/reasoning-replay.js';
import { replayOwner } from './replay-owner.js';
import { normalizeChatAnswer, streamNormalizerFor } from '../providers/rules/reasoning-fields.js';

export interface OpenAIChatOptions {
  /** Rewrites image parts for a model about to be tried (the vision pipeline); returns the body to send. */
  prepareImages?: (model: CatalogModel, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** Extra response headers (e.g. what the image pipeline did), read when headers are written. */
  extraHeaders?: () => Record<string, string>;
  /** Forces the vision model when no model is named (the vision endpoint). */
  kind?: 'language' | 'vision';
}

/** The client protocol's name on usage rows. */
const PROTOCOL = 'openai-chat';

/**
 * An OpenAI chat request whose route reaches a deployment speaking another protocol:
 * the protocol pipeline translates for those attempts and passes OpenAI ones through,
 * so a group may mix both.
 */
const runThroughProtocols = async (
  ctx: GatewayContext,
  request: RequestInfo,
  reply: ReplySink,
  body: Record<string, unknown>,
  caller: ApiCaller,
  options: OpenAIChatOptions,
  withImages: boolean,
): Promise<unknown> => {
  const answer = await runProtocolRequest(ctx, {
    ingress: openAIChatIngress,
    usageProtocol: PROTOCOL,
    body,
    caller,
    requestId: request.id,
    clientHeaders: request.headers,
    reply,
    withImages,
    kind: options.kind,
    promptEstimate: quickPromptEstimate(body.messages),
    promptMessages: body.messages,
    route: request.routeOptions.url,
    maxOutputTokens: requestedMaxOutput(body),
    prepareImages: options.prepareImages,
  });
  if (!answer) return reply;
  return reply
    .code(answer.status)
    .headers(options.extraHeaders ? { ...answer.headers, ...options.extraHeaders() } : answer.headers)
    .type('application/json')
    .send(answer.body);
};

/**
 * `POST /v1/chat/completions` (and the vision endpoint, the playground): the OpenAI
 * passthrough, the gateway's hot path. The body is never parsed into a neutral form:
 * the upstream JSON goes out as received (renamed only when the public name differs)
 * and streams through the no-parse relay. Routes reaching another protocol take the
 * protocol pipeline instead (one cached lookup decides). Accounting is the shared path.
 */
export const runOpenAIChat = async (
  ctx: GatewayContext,
  request: RequestInfo,
  reply: ReplySink,
  inputBody: Record<string, unknown>,
  caller: ApiCaller,
  options: OpenAIChatOptions = {},
): Promise<unknown> => {
  const catalog = ctx.catalog();
  const requested = typeof inputBody.model === 'string' && inputBody.model !== '' ? inputBody.model : undefined;
  const withImages = hasImageParts(inputBody.messages);
  const kind = withImages || options.kind === 'vision' ? 'vision' : 'language';
  if (leavesClientProtocol(catalog, 'openai', requested, kind)) {
    return runThroughProtocols(ctx, request, reply, inputBody, caller, options, withImages);
  }
  const stream = inputBody.stream === true;
  const account = new RequestAccount(ctx, request.id, caller, requested, stream, PROTOCOL);
  account.promptMessages = inputBody.messages;
  // Tracing (issue 16): one boolean when off; a span per request and per attempt when on.
  if (tracing.enabled) {
    account.trace = tracing.impl!.startRequest({
      requestId: request.id,
      route: request.routeOptions.url ?? '/v1/chat/completions',
      requestedModel: requested,
      stream,
      traceparent: request.headers.traceparent,
      messages: inputBody.messages,
    });
  }

  try {
    // A restricted key's route keeps only deployments it may use; fallbacks are checked too.
    const access = callerModelAccess(caller);
    const route = resolveRoute(catalog, catalog.groups, requested, kind, access);
    account.model = route.primary;
    const checkModel = chatCapabilityCheck(withImages, catalog.models);
    // A plain model gets its clear error at once; a group tries its other deployments first.
    if (route.group.deployments.length === 1) checkModel(route.primary);
    account.promptEstimate = quickPromptEstimate(inputBody.messages);
    const limitHeaders = await ctx.admit(caller, route.primary, requested, account.promptEstimate, requestedMaxOutput(inputBody));

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
        account.cached = true;
        return reply
          .code(200)
          .headers({ ...hit.headers, 'x-request-id': request.id, 'x-gateway-cache': 'hit', 'x-gateway-attempts': '0', ...limitHeaders })
          .type('application/json')
          .send(hit.body);
      }
    }

    let lastUpstreamStart = account.started;
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
        signal: account.watchClient(reply.raw),
        mode: stream ? 'stream' : 'json',
        trace: account.trace,
        buildCall: async (candidate) => {
          // No image part, nothing for the vision pipeline to do: skip its two async hops.
          const body = options.prepareImages && withImages ? await options.prepareImages(candidate, inputBody) : inputBody;
          const replay = replayContextFor(candidate.rules, ctx.routing.reasoning, replayOwner(caller));
          // Another instance's turns (REDIS_URL): one round trip, only when a turn is missing here.
          const shared = fetchSharedReasoning(body, replay);
          if (shared) await shared;
          const call = prepareChatCall(candidate, body, { requestId: request.id, defaults: ctx.settings.timeouts, replay });
          lastUpstreamStart = performance.now();
          account.reachedVendor = true;
          return call;
        },
      });
    } finally {
      account.unwatchClient();
    }
    const model = result.model;
    account.model = model;
    // Only deployments whose vendor needs reasoning back keep any (rule reasoningReplay: required).
    const replay = replayContextFor(model.rules, ctx.routing.reasoning, replayOwner(caller));
    account.poolKey = result.poolKey;
    account.attempts = result.attempts;
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
      let renamed = json.model !== route.publicName;
      if (renamed) json.model = route.publicName;
      // Reasoning in another field or in think tags reaches the client as reasoning_content (rule reasoningField).
      if (model.rules.reasoningField !== undefined && normalizeChatAnswer(json, model.rules.reasoningField)) renamed = true;
      // Usage in OpenAI's own fields for the client (docs/usage-and-costs.md: what the passthrough adds).
      const usageChanged = normalizeOpenAIAnswerUsage(json);
      account.openaiUsage = (json.usage as OpenAIWireUsage | undefined) ?? null;
      if (replay) captureChatAnswer(json, replay);
      if (account.trace) {
        const choices = json.choices as Array<{ finish_reason?: unknown; message?: { content?: unknown } }> | undefined;
        account.finishReasons = choices?.map((c) => String(c?.finish_reason ?? '')).filter(Boolean) ?? null;
        if (account.openaiUsage && typeof choices?.[0]?.message?.content === 'string') account.completionText = choices[0].message.content;
      }
      if (!account.openaiUsage) {
        const message = (json.choices as Array<{ message?: { content?: unknown } }> | undefined)?.[0]?.message;
        account.completionText = typeof message?.content === 'string' ? message.content : JSON.stringify(message ?? '');
      }
      const body = renamed || usageChanged ? JSON.stringify(json) : result.text!;
      if (reply.raw.destroyed) account.clientDisconnected();
      if (keyForCache && cache) {
        const { 'x-request-id': _id, 'x-gateway-cache': _c, ...cacheable } = headers;
        const entry = { body, headers: cacheable, status: 200 };
        ctx.routing.cache.set(keyForCache, entry, cache.ttlMs);
        ctx.routing.sharedCache?.set(keyForCache, entry, cache.ttlMs);
      }
      headers['x-gateway-overhead-ms'] = (lastUpstreamStart - account.started + (performance.now() - upstreamDone)).toFixed(3);
      return reply.code(200).headers(headers).type('application/json').send(body);
    }

    reply.hijack();
    headers['x-gateway-overhead-ms'] = (lastUpstreamStart - account.started).toFixed(3);
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
        account.status = 500;
        account.errorCode = 'response_header_error';
        endHijackedWithError(reply, request.id, error);
        return reply;
      }
      outcome = await relayStream(result.upstream, reply.raw, {
        requestedModel: route.publicName,
        clientWantsUsage: (inputBody.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
        adapter: result.call.adapter,
        providerName: model.provider,
        drainOnDisconnect: model.providerState.config.drainOnDisconnect,
        disconnectGraceMs: ctx.settings.disconnectGraceMs,
        onClientGone: account.holdForGrace,
        capture: replay ? new StreamReasoningCapture(replay) : null,
        normalize: streamNormalizerFor(model.rules.reasoningField),
      });
    } finally {
      result.release();
    }
    account.openaiUsage = outcome.usage;
    account.completionText = outcome.completionText;
    if (outcome.finishReason) account.finishReasons = [outcome.finishReason];
    account.ttftMs = outcome.firstTokenAt === null ? null : outcome.firstTokenAt - account.started;
    if (account.ttftMs !== null) ctx.routing.stats.recordTtft(result.deploymentId, account.ttftMs);
    if (outcome.error) {
      account.status = outcome.error.status;
      account.errorCode = outcome.error.code;
      // The stream had started, so it is not retried; the deployment still pays for it.
      // Only vendor-side trouble counts: a request-caused error event must not open it for every tenant.
      const failure = streamFailureKind(outcome.error, outcome.vendorErrorText);
      if (failure) ctx.routing.breaker.onFailure(result.deploymentId, failure, Date.now());
    } else if (outcome.clientAborted) account.clientDisconnected();
    return reply;
  } catch (error) {
    account.failed(error, reply.raw);
    throw error;
  } finally {
    // Synchronous unless the tokenizer must estimate (no usage from the vendor).
    const estimating = settleRequest(account);
    if (estimating) await estimating;
  }
};
