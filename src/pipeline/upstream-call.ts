import type { IncomingHttpHeaders } from 'node:http';
import type { Timeouts } from '../config/types.js';
import type { NeutralRequest } from '../core/neutral-request.js';
import { adapterFor } from '../providers/registry.js';
import type { ProviderAdapter } from '../providers/spec/provider-adapter.js';
import type { ClientProtocolName, ProtocolName } from '../protocols/codec.js';
import { parseAnthropicError } from '../protocols/anthropic-messages/error-envelope.js';
import { geminiModelPath } from '../protocols/gemini/build-request.js';
import { parseGeminiError } from '../protocols/gemini/error-envelope.js';
import { egressCodec } from '../protocols/registry.js';
import { applyVendorRules } from '../providers/rules/apply-rules.js';
import { fetchSharedReasoning, replayReasoning, type ReplayContext } from '../providers/rules/reasoning-replay.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { effectiveTimeouts, prepareChatCall, streamInstead, upstreamHeaders, type PreparedUpstreamCall } from '../upstream/chat-request.js';

/** The API version sent to Anthropic-protocol vendors when the client named none. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
/** A client's anthropic-beta list is forwarded, bounded: it is a client-chosen string. */
const MAX_BETA_HEADER = 512;

/** How one attempt reaches its deployment. */
export type AttemptPlan = 'passthrough' | 'translate';

export interface ProtocolCall extends PreparedUpstreamCall {
  /** What the deployment speaks. */
  protocol: ProtocolName;
  plan: AttemptPlan;
}

export const deploymentProtocol = (model: CatalogModel): ProtocolName => model.providerState.config.protocol ?? 'openai';

const anthropicAdapters = new Map<string, ProviderAdapter>();
/** The vendor's adapter with Anthropic's error format (built once per vendor, not per request). */
const anthropicAdapterFor = (vendor: string): ProviderAdapter => {
  const known = anthropicAdapters.get(vendor);
  if (known) return known;
  const adapter: ProviderAdapter = {
    ...adapterFor(vendor),
    parseError: parseAnthropicError,
    authHeaders: (key): Record<string, string> => (key ? { 'x-api-key': key } : {}),
  };
  anthropicAdapters.set(vendor, adapter);
  return adapter;
};

const geminiAdapters = new Map<string, ProviderAdapter>();
/** The vendor's adapter with Google's error format and key header (the key never goes in the URL, so it cannot reach a log). */
const geminiAdapterFor = (vendor: string): ProviderAdapter => {
  const known = geminiAdapters.get(vendor);
  if (known) return known;
  const adapter: ProviderAdapter = {
    ...adapterFor(vendor),
    parseError: parseGeminiError,
    authHeaders: (key): Record<string, string> => (key ? { 'x-goog-api-key': key } : {}),
  };
  geminiAdapters.set(vendor, adapter);
  return adapter;
};

const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

/** Anthropic's base URL is the host (https://api.anthropic.com); a configured `/v1` suffix is tolerated. */
const anthropicUrl = (base: string, path: string) => joinUrl(base.replace(/\/v1\/?$/, ''), path);

/** Gemini's base URL is the host (https://generativelanguage.googleapis.com); a configured `/v1beta` suffix is tolerated. */
const geminiUrl = (base: string, path: string) => joinUrl(base.replace(/\/v1(beta)?\/?$/, ''), path);

const geminiHeaders = (model: CatalogModel, requestId: string): Record<string, string> => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'x-request-id': requestId,
  ...model.providerState.config.headers,
  ...geminiAdapterFor(model.providerState.config.vendor).authHeaders(model.providerState.apiKey),
});

const headerText = (value: string | string[] | undefined): string | null => {
  const text = Array.isArray(value) ? value.join(',') : value;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
};

/** x-api-key + anthropic-version (the client's, else the default) + the client's anthropic-beta, bounded. */
export const anthropicHeaders = (model: CatalogModel, requestId: string, clientHeaders: IncomingHttpHeaders | null): Record<string, string> => {
  const version = headerText(clientHeaders?.['anthropic-version']);
  const beta = headerText(clientHeaders?.['anthropic-beta']);
  const adapter = anthropicAdapterFor(model.providerState.config.vendor);
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'x-request-id': requestId,
    'anthropic-version': version && /^[\w.-]{1,32}$/.test(version) ? version : DEFAULT_ANTHROPIC_VERSION,
    ...(beta && beta.length <= MAX_BETA_HEADER && /^[\w.,\s-]+$/.test(beta) ? { 'anthropic-beta': beta } : {}),
    ...model.providerState.config.headers,
    ...adapter.authHeaders(model.providerState.apiKey),
  };
};

export interface ProtocolCallOptions {
  clientProtocol: ClientProtocolName;
  /** The client's body as received (passthrough sends it with only `model` changed). */
  body: Record<string, unknown>;
  /** Builds the neutral request on first use: only a translating attempt pays for it. */
  neutral: () => NeutralRequest;
  /** Parses a client-protocol body (one the image pipeline rewrote for this deployment). */
  parse: (body: Record<string, unknown>) => NeutralRequest;
  clientHeaders: IncomingHttpHeaders | null;
  /** Whether the client streams (a Gemini passthrough needs it: the URL says so, not the body). */
  stream?: boolean;
  requestId: string;
  defaults: Timeouts;
  /** The image pipeline for an OpenAI-protocol body about to go to this model. */
  prepareImages?: (model: CatalogModel, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /** The replay context for a deployment whose rules need reasoning sent back (null: none). */
  replay?: (model: CatalogModel) => ReplayContext | null;
}

/**
 * One attempt's upstream call: passthrough when the deployment speaks the client's
 * protocol (the body untouched except `model`), translation through the neutral form
 * otherwise. A model group may mix protocols, so this is decided per attempt.
 */
export const prepareProtocolCall = async (model: CatalogModel, options: ProtocolCallOptions): Promise<ProtocolCall> => {
  const protocol = deploymentProtocol(model);
  const provider = model.providerState.config;
  if (protocol === options.clientProtocol) {
    if (protocol === 'openai') {
      const body = options.prepareImages ? await options.prepareImages(model, options.body) : options.body;
      const replay = options.replay?.(model) ?? null;
      const shared = fetchSharedReasoning(body, replay);
      if (shared) await shared;
      return { ...prepareChatCall(model, body, { requestId: options.requestId, defaults: options.defaults, replay }), protocol, plan: 'passthrough' };
    }
    if (protocol === 'openai-responses') {
      const adapter = adapterFor(provider.vendor);
      return {
        url: joinUrl(provider.baseUrl, '/responses'),
        headers: upstreamHeaders(model, adapter, options.requestId),
        body: JSON.stringify({ ...options.body, model: model.upstreamName }),
        adapter,
        timeouts: effectiveTimeouts(model, options.defaults),
        protocol,
        plan: 'passthrough',
      };
    }
    if (protocol === 'gemini') {
      // Untouched but for the model, which Gemini takes in the path.
      return {
        url: geminiUrl(provider.baseUrl, geminiModelPath(model.upstreamName, options.stream === true)),
        headers: geminiHeaders(model, options.requestId),
        body: JSON.stringify(options.body),
        adapter: geminiAdapterFor(provider.vendor),
        timeouts: effectiveTimeouts(model, options.defaults),
        protocol,
        plan: 'passthrough',
      };
    }
    return {
      url: anthropicUrl(provider.baseUrl, '/v1/messages'),
      headers: anthropicHeaders(model, options.requestId, options.clientHeaders),
      body: JSON.stringify({ ...options.body, model: model.upstreamName }),
      adapter: anthropicAdapterFor(provider.vendor),
      timeouts: effectiveTimeouts(model, options.defaults),
      protocol,
      plan: 'passthrough',
    };
  }
  const adapter = adapterFor(provider.vendor);
  // An OpenAI body's images go through the image pipeline for this deployment first
  // (limits, URL fetching rules), then into the neutral form.
  let neutral: NeutralRequest;
  if (options.clientProtocol === 'openai' && options.prepareImages) {
    const prepared = await options.prepareImages(model, options.body);
    neutral = prepared === options.body ? options.neutral() : options.parse(prepared);
  } else neutral = options.neutral();
  const built = egressCodec(protocol).buildRequest(neutral, {
    upstreamModel: model.upstreamName,
    maxOutputTokens: model.maxOutputTokens,
    // OpenAI-protocol vendors get the thinking setting from their rules (below); the others' codecs map it.
    acceptsReasoningEffort: protocol !== 'openai',
    askForStreamUsage: provider.streamUsage ?? adapter.acceptsStreamUsageOption,
    sendReasoning: protocol === 'openai' && model.rules.reasoningReplay === 'required',
  });
  if (protocol === 'anthropic') {
    return {
      url: anthropicUrl(provider.baseUrl, built.path),
      headers: anthropicHeaders(model, options.requestId, options.clientHeaders),
      body: JSON.stringify(built.body),
      adapter: anthropicAdapterFor(provider.vendor),
      timeouts: effectiveTimeouts(model, options.defaults),
      protocol,
      plan: 'translate',
    };
  }
  if (protocol === 'gemini') {
    return {
      url: geminiUrl(provider.baseUrl, built.path),
      headers: geminiHeaders(model, options.requestId),
      body: JSON.stringify(built.body),
      adapter: geminiAdapterFor(provider.vendor),
      timeouts: effectiveTimeouts(model, options.defaults),
      protocol,
      plan: 'translate',
    };
  }
  // A translated body for an OpenAI-protocol vendor takes the image pipeline like any OpenAI body.
  const body = options.prepareImages && options.clientProtocol !== 'openai' && protocol === 'openai' ? await options.prepareImages(model, built.body) : built.body;
  // A client that wants JSON from a stream-only model: the vendor streams, the routed call assembles.
  const assembleStream = protocol === 'openai' && model.rules.streamOnly === true && body.stream !== true;
  if (assembleStream) streamInstead(model, adapter, body);
  if (protocol === 'openai') {
    applyVendorRules(model.rules, body, neutral.reasoning);
    if (model.rules.reasoningReplay !== undefined) {
      const replay = options.replay?.(model) ?? null;
      const shared = fetchSharedReasoning(body, replay);
      if (shared) await shared;
      replayReasoning(model.rules, body, replay);
    }
  }
  return {
    url: joinUrl(provider.baseUrl, built.path),
    headers: upstreamHeaders(model, adapter, options.requestId),
    body: JSON.stringify(body),
    adapter,
    timeouts: effectiveTimeouts(model, options.defaults),
    protocol,
    plan: 'translate',
    ...(assembleStream ? { assembleStream } : {}),
  };
};

/** count_tokens at an Anthropic-protocol vendor (Anthropic has the endpoint). */
export const prepareCountTokensCall = (model: CatalogModel, body: Record<string, unknown>, requestId: string, clientHeaders: IncomingHttpHeaders | null, defaults: Timeouts): PreparedUpstreamCall => ({
  url: anthropicUrl(model.providerState.config.baseUrl, '/v1/messages/count_tokens'),
  headers: anthropicHeaders(model, requestId, clientHeaders),
  body: JSON.stringify({ ...body, model: model.upstreamName }),
  adapter: anthropicAdapterFor(model.providerState.config.vendor),
  timeouts: effectiveTimeouts(model, defaults),
});

/** countTokens at a Gemini-protocol vendor, the body untouched but for the model in the path. */
export const prepareGeminiCountTokensCall = (model: CatalogModel, body: Record<string, unknown>, requestId: string, defaults: Timeouts): PreparedUpstreamCall => ({
  url: geminiUrl(model.providerState.config.baseUrl, `/v1beta/models/${encodeURIComponent(model.upstreamName)}:countTokens`),
  headers: geminiHeaders(model, requestId),
  body: JSON.stringify(body),
  adapter: geminiAdapterFor(model.providerState.config.vendor),
  timeouts: effectiveTimeouts(model, defaults),
});
