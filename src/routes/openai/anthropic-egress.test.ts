import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

// The official openai package against a deployment configured with `protocol: anthropic`:
// the gateway translates Chat Completions into Messages and back.
let h: Harness;
const rows: UsageRecord[] = [];
const claudeProvider = {
  name: 'Claude',
  vendor: 'anthropic',
  keyEnv: 'CLAUDE_SIM_API_KEY',
  key: 'sk-ant-sim-secret-4242',
  extra: '    protocol: anthropic\n',
  models: { language: ['claude-sim'], vision: ['claude-sim'] },
};
const groups = `
model_groups:
  - name: "mixed"
    deployments:
      - { provider: "Claude", model: "claude-sim" }
    retry: { max_attempts: 1 }
    fallbacks:
      - { on: ["any"], to: ["glm-test"] }
`;
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];
const lastReceived = () => h.sim.received.at(-1)!;
const waitForRows = async (count: number) => {
  for (let i = 0; i < 100 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};

beforeAll(async () => {
  h = await startHarness({
    providers: [...defaultTestProviders(), claudeProvider],
    modelsYamlExtra: groups,
    build: { usage: { record: (row: UsageRecord) => void rows.push(row) } },
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

describe('OpenAI clients → Anthropic-protocol deployment', () => {
  it('chat: a Messages request goes out (system hoisted, max_tokens filled, x-api-key), a chat.completion comes back with cached tokens', async () => {
    h.sim.addRule({ match: { model: 'claude-sim' }, times: 1, behavior: { cachedPromptTokens: 3 } });
    const completion = await h.client().chat.completions.create({
      model: 'claude-sim',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('claude-sim');
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from claude-sim.');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.prompt_tokens_details!.cached_tokens).toBe(3);
    const sent = lastReceived();
    expect(sent.path).toBe('/anthropic/v1/messages');
    expect(sent.headers['x-api-key']).toBe(claudeProvider.key);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toMatchObject({
      model: 'claude-sim',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'again' }] }],
    });
    const [row] = await waitForRows(1);
    // The row splits the prompt: full-price input plus cache reads in their own column, adding up to the client's prompt_tokens.
    const cachedTokens = completion.usage!.prompt_tokens_details?.cached_tokens ?? 0;
    expect(row).toMatchObject({
      model: 'claude-sim',
      provider: 'Claude',
      status: 200,
      promptTokens: completion.usage!.prompt_tokens - cachedTokens,
      cacheReadTokens: cachedTokens,
      completionTokens: completion.usage!.completion_tokens,
      protocol: 'openai-chat',
    });
  });

  it('stream: OpenAI chunks with the text, a finish reason and usage when asked', async () => {
    const stream = await h.client().chat.completions.create({ model: 'claude-sim', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.model).toBe('claude-sim');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Simulated reply from claude-sim.');
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect((lastReceived().body as { stream: boolean }).stream).toBe(true);
  });

  it('tools: a streamed tool_use arrives as complete tool_calls, and the tool result goes back as tool_result', async () => {
    h.sim.addRule({ match: { model: 'claude-sim' }, times: 1, behavior: { toolArguments: '{"city":"Paris"}' } });
    const stream = await h.client().chat.completions.create({ model: 'claude-sim', stream: true, tools, messages: [{ role: 'user', content: 'Weather?' }] });
    const calls: Record<number, { id?: string; name?: string; arguments: string }> = {};
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const entry = (calls[call.index] ??= { arguments: '' });
        if (call.id) entry.id = call.id;
        if (call.function?.name) entry.name = call.function.name;
        entry.arguments += call.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(calls[0]).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const callId = calls[0]!.id!;
    const answer = await h.client().chat.completions.create({
      model: 'claude-sim',
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: calls[0]!.arguments } }] },
        { role: 'tool', tool_call_id: callId, content: 'sunny' },
      ],
    });
    expect(answer.choices[0]!.message.content).toBe('Simulated reply from claude-sim.');
    const sent = lastReceived().body as Record<string, any>;
    expect(sent.tools).toEqual([{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }]);
    expect(sent.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: callId, name: 'get_weather', input: { city: 'Paris' } }] });
    expect(sent.messages[2]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: callId, content: [{ type: 'text', text: 'sunny' }] }] });
  });

  it('images: a data URL becomes a base64 image block', async () => {
    const completion = await h.client().chat.completions.create({
      model: 'claude-sim',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1}` } }] }],
    });
    expect(completion.choices[0]!.message.content).toContain('[image 1: png 1x1');
    const block = (lastReceived().body as Record<string, any>).messages[0].content[1];
    expect(block).toMatchObject({ type: 'image', source: { type: 'base64', media_type: 'image/png' } });
  });

  it('reasoning_effort becomes a thinking budget; thinking comes back as reasoning_content', async () => {
    const completion = await h.client().chat.completions.create({ model: 'claude-sim', reasoning_effort: 'low', messages: [{ role: 'user', content: 'Think' }] });
    expect((lastReceived().body as Record<string, unknown>).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect((completion.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toContain('Simulated thinking');
  });

  it('a vendor error is answered in OpenAI\'s envelope', async () => {
    h.sim.addRule({ match: { model: 'claude-sim' }, times: 1, behavior: { status: 429, errorMessage: 'slow down' } });
    const error = await h.client().chat.completions.create({ model: 'claude-sim', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'slow down', type: 'rate_limit_error' });
  });

  it('cross-protocol fallback: an OpenAI client falls over from the Anthropic deployment to an OpenAI-protocol one', async () => {
    h.sim.addRule({ match: { model: 'claude-sim' }, times: 1, behavior: { status: 500 } });
    const stream = await h.client().chat.completions.create({ model: 'mixed', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Simulated reply from glm-test.');
    expect(h.sim.received.map((r) => r.path)).toEqual(['/anthropic/v1/messages', '/zhipu/v1/chat/completions']);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'glm-test', attempts: 2, status: 200, tokensEstimated: false });
  });

  it('OpenAI-protocol models in the same gateway still take the untouched passthrough', async () => {
    await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], top_k: 3 } as never);
    expect(lastReceived().body).toMatchObject({ model: 'gpt-test', top_k: 3 });
  });
});

describe('OpenAI clients → Anthropic-protocol deployment, failures after the stream began', () => {
  it('a vendor failure mid-stream ends the OpenAI stream with an error event the SDK raises', async () => {
    h.sim.addRule({ match: { model: 'claude-sim' }, times: 1, behavior: { disconnectAfterChunks: 4, tokenDelayMs: 1 } });
    const stream = await h.client().chat.completions.create({ model: 'claude-sim', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toMatch(/closed the stream|ended the stream/);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'claude-sim', status: 502, errorCode: 'upstream_stream_interrupted' });
  });
});
