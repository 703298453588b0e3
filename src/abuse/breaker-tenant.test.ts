import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestProvider } from '../test-support/gateway-harness.js';

/**
 * Issue 10 (lower severity): circuit breakers are per deployment, shared by every tenant.
 * One tenant's crafted requests must not open (or hold) a deployment's breaker for all:
 * only vendor-side failures count (5xx, timeouts, connection errors, malformed answers),
 * never answers the request itself caused (400/404/413/422, "request too large" 429s)
 * or the gateway's own validation.
 */

const provider = (name: string, model: string, vision = false): TestProvider => ({
  name,
  vendor: 'openai',
  keyEnv: `${name.toUpperCase()}_API_KEY`,
  key: `${name.toLowerCase()}-secret-key-0001`,
  models: vision ? { language: [model], vision: [model] } : { language: [model] },
});

let h: Harness;
let tenantA = '';
let tenantB = '';

beforeAll(async () => {
  h = await startHarness({
    // No disconnect grace: a client that leaves aborts the vendor call at once (the case under test).
    settings: { masterKey: 'gw-master-breaker-tenant', disconnectGraceMs: 0 },
    providers: [provider('Shared', 'shared-m'), provider('Sized', 'sized-m'), provider('Probe', 'probe-m', true), provider('Leave', 'leave-m'), provider('Filter', 'filter-m'), provider('Flaky', 'flaky-m')],
    modelsYamlExtra: 'routing:\n  failure_threshold: 3\n  window_ms: 30000\n  cooldown_ms: 400\n',
  });
  const keys = h.gateway.repositories.apiKeys;
  tenantA = (await keys.createApiKey({ name: 'tenant-a' })).key;
  tenantB = (await keys.createApiKey({ name: 'tenant-b' })).key;
  await h.gateway.keyGuard.reloadKeys();
});
afterAll(async () => h.close());
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
});

const chat = async (key: string, model: string, content: unknown = 'hello') => {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? null };
};

const circuit = (id: string) => h.gateway.ctx.routing.breaker.state(id, Date.now());

describe("one tenant's bad requests and another tenant's service (issue 10)", () => {
  it('vendor 4xx answers to bad bodies never open the breaker', async () => {
    for (const status of [400, 404, 413, 422, 400, 422]) {
      h.sim.addRule({ match: { model: 'shared-m' }, times: 1, behavior: { status, errorMessage: `invalid request body (${status})` } });
      const { status: got } = await chat(tenantA, 'shared-m');
      expect(got).toBeGreaterThanOrEqual(400);
      expect(got).toBeLessThan(500);
    }
    expect(circuit('Shared/shared-m')).toBe('closed');
    expect((await chat(tenantB, 'shared-m')).status).toBe(200);
  });

  it('a "request too large" 429 that a tenant provokes does not open the breaker for others', async () => {
    let opened = 0;
    for (let i = 0; i < 6; i += 1) {
      h.sim.addRule({
        match: { model: 'sized-m' },
        times: 1,
        behavior: { status: 429, errorMessage: 'Request too large for sized-m on tokens per min (TPM): Limit 1000, Requested 90000.' },
      });
      await chat(tenantA, 'sized-m', 'x'.repeat(5000));
      if (circuit('Sized/sized-m') !== 'closed') opened += 1;
    }
    const other = await chat(tenantB, 'sized-m');
    console.log(`breaker: after 6 crafted 429s the circuit was ${circuit('Sized/sized-m')}; tenant B got ${other.status}`);
    expect(opened).toBe(0);
    expect(other.status).toBe(200);
  });

  it("a request refused by the gateway's own checks does not hold a half-open probe", async () => {
    // Three real vendor failures open the circuit; after the cooldown one probe is due.
    for (let i = 0; i < 3; i += 1) {
      h.sim.addRule({ match: { model: 'probe-m' }, times: 1, behavior: { status: 503, errorMessage: 'overloaded' } });
      await chat(tenantA, 'probe-m');
    }
    expect(circuit('Probe/probe-m')).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Tenant A's broken image fails in the gateway (never reaches the vendor)...
    const bad = await chat(tenantA, 'probe-m', [
      { type: 'text', text: 'what is this' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ]);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(h.sim.received).toHaveLength(3);
    // ...and tenant B's request is the probe that closes the circuit, not a 503.
    const other = await chat(tenantB, 'probe-m');
    expect(other).toEqual({ status: 200, code: null });
    expect(circuit('Probe/probe-m')).toBe('closed');
  });

  it('a tenant that hangs up on the half-open probe does not hold it', async () => {
    for (let i = 0; i < 3; i += 1) {
      h.sim.addRule({ match: { model: 'leave-m' }, times: 1, behavior: { status: 500, errorMessage: 'boom' } });
      await chat(tenantA, 'leave-m');
    }
    expect(circuit('Leave/leave-m')).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Tenant A's request becomes the probe, the vendor is slow, and A leaves.
    h.sim.addRule({ match: { model: 'leave-m' }, times: 1, behavior: { firstTokenDelayMs: 2_000 } });
    const controller = new AbortController();
    const leaving = fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenantA}` },
      body: JSON.stringify({ model: 'leave-m', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    }).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await leaving;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = await chat(tenantB, 'leave-m');
    expect(other).toEqual({ status: 200, code: null });
  });

  it('error events a request provokes mid-stream do not open the breaker; vendor failures mid-stream still do', async () => {
    const stream = async (key: string, model: string) => {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hello' }] }),
      });
      return { status: res.status, text: await res.text() };
    };
    // A content filter striking mid-answer, as DeepSeek, Qwen and Zhipu send it.
    for (let i = 0; i < 5; i += 1) {
      h.sim.addRule({
        match: { model: 'filter-m' },
        times: 1,
        behavior: {
          streamErrorAfterChunks: 2,
          errorBody: JSON.stringify({ error: { message: 'Content Exists Risk', type: 'invalid_request_error', code: 'content_filter' } }),
        },
      });
      const { text } = await stream(tenantA, 'filter-m');
      expect(text).toContain('Content Exists Risk');
    }
    expect(circuit('Filter/filter-m')).toBe('closed');
    expect((await chat(tenantB, 'filter-m')).status).toBe(200);

    // The vendor overloading mid-answer is its own trouble: it counts.
    for (let i = 0; i < 3; i += 1) {
      h.sim.addRule({ match: { model: 'flaky-m' }, times: 1, behavior: { streamErrorAfterChunks: 2, errorMessage: 'The server is overloaded' } });
      await stream(tenantA, 'flaky-m');
    }
    expect(circuit('Flaky/flaky-m')).toBe('open');
  });
});
