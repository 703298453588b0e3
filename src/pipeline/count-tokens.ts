import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayContext } from '../server/gateway-context.js';
import { estimateAnthropicInputTokens } from '../protocols/anthropic-messages/estimate-tokens.js';
import { resolveRoute } from '../router/model-groups.js';
import { prepareCountTokensCall, deploymentProtocol } from './upstream-call.js';

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
    const call = prepareCountTokensCall(model, body, requestId, clientHeaders, ctx.settings.timeouts);
    try {
      const upstream = await ctx.upstream.request(model.provider, {
        url: call.url,
        headers: call.headers,
        body: call.body,
        timeouts: { ...call.timeouts, total: Math.min(call.timeouts.total, 10_000) },
        signal: new AbortController().signal,
      });
      try {
        const text = await upstream.body.text();
        if (upstream.status === 200) {
          const json = JSON.parse(text) as { input_tokens?: unknown };
          if (typeof json.input_tokens === 'number') return { input_tokens: json.input_tokens };
        }
      } finally {
        upstream.done();
      }
    } catch {
      // fall through to the estimate
    }
  }
  return { input_tokens: estimateAnthropicInputTokens(body) };
};
