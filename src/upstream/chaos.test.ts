import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestProvider } from '../test-support/gateway-harness.js';

const provider = (name: string, model: string, extra = ''): TestProvider => ({
  name,
  vendor: 'openai',
  keyEnv: `${name.toUpperCase()}_KEY`,
  key: `${name.toLowerCase()}-secret-key-0001`,
  models: { language: [model] },
  extra,
});

const groupsYaml = `
routing:
  failure_threshold: 3
  window_ms: 10000
  cooldown_ms: 600
cache:
  max_bytes: 20000
  default_ttl_seconds: 60
model_groups:
  - name: "chaos"
    strategy: "weighted"
    deployments:
      - { provider: "Flaky", model: "flaky-m" }
      - { provider: "Hang", model: "hang-m" }
      - { provider: "Reset", model: "reset-m" }
      - { provider: "Malformed", model: "malformed-m" }
      - { provider: "Limited", model: "limited-m" }
    retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, budget_ratio: 1, min_retries_per_second: 100 }
    fallbacks:
      - { on: ["any"], to: ["healthy-m"] }
  - name: "split"
    deployments:
      - { provider: "SplitA", model: "split-a", weight: 3 }
      - { provider: "SplitB", model: "split-b", weight: 1 }
  - name: "breakable"
    strategy: "priority"
    deployments:
      - { provider: "Breaker", model: "breaker-m", priority: 0 }
      - { provider: "Healthy", model: "healthy-m", priority: 1 }
    retry: { max_attempts: 2, base_delay_ms: 5, max_delay_ms: 10, budget_ratio: 1, min_retries_per_second: 100 }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    providers: [
      provider('Flaky', 'flaky-m'),
      provider('Hang', 'hang-m', '    timeout_ms: { connect: 1000, first_byte: 300, idle: 1000, total: 5000 }\n'),
      provider('Reset', 'reset-m'),
      provider('Malformed', 'malformed-m'),
      provider('Limited', 'limited-m'),
      provider('Healthy', 'healthy-m'),
      provider('SplitA', 'split-a'),
      provider('SplitB', 'split-b'),
      provider('Breaker', 'breaker-m'),
    ],
    modelsYamlExtra: groupsYaml,
  });
});
afterAll(async () => h.close());

const chat = async (model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
  const response = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'chaos' }], ...extra }),
  });
  return { response, text: await response.text() };
};

describe('chaos: failing deployments behind a healthy fallback', () => {
  it('answers 100% of concurrent requests, retrying and falling back, billing each once', async () => {
    h.sim.clear();
    h.sim.clearRules();
    h.sim.addRule({ match: { model: 'flaky-m' }, probability: 0.3, behavior: { status: 500, errorMessage: 'flaky' } });
    h.sim.addRule({ match: { model: 'hang-m' }, behavior: { hang: true } });
    h.sim.addRule({ match: { model: 'reset-m' }, behavior: { disconnectAfterChunks: 1 } });
    h.sim.addRule({ match: { model: 'malformed-m' }, behavior: { malformedJson: true } });
    h.sim.addRule({ match: { model: 'limited-m' }, behavior: { status: 429, retryAfter: 1, errorMessage: 'slow down' } });
    const n = 100;
    const results = await Promise.all(Array.from({ length: n }, () => chat('chaos')));
    const statuses = results.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(n);
    for (const r of results) expect(JSON.parse(r.text).model).toBe('chaos');
    const attempts = results.map((r) => Number(r.response.headers.get('x-gateway-attempts')));
    const retried = attempts.filter((a) => a > 1).length;
    const fellBack = results.filter((r) => Number(r.response.headers.get('x-gateway-fallbacks') ?? 0) > 0).length;
    const upstreamCalls = h.sim.received.filter((r) => r.path.endsWith('/chat/completions')).length;
    console.info(`chaos figures: sent=${n} succeeded=${statuses.filter((s) => s === 200).length} retried=${retried} fell_back=${fellBack} upstream_attempts=${upstreamCalls} answered_by=${JSON.stringify(countBy(results.map((r) => r.response.headers.get('x-gateway-model') ?? '')))}`);
    expect(retried + fellBack).toBeGreaterThan(0);
    // One usage row per client request, however many attempts it took.
    await h.gateway.usageWriter.flush();
    const ids = new Set(results.map((r) => r.response.headers.get('x-request-id')));
    const logs = await h.gateway.repositories.usage.listLogs({ page: 1, pageSize: 500, model: undefined });
    const rows = logs.data.filter((row) => ids.has(row.requestId));
    expect(rows).toHaveLength(n);
    expect(rows.every((row) => row.status === 200)).toBe(true);
  }, 60_000);

  it('ends a stream that already started with an error event instead of retrying it', async () => {
    h.sim.clear();
    h.sim.clearRules();
    h.sim.addRule({ match: { model: 'reset-m' }, behavior: { disconnectAfterChunks: 3, chunks: 10 } });
    h.gateway.ctx.routing.breaker.reset(); // the previous scenario opened reset-m's breaker
    const { response, text } = await chat('reset-m', { stream: true });
    expect(response.status).toBe(200);
    const events = text.trim().split('\n\n');
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, '')).error.code).toBe('upstream_stream_interrupted');
    expect(h.sim.received.filter((r) => (r.body as { model?: string })?.model === 'reset-m')).toHaveLength(1);
  });

  it('keeps the weighted split within statistical bounds', async () => {
    h.sim.clear();
    h.sim.clearRules();
    const n = 400;
    for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: 50 }, () => chat('split')));
    const a = h.sim.received.filter((r) => (r.body as { model?: string })?.model === 'split-a').length;
    const b = h.sim.received.filter((r) => (r.body as { model?: string })?.model === 'split-b').length;
    expect(a + b).toBe(n);
    // Expected 300 ± 4 standard deviations (8.7).
    expect(a).toBeGreaterThan(265);
    expect(a).toBeLessThan(335);
  });

  it('opens a cooldown after repeated failures, skips the deployment, then probes and recovers', async () => {
    h.sim.clear();
    h.sim.clearRules();
    h.sim.addRule({ match: { model: 'breaker-m' }, behavior: { status: 503, errorMessage: 'down' } });
    for (let i = 0; i < 6; i++) expect((await chat('breakable')).response.status).toBe(200);
    const hitsWhileFailing = h.sim.received.filter((r) => (r.body as { model?: string })?.model === 'breaker-m').length;
    expect(hitsWhileFailing).toBe(3);
    const snapshot = h.gateway.ctx.routing.breaker.snapshot(Date.now()).find((s) => s.id === 'Breaker/breaker-m');
    expect(snapshot?.state).toBe('open');
    for (let i = 0; i < 5; i++) await chat('breakable');
    expect(h.sim.received.filter((r) => (r.body as { model?: string })?.model === 'breaker-m').length).toBe(hitsWhileFailing);
    h.sim.clearRules();
    await new Promise((r) => setTimeout(r, 700));
    const probe = await chat('breakable');
    expect(probe.response.headers.get('x-gateway-model')).toBe('Breaker/breaker-m');
    expect(h.gateway.ctx.routing.breaker.snapshot(Date.now()).find((s) => s.id === 'Breaker/breaker-m')?.state).toBe('closed');
  });
});

describe('response cache', () => {
  it('misses, hits, expires by TTL and never caches errors', async () => {
    h.sim.clear();
    h.sim.clearRules();
    const body = { messages: [{ role: 'user', content: `cache me ${Math.random()}` }] };
    const first = await chat('healthy-m', body, { 'x-gateway-cache': 'on', 'x-gateway-cache-ttl': '1' });
    expect(first.response.headers.get('x-gateway-cache')).toBe('miss');
    const second = await chat('healthy-m', body, { 'x-gateway-cache': 'on', 'x-gateway-cache-ttl': '1' });
    expect(second.response.headers.get('x-gateway-cache')).toBe('hit');
    expect(JSON.parse(second.text)).toEqual(JSON.parse(first.text));
    expect(h.sim.received).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await chat('healthy-m', body, { 'x-gateway-cache': 'on' })).response.headers.get('x-gateway-cache')).toBe('miss');
    const failing = { messages: [{ role: 'user', content: 'fail' }], simulator: { status: 400 } };
    expect((await chat('healthy-m', failing, { 'x-gateway-cache': 'on' })).response.status).toBe(400);
    expect((await chat('healthy-m', failing, { 'x-gateway-cache': 'on' })).response.headers.get('x-gateway-cache')).not.toBe('hit');
  });

  it('scopes entries per key unless shared, and evicts by size', async () => {
    const body = { messages: [{ role: 'user', content: `scoped ${Math.random()}` }] };
    await chat('healthy-m', body, { 'x-gateway-cache': 'shared' });
    expect((await chat('healthy-m', body, { 'x-gateway-cache': 'shared' })).response.headers.get('x-gateway-cache')).toBe('hit');
    const firstKey = { messages: [{ role: 'user', content: 'evict-0' }] };
    await chat('healthy-m', firstKey, { 'x-gateway-cache': 'on' });
    for (let i = 1; i < 60; i++) await chat('healthy-m', { messages: [{ role: 'user', content: `evict-${i}` }] }, { 'x-gateway-cache': 'on' });
    expect(h.gateway.ctx.routing.cache.stats().bytes).toBeLessThanOrEqual(20000);
    expect(h.gateway.ctx.routing.cache.stats().evictions).toBeGreaterThan(0);
    expect((await chat('healthy-m', firstKey, { 'x-gateway-cache': 'on' })).response.headers.get('x-gateway-cache')).toBe('miss');
  });
});

describe('response headers', () => {
  it('keeps an incoming request id and reports provider, model, attempts and overhead', async () => {
    const { response } = await chat('healthy-m', {}, { 'x-request-id': 'my-trace-123' });
    expect(response.headers.get('x-request-id')).toBe('my-trace-123');
    expect(response.headers.get('x-gateway-provider')).toBe('Healthy');
    expect(response.headers.get('x-gateway-model')).toBe('Healthy/healthy-m');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(Number(response.headers.get('x-gateway-overhead-ms'))).toBeGreaterThanOrEqual(0);
  });
});

const countBy = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
