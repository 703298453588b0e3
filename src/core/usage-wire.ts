/**
 * Usage as the admin API sends it and the console reads it: one definition for both
 * sides (admin-ui imports this file's types). Money is always per currency: amounts
 * priced in different currencies are never added together.
 */

/** ISO 4217 code → amount, e.g. `{ USD: 1.2, CNY: 5 }`; currencies with no cost are left out. */
export type CostByCurrency = Record<string, number>;

/** Where an aggregate was read from: raw request rows, or the hourly roll-ups (long ranges). */
export type UsageSource = 'requests' | 'hourly';

export interface UsageTotals {
  requests: number;
  errors: number;
  /** Input tokens at the full price (cache reads and writes excluded). */
  promptTokens: number;
  /** Output tokens, reasoning included. */
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Part of completionTokens. */
  reasoningTokens: number;
  totalTokens: number;
  costByCurrency: CostByCurrency;
}

export interface UsageSummary extends UsageTotals {
  errorRate: number;
  /** Exact from request rows; estimated from the roll-ups' latency histogram on long ranges. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
  p95TtftMs: number | null;
  source: UsageSource;
  /** The range actually covered (long ranges widen to whole UTC hours). ISO-8601 on the wire. */
  from: string;
  to: string;
}

export type UsageBucket = 'minute' | 'hour' | 'day';

export interface TimeseriesPoint<Time = string> {
  /** Bucket start (UTC). */
  time: Time;
  requests: number;
  errors: number;
  totalTokens: number;
  /** The same split as the summary: input at the full price, cache reads, cache writes, output (reasoning inside). */
  promptTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  costByCurrency: CostByCurrency;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
}

export interface Timeseries {
  bucket: UsageBucket;
  source: UsageSource;
  data: TimeseriesPoint[];
}

export type TopBy = 'model' | 'provider' | 'key';

export interface TopEntry {
  /** Model, provider or key name. */
  name: string;
  /** The key id when grouping by key, else the name. */
  id: string;
  requests: number;
  totalTokens: number;
  costByCurrency: CostByCurrency;
}

/**
 * The client protocols a usage row can name (what the client spoke, not the vendor):
 * the console labels and filters by these.
 */
export const CLIENT_PROTOCOLS = ['openai-chat', 'openai-responses', 'openai-embeddings', 'anthropic-messages', 'gemini'] as const;
export type ClientProtocol = (typeof CLIENT_PROTOCOLS)[number];

export interface LogEntry {
  id: string;
  requestId: string;
  time: string;
  keyId: string | null;
  keyName: string | null;
  /** Who called: a virtual key, the master key, the console playground or nobody (no key). */
  caller: 'key' | 'master' | 'playground' | 'anonymous';
  model: string;
  provider: string;
  status: number;
  /** Input tokens at the full price (cache reads and writes excluded). */
  promptTokens: number;
  /** Output tokens, reasoning included. */
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  tokensEstimated: boolean;
  /** In `currency`. */
  cost: number;
  currency: string;
  /** Client protocol, one of CLIENT_PROTOCOLS (a string: rows written by a newer gateway may name others). */
  protocol: string;
  providerKeyLabel: string | null;
  latencyMs: number;
  ttftMs: number | null;
  stream: boolean;
  errorCode: string | null;
  attempts: number;
  cached: boolean;
}

/** Adds `amount` to `into[currency]` (skipping zeros), returning `into`. */
export const addCost = (into: CostByCurrency, currency: string, amount: number): CostByCurrency => {
  if (amount !== 0 && Number.isFinite(amount)) into[currency] = (into[currency] ?? 0) + amount;
  return into;
};
