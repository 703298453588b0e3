import type { Timeouts } from '../config/types.js';
import { adapterFor } from '../providers/registry.js';
import type { ProviderAdapter } from '../providers/spec/provider-adapter.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { applyVendorRules } from '../providers/rules/apply-rules.js';
import type { ReasoningRequest } from '../providers/rules/rule-types.js';
import { replayReasoning, type ReplayContext } from '../providers/rules/reasoning-replay.js';

export interface PreparedUpstreamCall {
  url: string;
  headers: Record<string, string>;
  body: string;
  adapter: ProviderAdapter;
  timeouts: Timeouts;
  /** The client wants JSON from a stream-only model: the body asks for a stream, the routed call assembles it. */
  assembleStream?: boolean;
}

const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

export const upstreamHeaders = (model: CatalogModel, adapter: ProviderAdapter, requestId: string) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'x-request-id': requestId,
  ...model.providerState.config.headers,
  ...adapter.authHeaders(model.providerState.apiKey),
});

/** Gateway defaults, then the provider's, then the model's own (a slow reasoning model, say). */
export const effectiveTimeouts = (model: CatalogModel, defaults: Timeouts): Timeouts => ({
  ...defaults,
  ...model.providerState.config.timeouts,
  ...model.timeouts,
});

/**
 * The client's body goes upstream untouched, unknown fields included, except `model`
 * (the upstream name), for streams a request for usage so tokens are always known, and
 * what the vendor's rules change (src/providers/rules). Embeddings bodies pass too: the
 * rules name chat parameters only.
 */
export const prepareChatCall = (
  model: CatalogModel,
  body: Record<string, unknown>,
  options: { requestId: string; defaults: Timeouts; path?: string; reasoning?: ReasoningRequest; replay?: ReplayContext | null },
): PreparedUpstreamCall => {
  const provider = model.providerState.config;
  const adapter = adapterFor(provider.vendor);
  const upstreamBody: Record<string, unknown> = { ...body, model: model.upstreamName };
  let assembleStream = false;
  if (body.stream === true) {
    const askForUsage = provider.streamUsage ?? adapter.acceptsStreamUsageOption;
    if (askForUsage) {
      const existing = body.stream_options && typeof body.stream_options === 'object' ? body.stream_options : {};
      upstreamBody.stream_options = { ...(existing as object), include_usage: true };
    }
  } else if (model.rules.streamOnly === true && options.path === undefined) {
    streamInstead(model, adapter, upstreamBody);
    assembleStream = true;
  }
  // The vendor's rules (parameters, thinking switch, stream_options, tool_choice) last,
  // so they see exactly what would otherwise be sent.
  if (options.path === undefined) {
    applyVendorRules(model.rules, upstreamBody, options.reasoning);
    // Reasoning the vendor requires back (or rejects) in the history: one property read for the others.
    if (model.rules.reasoningReplay !== undefined) replayReasoning(model.rules, upstreamBody, options.replay ?? null);
  }
  const call: PreparedUpstreamCall = {
    url: joinUrl(provider.baseUrl, options.path ?? '/chat/completions'),
    headers: upstreamHeaders(model, adapter, options.requestId),
    body: JSON.stringify(upstreamBody),
    adapter,
    timeouts: effectiveTimeouts(model, options.defaults),
  };
  if (assembleStream) call.assembleStream = true;
  return call;
};

/**
 * Turns a non-stream OpenAI-format body for a stream-only model into a stream request
 * (with usage asked for, as for any stream, so the answer is accounted from the vendor's
 * numbers); the call's answer is then assembled from the stream (`assembleStream`).
 */
export const streamInstead = (model: CatalogModel, adapter: ProviderAdapter, body: Record<string, unknown>): void => {
  body.stream = true;
  if (model.providerState.config.streamUsage ?? adapter.acceptsStreamUsageOption) body.stream_options = { include_usage: true };
  else delete body.stream_options;
};
