import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

// The official openai package's Responses client against the whole gateway; every model
// here speaks Chat Completions (the simulator), so each request is translated.
const MASTER = 'sk-master-responses-tests';
let h: Harness;
const rows: UsageRecord[] = [];

const client = (apiKey = MASTER) => new OpenAI({ baseURL: `${h.url}/v1`, apiKey, maxRetries: 0, timeout: 15_000 });
const chatBodies = () => h.sim.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Record<string, any>);
const waitForRows = async (count: number) => {
  for (let i = 0; i < 100 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

beforeAll(async () => {
  h = await startHarness({ settings: { masterKey: MASTER }, build: { usage: { record: (row: UsageRecord) => void rows.push(row) } } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
  rows.length = 0;
});

describe('responses.create over a chat-protocol model', () => {
  it('string input: a complete response object, output_text, usage, a usage row', async () => {
    const response = await client().responses.create({ model: 'gpt-test', input: 'Hello there', store: false });
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('gpt-test');
    expect(response.output_text).toBe('Simulated reply from gpt-test.');
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Simulated reply from gpt-test.' }] });
    expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(chatBodies()[0]).toMatchObject({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hello there' }] });
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'gpt-test', status: 200, protocol: 'openai-responses', promptTokens: response.usage!.input_tokens, completionTokens: response.usage!.output_tokens, tokensEstimated: false });
  });

  it('item list with instructions, a developer message, max_output_tokens, temperature, top_p, metadata', async () => {
    const response = await client().responses.create({
      model: 'kimi-test',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: [{ type: 'input_text', text: 'First question' }] },
        { role: 'assistant', content: 'First answer' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Second question' }] },
      ],
      max_output_tokens: 64,
      temperature: 0.3,
      top_p: 0.9,
      metadata: { ticket: 'T-1' },
      store: false,
    });
    expect(response.status).toBe('completed');
    expect(response.instructions).toBe('Be brief.');
    expect(response.metadata).toEqual({ ticket: 'T-1' });
    const sent = chatBodies()[0]!;
    expect(sent).toMatchObject({ model: 'kimi-test', max_tokens: 64, temperature: 0.3, top_p: 0.9 });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.\n\nAnswer in English.' },
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'First answer' },
      { role: 'user', content: 'Second question' },
    ]);
  });

  it('text.format json_schema reaches the vendor as response_format', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { content: '{"city":"Paris"}' } });
    const response = await client().responses.create({
      model: 'gpt-test',
      input: 'Which city?',
      text: { format: { type: 'json_schema', name: 'city', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true } },
      store: false,
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris' });
    expect(chatBodies()[0]!.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'city', strict: true } });
  });
});

describe('responses.stream over a chat-protocol model', () => {
  it('collects output_text, the final response and usage; events carry increasing sequence numbers', async () => {
    const stream = client().responses.stream({ model: 'kimi-test', input: 'Stream please', store: false });
    const types: string[] = [];
    const sequence: number[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(text).toBe('Simulated reply from kimi-test.');
    expect(final.output_text).toBe(text);
    expect(final.status).toBe('completed');
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
    expect(sequence).toEqual(sequence.map((_, index) => index));
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'kimi-test', stream: true, tokensEstimated: false, completionTokens: final.usage!.output_tokens });
  });
});

describe('incomplete answers', () => {
  it('a length cut is status incomplete with incomplete_details.reason max_output_tokens (JSON, and response.incomplete streamed)', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 2, behavior: { finishReason: 'length' } });
    const json = await client().responses.create({ model: 'gpt-test', input: 'Tell me everything', max_output_tokens: 16, store: false });
    expect(json.status).toBe('incomplete');
    expect(json.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(json.output_text).toBe('Simulated reply from gpt-test.');
    expect(chatBodies()[0]).toMatchObject({ max_tokens: 16 });
    const stream = client().responses.stream({ model: 'gpt-test', input: 'Tell me everything', max_output_tokens: 16, store: false });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
    const final = await stream.finalResponse();
    expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it('a content filter cut is incomplete with reason content_filter', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { finishReason: 'content_filter' } });
    const json = await client().responses.create({ model: 'gpt-test', input: 'x', store: false });
    expect(json).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });

  it('a completed answer has incomplete_details null and echoes parallel_tool_calls', async () => {
    const json = await client().responses.create({ model: 'gpt-test', input: 'x', parallel_tool_calls: false, tools: [weather], tool_choice: 'none', store: false });
    expect(json).toMatchObject({ status: 'completed', incomplete_details: null, parallel_tool_calls: false });
    expect(chatBodies()[0]).toMatchObject({ parallel_tool_calls: false, tool_choice: 'none' });
  });
});

describe('function calling loop', () => {
  for (const streamed of [false, true]) {
    it(`function_call → function_call_output → answer (${streamed ? 'streamed' : 'not streamed'})`, async () => {
      h.sim.addRule({ match: { model: 'glm-test' }, times: 1, behavior: { toolArguments: '{"city":"Paris"}' } });
      const first = streamed
        ? await client().responses.stream({ model: 'glm-test', input: 'Weather in Paris?', tools: [weather], store: false }).finalResponse()
        : await client().responses.create({ model: 'glm-test', input: 'Weather in Paris?', tools: [weather], store: false });
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
      if (call?.type !== 'function_call') throw new Error('no call');
      expect(call.call_id).toMatch(/^call_/);
      expect(chatBodies()[0]!.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weather.parameters } }]);
      const input: OpenAI.Responses.ResponseInput = [
        { role: 'user', content: 'Weather in Paris?' },
        call,
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' },
      ];
      const second = streamed
        ? await client().responses.stream({ model: 'glm-test', input, tools: [weather], store: false }).finalResponse()
        : await client().responses.create({ model: 'glm-test', input, tools: [weather], store: false });
      expect(second.output_text).toBe('Simulated reply from glm-test.');
      const sent = chatBodies()[1]!;
      expect(sent.messages.slice(1)).toEqual([
        { role: 'assistant', content: null, tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: call.call_id, content: '{"temp":21}' },
      ]);
    });
  }
});

describe('errors in the Responses error shape', () => {
  it('unknown model → 404, bad input → 400, built-in tool → 400 unsupported_tool', async () => {
    const unknown = await client().responses.create({ model: 'no-such-model', input: 'x' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const badInput = await fetch(`${h.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: '{"model":"gpt-test","input":[{"type":"bogus"}]}' });
    expect(badInput.status).toBe(400);
    const envelope = (await badInput.json()) as { error: { message: string; type: string; param: string } };
    expect(envelope.error).toMatchObject({ type: 'invalid_request_error', param: 'input[0]' });
    const builtIn = await client().responses.create({ model: 'gpt-test', input: 'x', tools: [{ type: 'web_search' }] }).catch((e: unknown) => e);
    expect(builtIn).toBeInstanceOf(OpenAI.BadRequestError);
    expect((builtIn as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('unsupported_tool');
    expect(String((builtIn as Error).message)).toMatch(/built-in tool web_search is not supported/);
    expect(h.sim.received).toHaveLength(0);
    const noKey = await client('sk-wrong').responses.create({ model: 'gpt-test', input: 'x' }).catch((e: unknown) => e);
    expect(noKey).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('a vendor 429 before the stream → 429 in the envelope', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 429, retryAfter: 3, errorMessage: 'slow down' } });
    const error = await client().responses.create({ model: 'gpt-test', input: 'x', stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('a stream broken after it began ends with error + response.failed', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { disconnectAfterChunks: 3, tokenDelayMs: 1 } });
    const raw = await fetch(`${h.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-test', input: 'x', stream: true, store: false }) });
    expect(raw.status).toBe(200);
    const text = await raw.text();
    const events = text.split('\n\n').filter(Boolean).map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as { type: string; sequence_number: number; response?: { status: string; error: { code: string } } });
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-2)).toMatchObject({ type: 'error', code: 'server_error' });
    expect(events.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error' } } });
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  });
});
