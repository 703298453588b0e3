import type { Pricing } from '../config/types.js';

/** One row per request, whatever happened to it. */
export interface UsageRecord {
  requestId: string;
  time: number;
  keyId: string | null;
  keyName: string | null;
  model: string;
  provider: string;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  tokensEstimated: boolean;
  cost: number;
  latencyMs: number;
  ttftMs: number | null;
  stream: boolean;
  attempts: number;
  cached: boolean;
}

/** Where finished requests go; implementations must not block the caller. */
export interface UsageSink {
  record(record: UsageRecord): void;
}

export const costOf = (pricing: Pricing | null, promptTokens: number, completionTokens: number): number =>
  pricing ? (promptTokens * pricing.input + completionTokens * pricing.output) / 1_000_000 : 0;
