import type { Pricing } from '../config/types.js';
import type { NeutralUsage } from '../core/usage.js';
import type { UsageRecordInput } from '../storage/usage-repository.js';

/**
 * One row per request, whatever happened to it: the storage layer's input shape with
 * every field the proxy always knows filled in. The newer fields (currency, cache and
 * reasoning tokens, protocol, provider key label) are optional so callers that do not
 * know them yet still compile; the repository fills in their defaults.
 */
export type UsageRecord = Required<Omit<UsageRecordInput, 'id' | OptionalUsageField>> & Pick<UsageRecordInput, OptionalUsageField>;

type OptionalUsageField =
  | 'currency'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'reasoningTokens'
  | 'protocol'
  | 'providerKeyLabel';

/** Where finished requests go; implementations must not block the caller. */
export interface UsageSink {
  record(record: UsageRecord): void;
}

/**
 * Cost in the model's pricing currency (`pricing.currency`). Each neutral count is
 * priced once: input and output at their prices, cache reads and writes at theirs,
 * falling back to the input price when the model has none (the vendor's list price for
 * uncached input is the safe upper bound); reasoning is part of output already.
 */
export const costOf = (pricing: Pricing | null, usage: NeutralUsage): number =>
  pricing
    ? (usage.inputTokens * pricing.input +
        usage.cacheReadTokens * (pricing.cacheRead ?? pricing.input) +
        usage.cacheWriteTokens * (pricing.cacheWrite ?? pricing.input) +
        usage.outputTokens * pricing.output) /
      1_000_000
    : 0;
