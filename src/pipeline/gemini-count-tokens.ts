import type { GatewayContext } from '../server/gateway-context.js';
import { estimateGeminiInputTokens } from '../protocols/gemini/parse-request.js';
import { isObject } from '../protocols/request-checks.js';
import { resolveRoute } from '../router/model-groups.js';
import { vendorCount } from './count-tokens.js';
import { deploymentProtocol, prepareGeminiCountTokensCall } from './upstream-call.js';

/**
 * `:countTokens`: the vendor's exact count for a Gemini-protocol deployment, else (or when
 * that fails) a local estimate. Never billed: the Gemini CLI counts before every turn.
 */
export const geminiCountTokens = async (ctx: GatewayContext, modelName: string, body: Record<string, unknown>, requestId: string): Promise<{ totalTokens: number }> => {
  const catalog = ctx.catalog();
  const route = resolveRoute(catalog, catalog.groups, modelName, 'language');
  const model = route.primary;
  const inner = isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  if (deploymentProtocol(model) === 'gemini' && model.status === 'usable') {
    // A whole generateContentRequest names its model; it must be the vendor's.
    const forwarded = isObject(body.generateContentRequest) ? { ...body, generateContentRequest: { ...body.generateContentRequest, model: `models/${model.upstreamName}` } } : body;
    const counted = await vendorCount(ctx, model.provider, prepareGeminiCountTokensCall(model, forwarded, requestId, ctx.settings.timeouts), 'totalTokens');
    if (counted !== null) return { totalTokens: counted };
  }
  return { totalTokens: estimateGeminiInputTokens(inner).tokens };
};
