import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayContext } from '../server/gateway-context.js';
import { estimateAnthropicInputTokens } from '../protocols/anthropic-messages/estimate-tokens.js';
import { resolveRoute } from '../router/model-groups.js';
import type { PreparedUpstreamCall } from '../upstream/chat-request.js';
import { prepareCountTokensCall, deploymentProtocol } from './upstream-call.js';

/**
 * Asks a vendor's own count endpoint (10 s at most) and reads one number field of its
 * answer; null on any failure, so the caller falls back to its estimate.
 */
export const vendorCount = async (ctx: GatewayContext, provider: string, call: PreparedUpstreamCall, field: string): Promise<number | null> => {
  try {
    const upstream = await ctx.upstream.request(provider, {
      url: call.url,
      headers: call.headers,
      body: call.body,
      timeouts: { ...call.timeouts, total: Math.min(call.timeouts.total, 10_000) },
      signal: new AbortController().signal,
    });
    try {
      const text = await upstream.body.text();
      if (upstream.status !== 200) return null;
      const value = (JSON.parse(text) as Record<string, unknown>)[field];
      return typeof value === 'number' ? value : null;
    } finally {
      upstream.done();
    }
  } catch {
    return null;
  }
};

/**
 * `count_tokens`: Claude Code calls it dozens of times at start-up, so it is answered
 * locally from a fast estimate, never billed and never rate-limited as a request — except
 * for a deployment speaking Anthropic's protocol, which has the exact count endpoint (its
 * failure falls back to the estimate: counting must not break a client's start-up).
 */
export const countTokensRequest = async (
  ctx: GatewayContext,
  body: Record<string, unknown>,
  requestId: string,
  clientHeaders: IncomingHttpHeaders,
): Promise<{ input_tokens: number }> => {
  const catalog = ctx.catalog();
  // An unknown model is the same clear 404 as for /v1/messages.
  const route = resolveRoute(catalog, catalog.groups, body.model as string, 'language');
  const model = route.primary;
  if (deploymentProtocol(model) === 'anthropic' && model.status === 'usable') {
    const counted = await vendorCount(ctx, model.provider, prepareCountTokensCall(model, body, requestId, clientHeaders, ctx.settings.timeouts), 'input_tokens');
    if (counted !== null) return { input_tokens: counted };
  }
  return { input_tokens: estimateAnthropicInputTokens(body) };
};
