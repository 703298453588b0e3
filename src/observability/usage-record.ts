import type { Pricing } from '../config/types.js';
import type { UsageRecordInput } from '../storage/usage-repository.js';

/**
 * One row per request, whatever happened to it: the storage layer's input shape with
 * every field filled in by the proxy.
 */
export type UsageRecord = Required<Omit<UsageRecordInput, 'id'>>;

/** Where finished requests go; implementations must not block the caller. */
export interface UsageSink {
  record(record: UsageRecord): void;
}

export const costOf = (pricing: Pricing | null, promptTokens: number, completionTokens: number): number =>
  pricing ? (promptTokens * pricing.input + completionTokens * pricing.output) / 1_000_000 : 0;
