import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.js';

// The simulator's Anthropic responder, driven by the official SDK as a real client would.
let sim: Simulator;
const client = (apiKey = 'sk-ant-test') => new Anthropic({ baseURL: `${sim.url}/anthropic`, apiKey, maxRetries: 0 });

beforeAll(async () => {
  sim = await startSimulator({ requireApiKey: 'sk-ant-test' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clear();
  sim.clearRules();
});

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('Anthropic Messages responder', () => {
  it('answers messages.create with text and usage, and records the request with its key', async () => {
    const message = await client().messages.create({ model: 'claude-sim', max_tokens: 64, messages: [{ role: 'user', content: 'Hello there' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Simulated reply from claude-sim.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(sim.received[0]).toMatchObject({ path: '/anthropic/v1/messages', vendor: 'anthropic' });
    const headers = sim.received[0]!.headers;
    // This SDK version sends the key as a Bearer token; older ones as x-api-key: both are accepted.
    expect(headers['x-api-key'] ?? String(headers.authorization).replace(/^Bearer /, '')).toBe('sk-ant-test');
    expect(headers['anthropic-version']).toBeTruthy();
  });

  it('streams the documented event sequence with thinking, its signature and tool use', async () => {
    const stream = client().messages.stream({
      model: 'claude-sim',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Weather?' }],
      // simulator control field (extra body fields pass through the SDK)
      simulator: { toolArguments: '{"city":"Paris"}' },
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(types.at(-1)).toBe('message_stop');
    expect(message.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^sig_sim/) });
    expect(message.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(message.stop_reason).toBe('tool_use');
  });

  it('reports cache reads when the request marks cache breakpoints, and describes images', async () => {
    const message = await client().messages.create({
      model: 'claude-sim',
      max_tokens: 64,
      system: [{ type: 'text', text: 'x'.repeat(400), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } }, { type: 'text', text: 'what?' }] }],
    });
    expect(message.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect((message.content[0] as { text: string }).text).toContain('[image 1: png 1x1');
  });

  it('counts tokens', async () => {
    const counted = await client().messages.countTokens({ model: 'claude-sim', messages: [{ role: 'user', content: 'a'.repeat(40) }] });
    expect(counted.input_tokens).toBe(10);
    expect(sim.received[0]!.path).toBe('/anthropic/v1/messages/count_tokens');
  });

  it('answers errors in Anthropic\'s envelope, including the SDK-visible type', async () => {
    await expect(client('wrong').messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
    sim.addRule({ behavior: { status: 529, errorMessage: 'Overloaded' }, times: 1 });
    await expect(client().messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 529,
      error: { error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    // max_tokens is required, roles must alternate — as the real API insists.
    const response = await fetch(`${sim.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });

  it('applies the same fault injection as the OpenAI responder (disconnect mid-stream)', async () => {
    sim.addRule({ behavior: { disconnectAfterChunks: 3 }, times: 1 });
    const stream = client().messages.stream({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});
