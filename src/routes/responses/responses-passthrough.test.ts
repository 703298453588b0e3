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
const client = () => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
const responsesBodies = () => h.sim.received.filter((r) => r.path.endsWith('/responses')).map((r) => r.body as Record<string, any>);
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
    const request = { model: 'codex-model', input: [{ role: 'user' as const, content: 'hi' }], tools: [{ type: 'web_search' as const }], tool_choice: 'none' as const, store: false, include: ['reasoning.encrypted_content' as const] };
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
