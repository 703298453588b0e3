import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { STREAM_ONLY_MESSAGE } from '../../simulator/vendor-modes/stream-only.js';
import { useHarness, type TestProvider } from '../../test-support/gateway-harness.js';

/**
 * Stream-only models (vendor rule `streamOnly`): a client that does not stream still gets
 * one JSON answer — the gateway streams from the vendor and assembles it — on the OpenAI
 * passthrough and on the translated path, accounted exactly like a JSON answer. The
 * simulator's Alibaba mode answers a non-stream request for QwQ (or a `stream-only` test
 * model) with DashScope's documented 400, so a missing rule fails these tests. The rules
 * are set in YAML here so the tests hold whatever the vendor table says about these ids.
 */
const MASTER = 'sk-master-stream-only';
const rows: UsageRecord[] = [];
// One input token costs 1, output 2, a cache read 0.1 (per token, CNY).
const PRICING = 'pricing: { input: 1000000, output: 2000000, cache_read: 100000, currency: CNY }';

const qwen: TestProvider = {
  name: 'Qwen',
  vendor: 'alibaba',
  keyEnv: 'QWEN_STREAM_ONLY_API_KEY',
  key: 'sk-qwen-stream-only-secret',
  // A provider-wide parameter rule: what the simulator receives changes with it.
  extra: '    rules:\n      parameters: [ { clamp: temperature, min: 0, max: 1.5, why: "test range" } ]\n',
  models: { language: ['qwq-plus', 'qwen-stream-only-test'] },
  modelYaml: {
    'qwq-plus': `rules: { stream_only: true }\n${PRICING}`,
    // The rule switched off: the vendor's refusal must reach the client.
    'qwen-stream-only-test': 'rules: { stream_only: false }',
  },
};
const deepseek: TestProvider = {
  name: 'DeepSeek',
  vendor: 'deepseek',
  keyEnv: 'DEEPSEEK_STREAM_ONLY_API_KEY',
  key: 'sk-deepseek-stream-only-secret',
  models: { language: ['deepseek-reasoner', 'reasoner-json'] },
  modelYaml: {
    'deepseek-reasoner': `rules: { stream_only: true }\n${PRICING}`,
    // The same upstream model answering JSON itself: what the assembled answer must equal.
    'reasoner-json': 'upstream_name: deepseek-reasoner\nrules: { stream_only: false }',
  },
};

const waitForRows = async (count: number) => {
  for (let i = 0; i < 150 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};
const chatRequests = () => h.sim.received.filter((r) => r.path.endsWith('/chat/completions'));
const lastBody = () => chatRequests().at(-1)!.body as Record<string, unknown>;

const h = useHarness({ providers: [qwen, deepseek], settings: { masterKey: MASTER }, build: { usage: { record: (row: UsageRecord) => void rows.push(row) } } }, () => {
  rows.length = 0;
});

describe('a stream-only model for a client that does not stream', () => {
  it('OpenAI SDK: one chat.completion, streamed from the vendor, with the usage row of a JSON answer', async () => {
    const completion = await h.client(MASTER).chat.completions.create({ model: 'qwq-plus', temperature: 1.9, messages: [{ role: 'user', content: 'Which is larger, 9.9 or 9.11?' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('qwq-plus');
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from qwq-plus.');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const sent = lastBody();
    expect(sent.stream).toBe(true);
    expect(sent.stream_options).toEqual({ include_usage: true });
    // The provider's YAML clamp moved the temperature into its range.
    expect(sent.temperature).toBe(1.5);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'qwq-plus', status: 200, stream: false, tokensEstimated: false, protocol: 'openai-chat', currency: 'CNY' });
    expect(row!.promptTokens).toBe(completion.usage!.prompt_tokens);
    expect(row!.completionTokens).toBe(completion.usage!.completion_tokens);
    expect(row!.cost).toBeCloseTo(completion.usage!.prompt_tokens * 1 + completion.usage!.completion_tokens * 2, 6);
  });

  it('the assembled answer equals the vendor’s own JSON answer: reasoning_content, cache and reasoning usage', async () => {
    // DeepSeek's context cache, as the simulator's DeepSeek mode reports it: the same hit count for both.
    h.sim.addRule({ match: { vendor: 'deepseek' }, behavior: { cachedPromptTokens: 3 } });
    const messages = [{ role: 'user' as const, content: 'Think, then answer at some length.' }];
    const assembled = await h.client(MASTER).chat.completions.create({ model: 'deepseek-reasoner', messages });
    const direct = await h.client(MASTER).chat.completions.create({ model: 'reasoner-json', messages });
    const [viaStream, viaJson] = chatRequests().map((r) => (r.body as { stream?: unknown }).stream);
    expect([viaStream, viaJson]).toEqual([true, undefined]);
    const message = assembled.choices[0]!.message as unknown as Record<string, unknown>;
    expect(typeof message.reasoning_content).toBe('string');
    expect(message).toEqual(direct.choices[0]!.message);
    expect(assembled.choices[0]!.finish_reason).toBe(direct.choices[0]!.finish_reason);
    expect(assembled.usage).toEqual(direct.usage);
    const [row] = await waitForRows(2);
    expect(row!.model).toBe('deepseek-reasoner');
    expect(row!.reasoningTokens).toBe(assembled.usage!.completion_tokens_details!.reasoning_tokens);
    expect(row!.cacheReadTokens).toBe(3);
    expect(row!.promptTokens).toBe(assembled.usage!.prompt_tokens - 3);
    expect(row!.cost).toBeCloseTo(row!.promptTokens * 1 + 3 * 0.1 + assembled.usage!.completion_tokens * 2, 6);
  });

  it('joins a streamed tool call’s argument fragments', async () => {
    h.sim.addRule({ match: { model: 'qwq-plus' }, behavior: { toolArguments: '{"city":"Hangzhou","unit":"celsius"}' } });
    const completion = await h.client(MASTER).chat.completions.create({
      model: 'qwq-plus',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0] as { id: string; function: { name: string; arguments: string } };
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Hangzhou","unit":"celsius"}' });
    expect(call.id).toMatch(/^call_/);
    expect(lastBody().stream).toBe(true);
  });

  it('Anthropic SDK (translated): a complete message, streamed from the vendor, accounted on its protocol', async () => {
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
    const message = await anthropic.messages.create({ model: 'qwq-plus', max_tokens: 100, messages: [{ role: 'user', content: 'Hello from Claude land' }] });
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: 'Simulated reply from qwq-plus.' }]);
    expect(message.stop_reason).toBe('end_turn');
    const sent = lastBody();
    expect(sent.stream).toBe(true);
    expect(sent.stream_options).toEqual({ include_usage: true });
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'qwq-plus', status: 200, stream: false, tokensEstimated: false, protocol: 'anthropic-messages' });
    expect(row!.promptTokens).toBe(message.usage.input_tokens);
    expect(row!.completionTokens).toBe(message.usage.output_tokens);
    expect(row!.cost).toBeCloseTo(message.usage.input_tokens * 1 + message.usage.output_tokens * 2, 6);
  });

  it('Responses API (translated): a complete response, streamed from the vendor', async () => {
    const response = await h.client(MASTER).responses.create({ model: 'qwq-plus', input: 'Hello from the Responses API' });
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Simulated reply from qwq-plus.');
    expect(lastBody().stream).toBe(true);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'qwq-plus', status: 200, stream: false, tokensEstimated: false });
    expect(row!.completionTokens).toBe(response.usage!.output_tokens);
  });

  it('Gemini SDK (translated): generateContent gets a complete answer, streamed from the vendor', async () => {
    const genai = new GoogleGenAI({ apiKey: MASTER, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
    const answer = await genai.models.generateContent({ model: 'qwq-plus', contents: 'Hello from Gemini land' });
    expect(answer.text).toBe('Simulated reply from qwq-plus.');
    expect(answer.candidates?.[0]?.finishReason).toBe('STOP');
    expect(lastBody().stream).toBe(true);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'qwq-plus', status: 200, stream: false, tokensEstimated: false });
    expect(row!.completionTokens).toBe(answer.usageMetadata!.candidatesTokenCount);
  });

  it('a client that streams is relayed as before (no assembly)', async () => {
    const stream = await h.client(MASTER).chat.completions.create({ model: 'qwq-plus', stream: true, messages: [{ role: 'user', content: 'Stream it' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Simulated reply from qwq-plus.');
    expect(lastBody().stream).toBe(true);
  });

  it('an error event mid-stream is judged as the vendor’s error answer (5xx: 502 upstream_error), a cut stream is a 502; nothing half-assembled', async () => {
    h.sim.addRule({ match: { model: 'qwq-plus' }, times: 1, behavior: { streamErrorAfterChunks: 2, errorMessage: 'The engine is overloaded.' } });
    const failed = await h
      .client(MASTER)
      .chat.completions.create({ model: 'qwq-plus', messages: [{ role: 'user', content: 'Fail midway' }] })
      .catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failed as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_error');
    h.sim.addRule({ match: { model: 'qwq-plus' }, times: 1, behavior: { disconnectAfterChunks: 2 } });
    const cut = await h
      .client(MASTER)
      .chat.completions.create({ model: 'qwq-plus', messages: [{ role: 'user', content: 'Cut midway' }] })
      .catch((caught: unknown) => caught);
    expect((cut as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((cut as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_stream_interrupted');
    const statuses = (await waitForRows(2)).map((row) => row.status);
    expect(statuses).toEqual([502, 502]);
  });

  it('without the rule the vendor’s 400 reaches the client, in the OpenAI envelope', async () => {
    const error = await h
      .client(MASTER)
      .chat.completions.create({ model: 'qwen-stream-only-test', messages: [{ role: 'user', content: 'Not streamed' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(STREAM_ONLY_MESSAGE.trim());
    expect(lastBody().stream).toBeUndefined();
    const [row] = await waitForRows(1);
    expect(row!.status).toBe(400);
  });
});
