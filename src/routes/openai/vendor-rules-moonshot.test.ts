import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

// Kimi's rules (src/providers/rules/vendors/moonshot-rules.ts) end to end: the openai package
// calls the gateway, the simulator's Moonshot mode checks what arrives as Kimi would. Each
// case also sends the client's request straight to the simulator, to show Kimi refuses it.
let h: Harness;
const KEY = 'sk-moon-rules-secret';
const MODELS = ['kimi-k2.6', 'kimi-k3', 'kimi-k2.7-code', 'moonshot-v1-8k'];
type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;
const ask = (model: string, extra: Record<string, unknown> = {}): Body => ({ model, messages: [{ role: 'user', content: 'Hi' }], ...extra }) as Body;
const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
const sent = () => h.sim.received.at(-1)!.body as Record<string, unknown>;

/** The same request sent straight to the simulated Kimi: its refusal's status and message. */
const kimiRefuses = async (body: Body) => {
  const direct = new OpenAI({ apiKey: KEY, baseURL: `${h.sim.url}/moonshot/v1`, maxRetries: 0 });
  const error = await direct.chat.completions.create(body).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const apiError = error as InstanceType<typeof OpenAI.APIError>;
  expect(apiError.error).toMatchObject({ type: 'invalid_request_error' });
  return { status: apiError.status, message: (apiError.error as { message: string }).message };
};

beforeAll(async () => {
  h = await startHarness({ providers: [{ name: 'Moonshot', vendor: 'moonshot', keyEnv: 'MOONSHOT_RULES_KEY', key: KEY, models: { language: MODELS } }] });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
});

describe('Moonshot Kimi rules through the gateway', () => {
  it('K2.6 thinks by default: sampling goes at its fixed values (temperature 1.0, top_p 0.95, n 1, penalties 0)', async () => {
    const body = ask('kimi-k2.6', { temperature: 0.3, top_p: 0.5, n: 2, presence_penalty: 0.5, frequency_penalty: 0.5 });
    const completion = await h.client().chat.completions.create(body);
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from kimi-k2.6.');
    expect(sent()).toMatchObject({ temperature: 1, top_p: 0.95, n: 1, presence_penalty: 0, frequency_penalty: 0 });
    expect(await kimiRefuses(body)).toEqual({ status: 400, message: 'invalid temperature: only 1 is allowed for this model' });
  });

  it('K2.6 with thinking off (reasoning_effort "none" or its own switch): temperature is fixed at 0.6', async () => {
    await h.client().chat.completions.create(ask('kimi-k2.6', { reasoning_effort: 'none', temperature: 1 }));
    expect(sent()).toMatchObject({ thinking: { type: 'disabled' }, temperature: 0.6 });
    expect(sent()).not.toHaveProperty('reasoning_effort');
    const own = ask('kimi-k2.6', { thinking: { type: 'disabled' }, temperature: 1 });
    const completion = await h.client().chat.completions.create(own);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(sent()).toMatchObject({ thinking: { type: 'disabled' }, temperature: 0.6 });
    expect(await kimiRefuses(own)).toEqual({ status: 400, message: 'invalid temperature: only 0.6 is allowed for this model' });
  });

  it('K2.6 takes no tool_choice "required": the gateway sends "auto" and the tool is still called', async () => {
    const body = ask('kimi-k2.6', { tools, tool_choice: 'required' });
    const completion = await h.client().chat.completions.create(body);
    expect(completion.choices[0]!.message.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(sent().tool_choice).toBe('auto');
    expect(await kimiRefuses(body)).toEqual({ status: 400, message: "tool_choice 'required' is incompatible with thinking enabled" });
  });

  it('K3 takes reasoning_effort low / high / max: "medium" goes as "high", and temperature as 1', async () => {
    const body = ask('kimi-k3', { reasoning_effort: 'medium', temperature: 0.7 });
    const completion = await h.client().chat.completions.create(body);
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from kimi-k3.');
    expect(sent()).toMatchObject({ reasoning_effort: 'high', temperature: 1 });
    expect(await kimiRefuses(ask('kimi-k3', { reasoning_effort: 'medium' }))).toEqual({ status: 400, message: 'invalid reasoning_effort: medium is not one of low, high, max' });
  });

  it('K2.7 Code always thinks: a request to switch thinking off goes without it', async () => {
    const body = ask('kimi-k2.7-code', { thinking: { type: 'disabled' } });
    await h.client().chat.completions.create(body);
    expect(sent()).not.toHaveProperty('thinking');
    expect(await kimiRefuses(body)).toEqual({ status: 400, message: 'invalid thinking: thinking cannot be disabled for this model' });
  });

  it('moonshot-v1 takes temperature in [0, 1]: 1.5 goes as 1, and a reasoning setting is not sent', async () => {
    const body = ask('moonshot-v1-8k', { temperature: 1.5, reasoning_effort: 'low' });
    const completion = await h.client().chat.completions.create(body);
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from moonshot-v1-8k.');
    expect(sent().temperature).toBe(1);
    expect(sent()).not.toHaveProperty('reasoning_effort');
    expect(await kimiRefuses(body)).toEqual({ status: 400, message: 'invalid temperature: must be in [0, 1]' });
  });

  it('the rules apply to streams and to translated requests (Responses API) alike', async () => {
    const stream = await h.client().chat.completions.create({ model: 'kimi-k2.6', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Simulated reply from kimi-k2.6.');
    expect(sent()).toMatchObject({ stream: true, temperature: 1 });

    const response = await h.client().responses.create({ model: 'kimi-k3', input: 'Hi', temperature: 0.5, reasoning: { effort: 'medium' }, store: false });
    expect(response.output_text).toBe('Simulated reply from kimi-k3.');
    expect(h.sim.received.at(-1)!.path).toBe('/moonshot/v1/chat/completions');
    expect(sent()).toMatchObject({ temperature: 1, reasoning_effort: 'high' });
  });
});
