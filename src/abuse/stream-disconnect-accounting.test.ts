/**
 * Issue 10, item 1: a client that hangs up after the last content chunk, before the
 * vendor's usage chunk, must still be charged; so must one that hangs up mid-stream
 * (estimate) or while a non-stream answer is on its way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

let h: Harness;
const master = 'gw-master-stream-disconnect-accounting';

beforeAll(async () => {
  h = await startHarness({ settings: { masterKey: master, disconnectGraceMs: 800 } });
  // One token costs 1: a request's cost is its token count.
  await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'OpenAI/gpt-test' }, (draft) => {
    draft.set('model', 'OpenAI/gpt-test', { pricing: { input: 1_000_000, output: 1_000_000, currency: 'USD' } });
  });
});
afterAll(async () => h?.close());

const rowFor = async (requestId: string) => {
  await h.gateway.ctx.pending.drain();
  await h.gateway.usageWriter.flush();
  const logs = await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 500 });
  return logs.data.find((r) => r.requestId === requestId);
};

/** Streams, reading until `stopWhen` says so, then hangs up; resolves with the request id. */
const streamThenHangUp = async (key: string, simulator: object, stopWhen: (seen: string) => boolean) => {
  const controller = new AbortController();
  const response = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'tell me a story' }], simulator }),
    signal: controller.signal,
  });
  const requestId = response.headers.get('x-request-id')!;
  if (response.status !== 200) return { requestId, status: response.status };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (!stopWhen(seen)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
  }
  controller.abort();
  return { requestId, status: 200, seen };
};

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('a stream closed early is not free', () => {
  it('charges the vendor usage when the client leaves after the last content chunk', async () => {
    const { requestId } = await streamThenHangUp(master, { chunks: 8, tokenDelayMs: 60 }, (seen) => seen.includes('"finish_reason":"stop"'));
    await waitFor(async () => (await rowFor(requestId)) !== undefined);
    const row = await rowFor(requestId);
    expect(row).toMatchObject({ status: 499, errorCode: 'client_disconnected', tokensEstimated: false, completionTokens: 8 });
    expect(row!.promptTokens).toBeGreaterThan(0);
    expect(row!.cost).toBe(row!.promptTokens + row!.completionTokens);
  });

  it('estimates the prompt and what was streamed when the vendor usage does not come in time', async () => {
    // 200 chunks 40 ms apart: far longer than the 800 ms grace after the hang-up.
    const { requestId } = await streamThenHangUp(master, { content: 'word '.repeat(400), chunks: 200, tokenDelayMs: 40 }, (seen) => seen.split('"content":"').length > 4);
    await waitFor(async () => (await rowFor(requestId)) !== undefined);
    const row = await rowFor(requestId);
    expect(row).toMatchObject({ status: 499, tokensEstimated: true });
    expect(row!.promptTokens).toBeGreaterThan(0);
    expect(row!.completionTokens).toBeGreaterThan(0);
    expect(row!.completionTokens).toBeLessThan(200);
    expect(row!.cost).toBeGreaterThan(0);
  });

  it('charges a non-stream answer that arrives after the client hung up', async () => {
    const controller = new AbortController();
    let requestId = '';
    const pending = fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${master}`, 'x-request-id': 'nonstream-hangup-1' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'slow answer please' }], simulator: { tokenDelayMs: 60 } }),
      signal: controller.signal,
    }).catch(() => null);
    requestId = 'nonstream-hangup-1';
    await new Promise((r) => setTimeout(r, 80));
    controller.abort();
    await pending;
    await waitFor(async () => (await rowFor(requestId)) !== undefined);
    const row = await rowFor(requestId);
    expect(row).toMatchObject({ status: 499, tokensEstimated: false });
    expect(row!.completionTokens).toBeGreaterThan(0);
    expect(row!.cost).toBeGreaterThan(0);
  });

  it('stops a key whose budget is 1/30 of one request after its first early-closed stream', async () => {
    const { key } = await h.gateway.repositories.apiKeys.createApiKey({ name: 'tiny-budget', budget: { amount: 0.5, period: 'day' } });
    await h.gateway.keyGuard.reloadKeys();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const { requestId, status } = await streamThenHangUp(key, { chunks: 8, tokenDelayMs: 30 }, (seen) => seen.includes('"finish_reason":"stop"'));
      statuses.push(status);
      if (status === 200) await waitFor(async () => (await rowFor(requestId)) !== undefined);
    }
    const served = statuses.filter((s) => s === 200).length;
    console.info(`early-closed streams served on a 1/30-request budget: ${served} of 10`);
    expect(served).toBe(1);
    expect(statuses.slice(1).every((s) => s === 429)).toBe(true);
  });
});
