import { costOf } from '../observability/usage-record.js';
import { emptyUsage, totalTokensOf, type Usage } from '../core/usage.js';
import { fromOpenAIUsage } from '../protocols/openai-chat/finish-and-usage.js';
import { countTokens, estimatePromptTokens } from '../upstream/estimate-tokens.js';
import { boundText, MAX_NAME_LENGTH } from '../core/bounded-text.js';
import type { RequestAccount } from './request-account.js';

/** How a finished request is charged. */
export type ChargeBasis = 'vendor-usage' | 'estimate' | 'nothing';

/**
 * Every request that reached a vendor is charged: with the vendor's usage when it came,
 * otherwise with an estimate of the prompt plus what was streamed (marked estimated) —
 * a client that hung up (499) or a stream that broke after content is billed by the
 * vendor all the same. Cache hits and requests refused before any vendor call are free.
 */
export const chargeBasis = (cached: boolean, hasUsage: boolean, reachedVendor: boolean, status: number, streamedText: string): ChargeBasis => {
  if (cached) return 'nothing';
  if (hasUsage) return 'vendor-usage';
  if (!reachedVendor) return 'nothing';
  if (status < 400 || status === 499) return 'estimate';
  return streamedText !== '' ? 'estimate' : 'nothing';
};

const record = (account: RequestAccount, usage: Usage, estimated: boolean): void => {
  const { ctx, model } = account;
  const totalTokens = totalTokensOf(usage);
  // A cache hit costs nothing upstream. Priced in the model's currency (cache reads and
  // writes at their own prices); budgets count only their own currency.
  const cost = model && !account.cached ? costOf(model.pricing, usage) : 0;
  const currency = model?.pricing?.currency ?? 'USD';
  ctx.settle(account.caller, totalTokens, cost, currency);
  const poolKey = account.poolKey;
  if (poolKey?.tpmLimit) model?.providerState.pool?.recordTokens(poolKey, totalTokens, Date.now());
  ctx.usage.record({
    requestId: account.requestId,
    time: Date.now(),
    keyId: account.caller.keyId,
    keyName: account.caller.keyName,
    // An unknown name is kept only in a bounded form (rows, metrics, memory).
    model: model?.name ?? (account.requestedModel === undefined ? '(none)' : boundText(account.requestedModel, MAX_NAME_LENGTH) || '(none)'),
    provider: model?.provider ?? '(none)',
    status: account.status,
    errorCode: account.errorCode,
    promptTokens: usage.inputTokens,
    completionTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    reasoningTokens: usage.reasoningTokens,
    totalTokens,
    tokensEstimated: estimated,
    // The pool key's label, never the secret.
    providerKeyLabel: poolKey?.label ?? null,
    cost,
    currency,
    // The client's wire format (openai-chat, openai-embeddings, anthropic-messages).
    protocol: account.protocol,
    latencyMs: performance.now() - account.started,
    ttftMs: account.ttftMs,
    stream: account.stream,
    attempts: account.attempts,
    cached: account.cached,
  });
  // Tracing (issue 16): the request span ends with the tokens the usage row got.
  const known = account.status < 400 || account.usage !== null || account.openaiUsage !== null;
  account.trace?.end({
    status: account.status,
    errorCode: account.errorCode,
    provider: model?.provider ?? null,
    vendor: model?.providerState.config.vendor ?? null,
    responseModel: model?.upstreamName ?? null,
    // GenAI conventions count every input token, cached ones included.
    inputTokens: known ? totalTokens - usage.outputTokens : null,
    outputTokens: known ? usage.outputTokens : null,
    finishReasons: account.finishReasons,
    cached: account.cached,
    attempts: account.attempts,
    completion: account.completionText,
  });
};

const estimatedUsage = async (account: RequestAccount): Promise<Usage> => {
  const usage = emptyUsage();
  // Only a vendor that sent no usage needs the tokenizer (loaded on first use).
  usage.inputTokens =
    account.promptMessages !== undefined
      ? await estimatePromptTokens(account.promptMessages)
      : account.promptText !== null
        ? await countTokens(account.promptText)
        : account.promptEstimate;
  usage.outputTokens = account.completionText === '' ? 0 : await countTokens(account.completionText);
  return usage;
};

const settleWithEstimate = async (account: RequestAccount): Promise<void> => {
  try {
    record(account, await estimatedUsage(account), true);
  } finally {
    account.releaseGrace();
  }
};

/**
 * The one accounting path (chat in every protocol, embeddings, vision): settles limits
 * and budget holds and writes the usage row, exactly once per admitted or refused
 * request. Synchronous unless the vendor sent no usage and the tokenizer must count:
 * then it returns the promise, which shutdown also waits for before flushing rows.
 * Releases the account's shutdown hold (disconnect grace) once the row is written.
 */
export const settleRequest = (account: RequestAccount): Promise<void> | undefined => {
  const hasUsage = account.usage !== null || account.openaiUsage !== null;
  const basis = chargeBasis(account.cached, hasUsage, account.reachedVendor && account.model !== null, account.status, account.completionText);
  if (basis === 'estimate') return account.ctx.pending.track(settleWithEstimate(account));
  try {
    if (basis === 'nothing') record(account, emptyUsage(), false);
    else record(account, account.usage ?? fromOpenAIUsage(account.openaiUsage) ?? emptyUsage(), false);
  } finally {
    account.releaseGrace();
  }
  return undefined;
};
