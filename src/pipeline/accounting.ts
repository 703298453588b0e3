import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { costOf } from '../observability/usage-record.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { promptTokensOf, type Usage } from '../core/token-usage.js';
import { countTokens } from '../upstream/estimate-tokens.js';
import { boundText, MAX_NAME_LENGTH } from '../core/bounded-text.js';

/** What the protocol pipeline knows about a request when it finishes. */
export interface RequestAccount {
  requestId: string;
  caller: ApiCaller;
  requestedModel: string | undefined;
  model: CatalogModel | null;
  started: number;
  status: number;
  errorCode: string | null;
  usage: Usage | null;
  /** Prompt estimate (used when the vendor sent no usage). */
  promptEstimate: number;
  completionText: string;
  ttftMs: number | null;
  stream: boolean;
  attempts: number;
  cached: boolean;
  /** Set once an upstream request went out: from then on the vendor may bill it. */
  reachedVendor: boolean;
  /**
   * `client->deployment` protocols of the answering attempt (e.g. `anthropic->openai`);
   * for the usage row's protocol column once migration 0004 adds it.
   */
  protocol: string;
}

/**
 * Settles limits and writes the usage row, the same rules as the OpenAI chat path
 * (chargeBasis in src/routes/openai/chat-handler.ts):
 * the vendor's usage when it came; otherwise an estimate for a request that reached a
 * vendor and succeeded, was abandoned by its client (499) or broke after output.
 */
export const settleRequest = async (ctx: GatewayContext, account: RequestAccount): Promise<void> => {
  const latencyMs = performance.now() - account.started;
  const record = (promptTokens: number, completionTokens: number, estimated: boolean) => {
    const cost = account.model && !account.cached ? costOf(account.model.pricing, promptTokens, completionTokens) : 0;
    ctx.settle(account.caller, promptTokens + completionTokens, cost);
    ctx.usage.record({
      requestId: account.requestId,
      time: Date.now(),
      keyId: account.caller.keyId,
      keyName: account.caller.keyName,
      model: account.model?.name ?? (account.requestedModel === undefined ? '(none)' : boundText(account.requestedModel, MAX_NAME_LENGTH)),
      provider: account.model?.provider ?? '(none)',
      status: account.status,
      errorCode: account.errorCode,
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      tokensEstimated: estimated,
      cost,
      latencyMs,
      ttftMs: account.ttftMs,
      stream: account.stream,
      attempts: account.attempts,
      cached: account.cached,
    });
  };
  if (account.cached || !account.model) return record(0, 0, false);
  if (account.usage) return record(promptTokensOf(account.usage), account.usage.outputTokens, false);
  const billable = account.reachedVendor && (account.status < 400 || account.status === 499 || account.completionText !== '');
  if (!billable) return record(0, 0, false);
  const text = account.completionText;
  await ctx.pending.track((async () => record(account.promptEstimate, await countTokens(text), true))());
};
