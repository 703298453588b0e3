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
  if (body.stream === true) {
    const askForUsage = provider.streamUsage ?? adapter.acceptsStreamUsageOption;
    if (askForUsage) {
      const existing = body.stream_options && typeof body.stream_options === 'object' ? body.stream_options : {};
      upstreamBody.stream_options = { ...(existing as object), include_usage: true };
    }
  }
  // The vendor's rules (parameters, thinking switch, stream_options, tool_choice) last,
  // so they see exactly what would otherwise be sent.
  if (options.path === undefined) {
    applyVendorRules(model.rules, upstreamBody, options.reasoning);
    // Reasoning the vendor requires back (or rejects) in the history: one property read for the others.
    if (model.rules.reasoningReplay !== undefined) replayReasoning(model.rules, upstreamBody, options.replay ?? null);
  }
  return {
    url: joinUrl(provider.baseUrl, options.path ?? '/chat/completions'),
    headers: upstreamHeaders(model, adapter, options.requestId),
    body: JSON.stringify(upstreamBody),
    adapter,
    timeouts: effectiveTimeouts(model, options.defaults),
  };
};
