import type { ApiCaller } from '../server/api-auth.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { costOf } from '../observability/usage-record.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { emptyUsage, type Usage } from '../core/token-usage.js';
import { plainUsage, totalTokensOf } from '../core/usage.js';
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
  /** Label of the pool key that served (never the secret), when the provider has a key pool. */
  providerKeyLabel?: string | null;
}

/**
 * Settles limits and writes the usage row, the same rules as the OpenAI chat path
 * (chargeBasis in src/routes/openai/chat-handler.ts):
 * the vendor's usage when it came; otherwise an estimate for a request that reached a
 * vendor and succeeded, was abandoned by its client (499) or broke after output.
 */
/** The usage row's `protocol` is the client's wire format (`anthropic->openai` is stored as `anthropic-messages`). */
const CLIENT_PROTOCOL: Record<string, string> = { openai: 'openai-chat', anthropic: 'anthropic-messages' };
const clientProtocolOf = (protocol: string): string => {
  const client = protocol.split('->')[0] || 'openai';
  return CLIENT_PROTOCOL[client] ?? client;
};

export const settleRequest = async (ctx: GatewayContext, account: RequestAccount): Promise<void> => {
  const latencyMs = performance.now() - account.started;
  const record = (tokens: Usage, estimated: boolean) => {
    // Priced in the model's currency; budgets count only their own currency.
    const cost = account.model && !account.cached ? costOf(account.model.pricing, tokens) : 0;
    const currency = account.model?.pricing?.currency ?? 'USD';
    const totalTokens = totalTokensOf(tokens);
    ctx.settle(account.caller, totalTokens, cost, currency);
    ctx.usage.record({
      requestId: account.requestId,
      time: Date.now(),
      keyId: account.caller.keyId,
      keyName: account.caller.keyName,
      model: account.model?.name ?? (account.requestedModel === undefined ? '(none)' : boundText(account.requestedModel, MAX_NAME_LENGTH)),
      provider: account.model?.provider ?? '(none)',
      status: account.status,
      errorCode: account.errorCode,
      promptTokens: tokens.inputTokens,
      completionTokens: tokens.outputTokens,
      cacheReadTokens: tokens.cacheReadTokens,
      cacheWriteTokens: tokens.cacheWriteTokens,
      reasoningTokens: tokens.reasoningTokens,
      totalTokens,
      tokensEstimated: estimated,
      providerKeyLabel: account.providerKeyLabel ?? null,
      cost,
      currency,
      protocol: clientProtocolOf(account.protocol),
      latencyMs,
      ttftMs: account.ttftMs,
      stream: account.stream,
      attempts: account.attempts,
      cached: account.cached,
    });
  };
  if (account.cached || !account.model) return record(emptyUsage(), false);
  if (account.usage) return record(account.usage, false);
  const billable = account.reachedVendor && (account.status < 400 || account.status === 499 || account.completionText !== '');
  if (!billable) return record(emptyUsage(), false);
  const text = account.completionText;
  await ctx.pending.track((async () => record(plainUsage(account.promptEstimate, await countTokens(text)), true))());
};
