import { GatewayError } from '../core/gateway-error.js';
import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { resolveModel } from '../router/model-resolver.js';
import { singleModelGroup } from '../router/model-groups.js';
import { prepareChatCall } from '../upstream/chat-request.js';
import { quickTokenEstimate } from '../upstream/estimate-tokens.js';
import { openRoutedCall } from '../upstream/routed-call.js';
import { encodeHeaderValue } from '../server/header-value.js';
import { settleRequest } from './accounting.js';
import type { ReplySink, RequestInfo } from './reply-sink.js';
import { RequestAccount } from './request-account.js';

const inputText = (input: unknown): string =>
  typeof input === 'string' ? input : Array.isArray(input) ? input.filter((x) => typeof x === 'string').join('\n') : '';

/**
 * `POST /v1/embeddings`, passed through to the vendor's `/embeddings` on the same
 * attempt path as chat (breaker, timeouts, error mapping) and accounted by the shared
 * path: the vendor's prompt tokens, or the tokenizer's count of the input when it sent none.
 */
export const runEmbeddings = async (
  ctx: GatewayContext,
  request: RequestInfo,
  reply: ReplySink,
  body: Record<string, unknown>,
  caller: ApiCaller,
): Promise<unknown> => {
  const requested = body.model as string;
  const account = new RequestAccount(ctx, request.id, caller, requested, false, 'openai-embeddings');
  try {
    const catalog = ctx.catalog();
    const model = resolveModel(catalog, requested, 'embedding');
    account.model = model;
    if (!model.types.includes('embedding')) {
      throw new GatewayError(`The model \`${model.key}\` is not an embedding model.`, {
        status: 400,
        code: 'model_not_embedding_capable',
        param: 'model',
      });
    }
    const text = inputText(body.input);
    account.promptText = text;
    account.promptEstimate = quickTokenEstimate(text);
    const limitHeaders = await ctx.admit(caller, model, requested, account.promptEstimate, 0);
    let result;
    try {
      result = await openRoutedCall({
        upstream: ctx.upstream,
        runtime: ctx.routing,
        catalog,
        groups: catalog.groups,
        route: { group: singleModelGroup(model), publicName: requested, primary: model },
        signal: account.watchClient(reply.raw),
        mode: 'json',
        buildCall: async (target) => {
          account.reachedVendor = true;
          // A Gemini-protocol provider's base URL is the host; its embeddings stay on the OpenAI-compatible path.
          const path = target.providerState.config.protocol === 'gemini' ? '/v1beta/openai/embeddings' : '/embeddings';
          return prepareChatCall(target, body, { requestId: request.id, defaults: ctx.settings.timeouts, path });
        },
      });
    } finally {
      account.unwatchClient();
    }
    result.release();
    account.attempts = result.attempts;
    account.poolKey = result.poolKey;
    const json = result.json!;
    const renamed = json.model !== requested;
    if (renamed) json.model = requested;
    const usage = json.usage as { prompt_tokens?: unknown } | undefined;
    // Embeddings have no output; prompt_tokens is the whole charge.
    if (typeof usage?.prompt_tokens === 'number') account.openaiUsage = { prompt_tokens: usage.prompt_tokens, completion_tokens: 0 };
    if (reply.raw.destroyed) account.clientDisconnected();
    return reply
      .headers({ 'x-request-id': request.id, 'x-gateway-provider': encodeHeaderValue(model.provider), 'x-gateway-model': encodeHeaderValue(model.key), ...limitHeaders })
      .type('application/json')
      .send(renamed ? JSON.stringify(json) : result.text!);
  } catch (error) {
    account.failed(error, reply.raw);
    throw error;
  } finally {
    const estimating = settleRequest(account);
    if (estimating) await estimating;
  }
};
