import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    providers: [
      ...defaultTestProviders(),
      { name: 'Slow', vendor: 'openai', keyEnv: 'SLOW_KEY', key: 'slow-secret-0000', models: { language: ['slow-model'] }, extra: '    timeout_ms: { connect: 1000, first_byte: 300, idle: 300, total: 5000 }\n' },
      { name: 'Down', vendor: 'openai', keyEnv: 'DOWN_KEY', key: 'down-secret-0000', models: { language: ['down-model'] }, baseUrl: 'http://127.0.0.1:1/v1' },
    ],
    activeModels: { active_language_model_provider: 'Moonshot', active_language_model: 'kimi-test' },
  });
});
afterAll(async () => h.close());
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('chat completions through the official SDK', () => {
  it('answers non-stream requests with the requested model name and forwards the upstream name and key', async () => {
    const completion = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gpt-test.');
    expect(completion.model).toBe('gpt-test');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    const received = h.sim.received.at(-1)!;
    expect(received.path).toBe('/openai/v1/chat/completions');
    expect(received.headers.authorization).toBe('Bearer sk-test-openai-secret-1234');
  });

  it('streams with correct framing, finish_reason, and no usage chunk unless asked', async () => {
    const stream = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    let finish: string | null = null;
    let usageSeen = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usageSeen = true;
      expect(chunk.model).toBe('gpt-test');
    }
    expect(text).toBe('Simulated reply from gpt-test.');
    expect(finish).toBe('stop');
    expect(usageSeen).toBe(false);
    // The gateway asked the vendor for usage anyway, so it always knows token counts.
    expect((h.sim.received.at(-1)!.body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage).toBe(true);
  });

  it('passes the usage chunk on when the client asks for it', async () => {
    const stream = await h.client().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("normalises Moonshot's usage-in-choices quirk into OpenAI's final usage chunk", async () => {
    const raw = await post('/v1/chat/completions', {
      model: 'kimi-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const text = await raw.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    const usageChunks = chunks.filter((c) => c.usage);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].choices).toEqual([]);
    expect(chunks.some((c) => c.choices?.some((ch: { usage?: unknown }) => ch.usage))).toBe(false);
    // Without stream_options the usage chunk is not passed on.
    const quiet = await (await post('/v1/chat/completions', { model: 'kimi-test', messages: [{ role: 'user', content: 'hi' }], stream: true })).text();
    expect(quiet).not.toContain('"usage"');
  });

  it('forwards tools, response_format and unknown fields untouched', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const completion = await h.client().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
      response_format: { type: 'json_object' },
      // @ts-expect-error vendor-specific field
      enable_search: true,
    });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    const body = h.sim.received.at(-1)!.body as Record<string, unknown>;
    expect(body.tools).toEqual(tools);
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.enable_search).toBe(true);
  });

  it('uses the active language model on the seed path when no model is given', async () => {
    const response = await post('/api/v1/chat/completions', { messages: [{ role: 'user', content: '你好' }] });
    expect(response.status).toBe(200);
    const json = await response.json();
    expect(json.model).toBe('kimi-test');
    expect(h.sim.received.at(-1)!.vendor).toBe('moonshot');
  });

  it('resolves provider-prefixed names, longest prefix, case-insensitive', async () => {
    const a = await h.client().chat.completions.create({ model: 'SiliconFlow/deepseek-ai/DeepSeek-V3', messages: [{ role: 'user', content: 'x' }] });
    expect(a.model).toBe('SiliconFlow/deepseek-ai/DeepSeek-V3');
    expect((h.sim.received.at(-1)!.body as { model: string }).model).toBe('deepseek-ai/DeepSeek-V3');
    await h.client().chat.completions.create({ model: 'siliconflow/Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'x' }] });
    expect((h.sim.received.at(-1)!.body as { model: string }).model).toBe('Qwen/Qwen3-8B');
    await h.client().chat.completions.create({ model: 'zhipuai/shared-name', messages: [{ role: 'user', content: 'x' }] });
    expect(h.sim.received.at(-1)!.vendor).toBe('zhipu');
  });

  it('estimates nothing for the client but still ends the stream properly when a vendor sends no usage', async () => {
    const stream = await h.client().chat.completions.create({
      model: 'quiet-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toContain('quiet-model');
  });

  it('cancels the upstream request when the client aborts mid-stream', async () => {
    const controller = new AbortController();
    const stream = await h.client().chat.completions.create(
      // Longer than the disconnect grace (the gateway reads on for up to 3 s for usage), so
      // the cancel must reach the vendor before the answer would have ended.
      { model: 'gpt-test', messages: [{ role: 'user', content: 'long' }], stream: true, simulator: { chunks: 200, tokenDelayMs: 50 } } as never,
      { signal: controller.signal },
    );
    const disconnected = h.sim.waitForDisconnect(8000);
    let seen = 0;
    try {
      for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
        if (++seen === 3) controller.abort();
      }
    } catch {
      // the SDK may raise an abort error; either way the stream stops here
    }
    expect(seen).toBeLessThan(10);
    await disconnected;
    expect(h.sim.disconnects).toBeGreaterThan(0);
  });
});

describe('errors in the OpenAI envelope', () => {
  const expectEnvelope = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    const json = await response.json();
    expect(json.error.code).toBe(code);
    expect(typeof json.error.message).toBe('string');
    expect(json.error).toHaveProperty('type');
    expect(json.error).toHaveProperty('param');
    expect(JSON.stringify(json)).not.toMatch(/at .*\.(ts|js):\d+/);
    return json;
  };

  it('400 on malformed JSON', async () => {
    await expectEnvelope(await post('/v1/chat/completions', '{"messages": [', {}), 400, 'invalid_json');
  });

  it('400 naming the field on schema errors', async () => {
    const json = await expectEnvelope(await post('/v1/chat/completions', { model: 'gpt-test' }), 400, 'missing_required_parameter');
    expect(json.error.param).toBe('messages');
    const bad = await expectEnvelope(await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ content: 'x' }] }), 400, 'missing_required_parameter');
    expect(bad.error.param).toBe('messages[0].role');
    await expectEnvelope(await post('/v1/chat/completions', { model: 7, messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_type');
  });

  it('404 model_not_found for unknown models, with the SDK raising NotFoundError', async () => {
    await expect(h.client().chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expectEnvelope(await post('/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] }), 404, 'model_not_found');
  });

  it('400 listing candidates for ambiguous names', async () => {
    const json = await expectEnvelope(await post('/v1/chat/completions', { model: 'shared-name', messages: [{ role: 'user', content: 'x' }] }), 400, 'ambiguous_model');
    expect(json.error.message).toContain('Moonshot/shared-name');
    expect(json.error.message).toContain('ZhipuAI/shared-name');
  });

  it('503 naming the variable when the provider has no key', async () => {
    const json = await expectEnvelope(await post('/v1/chat/completions', { model: 'needs-key-model', messages: [{ role: 'user', content: 'x' }] }), 503, 'provider_key_missing');
    expect(json.error.message).toContain('KEYLESS_API_KEY');
  });

  it('passes upstream 429 through with its message and Retry-After', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 429, errorMessage: 'slow down please', retryAfter: 7 } });
    const response = await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    const json = await expectEnvelope(response, 429, 'rate_limit_exceeded');
    expect(json.error.message).toContain('slow down please');
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('passes upstream 400 through and maps upstream 5xx to 502', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 400, errorMessage: 'bad temperature' } });
    const json = await expectEnvelope(await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }), 400, json400Code());
    expect(json.error.message).toContain('bad temperature');
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 503, errorMessage: 'overloaded' } });
    await expectEnvelope(await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }), 502, 'upstream_error');
  });

  it('502 when the upstream is unreachable, 504 on timeout', async () => {
    await expectEnvelope(await post('/v1/chat/completions', { model: 'down-model', messages: [{ role: 'user', content: 'x' }] }), 502, 'upstream_unreachable');
    const json = await expectEnvelope(
      await post('/v1/chat/completions', { model: 'slow-model', messages: [{ role: 'user', content: 'x' }], simulator: { firstTokenDelayMs: 1500 } }),
      504,
      'upstream_timeout',
    );
    expect(json.error.message).toContain('first-byte');
  });

  it('502 on a malformed upstream JSON body', async () => {
    await expectEnvelope(
      await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], simulator: { malformedJson: true } }),
      502,
      'upstream_malformed_response',
    );
  });

  it('ends a stream that fails after it began with an SSE error event', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      simulator: { chunks: 10, disconnectAfterChunks: 3 },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const last = text.trim().split('\n\n').at(-1)!;
    const event = JSON.parse(last.replace(/^data: /, ''));
    expect(event.error.code).toBe('upstream_stream_interrupted');
    expect(text).not.toContain('[DONE]');
    // The SDK surfaces it as an error instead of a silently truncated answer.
    const stream = await h.client().chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      simulator: { chunks: 10, disconnectAfterChunks: 3 },
    } as never);
    await expect((async () => { for await (const _ of stream as unknown as AsyncIterable<unknown>) void _; })()).rejects.toThrow(/closed the stream/);
  });

  it('answers 404 in the envelope for unknown routes', async () => {
    await expectEnvelope(await fetch(`${h.url}/v1/nothing-here`), 404, 'route_not_found');
  });

  it('never leaks provider keys in responses or logs', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 401, errorMessage: 'Incorrect API key provided: sk-test-openai-secret-1234' } });
    const response = await post('/v1/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    const text = await response.text();
    expect(response.status).toBe(502);
    for (const secret of ['sk-test-openai-secret-1234', 'sk-moon-secret-5678', 'zhipu-secret-9012', 'sf-secret-7890']) {
      expect(text).not.toContain(secret);
      expect(h.logLines.join('\n')).not.toContain(secret);
    }
  });
});

const json400Code = () => 'invalid_request';
