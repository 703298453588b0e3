import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './metrics.js';
import type { UsageRecord } from './usage-record.js';

// Counters are added up per request and handed to prom-client when scraped: every scrape
// must still show every request recorded before it, and nothing twice.
const known = { knownModel: (provider: string, model: string) => provider === 'P' && model === 'm', knownProvider: (provider: string) => provider === 'P' };

const record = (overrides: Partial<UsageRecord> = {}): UsageRecord =>
  ({
    requestId: 'r',
    time: 0,
    keyId: null,
    keyName: null,
    model: 'm',
    provider: 'P',
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 5,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    totalTokens: 15,
    tokensEstimated: false,
    cost: 0.25,
    currency: 'USD',
    protocol: 'openai-chat',
    providerKeyLabel: null,
    latencyMs: 120,
    ttftMs: null,
    stream: false,
    attempts: 1,
    cached: false,
    ...overrides,
  }) as UsageRecord;

const sample = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);

describe('gateway metrics', () => {
  it('shows every recorded request in the next scrape, once, with its tokens and cost', async () => {
    const metrics = new GatewayMetrics(known);
    metrics.observe(record());
    metrics.observe(record());
    metrics.observe(record({ model: 'client-typed-name', promptTokens: 1, completionTokens: 0, cost: 0 }));
    let text = await metrics.registry.metrics();
    expect(sample(text, /skgw_requests_total\{model="m",provider="P",status="200",stream="false"\} (\d+)/)).toBe(2);
    expect(sample(text, /skgw_requests_total\{model="unknown",provider="P",status="200",stream="false"\} (\d+)/)).toBe(1);
    expect(sample(text, /skgw_tokens_total\{model="m",provider="P",kind="prompt"\} (\d+)/)).toBe(20);
    expect(sample(text, /skgw_tokens_total\{model="m",provider="P",kind="completion"\} (\d+)/)).toBe(10);
    expect(sample(text, /skgw_cost_total\{model="m",provider="P"\} ([\d.]+)/)).toBe(0.5);
    expect(sample(text, /skgw_request_duration_seconds_count\{provider="P"\} (\d+)/)).toBe(3);
    // A second scrape with nothing new shows the same totals (the pending sums were reset).
    text = await metrics.registry.metrics();
    expect(sample(text, /skgw_requests_total\{model="m",provider="P",status="200",stream="false"\} (\d+)/)).toBe(2);
    metrics.observe(record());
    text = await metrics.registry.metrics();
    expect(sample(text, /skgw_requests_total\{model="m",provider="P",status="200",stream="false"\} (\d+)/)).toBe(3);
    expect(sample(text, /skgw_tokens_total\{model="m",provider="P",kind="prompt"\} (\d+)/)).toBe(30);
  });

  it('hands pending counts over early when many label sets are waiting for a scrape', async () => {
    const metrics = new GatewayMetrics(known);
    for (let status = 100; status < 1200; status += 1) metrics.observe(record({ status }));
    // The early flush happened without any scrape: prom-client already holds the first 1,000
    // label sets (its series map fills on the first inc), the rest waits for the scrape.
    const counter = metrics.registry.getSingleMetric('skgw_requests_total')!;
    expect(Object.keys((counter as unknown as { hashMap: Record<string, unknown> }).hashMap)).toHaveLength(1000);
    expect((await counter.get()).values).toHaveLength(1100);
  });
});
