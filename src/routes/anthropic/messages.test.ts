import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

// The official Anthropic SDK against the whole gateway, with the simulator as every vendor.
const MASTER = 'sk-master-anthropic-tests';
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
  - name: "claude-fallback"
    deployments:
      - { provider: "Claude", model: "claude-sim" }
    retry: { max_attempts: 1 }
    fallbacks:
      - { on: ["any"], to: ["gpt-test"] }
  - name: "gpt-fallback"
    deployments:
      - { provider: "Claude", model: "claude-sim" }
    retry: { max_attempts: 1 }
    fallbacks:
      - { on: ["any"], to: ["glm-test"] }
  - name: "claude-sonnet-4-5-20250929"
    deployments:
      - { provider: "ZhipuAI", model: "glm-test" }
  - name: "claude-sonnet-4-5[1m]"
    deployments:
      - { provider: "ZhipuAI", model: "glm-test" }
`;

const client = (apiKey = MASTER) => new Anthropic({ baseURL: h.url, apiKey, maxRetries: 0, timeout: 15_000 });
const lastReceived = () => h.sim.received.at(-1)!;
const waitForRows = async (count: number) => {
  for (let i = 0; i < 100 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};

beforeAll(async () => {
  h = await startHarness({
    providers: [...defaultTestProviders(), claudeProvider],
    settings: { masterKey: MASTER },
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

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('/v1/messages to an OpenAI-protocol model (translated)', () => {
  it('messages.create: text, usage, the OpenAI body the vendor got, a usage row', async () => {
    const message = await client().messages.create({
      model: 'gpt-test',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(message.type).toBe('message');
    expect(message.model).toBe('gpt-test');
    expect(message.content).toEqual([{ type: 'text', text: 'Simulated reply from gpt-test.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const sent = lastReceived();
    expect(sent.path).toBe('/openai/v1/chat/completions');
    expect(sent.body).toMatchObject({ model: 'gpt-test', max_tokens: 100, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }] });
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'gpt-test', status: 200, promptTokens: message.usage.input_tokens, completionTokens: message.usage.output_tokens, tokensEstimated: false });
  });

  it('messages.stream: the SDK assembles the text and the final usage', async () => {
    const stream = client().messages.stream({ model: 'kimi-test', max_tokens: 100, messages: [{ role: 'user', content: 'Stream please' }] });
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text).toBe('Simulated reply from kimi-test.');
    expect(final.content).toEqual([{ type: 'text', text }]);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(events[0]).toBe('message_start');
    expect(events.at(-1)).toBe('message_stop');
    // Moonshot puts usage in the finishing choice; the row has it.
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'kimi-test', stream: true, tokensEstimated: false, completionTokens: final.usage.output_tokens });
  });

  it('replays a Claude Code tool loop against a GLM-like model: tool calls arrive complete, then the answer', async () => {
    const tools = [
      {
        name: 'Bash',
        description: 'Executes a given bash command',
        input_schema: { type: 'object' as const, properties: { command: { type: 'string' }, timeout: { type: 'number' } }, required: ['command'], additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#' },
      },
      { name: 'Read', description: 'Reads a file', input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } }, required: ['file_path'] }, cache_control: { type: 'ephemeral' as const } },
    ];
    const system = [
      { type: 'text' as const, text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: 'text' as const, text: 'You are an interactive CLI tool that helps users with software engineering tasks.', cache_control: { type: 'ephemeral' as const } },
    ];
    h.sim.addRule({ match: { model: 'glm-test' }, times: 1, behavior: { toolArguments: '{"command":"ls -la","timeout":5000}' } });
    const first = client().messages.stream(
      {
        model: 'glm-test',
        max_tokens: 32000,
        system,
        tools,
        metadata: { user_id: 'user_0123abcd_account__session_42' },
        messages: [{ role: 'user', content: [{ type: 'text', text: '<system-reminder>context</system-reminder>' }, { type: 'text', text: 'list the files', cache_control: { type: 'ephemeral' } }] }],
      },
      { headers: { 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14' } },
    );
    const toolTurn = await first.finalMessage();
    expect(toolTurn.stop_reason).toBe('tool_use');
    const call = toolTurn.content.find((block) => block.type === 'tool_use')!;
    expect(call).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls -la', timeout: 5000 } });
    const sent = lastReceived().body as Record<string, any>;
    expect(sent.user).toBe('user_0123abcd_account__session_42');
    expect(sent.tools.map((tool: any) => tool.function.name)).toEqual(['Bash', 'Read']);
    expect(sent.tools[0].function.parameters.required).toEqual(['command']);
    expect(sent.messages[0]).toEqual({ role: 'system', content: `${system[0]!.text}\n\n${system[1]!.text}` });
    expect(lastReceived().headers['anthropic-beta']).toBeUndefined();

    const answer = await client().messages.create({
      model: 'glm-test',
      max_tokens: 32000,
      system,
      tools,
      messages: [
        { role: 'user', content: 'list the files' },
        { role: 'assistant', content: toolTurn.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'a.txt\nb.txt' }] },
      ],
    });
    expect(answer.stop_reason).toBe('end_turn');
    expect(answer.content[0]).toMatchObject({ type: 'text', text: 'Simulated reply from glm-test.' });
    const replayed = (lastReceived().body as Record<string, any>).messages;
    expect(replayed.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: call.id, function: { name: 'Bash', arguments: '{"command":"ls -la","timeout":5000}' } }] });
    expect(replayed.at(-1)).toEqual({ role: 'tool', tool_call_id: call.id, content: 'a.txt\nb.txt' });
  });

  it('images go through the image pipeline as image_url parts', async () => {
    const message = await client().messages.create({
      model: 'vision-test',
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } }, { type: 'text', text: 'What is this?' }] }],
    });
    expect((message.content[0] as { text: string }).text).toContain('[image 1: png 1x1');
    expect(lastReceived().images).toHaveLength(1);
  });
});

describe('/v1/messages to an Anthropic-protocol model (passthrough)', () => {
  it('sends the body untouched except model, with x-api-key and the client\'s anthropic headers', async () => {
    const params = {
      model: 'claude-sim',
      max_tokens: 256,
      system: [{ type: 'text' as const, text: 'sys', cache_control: { type: 'ephemeral' as const } }],
      messages: [{ role: 'user' as const, content: 'Hello' }],
      metadata: { user_id: 'u1' },
      top_k: 5,
    };
    const message = await client().messages.create(params, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31', 'anthropic-version': '2023-06-01' } });
    expect(message.content).toEqual([{ type: 'text', text: 'Simulated reply from claude-sim.' }]);
    const sent = lastReceived();
    expect(sent.path).toBe('/anthropic/v1/messages');
    expect(sent.body).toEqual(params);
    expect(sent.headers['x-api-key']).toBe(claudeProvider.key);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    const [row] = await waitForRows(1);
    // The row keeps the neutral split: full-price input, and cache reads in their own column (migration 0004).
    expect(row!.promptTokens).toBe(message.usage.input_tokens);
    expect(row!.cacheReadTokens).toBe(message.usage.cache_read_input_tokens);
    expect(row!.protocol).toBe('anthropic-messages');
    expect(message.usage.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it('streams thinking with its signature, and the signature survives the replay turn', async () => {
    const stream = client().messages.stream({
      model: 'claude-sim',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const first = await stream.finalMessage();
    const thinking = first.content.find((block) => block.type === 'thinking')!;
    expect(thinking).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^sig_sim/) });
    const call = first.content.find((block) => block.type === 'tool_use')!;
    const second = await client().messages.create({
      model: 'claude-sim',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.type === 'tool_use' ? call.id : '', content: 'sunny' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    const replayed = (lastReceived().body as Record<string, any>).messages[1].content[0];
    expect(replayed).toEqual({ type: 'thinking', thinking: (thinking as { thinking: string }).thinking, signature: (thinking as { signature: string }).signature });
  });
});

describe('model names Claude Code sends', () => {
  it('a model group named like the Claude model (date suffix, [1m]) reaches the mapped model under the asked name', async () => {
    for (const name of ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5[1m]']) {
      const message = await client().messages.create({ model: name, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
      expect(message.model).toBe(name);
      expect((message.content[0] as { text: string }).text).toBe('Simulated reply from glm-test.');
      expect(lastReceived().path).toBe('/zhipu/v1/chat/completions');
    }
  });
});

describe('count_tokens', () => {
  it('answers locally for OpenAI-protocol models: no vendor call, no usage row', async () => {
    const counted = await client().messages.countTokens({ model: 'gpt-test', messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    expect(counted.input_tokens).toBeGreaterThanOrEqual(100);
    expect(h.sim.received).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rows).toHaveLength(0);
  });

  it('asks an Anthropic-protocol vendor, which has the endpoint', async () => {
    const counted = await client().messages.countTokens({ model: 'claude-sim', messages: [{ role: 'user', content: 'a'.repeat(40) }] });
    expect(counted.input_tokens).toBe(10);
    expect(lastReceived().path).toBe('/anthropic/v1/messages/count_tokens');
    expect((lastReceived().body as { model: string }).model).toBe('claude-sim');
  });
});

describe('errors in Anthropic\'s envelope', () => {
  it('unknown model → 404 not_found_error', async () => {
    const error = await client().messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('bad key → 401 authentication_error, malformed body → 400 invalid_request_error', async () => {
    const error = await client('sk-wrong').messages.create({ model: 'gpt-test', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const response = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': MASTER }, body: '{"model":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const noMessages = await fetch(`${h.url}/anthropic/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` }, body: '{"model":"gpt-test","max_tokens":5}' });
    expect(await noMessages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('messages') } });
  });

  it('vendor 429 → 429 rate_limit_error with retry-after', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 429, retryAfter: 3, errorMessage: 'slow down' } });
    const error = await client().messages.create({ model: 'gpt-test', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('3');
  });

  it('vendor failure mid-stream → an Anthropic error event the SDK raises', async () => {
    for (const model of ['gpt-test', 'claude-sim']) {
      h.sim.addRule({ match: { model }, times: 1, behavior: { disconnectAfterChunks: 3, tokenDelayMs: 1 } });
      const stream = client().messages.stream({ model, max_tokens: 50, messages: [{ role: 'user', content: 'x' }] });
      const error = await stream.finalMessage().catch((e: unknown) => e);
      expect(error, model).toBeInstanceOf(Anthropic.APIError);
      expect(String((error as Error).message), model).toMatch(/api_error|closed the stream|ended the stream/);
    }
  });
});

describe('cross-protocol fallback', () => {
  it('an Anthropic client falls over from an Anthropic-protocol deployment to an OpenAI-protocol one', async () => {
    h.sim.addRule({ match: { model: 'claude-sim' }, times: 1, behavior: { status: 500 } });
    const stream = client().messages.stream({ model: 'claude-fallback', max_tokens: 50, tools: [weatherTool], messages: [{ role: 'user', content: 'Paris?' }] });
    const message = await stream.finalMessage();
    expect(message.model).toBe('claude-fallback');
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect(h.sim.received.map((r) => r.path)).toEqual(['/anthropic/v1/messages', '/openai/v1/chat/completions']);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'gpt-test', status: 200, attempts: 2 });
  });
});
