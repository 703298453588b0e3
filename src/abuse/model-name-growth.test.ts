/**
 * Issue 10, item 6 (and the `x-request-id` item): client-chosen names must not create
 * metric series, fill memory maps or store unbounded strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const metricsText = async () => (await fetch(`${h.url}/metrics`)).text();
const series = (text: string) => text.split('\n').filter((line) => line.startsWith('skgw_') && !line.startsWith('skgw_process') && !line.startsWith('skgw_nodejs')).length;

const chat = (model: string, extra: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
  });

describe('client-chosen model names', () => {
  it('400 requests with 100 KB model names: /metrics flat, no new series, memory and database bounded', async () => {
    // Warm up every label set a normal and an unknown-model request create.
    await (await chat('gpt-test')).text();
    await (await chat('no-such-model')).text();
    const sendLongNames = async (batches: number, offset: number) => {
      for (let batch = 0; batch < batches; batch += 1) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const name = `${String(offset + batch * 20 + i).padStart(4, '0')}-${'m'.repeat(100 * 1024)}`;
            const response = await chat(name);
            expect(response.status).toBe(404);
            const body = (await response.json()) as { error: { message: string } };
            // The error names the model, shortened.
            expect(body.error.message.length).toBeLessThan(1000);
          }),
        );
      }
    };
    // 100 first, so the heap has grown to its working size for 100 KB bodies; then the
    // 400 measured ones must leave RSS flat (retained names added ~470 MB).
    await sendLongNames(5, 10_000);
    const before = await metricsText();
    const rssBefore = process.memoryUsage().rss;
    await sendLongNames(20, 0);
    const after = await metricsText();
    const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    await h.gateway.usageWriter.flush();
    const logs = await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 500 });
    const storedChars = logs.data.reduce((sum, row) => sum + row.model.length + row.requestId.length, 0);
    console.info(
      `/metrics ${before.length} → ${after.length} bytes, series ${series(before)} → ${series(after)}, RSS +${rssGrowthMb.toFixed(0)} MB, ` +
        `stored model+request-id characters for ${logs.total} rows: ${storedChars}`,
    );
    expect(series(after)).toBe(series(before));
    expect(after.length).toBeLessThan(before.length + 8 * 1024);
    expect(logs.total).toBe(502);
    expect(Math.max(...logs.data.map((r) => r.model.length))).toBeLessThanOrEqual(200);
    // Before the fix: +469 MB. GC timing makes RSS noisy, so the bound is loose but far below that.
    expect(rssGrowthMb).toBeLessThan(150);
  }, 120_000);
});

describe('client x-request-id', () => {
  it('keeps a safe id, and replaces a long or unsafe one with a generated id', async () => {
    const safe = await chat('gpt-test', { 'x-request-id': 'client-req_42.a:b' });
    expect(safe.headers.get('x-request-id')).toBe('client-req_42.a:b');
    const long = await chat('gpt-test', { 'x-request-id': 'r'.repeat(5000) });
    const longId = long.headers.get('x-request-id')!;
    expect(longId.length).toBeLessThanOrEqual(128);
    const odd = await chat('gpt-test', { 'x-request-id': 'abc<script>%00"' });
    const oddId = odd.headers.get('x-request-id')!;
    expect(oddId).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    await h.gateway.usageWriter.flush();
    const logs = await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 500 });
    expect(logs.data.some((r) => r.requestId === 'client-req_42.a:b')).toBe(true);
    expect(logs.data.every((r) => r.requestId.length <= 128 && /^[A-Za-z0-9._:-]+$/.test(r.requestId))).toBe(true);
  });
});
