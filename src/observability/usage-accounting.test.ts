import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'OpenAI/gpt-test' }, (draft) => {
    draft.set('model', 'OpenAI/gpt-test', { pricing: { input: 2, output: 8, currency: 'USD' } });
  });
});
afterAll(async () => h.close());

const rowFor = async (requestId: string) => {
  // The row is written once the answer is complete (estimates may load the tokenizer first).
  await h.gateway.ctx.pending.drain();
  await h.gateway.usageWriter.flush();
  const logs = await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 100 });
  return logs.data.find((row) => row.requestId === requestId);
};

describe('usage accounting', () => {
  it('records a non-stream request with vendor usage and cost from pricing', async () => {
    const { data, response } = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'count me' }] }).withResponse();
    const row = await rowFor(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ model: 'gpt-test', provider: 'OpenAI', status: 200, stream: false, tokensEstimated: false });
    expect(row!.promptTokens).toBe(data.usage!.prompt_tokens);
    expect(row!.completionTokens).toBe(data.usage!.completion_tokens);
    expect(row!.cost).toBeCloseTo((data.usage!.prompt_tokens * 2 + data.usage!.completion_tokens * 8) / 1e6, 10);
    expect(row!.latencyMs).toBeGreaterThan(0);
  });

  it('records a stream with vendor usage even when the client did not ask for it, with time to first token', async () => {
    const { data: stream, response } = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true }).withResponse();
    for await (const _chunk of stream) void _chunk;
    const row = await rowFor(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ stream: true, status: 200, tokensEstimated: false });
    expect(row!.completionTokens).toBeGreaterThan(0);
    expect(row!.ttftMs).not.toBeNull();
  });

  it('estimates tokens with a tokenizer when the vendor sends none, and marks them', async () => {
    const { data: stream, response } = await h.client().chat.completions.create({ model: 'quiet-model', messages: [{ role: 'user', content: 'hello there friend' }], stream: true }).withResponse();
    for await (const _chunk of stream) void _chunk;
    const row = await rowFor(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ tokensEstimated: true, status: 200 });
    expect(row!.promptTokens).toBeGreaterThan(3);
    expect(row!.completionTokens).toBeGreaterThan(2);
  });

  it('records failures with their status and error code', async () => {
    const response = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], simulator: { status: 429, retryAfter: 1 } }),
    });
    expect(response.status).toBe(429);
    const row = await rowFor(response.headers.get('x-request-id') ?? '');
    expect(row ?? (await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 1, status: 429 })).data[0]).toMatchObject({ status: 429, errorCode: 'rate_limit_exceeded' });
  });
});
