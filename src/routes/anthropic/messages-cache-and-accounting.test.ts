import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

/**
 * The Anthropic ingress on the shared pipeline: its answers are cached under the same
 * policy as OpenAI's (the key includes the client protocol), its requests are accounted
 * by the one accounting path (usage rows with the client protocol, cache tokens priced),
 * and a key restricted to some models is held to them here too.
 */
const MASTER = 'sk-master-anthropic-cache';
let h: Harness;
const rows: UsageRecord[] = [];

const claudeProvider = {
  name: 'Claude',
  vendor: 'anthropic',
  keyEnv: 'CLAUDE_CACHE_SIM_API_KEY',
  key: 'sk-ant-sim-secret-cache-1',
  extra: '    protocol: anthropic\n',
  models: { language: ['claude-sim'] },
};

const groups = `
model_groups:
  - name: "mixed-group"
    strategy: "priority"
    deployments:
      - { provider: "Claude", model: "claude-sim", priority: 0 }
      - { provider: "OpenAI", model: "gpt-test", priority: 1 }
    retry: { max_attempts: 1 }
`;

const anthropic = (apiKey = MASTER, headers: Record<string, string> = {}) =>
  new Anthropic({ baseURL: h.url, apiKey, maxRetries: 0, timeout: 15_000, defaultHeaders: headers });
const waitForRows = async (count: number) => {
  for (let i = 0; i < 150 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};

beforeAll(async () => {
  h = await startHarness({
    providers: [...defaultTestProviders(), claudeProvider],
    settings: { masterKey: MASTER },
    modelsYamlExtra: groups,
    build: { usage: { record: (row: UsageRecord) => void rows.push(row) } },
  });
  // One token of plain input costs 1, output 2, a cache read 0.1 (per token, USD).
  await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'Claude/claude-sim' }, (draft) => {
    draft.set('model', 'Claude/claude-sim', { pricing: { input: 1_000_000, output: 2_000_000, cache_read: 100_000, currency: 'USD' } });
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
  rows.length = 0;
});

describe('response cache on /v1/messages', () => {
  it('answers a repeated request from the cache when asked to (x-gateway-cache: on), free and not sent to the vendor', async () => {
    const client = anthropic(MASTER, { 'x-gateway-cache': 'on' });
    const body = { model: 'claude-sim', max_tokens: 50, messages: [{ role: 'user' as const, content: 'Cache me, Anthropic style' }] };
    const first = await client.messages.create(body).withResponse();
    expect(first.response.headers.get('x-gateway-cache')).toBe('miss');
    const second = await client.messages.create(body).withResponse();
    expect(second.response.headers.get('x-gateway-cache')).toBe('hit');
    expect(second.data).toEqual(first.data);
    expect(second.data.type).toBe('message');
    expect(h.sim.received.filter((r) => r.path.endsWith('/messages'))).toHaveLength(1);
    const [missRow, hitRow] = await waitForRows(2);
    expect(missRow!.cached).toBe(false);
    expect(missRow!.cost).toBeGreaterThan(0);
    expect(hitRow!.cached).toBe(true);
    expect(hitRow!.cost).toBe(0);
  });

  it('never serves an Anthropic answer to an OpenAI client (the key includes the client protocol)', async () => {
    const headers = { 'x-gateway-cache': 'on' };
    const messages = [{ role: 'user' as const, content: 'One body, two protocols' }];
    await anthropic(MASTER, headers).messages.create({ model: 'claude-sim', max_tokens: 50, messages });
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0, defaultHeaders: headers });
    const answer = await openai.chat.completions.create({ model: 'claude-sim', max_tokens: 50, messages }).withResponse();
    expect(answer.response.headers.get('x-gateway-cache')).toBe('miss');
    expect(answer.data.object).toBe('chat.completion');
    expect(h.sim.received.filter((r) => r.path.endsWith('/messages'))).toHaveLength(2);
  });

  it('does not cache without the header or a model TTL, nor streams', async () => {
    const body = { model: 'claude-sim', max_tokens: 50, messages: [{ role: 'user' as const, content: 'Not cached' }] };
    const plain = await anthropic().messages.create(body).withResponse();
    expect(plain.response.headers.get('x-gateway-cache')).toBeNull();
    await anthropic().messages.create(body);
    const streamed = await anthropic(MASTER, { 'x-gateway-cache': 'on' }).messages.stream(body).finalMessage();
    expect(streamed.type).toBe('message');
    expect(h.sim.received.filter((r) => r.path.endsWith('/messages'))).toHaveLength(3);
  });
});

describe('accounting of /v1/messages (the shared path)', () => {
  it('an Anthropic client on an Anthropic-protocol model with a cache read: the row has the cache tokens and their price', async () => {
    const message = await anthropic().messages.create({
      model: 'claude-sim',
      max_tokens: 50,
      system: [{ type: 'text', text: 'A long system prompt worth caching. '.repeat(20), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hello with a cached prefix' }],
    });
    const cacheRead = message.usage.cache_read_input_tokens ?? 0;
    expect(cacheRead).toBeGreaterThan(0);
    const [row] = await waitForRows(1);
    expect(row!.model).toBe('claude-sim');
    expect(row!.status).toBe(200);
    expect(row!.tokensEstimated).toBe(false);
    expect(row!.protocol).toBe('anthropic-messages');
    expect(row!.currency).toBe('USD');
    expect(row!.promptTokens).toBe(message.usage.input_tokens);
    expect(row!.cacheReadTokens).toBe(cacheRead);
    expect(row!.cacheWriteTokens).toBe(0);
    expect(row!.completionTokens).toBe(message.usage.output_tokens);
    expect(row!.totalTokens).toBe(message.usage.input_tokens + cacheRead + message.usage.output_tokens);
    expect(row!.cost).toBeCloseTo(message.usage.input_tokens * 1 + cacheRead * 0.1 + message.usage.output_tokens * 2, 6);
  });

  it('an OpenAI client on the same model: the row names its protocol and prices the cache read the same way', async () => {
    // The simulated Anthropic vendor answers as a cache hit on 3 prompt tokens.
    h.sim.addRule({ match: { path: '/messages' }, behavior: { cachedPromptTokens: 3 } });
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    const completion = await openai.chat.completions.create({
      model: 'claude-sim',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'A question with a cached prefix' }],
    });
    const cached = completion.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBe(3);
    const [row] = await waitForRows(1);
    expect(row!.protocol).toBe('openai-chat');
    expect(row!.cacheReadTokens).toBe(3);
    expect(row!.promptTokens).toBe(completion.usage!.prompt_tokens - 3);
    expect(row!.cost).toBeCloseTo(row!.promptTokens * 1 + 3 * 0.1 + row!.completionTokens * 2, 6);
  });

  it('embeddings are rows of their own protocol', async () => {
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    await openai.embeddings.create({ model: 'embed-test', input: 'vector me' });
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ protocol: 'openai-embeddings', model: 'embed-test', completionTokens: 0, tokensEstimated: false });
    expect(row!.promptTokens).toBeGreaterThan(0);
  });

  it('a key restricted to the OpenAI deployment is never sent to the Anthropic one of a mixed group', async () => {
    const { key } = await h.gateway.repositories.apiKeys.createApiKey({ name: 'only-gpt', allowedModels: ['OpenAI/gpt-test'] });
    await h.gateway.keyGuard.reloadKeys();
    const message = await anthropic(key).messages.create({ model: 'mixed-group', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.type).toBe('message');
    expect(h.sim.received.some((r) => r.path.endsWith('/messages'))).toBe(false);
    expect(h.sim.received.some((r) => r.path.endsWith('/chat/completions'))).toBe(true);
  });
});
