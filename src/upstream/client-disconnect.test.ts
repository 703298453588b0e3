import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    providers: [
      { name: 'Cancel', vendor: 'openai', keyEnv: 'CANCEL_KEY', key: 'cancel-secret-1', models: { language: ['cancel-m'] } },
      { name: 'Drain', vendor: 'openai', keyEnv: 'DRAIN_KEY', key: 'drain-secret-1', models: { language: ['drain-m'] }, extra: '    drain_on_disconnect: true\n' },
    ],
    settings: { disconnectGraceMs: 300 },
  });
});
afterAll(async () => h.close());

const abortAfterFirstChunk = async (model: string, simulator: object = { chunks: 12, tokenDelayMs: 40 }) => {
  const controller = new AbortController();
  const response = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'x' }], simulator }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  return response.headers.get('x-request-id')!;
};

describe('client disconnect', () => {
  it('cancels the upstream request by default, after a short grace for the usage chunk', async () => {
    h.sim.clear();
    const waiting = h.sim.waitForDisconnect(3000);
    // 100 chunks 40 ms apart: the answer outlasts the 300 ms grace.
    await abortAfterFirstChunk('cancel-m', { content: 'word '.repeat(200), chunks: 100, tokenDelayMs: 40 });
    await waiting;
    expect(h.sim.disconnects).toBe(1);
  });

  it('drains the stream instead when the provider says so, so usage is still counted', async () => {
    h.sim.clear();
    const requestId = await abortAfterFirstChunk('drain-m');
    // The row is written once the drained stream has ended (~16 events 40 ms apart).
    const find = async () => {
      await h.gateway.usageWriter.flush();
      return (await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 10 })).data.find((r) => r.requestId === requestId);
    };
    await expect.poll(find, { timeout: 5000, interval: 100 }).toBeDefined();
    expect(h.sim.disconnects).toBe(0);
    const row = await find();
    expect(row?.errorCode).toBe('client_disconnected');
    expect(row?.tokensEstimated).toBe(false);
    expect(row?.completionTokens).toBeGreaterThan(0);
  });
});
