import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

// Qwen's rules (src/providers/rules/vendors/alibaba-rules.ts) end to end: the openai (and
// Anthropic) package calls the gateway, the simulator's Alibaba mode checks what arrives as
// DashScope would. Each case also sends the client's request straight to the simulator.
let h: Harness;
const KEY = 'sk-dashscope-rules-secret';
const MASTER = 'sk-master-qwen-rules';
const client = () => h.client(MASTER);
type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;
const ask = (model: string, extra: Record<string, unknown> = {}): Body => ({ model, messages: [{ role: 'user', content: 'Hi' }], ...extra }) as Body;
const sent = () => h.sim.received.at(-1)!.body as Record<string, unknown>;
const named = { type: 'function', function: { name: 'get_weather' } } as const;
const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];

/** The same request sent straight to the simulated DashScope: its refusal's status and message. */
const dashScopeRefuses = async (body: Body) => {
  const direct = new OpenAI({ apiKey: KEY, baseURL: `${h.sim.url}/alibaba/v1`, maxRetries: 0 });
  const error = await direct.chat.completions.create(body).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const apiError = error as InstanceType<typeof OpenAI.APIError>;
  expect(apiError.error).toMatchObject({ code: 'invalid_parameter_error', type: 'invalid_request_error' });
  return { status: apiError.status, message: (apiError.error as { message: string }).message };
};

beforeAll(async () => {
  h = await startHarness({
    settings: { masterKey: MASTER },
    providers: [{ name: 'Alibaba', vendor: 'alibaba', keyEnv: 'DASHSCOPE_RULES_KEY', key: KEY, models: { language: ['qwen-plus', 'qwen3.5-plus', 'qwen-max'] } }],
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
});

describe('Alibaba Qwen rules through the gateway', () => {
  it('reasoning_effort becomes enable_thinking (commercial Qwen3 thinks only when asked)', async () => {
    const completion = await client().chat.completions.create(ask('qwen-plus', { reasoning_effort: 'high' }));
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from qwen-plus.');
    expect(sent()).toMatchObject({ enable_thinking: true });
    expect(sent()).not.toHaveProperty('reasoning_effort');
    await client().chat.completions.create(ask('qwen3.5-plus', { reasoning_effort: 'none' }));
    expect(sent()).toMatchObject({ enable_thinking: false });
    // Qwen2.5-era models have no switch: nothing is sent.
    await client().chat.completions.create(ask('qwen-max', { reasoning_effort: 'high' }));
    expect(sent()).not.toHaveProperty('enable_thinking');
    expect(sent()).not.toHaveProperty('reasoning_effort');
  });

  it('an Anthropic client’s thinking budget goes as enable_thinking with thinking_budget', async () => {
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
    const message = await anthropic.messages.create({
      model: 'qwen-plus',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content.at(-1)).toMatchObject({ type: 'text', text: 'Simulated reply from qwen-plus.' });
    expect(sent()).toMatchObject({ enable_thinking: true, thinking_budget: 2048 });
    expect(await dashScopeRefuses(ask('qwen-plus', { enable_thinking: true, thinking_budget: 0 }))).toEqual({ status: 400, message: 'thinking_budget parameter must be a positive integer' });
  });

  it('sampling goes within the documented ranges', async () => {
    const body = ask('qwen-plus', { temperature: 2.5, top_p: 0, presence_penalty: 3, n: 7 });
    const completion = await client().chat.completions.create(body);
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from qwen-plus.');
    expect(sent()).toMatchObject({ temperature: 1.99, top_p: 0.01, presence_penalty: 2, n: 4 });
    expect(await dashScopeRefuses(ask('qwen-plus', { temperature: 2.5 }))).toEqual({ status: 400, message: 'Temperature should be in [0.0, 2.0)' });
    expect(await dashScopeRefuses(ask('qwen-plus', { top_p: 0 }))).toEqual({ status: 400, message: 'Range of top_p should be (0.0, 1.0]' });
    expect(await dashScopeRefuses(ask('qwen-plus', { presence_penalty: 3 }))).toEqual({ status: 400, message: 'Presence_penalty should be in [-2.0, 2.0]' });
    expect(await dashScopeRefuses(ask('qwen-plus', { n: 7 }))).toEqual({ status: 400, message: 'Range of n should be [1, 4]' });
  });

  it('tool_choice "required" goes as "auto"; a named tool goes as asked unless the model thinks', async () => {
    const required = ask('qwen-plus', { tools, tool_choice: 'required' });
    const completion = await client().chat.completions.create(required);
    expect(completion.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: 'get_weather' } });
    expect(sent().tool_choice).toBe('auto');
    expect(await dashScopeRefuses(required)).toEqual({ status: 400, message: 'tool_choice is one of the strings that should be ["none", "auto"]' });

    await client().chat.completions.create(ask('qwen-plus', { tools, tool_choice: named }));
    expect(sent().tool_choice).toEqual(named);
    // Qwen3.5 thinks by default, and a thinking Qwen cannot be made to call a given tool.
    const thinking = ask('qwen3.5-plus', { tools, tool_choice: named });
    await client().chat.completions.create(thinking);
    expect(sent().tool_choice).toBe('auto');
    expect(await dashScopeRefuses(thinking)).toEqual({ status: 400, message: 'tool_choice is one of the strings that should be ["none", "auto"]' });
    await client().chat.completions.create(ask('qwen3.5-plus', { tools, tool_choice: named, reasoning_effort: 'none' }));
    expect(sent()).toMatchObject({ tool_choice: named, enable_thinking: false });
  });
});
