import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    providers: [
      { name: 'Cancel', vendor: 'openai', keyEnv: 'CANCEL_KEY', key: 'cancel-secret-1', models: { language: ['cancel-m'] } },
      { name: 'Drain', vendor: 'openai', keyEnv: 'DRAIN_KEY', key: 'drain-secret-1', models: { language: ['drain-m'] }, extra: '    drain_on_disconnect: true\n' },
    ],
  });
});
afterAll(async () => h.close());

const abortAfterFirstChunk = async (model: string) => {
  const controller = new AbortController();
  const response = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'x' }], simulator: { chunks: 12, tokenDelayMs: 40 } }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  return response.headers.get('x-request-id')!;
};

describe('client disconnect', () => {
  it('cancels the upstream request by default', async () => {
    h.sim.clear();
    const waiting = h.sim.waitForDisconnect(3000);
    await abortAfterFirstChunk('cancel-m');
    await waiting;
    expect(h.sim.disconnects).toBe(1);
  });

  it('drains the stream instead when the provider says so, so usage is still counted', async () => {
    h.sim.clear();
    const requestId = await abortAfterFirstChunk('drain-m');
    await new Promise((r) => setTimeout(r, 900));
    expect(h.sim.disconnects).toBe(0);
    await h.gateway.usageWriter.flush();
    const row = (await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 10 })).data.find((r) => r.requestId === requestId);
    expect(row?.errorCode).toBe('client_disconnected');
    expect(row?.tokensEstimated).toBe(false);
    expect(row?.completionTokens).toBeGreaterThan(0);
  });
});
