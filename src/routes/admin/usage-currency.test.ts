import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry, Timeseries, TopEntry, UsageSummary } from '../../core/usage-wire.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient } from './admin-test-client.js';

/**
 * Issue 11 bug 3 and issue 13 item 3 end to end: costs priced in CNY and USD are summed
 * per currency by every admin aggregate (never added together), rows carry their currency
 * and reasoning tokens, and a USD budget is not consumed by CNY spend.
 */
const ADMIN_PASSWORD = 'usage-currency-password';
const MASTER_KEY = 'sk-master-for-currency-suite-01';
let h: Harness;
const admin = new AdminTestClient(() => h.url, []);

beforeAll(async () => {
  h = await startHarness({
    providers: [
      ...defaultTestProviders(),
      // The simulator's DeepSeek reasoner reports completion_tokens_details.reasoning_tokens.
      { name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_API_KEY', key: 'sk-deepseek-secret-2468', models: { language: ['deepseek-reasoner'] } },
    ],
    settings: { adminPassword: ADMIN_PASSWORD, masterKey: MASTER_KEY },
    build: { pollIntervalMs: 200 },
  });
  await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'pricing' }, (draft) => {
    // Prices per 1M tokens; high so each call costs a visible amount.
    draft.set('model', 'OpenAI/gpt-test', { pricing: { input: 1000, output: 1000, currency: 'USD' } });
    draft.set('model', 'Moonshot/kimi-test', { pricing: { input: 1000, output: 1000, currency: 'CNY' } });
    draft.set('model', 'DeepSeek/deepseek-reasoner', { pricing: { input: 4, output: 16, cache_read: 1, currency: 'rmb' } });
  });
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());

const settled = async () => {
  await h.gateway.ctx.pending.drain();
  await h.gateway.usageWriter.flush();
};
const chat = (model: string, key = MASTER_KEY) =>
  h.client(key).chat.completions.create({ model, messages: [{ role: 'user', content: 'price me' }], max_tokens: 10 });

describe('usage per currency', () => {
  it('sums costs per currency in the summary, the time series and the top tables, and shows each row’s currency', async () => {
    await chat('gpt-test');
    await chat('gpt-test');
    await chat('kimi-test');
    const reasoned = await chat('deepseek-reasoner');
    await settled();

    const logs = (await admin.get('/admin/api/logs?pageSize=50')).json.data as LogEntry[];
    const usd = logs.filter((r) => r.model === 'gpt-test');
    const cny = logs.filter((r) => r.model === 'kimi-test' || r.model === 'deepseek-reasoner');
    expect(usd.every((r) => r.currency === 'USD' && r.cost > 0)).toBe(true);
    expect(cny.every((r) => r.currency === 'CNY' && r.cost > 0)).toBe(true);
    const usdTotal = usd.reduce((s, r) => s + r.cost, 0);
    const cnyTotal = cny.reduce((s, r) => s + r.cost, 0);

    // Before: one `cost` adding both (USD + CNY); now one amount per currency.
    const summary = (await admin.get('/admin/api/usage/summary')).json as UsageSummary;
    expect(summary).not.toHaveProperty('cost');
    expect(Object.keys(summary.costByCurrency).sort()).toEqual(['CNY', 'USD']);
    expect(summary.costByCurrency.USD).toBeCloseTo(usdTotal, 12);
    expect(summary.costByCurrency.CNY).toBeCloseTo(cnyTotal, 12);
    console.info(`[usage-currency] a single summed cost would have read ${(usdTotal + cnyTotal).toFixed(6)}; per currency: ${JSON.stringify(summary.costByCurrency)}`);

    const series = (await admin.get('/admin/api/usage/timeseries?bucket=hour')).json as Timeseries;
    const seriesUsd = series.data.reduce((s, p) => s + (p.costByCurrency.USD ?? 0), 0);
    expect(seriesUsd).toBeCloseTo(usdTotal, 12);
    expect(series.data.reduce((s, p) => s + (p.costByCurrency.CNY ?? 0), 0)).toBeCloseTo(cnyTotal, 12);
    const providers = (await admin.get('/admin/api/usage/top?by=provider')).json.data as TopEntry[];
    expect(providers.find((p) => p.id === 'OpenAI')!.costByCurrency).toEqual({ USD: expect.closeTo(usdTotal, 12) });
    expect(Object.keys(providers.find((p) => p.id === 'Moonshot')!.costByCurrency)).toEqual(['CNY']);

    // Reasoning tokens land on the row, inside the output tokens, priced once at the output price.
    const row = logs.find((r) => r.model === 'deepseek-reasoner')!;
    expect(row.reasoningTokens).toBe(reasoned.usage!.completion_tokens_details!.reasoning_tokens);
    expect(row.completionTokens).toBe(reasoned.usage!.completion_tokens);
    expect(row.totalTokens).toBe(reasoned.usage!.total_tokens);
    expect(row.cost).toBeCloseTo((row.promptTokens * 4 + row.completionTokens * 16) / 1e6, 12);
    expect(row).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 0, protocol: 'openai-chat' });
  });

  it('never counts CNY spend against a USD budget, and says which currency a budget is in', async () => {
    const created = await admin.post('/admin/api/keys', { name: 'usd-budget', budget: { amount: 0.05, period: 'month' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ budget: { amount: 0.05, period: 'month', currency: 'USD' }, spendCurrency: 'USD' });
    const secret = created.json.key as string;
    await new Promise((resolve) => setTimeout(resolve, 400)); // the key cache follows the change
    // Each kimi call costs ~0.01 CNY: counted 1:1 they would pass the 0.05 budget.
    for (let i = 0; i < 8; i += 1) await chat('kimi-test', secret);
    await settled();
    const keyView = async () => ((await admin.get('/admin/api/keys')).json.data as Array<{ id: string; spend: number }>).find((k) => k.id === created.json.id)!;
    const view = await keyView();
    expect(view.spend).toBe(0);
    // USD spend counts and ends the budget.
    let refused = 0;
    for (let i = 0; i < 10 && refused === 0; i += 1) {
      await chat('gpt-test', secret).catch((error: { status?: number }) => {
        expect(error.status).toBe(429);
        refused += 1;
      });
    }
    expect(refused).toBe(1);
    await settled();
    const after = await keyView();
    expect(after.spend).toBeGreaterThanOrEqual(0.05);
    const cnyBudget = await admin.post('/admin/api/keys', { name: 'cny', budget: { amount: 10, period: 'day', currency: 'rmb' } });
    expect(cnyBudget.json.budget.currency).toBe('CNY');
    const bad = await admin.post('/admin/api/keys', { name: 'bad', budget: { amount: 1, period: 'day', currency: 'dollars' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('budget.currency');
  });
});
