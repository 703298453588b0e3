import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

// GLM's rules (src/providers/rules/vendors/zhipu-rules.ts) end to end: the openai package calls
// the gateway, the simulator's Zhipu mode checks what arrives as GLM would (error 1214 in
// Zhipu's envelope). Each case also sends the client's request straight to the simulator.
let h: Harness;
const KEY = 'zhipu-rules-secret';
type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;
const ask = (model: string, extra: Record<string, unknown> = {}): Body => ({ model, messages: [{ role: 'user', content: 'Hi' }], ...extra }) as Body;
const sent = () => h.sim.received.at(-1)!.body as Record<string, unknown>;

/** The same request sent straight to the simulated GLM: its refusal's status and body. */
const glmRefuses = async (body: Body) => {
  const direct = new OpenAI({ apiKey: KEY, baseURL: `${h.sim.url}/zhipu/v1`, maxRetries: 0 });
  const error = await direct.chat.completions.create(body).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const apiError = error as InstanceType<typeof OpenAI.APIError>;
  return { status: apiError.status, error: apiError.error };
};

beforeAll(async () => {
  h = await startHarness({ providers: [{ name: 'ZhipuAI', vendor: 'zhipu', keyEnv: 'ZHIPU_RULES_KEY', key: KEY, models: { language: ['glm-4.6', 'glm-5.3', 'glm-4-plus'] } }] });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
});

describe('Zhipu GLM rules through the gateway', () => {
  it('temperature goes within [0, 1] and top_p within [0.01, 1]', async () => {
    const completion = await h.client().chat.completions.create(ask('glm-4.6', { temperature: 1.6, top_p: 0 }));
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from glm-4.6.');
    expect(sent()).toMatchObject({ temperature: 1, top_p: 0.01 });
    expect(await glmRefuses(ask('glm-4.6', { temperature: 1.6 }))).toEqual({ status: 400, error: { code: '1214', message: 'temperature 参数非法。请检查文档。' } });
    expect(await glmRefuses(ask('glm-4.6', { top_p: 0 }))).toEqual({ status: 400, error: { code: '1214', message: 'top_p 参数非法。请检查文档。' } });
  });

  it('reasoning_effort becomes the thinking switch on GLM-4.5+ and is not sent to GLM-4', async () => {
    await h.client().chat.completions.create(ask('glm-4.6', { reasoning_effort: 'none' }));
    expect(sent()).toMatchObject({ thinking: { type: 'disabled' } });
    expect(sent()).not.toHaveProperty('reasoning_effort');
    await h.client().chat.completions.create(ask('glm-4-plus', { reasoning_effort: 'high' }));
    expect(sent()).not.toHaveProperty('reasoning_effort');
    expect(sent()).not.toHaveProperty('thinking');
  });

  it('GLM-5.3 takes efforts low / high / max and cannot stop thinking', async () => {
    const effort = ask('glm-5.3', { reasoning_effort: 'medium' });
    const completion = await h.client().chat.completions.create(effort);
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from glm-5.3.');
    expect(sent().reasoning_effort).toBe('high');
    expect(await glmRefuses(effort)).toEqual({ status: 400, error: { code: '1214', message: 'reasoning_effort 参数非法。请检查文档。' } });
    const off = ask('glm-5.3', { thinking: { type: 'disabled' } });
    await h.client().chat.completions.create(off);
    expect(sent()).not.toHaveProperty('thinking');
    expect(await glmRefuses(off)).toEqual({ status: 400, error: { code: '1214', message: 'thinking 参数非法。请检查文档。' } });
  });

  it('tool_choice: GLM takes only "auto", so "none" goes as a request without tools and the client gets text', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const completion = await h.client().chat.completions.create(ask('glm-4.6', { tools, tool_choice: 'none' }));
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from glm-4.6.');
    expect(sent()).not.toHaveProperty('tools');
    expect(sent()).not.toHaveProperty('tool_choice');
    await h.client().chat.completions.create(ask('glm-4.6', { tools, tool_choice: { type: 'function', function: { name: 'lookup' } } }));
    expect(sent().tool_choice).toBe('auto');
  });
});
