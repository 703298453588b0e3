import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

// A vendor configured with `protocol: openai-responses` (the simulator's Responses
// responder): Responses clients pass through untouched except `model`; chat clients
// are translated to it.
const MASTER = 'sk-master-responses-passthrough';
let h: Harness;
const rows: UsageRecord[] = [];
const client = (apiKey = MASTER) => new OpenAI({ baseURL: `${h.url}/v1`, apiKey, maxRetries: 0, timeout: 15_000 });
const responsesBodies = () => h.sim.received.filter((r) => r.path.endsWith('/responses')).map((r) => r.body as Record<string, any>);
/** Rows in the database itself: the store's queue is written out first (reads are served from it before). */
const storedCount = async (id: string) => {
  await h.gateway.responseStore?.flush();
  const row = await h.gateway.database.db.selectFrom('stored_responses' as never).select((eb) => eb.fn.countAll().as('n')).where('id' as never, '=', id as never).executeTakeFirst();
  return Number((row as { n: unknown }).n);
};
let keyA = '';
let keyB = '';
const waitForRows = async (count: number) => {
  for (let i = 0; i < 100 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};

beforeAll(async () => {
  h = await startHarness({
    providers: [
      ...defaultTestProviders(),
      { name: 'OpenAIResponses', vendor: 'openai', keyEnv: 'OPENAI_RESPONSES_KEY', key: 'sk-resp-secret-1357', extra: '    protocol: openai-responses\n', models: { language: ['gpt-resp'] } },
    ],
    settings: { masterKey: MASTER },
    modelsYamlExtra: '\nmodel_groups:\n  - name: "codex-model"\n    deployments:\n      - { provider: "OpenAIResponses", model: "gpt-resp" }\n',
    build: { usage: { record: (row: UsageRecord) => void rows.push(row) } },
  });
  keyA = (await h.gateway.repositories.apiKeys.createApiKey({ name: 'passthrough-a' })).key;
  keyB = (await h.gateway.repositories.apiKeys.createApiKey({ name: 'passthrough-b' })).key;
  await h.gateway.keyGuard.reloadKeys();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
  rows.length = 0;
});

describe('Responses passthrough to an openai-responses vendor', () => {
  it('responses.create: the body untouched except model (built-in tools allowed), the vendor key, usage accounted', async () => {
    const request = {
      model: 'codex-model',
      instructions: 'Be brief.',
      input: [{ role: 'user' as const, content: 'hi' }],
      tools: [{ type: 'web_search' as const }],
      tool_choice: 'none' as const,
      text: { format: { type: 'json_schema' as const, name: 'reply', schema: { type: 'object', properties: { text: { type: 'string' } } }, strict: false } },
      metadata: { ticket: 'T-2' },
      store: false,
      include: ['reasoning.encrypted_content' as const],
    };
    const response = await client().responses.create(request);
    expect(response.output_text).toBe('Simulated reply from gpt-resp.');
    expect(response.model).toBe('codex-model');
    const received = h.sim.received.at(-1)!;
    expect(received.path).toBe('/openai/v1/responses');
    expect(received.headers.authorization).toBe('Bearer sk-resp-secret-1357');
    expect(received.body).toEqual({ ...request, model: 'gpt-resp' });
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'gpt-resp', status: 200, promptTokens: response.usage!.input_tokens, completionTokens: response.usage!.output_tokens, tokensEstimated: false });
  });

  it('responses.stream: the vendor events reach the SDK; usage accounted from response.completed', async () => {
    const stream = client().responses.stream({ model: 'codex-model', input: 'Stream please', store: false });
    let text = '';
    stream.on('response.output_text.delta', (event) => (text += event.delta));
    const final = await stream.finalResponse();
    expect(text).toBe('Simulated reply from gpt-resp.');
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
    expect(final.model).toBe('codex-model');
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'gpt-resp', stream: true, tokensEstimated: false, completionTokens: final.usage!.output_tokens });
  });

  it('a stored passthrough answer is continued with previous_response_id (the history sent, the id not)', async () => {
    const first = await client().responses.create({ model: 'gpt-resp', input: 'One' });
    await client().responses.create({ model: 'gpt-resp', input: 'Two', previous_response_id: first.id });
    const sent = responsesBodies()[1]!;
    expect(sent.previous_response_id).toBeUndefined();
    expect(sent.input.map((item: { role?: string; type?: string }) => item.role ?? item.type)).toEqual(['user', 'assistant', 'user']);
  });
});

describe('Responses passthrough: function calling and errors', () => {
  const lookup = { type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false }, strict: true };
  for (const streamed of [false, true]) {
    it(`function_call → function_call_output → answer (${streamed ? 'streamed' : 'not streamed'})`, async () => {
      h.sim.addRule({ match: { model: 'gpt-resp' }, times: 1, behavior: { toolArguments: '{"q":"tea"}' } });
      const ask = (input: OpenAI.Responses.ResponseInput) =>
        streamed ? client().responses.stream({ model: 'gpt-resp', input, tools: [lookup], store: false }).finalResponse() : client().responses.create({ model: 'gpt-resp', input, tools: [lookup], store: false });
      const first = await ask([{ role: 'user', content: 'Look up tea' }]);
      const call = first.output.find((item) => item.type === 'function_call');
      if (call?.type !== 'function_call') throw new Error('no call');
      expect(call).toMatchObject({ name: 'lookup', arguments: '{"q":"tea"}' });
      const second = await ask([{ role: 'user', content: 'Look up tea' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'green' }]);
      expect(second.output_text).toBe('Simulated reply from gpt-resp.');
      // Passthrough: the vendor gets the client's items as they were sent.
      expect(responsesBodies()[1]!.input.slice(1)).toEqual([call, { type: 'function_call_output', call_id: call.call_id, output: 'green' }]);
    });
  }

  it('a vendor error before the stream is the Responses envelope with its status', async () => {
    h.sim.addRule({ match: { model: 'gpt-resp' }, times: 1, behavior: { status: 400, errorMessage: 'bad things' } });
    const raw = await fetch(`${h.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-resp', input: 'x', stream: true }) });
    expect(raw.status).toBe(400);
    const body = (await raw.json()) as { error: { message: string; type: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error' });
    expect(JSON.stringify(body)).not.toContain('sk-resp-secret');
  });

  it('a stream broken after it began ends with an error event (the SDK rejects with it); nothing is stored', async () => {
    h.sim.addRule({ match: { model: 'gpt-resp' }, times: 1, behavior: { disconnectAfterChunks: 4, tokenDelayMs: 1 } });
    let createdId = '';
    const numbers: number[] = [];
    const stream = client().responses.stream({ model: 'gpt-resp', input: 'x' });
    stream.on('response.created', (event) => (createdId = event.response.id));
    stream.on('event', (event) => numbers.push(event.sequence_number));
    const error = await stream.finalResponse().catch((e: unknown) => e);
    // The gateway's error event continues the vendor's numbering.
    const errorNumber = (error as { sequence_number: number }).sequence_number;
    const vendorNumbers = numbers.filter((n) => n !== errorNumber);
    expect(vendorNumbers.length).toBeGreaterThan(2);
    expect(vendorNumbers).toEqual(vendorNumbers.map((_, index) => index));
    expect(errorNumber).toBe(vendorNumbers.length);
    // The SDK hands over the Responses `error` event itself.
    expect(error).toMatchObject({ type: 'error', code: 'server_error', message: expect.stringMatching(/ended the stream early|closed the stream/) });
    expect(JSON.stringify(error)).not.toContain('sk-resp-secret');
    expect(createdId).toMatch(/^resp_/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedCount(createdId)).toBe(0);
  });
});

describe('stored streamed passthrough turns', () => {
  it('previous_response_id over three turns, two of them streamed: the vendor gets the whole history on turn 3', async () => {
    const a = client(keyA);
    const first = await a.responses.stream({ model: 'gpt-resp', instructions: 'Be brief.', input: 'My name is Ada.' }).finalResponse();
    // The stored turn is the vendor's response.completed object, under the vendor's id.
    expect(first.id).toMatch(/^resp_/);
    expect(await storedCount(first.id)).toBe(1);
    const second = await a.responses.stream({ model: 'gpt-resp', instructions: 'Be brief.', input: 'I like tea.', previous_response_id: first.id }).finalResponse();
    await a.responses.create({ model: 'gpt-resp', instructions: 'Be brief.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is my name?' }] }], previous_response_id: second.id });
    const third = responsesBodies()[2]!;
    expect(third.previous_response_id).toBeUndefined();
    expect(third.instructions).toBe('Be brief.');
    const turns = third.input.map((item: { role?: string; content: { text: string }[] | string }) => [item.role, typeof item.content === 'string' ? item.content : item.content[0]!.text]);
    expect(turns).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', 'Simulated reply from gpt-resp.'],
      ['user', 'I like tea.'],
      ['assistant', 'Simulated reply from gpt-resp.'],
      ['user', 'What is my name?'],
    ]);
  });

  it('a streamed turn can be retrieved, its input items listed and deleted; another key gets 404', async () => {
    const a = client(keyA);
    const b = client(keyB);
    const streamed = await a.responses.stream({ model: 'codex-model', input: [{ role: 'user', content: 'Keep me' }], metadata: { case: 'stream' } }).finalResponse();
    const retrieved = await a.responses.retrieve(streamed.id);
    expect(retrieved).toMatchObject({ id: streamed.id, status: 'completed', model: 'codex-model', output_text: 'Simulated reply from gpt-resp.' });
    expect(retrieved.usage).toEqual(streamed.usage);
    const items = await a.responses.inputItems.list(streamed.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Keep me' }] });
    for (const attempt of [() => b.responses.retrieve(streamed.id), () => b.responses.inputItems.list(streamed.id), () => b.responses.delete(streamed.id), () => b.responses.create({ model: 'gpt-resp', input: 'hi', previous_response_id: streamed.id, stream: true })]) {
      expect(await attempt().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    }
    await a.responses.delete(streamed.id);
    expect(await storedCount(streamed.id)).toBe(0);
  });

  it('store: false keeps nothing from a streamed (or JSON) passthrough answer', async () => {
    const a = client(keyA);
    const streamed = await a.responses.stream({ model: 'gpt-resp', input: 'forget me', store: false }).finalResponse();
    const json = await a.responses.create({ model: 'gpt-resp', input: 'forget me too', store: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storedCount(streamed.id)).toBe(0);
    expect(await storedCount(json.id)).toBe(0);
    expect(await a.responses.retrieve(streamed.id).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('chat clients reaching an openai-responses vendor (translated)', () => {
  it('chat.completions.create and a streamed tool call', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-resp', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gpt-resp.');
    expect(responsesBodies()[0]).toMatchObject({ model: 'gpt-resp', instructions: 'Be brief.', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] });
    h.sim.addRule({ match: { model: 'gpt-resp' }, times: 1, behavior: { toolArguments: '{"city":"Paris"}' } });
    const stream = await client().chat.completions.create({
      model: 'gpt-resp',
      stream: true,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name = call.function.name;
      if (call?.function?.arguments) args += call.function.arguments;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
  });
});
