import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient } from '../admin/admin-test-client.js';

// The official openai package against a deployment configured with `protocol: gemini`:
// the gateway translates Chat Completions into generateContent and back.
let h: Harness;
const ADMIN_PASSWORD = 'gemini-egress-admin-password';
const rows: UsageRecord[] = [];
const geminiProvider = {
  name: 'Gemini',
  vendor: 'google',
  keyEnv: 'GEMINI_SIM_API_KEY',
  key: 'AIza-sim-secret-7788',
  extra: '    protocol: gemini\n',
  models: { language: ['gemini-sim'], vision: ['gemini-sim'] },
};
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } } },
];
const lastReceived = () => h.sim.received.at(-1)!;
const waitForRows = async (count: number) => {
  for (let i = 0; i < 100 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};

beforeAll(async () => {
  h = await startHarness({
    providers: [...defaultTestProviders(), geminiProvider],
    settings: { adminPassword: ADMIN_PASSWORD },
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

describe('OpenAI clients → Gemini-protocol deployment', () => {
  it('chat: generateContent goes out (model in the path, key in x-goog-api-key, never in the URL); usage with cached tokens comes back', async () => {
    h.sim.addRule({ match: { model: 'gemini-sim' }, times: 1, behavior: { cachedPromptTokens: 2 } });
    const completion = await h.client().chat.completions.create({
      model: 'gemini-sim',
      max_tokens: 64,
      temperature: 0.3,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gemini-sim.');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.model).toBe('gemini-sim');
    expect(completion.usage!.prompt_tokens_details!.cached_tokens).toBe(2);
    const sent = lastReceived();
    expect(sent.path).toBe('/google/v1beta/models/gemini-sim:generateContent');
    expect(sent.url).not.toContain(geminiProvider.key);
    expect(sent.headers['x-goog-api-key']).toBe(geminiProvider.key);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.3, stopSequences: ['END'] },
    });
    const [row] = await waitForRows(1);
    // Rows keep the uncached prompt and the cache reads apart (each priced once).
    expect(row).toMatchObject({ model: 'gemini-sim', provider: 'Gemini', status: 200, promptTokens: completion.usage!.prompt_tokens - 2, cacheReadTokens: 2, completionTokens: completion.usage!.completion_tokens, tokensEstimated: false });
  });

  it('stream: the Gemini SSE stream (no [DONE]) becomes OpenAI chunks with usage', async () => {
    const stream = await h.client().chat.completions.create({ model: 'gemini-sim', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Simulated reply from gemini-sim.');
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(lastReceived().url).toBe('/google/v1beta/models/gemini-sim:streamGenerateContent?alt=sse');
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ status: 200, completionTokens: usage!.completion_tokens, tokensEstimated: false });
  });

  it('tools: a function call comes back as tool_calls with Gemini’s id; the result goes back as functionResponse', async () => {
    h.sim.addRule({ match: { model: 'gemini-sim' }, times: 1, behavior: { toolArguments: '{"city":"Paris"}' } });
    const first = await h.client().chat.completions.create({ model: 'gemini-sim', tools, tool_choice: 'required', messages: [{ role: 'user', content: 'Weather?' }] });
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: expect.stringMatching(/^fc_sim/), function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    const sentFirst = lastReceived().body as Record<string, unknown>;
    expect(sentFirst.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] }]);
    expect(sentFirst.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    const answer = await h.client().chat.completions.create({
      model: 'gemini-sim',
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny' },
      ],
    });
    expect(answer.choices[0]!.message.content).toBe('Simulated reply from gemini-sim.');
    const sent = lastReceived().body as { contents: unknown[] };
    expect(sent.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { id: call.id, name: 'get_weather', args: { city: 'Paris' } } }] });
    expect(sent.contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { id: call.id, name: 'get_weather', response: { output: 'sunny' } } }] });
  });

  it('streamed tools arrive as one complete tool call', async () => {
    h.sim.addRule({ match: { model: 'gemini-sim' }, times: 1, behavior: { toolArguments: '{"city":"Oslo"}' } });
    const stream = await h.client().chat.completions.create({ model: 'gemini-sim', stream: true, tools, messages: [{ role: 'user', content: 'Weather?' }] });
    let args = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) args += delta.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(JSON.parse(args)).toEqual({ city: 'Oslo' });
    expect(finish).toBe('tool_calls');
  });

  it('images: a data URL becomes inlineData', async () => {
    const completion = await h.client().chat.completions.create({
      model: 'gemini-sim',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1}` } }] }],
    });
    expect(completion.choices[0]!.message.content).toContain('[image 1: png 1x1');
    const part = (lastReceived().body as { contents: Array<{ parts: unknown[] }> }).contents[0]!.parts[1];
    expect(part).toMatchObject({ inlineData: { mimeType: 'image/png' } });
  });

  it('JSON schema output: responseMimeType + responseSchema (without the keywords Gemini rejects)', async () => {
    const completion = await h.client().chat.completions.create({
      model: 'gemini-sim',
      response_format: { type: 'json_schema', json_schema: { name: 'r', strict: true, schema: { type: 'object', properties: { simulated: { type: 'boolean' } }, required: ['simulated'], additionalProperties: false } } },
      messages: [{ role: 'user', content: 'JSON please' }],
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toMatchObject({ simulated: true });
    expect((lastReceived().body as { generationConfig: unknown }).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { simulated: { type: 'boolean' } }, required: ['simulated'] },
    });
  });

  it('reasoning_effort becomes a thinkingConfig; thoughts come back as reasoning_content and reasoning tokens', async () => {
    const completion = await h.client().chat.completions.create({ model: 'gemini-sim', reasoning_effort: 'low', messages: [{ role: 'user', content: 'Think' }] });
    expect((lastReceived().body as { generationConfig: unknown }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    expect((completion.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toContain('Simulated thinking');
    expect(completion.usage!.completion_tokens_details!.reasoning_tokens).toBeGreaterThan(0);
  });

  it('a vendor error in Google’s envelope is answered in OpenAI’s', async () => {
    h.sim.addRule({ match: { model: 'gemini-sim' }, times: 1, behavior: { status: 429, errorMessage: 'Resource has been exhausted' } });
    const error = await h.client().chat.completions.create({ model: 'gemini-sim', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'Resource has been exhausted' });
  });
});

describe('Other clients → Gemini-protocol deployment', () => {
  it('the Anthropic SDK: messages.create and a stream, translated through the neutral form', async () => {
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-api-key': null, authorization: null } });
    const message = await anthropic.messages.create({ model: 'gemini-sim', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Simulated reply from gemini-sim.' }]);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(lastReceived().body).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 50 } });
    const stream = anthropic.messages.stream({ model: 'gemini-sim', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Simulated reply from gemini-sim.' }]);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('a Gemini stream cut mid-way ends the OpenAI stream with an error and is accounted as interrupted', async () => {
    h.sim.addRule({ match: { model: 'gemini-sim' }, times: 1, behavior: { disconnectAfterChunks: 2, tokenDelayMs: 1 } });
    const stream = await h.client().chat.completions.create({ model: 'gemini-sim', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'gemini-sim', status: 502, errorCode: 'upstream_stream_interrupted' });
  });
});

describe('Gemini-protocol provider in the console', () => {
  it('the connection test lists models at {host}/v1beta/models with the key in x-goog-api-key', async () => {
    const admin = new AdminTestClient(() => h.url, []);
    expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
    const tested = await admin.post('/admin/api/providers/Gemini/test');
    expect(tested.json).toMatchObject({ ok: true, models: expect.arrayContaining(['models/gemini-2.5-flash']) });
    const sent = lastReceived();
    expect(sent).toMatchObject({ method: 'GET', path: '/google/v1beta/models' });
    expect(sent.headers['x-goog-api-key']).toBe(geminiProvider.key);
    expect(sent.url).not.toContain(geminiProvider.key);
    expect(tested.text).not.toContain(geminiProvider.key);
  });
});
