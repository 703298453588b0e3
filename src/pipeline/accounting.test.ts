import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../observability/usage-record.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { PendingWork } from '../server/pending-work.js';
import type { CatalogModel } from '../router/model-catalog.js';
import { settleRequest } from './accounting.js';
import { RequestAccount } from './request-account.js';

/**
 * The one accounting path, on its own: the request pipeline's routes test it end to end
 * (src/routes/openai, src/routes/anthropic, src/abuse); here what the hot path relies on —
 * no promise, no await when the vendor sent usage — and the row it writes.
 */
const context = () => {
  const rows: UsageRecord[] = [];
  const settled: Array<{ tokens: number; cost: number }> = [];
  const pending = new PendingWork();
  const ctx = {
    pending,
    settings: { disconnectGraceMs: 0 },
    usage: { record: (row: UsageRecord) => void rows.push(row) },
    settle: (_caller: unknown, tokens: number, cost: number) => void settled.push({ tokens, cost }),
  } as unknown as GatewayContext;
  return { ctx, rows, settled, pending };
};

const model = { name: 'gpt-test', provider: 'OpenAI', pricing: { input: 1_000_000, output: 2_000_000, cacheRead: 100_000, currency: 'CNY' }, providerState: { config: { vendor: 'openai' } } } as unknown as CatalogModel;
const caller = { kind: 'master', keyId: null, keyName: 'master' } as const;

describe('settleRequest', () => {
  it('is synchronous when the vendor sent usage (the OpenAI passthrough adds no await)', () => {
    const { ctx, rows, settled } = context();
    const account = new RequestAccount(ctx, 'req-1', caller, 'gpt-test', false, 'openai-chat');
    account.model = model;
    account.reachedVendor = true;
    account.openaiUsage = { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 } };
    expect(settleRequest(account)).toBeUndefined();
    expect(rows).toHaveLength(1);
    // prompt_tokens includes the cached ones: 6 at the input price, 4 at the cache-read price.
    expect(rows[0]).toMatchObject({
      requestId: 'req-1',
      model: 'gpt-test',
      status: 200,
      promptTokens: 6,
      cacheReadTokens: 4,
      completionTokens: 5,
      totalTokens: 15,
      tokensEstimated: false,
      protocol: 'openai-chat',
      currency: 'CNY',
    });
    expect(rows[0]!.cost).toBeCloseTo(6 * 1 + 4 * 0.1 + 5 * 2, 9);
    expect(settled).toEqual([{ tokens: 15, cost: rows[0]!.cost }]);
  });

  it('is synchronous and free for refusals before any vendor call, with the requested name bounded', () => {
    const { ctx, rows } = context();
    const account = new RequestAccount(ctx, 'req-2', caller, 'x'.repeat(5000), false, 'anthropic-messages');
    account.status = 429;
    expect(settleRequest(account)).toBeUndefined();
    expect(rows[0]!.cost).toBe(0);
    expect(rows[0]!.protocol).toBe('anthropic-messages');
    expect(rows[0]!.model.length).toBeLessThan(300);
  });

  it('estimates with the tokenizer when a vendor sent no usage, and shutdown waits for it', async () => {
    const { ctx, rows } = context();
    const account = new RequestAccount(ctx, 'req-3', caller, 'gpt-test', true, 'openai-chat');
    account.model = model;
    account.reachedVendor = true;
    account.status = 499;
    account.promptMessages = [{ role: 'user', content: 'Hello there, how are you today?' }];
    account.completionText = 'Fine, thanks for asking.';
    const estimating = settleRequest(account);
    expect(estimating).toBeInstanceOf(Promise);
    expect(rows).toHaveLength(0);
    await estimating;
    expect(rows[0]).toMatchObject({ status: 499, tokensEstimated: true });
    expect(rows[0]!.promptTokens).toBeGreaterThan(0);
    expect(rows[0]!.completionTokens).toBeGreaterThan(0);
  });
});
