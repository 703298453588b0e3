import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { GatewayError } from '../core/gateway-error.js';
import type { NeutralRequest } from '../core/neutral-request.js';
import type { Usage } from '../core/token-usage.js';
import type { IngressCodec } from '../protocols/codec.js';
import { fromAnthropicUsage } from '../protocols/anthropic-messages/usage-mapping.js';
import { fromOpenAIUsage } from '../protocols/openai-chat/finish-and-usage.js';
import { egressCodec } from '../protocols/registry.js';
import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { resolveRoute } from '../router/model-groups.js';
import { relayStream } from '../upstream/relay-stream.js';
import { openRoutedCall } from '../upstream/routed-call.js';
import { settleRequest, type RequestAccount } from './accounting.js';
import { relayProtocolStream } from './protocol-stream.js';
import { prepareProtocolCall, type ProtocolCall } from './upstream-call.js';

export interface ProtocolRequest {
  ingress: IngressCodec;
  body: Record<string, unknown>;
  caller: ApiCaller;
  requestId: string;
  clientHeaders: IncomingHttpHeaders;
  /** The raw response, written directly for streams. */
  res: ServerResponse;
  /** Hands the response over from the web framework before a stream is written. */
  hijack: () => void;
  withImages: boolean;
  /** Forces the vision model when no model is named (the vision endpoint). */
  kind?: 'language' | 'vision';
  promptEstimate: number;
  /** The request's output cap; null when it sets none (the budget then reserves the model's maximum). */
  maxOutputTokens: number | null;
  prepareImages?: (model: CatalogModel, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const capabilityCheck = (withImages: boolean) => (model: CatalogModel) => {
  if (withImages && !model.seesImages) {
    throw new GatewayError(`The model \`${model.key}\` cannot see images.`, { status: 400, code: 'model_not_vision_capable', param: 'model' });
  }
  if (model.types.length === 1 && model.types[0] === 'embedding') {
    throw new GatewayError(`The model \`${model.key}\` is an embedding model.`, { status: 400, code: 'model_not_chat_capable', param: 'model' });
  }
};

/** Usage of a passthrough JSON answer, read in the deployment's own protocol. */
const passthroughUsage = (call: ProtocolCall, json: Record<string, unknown>): Usage | null =>
  call.protocol === 'anthropic' ? (json.usage ? fromAnthropicUsage(json.usage) : null) : fromOpenAIUsage(json.usage);

/**
 * One request from a client protocol, through routing, to whatever each deployment
 * speaks: passthrough when it is the client's protocol, translation otherwise. Returns
 * the JSON answer, or null once a stream has been written.
 */
export const runProtocolRequest = async (ctx: GatewayContext, input: ProtocolRequest): Promise<JsonAnswer | null> => {
  const { ingress, body } = input;
  const catalog = ctx.catalog();
  const requested = typeof body.model === 'string' && body.model !== '' ? body.model : undefined;
  const stream = body.stream === true;
  const account: RequestAccount = {
    requestId: input.requestId,
    caller: input.caller,
    requestedModel: requested,
    model: null,
    started: performance.now(),
    status: 200,
    errorCode: null,
    usage: null,
    promptEstimate: input.promptEstimate,
    completionText: '',
    ttftMs: null,
    stream,
    attempts: 0,
    cached: false,
    reachedVendor: false,
    protocol: ingress.protocol,
  };
  let neutral: NeutralRequest | null = null;
  // Resolves a shutdown wait started when the client left before the end.
  let endGrace: (() => void) | null = null;
  const holdShutdownForGrace = () => {
    if (endGrace) return;
    void ctx.pending.track(new Promise<void>((resolve) => (endGrace = resolve)));
  };
  const toNeutral = () => (neutral ??= ingress.parseRequest(body));

  try {
    const route = resolveRoute(catalog, catalog.groups, requested, input.withImages || input.kind === 'vision' ? 'vision' : 'language');
    account.model = route.primary;
    const checkModel = capabilityCheck(input.withImages);
    if (route.group.deployments.length === 1) checkModel(route.primary);
    const limitHeaders = await ctx.admit(input.caller, route.primary, requested, input.promptEstimate, input.maxOutputTokens);

    const controller = new AbortController();
    const graceMs = ctx.settings.disconnectGraceMs;
    let graceTimer: NodeJS.Timeout | null = null;
    const onClientGone = () => {
      if (input.res.writableFinished) return;
      // A non-stream answer on its way is billed by the vendor: give it a moment to arrive.
      if (!stream && account.reachedVendor && graceMs > 0) {
        holdShutdownForGrace();
        graceTimer = setTimeout(() => controller.abort(), graceMs);
        graceTimer.unref();
      } else controller.abort();
    };
    input.res.once('close', onClientGone);
    let result;
    try {
      result = await openRoutedCall({
        upstream: ctx.upstream,
        runtime: ctx.routing,
        catalog,
        groups: catalog.groups,
        route,
        checkModel,
        signal: controller.signal,
        mode: stream ? 'stream' : 'json',
        buildCall: async (candidate) => {
          const call = await prepareProtocolCall(candidate, {
            clientProtocol: ingress.protocol,
            body,
            neutral: toNeutral,
            parse: ingress.parseRequest,
            clientHeaders: input.clientHeaders,
            requestId: input.requestId,
            defaults: ctx.settings.timeouts,
            prepareImages: input.prepareImages,
          });
          account.reachedVendor = true;
          return call;
        },
      });
    } finally {
      input.res.off('close', onClientGone);
      if (graceTimer) clearTimeout(graceTimer);
    }
    const model = result.model;
    const call = result.call as ProtocolCall;
    account.model = model;
    account.providerKeyLabel = result.poolKey?.label ?? null;
    account.attempts = result.attempts;
    account.protocol = `${ingress.protocol}->${call.protocol}`;
    const headers: Record<string, string> = {
      'x-request-id': input.requestId,
      'x-gateway-provider': model.provider,
      'x-gateway-model': model.key,
      'x-gateway-attempts': String(result.attempts),
      'x-gateway-protocol': account.protocol,
      ...(result.fallbacks > 0 ? { 'x-gateway-fallbacks': String(result.fallbacks) } : {}),
      ...limitHeaders,
    };

    if (!stream) {
      const json = result.json!;
      result.release();
      let text: string;
      if (call.plan === 'passthrough') {
        account.usage = passthroughUsage(call, json);
        const renamed = json.model !== route.publicName;
        if (renamed) json.model = route.publicName;
        text = renamed ? JSON.stringify(json) : result.text!;
      } else {
        const decoded = egressCodec(call.protocol).decodeResponse(json);
        account.usage = decoded.usage;
        text = JSON.stringify(ingress.encodeResponse(decoded, { model: route.publicName, estimatedInputTokens: input.promptEstimate }));
      }
      if (!account.usage) account.completionText = text;
      if (input.res.destroyed) {
        account.status = 499;
        account.errorCode = 'client_disconnected';
      }
      return { status: 200, headers, body: text };
    }

    input.hijack();
    input.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    const drainOnDisconnect = model.providerState.config.drainOnDisconnect;
    let outcome: { usage: Usage | null; completionText: string; firstTokenAt: number | null; error: GatewayError | null; clientAborted: boolean };
    try {
      if (call.plan === 'passthrough' && call.protocol === 'openai') {
        // OpenAI client, OpenAI deployment inside a mixed group: the no-parse relay.
        const relayed = await relayStream(result.upstream, input.res, {
          requestedModel: route.publicName,
          clientWantsUsage: (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
          adapter: call.adapter,
          providerName: model.provider,
          drainOnDisconnect,
          disconnectGraceMs: ctx.settings.disconnectGraceMs,
          onClientGone: holdShutdownForGrace,
        });
        outcome = { ...relayed, usage: relayed.usage ? fromOpenAIUsage(relayed.usage) : null };
      } else {
        outcome = await relayProtocolStream(result.upstream, input.res, {
          egress: egressCodec(call.protocol),
          encoder:
            call.plan === 'translate'
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
          onClientGone: holdShutdownForGrace,
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
      ctx.routing.breaker.onFailure(result.deploymentId, outcome.error.code === 'upstream_malformed_response' ? 'malformed-response' : 'server', Date.now());
    } else if (outcome.clientAborted) {
      account.status = 499;
      account.errorCode = 'client_disconnected';
    }
    return null;
  } catch (error) {
    const mapped = error instanceof GatewayError ? error : null;
    account.status = mapped?.status ?? (input.res.destroyed ? 499 : 500);
    account.errorCode = mapped?.code ?? (input.res.destroyed ? 'client_disconnected' : 'internal_error');
    throw error;
  } finally {
    try {
      await settleRequest(ctx, account);
    } finally {
      // Assigned inside a callback, which narrowing cannot see.
      (endGrace as (() => void) | null)?.();
    }
  }
};
