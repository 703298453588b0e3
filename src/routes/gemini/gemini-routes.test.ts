import { readFileSync } from 'node:fs';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../observability/usage-record.js';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

// The official @google/genai SDK against the gateway's Gemini API ingress, reaching a
// Gemini-protocol deployment (passthrough) and OpenAI-protocol ones (translation).
let h: Harness;
const rows: UsageRecord[] = [];
const MASTER = 'sk-master-gemini-ingress-5150';
const geminiProvider = { name: 'Gemini', vendor: 'google', keyEnv: 'GEMINI_SIM_API_KEY', key: 'AIza-vendor-secret-9911', extra: '    protocol: gemini\n', models: { language: ['gemini-sim'], vision: ['gemini-sim'] } };
const qwenProvider = { name: 'Qwen', vendor: 'alibaba', keyEnv: 'QWEN_SIM_API_KEY', key: 'sk-qwen-secret-3131', models: { language: ['qwen3-coder-plus'], vision: ['qwen3-coder-plus'] } };
const claudeProvider = { name: 'Claude', vendor: 'anthropic', keyEnv: 'CLAUDE_SIM_API_KEY', key: 'sk-ant-sim-secret-2323', extra: '    protocol: anthropic\n', models: { language: ['claude-sim'], vision: ['claude-sim'] } };
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const genai = (apiKey = MASTER) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
const lastReceived = () => h.sim.received.at(-1)!;
const waitForRows = async (count: number) => {
  for (let i = 0; i < 100 && rows.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return rows;
};
const weatherTool = { functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] };

beforeAll(async () => {
  h = await startHarness({
    providers: [...defaultTestProviders(), geminiProvider, qwenProvider, claudeProvider],
    settings: { masterKey: MASTER },
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

describe.each([
  { target: 'gemini-sim', protocol: 'gemini->gemini', path: '/google/v1beta/models/gemini-sim:generateContent' },
  { target: 'qwen3-coder-plus', protocol: 'gemini->openai', path: '/alibaba/v1/chat/completions' },
  { target: 'claude-sim', protocol: 'gemini->anthropic', path: '/anthropic/v1/messages' },
])('@google/genai → $target ($protocol)', ({ target, path }) => {
  it('generateContent: text, finish reason and usage; one usage row', async () => {
    const answer = await genai().models.generateContent({ model: target, contents: 'Hello', config: { systemInstruction: 'Be brief.', maxOutputTokens: 100 } });
    expect(answer.text).toBe(`Simulated reply from ${target}.`);
    expect(answer.candidates![0]!.finishReason).toBe('STOP');
    expect(answer.usageMetadata!.promptTokenCount).toBeGreaterThan(0);
    expect(answer.usageMetadata!.candidatesTokenCount).toBeGreaterThan(0);
    expect(lastReceived().path).toBe(path);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: target, status: 200, tokensEstimated: false, promptTokens: answer.usageMetadata!.promptTokenCount });
  });

  it('generateContentStream: chunks with the text; the last has finishReason and usage', async () => {
    const stream = await genai().models.generateContentStream({ model: target, contents: 'Stream please' });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.text ?? '').join('')).toBe(`Simulated reply from ${target}.`);
    expect(chunks.at(-1)!.candidates![0]!.finishReason).toBe('STOP');
    expect(chunks.at(-1)!.usageMetadata!.totalTokenCount).toBeGreaterThan(0);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ status: 200, stream: true, tokensEstimated: false });
  });

  it('function calling round trip, with the call id kept', async () => {
    h.sim.addRule({ match: { model: target }, times: 1, behavior: { toolArguments: '{"city":"Paris"}' } });
    const first = await genai().models.generateContent({ model: target, contents: 'Weather in Paris?', config: { tools: [weatherTool] } });
    const call = first.functionCalls![0]!;
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Paris' }, id: expect.any(String) });
    const second = await genai().models.generateContent({
      model: target,
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        { role: 'model', parts: first.candidates![0]!.content!.parts! },
        { role: 'user', parts: [{ functionResponse: { id: call.id, name: 'get_weather', response: { output: 'sunny, 21°C' } } }] },
      ],
      config: { tools: [weatherTool] },
    });
    expect(second.text).toBe(`Simulated reply from ${target}.`);
    const sent = lastReceived().body as Record<string, any>;
    if (target === 'gemini-sim') {
      // Passthrough: the vendor gets the client's body as it was.
      expect(sent.contents[2].parts[0]).toEqual({ functionResponse: { id: call.id, name: 'get_weather', response: { output: 'sunny, 21°C' } } });
    } else if (target === 'claude-sim') {
      expect(sent.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny, 21°C' }] }] });
      expect(sent.messages.at(-2).content).toEqual([{ type: 'tool_use', id: call.id, name: 'get_weather', input: { city: 'Paris' } }]);
    } else {
      expect(sent.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: call.id, content: 'sunny, 21°C' });
      expect(sent.messages.at(-2).tool_calls[0]).toMatchObject({ id: call.id, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    }
  });

  it('an inline image reaches the model', async () => {
    const answer = await genai().models.generateContent({ model: target, contents: [{ role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: PNG_1X1 } }] }] });
    expect(answer.text).toContain('[image 1: png 1x1');
  });

  it('countTokens answers (the vendor’s count or an estimate), not billed', async () => {
    const counted = await genai().models.countTokens({ model: target, contents: 'How many tokens is this sentence?' });
    expect(counted.totalTokens).toBeGreaterThan(0);
    expect(rows).toHaveLength(0);
  });
});

describe('Gemini API ingress: auth, errors, listing, streaming framings', () => {
  it('accepts the key as x-goog-api-key, ?key= and Bearer; refuses a wrong key in Google’s envelope', async () => {
    const body = JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] });
    const url = `${h.url}/v1beta/models/gemini-sim:generateContent`;
    for (const init of [{ headers: { 'x-goog-api-key': MASTER } as Record<string, string> }, { headers: { authorization: `Bearer ${MASTER}` } as Record<string, string> }]) {
      const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...init.headers } });
      expect(response.status).toBe(200);
    }
    expect((await fetch(`${url}?key=${MASTER}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    const wrong = await fetch(`${url}?key=AIza-wrong-key-0000`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(wrong.status).toBe(401);
    const error = (await wrong.json()) as { error: { code: number; status: string; message: string } };
    expect(error.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect(JSON.stringify(error)).not.toContain('AIza-wrong-key-0000');
    await expect(genai('bad-key').models.generateContent({ model: 'gemini-sim', contents: 'x' })).rejects.toMatchObject({ status: 401 });
  });

  it('a key given as ?key= never reaches a log line, a usage row, an error body or the vendor', async () => {
    const secret = MASTER;
    const before = h.logLines.length;
    await fetch(`${h.url}/v1beta/models/gemini-sim:generateContent?key=${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    const failed = await fetch(`${h.url}/v1beta/models/no-such-model:streamGenerateContent?alt=sse&key=${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    const failedText = await failed.text();
    expect(failed.status).toBe(404);
    expect(JSON.parse(failedText)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const broken = await fetch(`${h.url}/v1beta/models/gemini-sim:generateContent?key=${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"contents": [' });
    const brokenText = await broken.text();
    expect(broken.status).toBe(400);
    await waitForRows(2);
    for (const text of [failedText, brokenText, JSON.stringify(rows), h.logLines.slice(before).join('\n'), JSON.stringify(h.sim.received.map((r) => ({ url: r.url, headers: r.headers })))]) {
      expect(text).not.toContain(secret);
    }
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });

  it('an unknown model is a 404, a bad body a 400, a vendor error keeps its status, all in Google’s envelope', async () => {
    await expect(genai().models.generateContent({ model: 'no-such-model', contents: 'x' })).rejects.toMatchObject({ status: 404 });
    const bad = await fetch(`${h.url}/v1beta/models/gemini-sim:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': MASTER }, body: JSON.stringify({ contents: [] }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('contents') } });
    h.sim.addRule({ match: { model: 'qwen3-coder-plus' }, times: 1, behavior: { status: 429, errorMessage: 'quota exceeded' } });
    await expect(genai().models.generateContent({ model: 'qwen3-coder-plus', contents: 'x' })).rejects.toMatchObject({ status: 429, message: expect.stringContaining('quota exceeded') });
  });

  it('streamGenerateContent without alt=sse is one JSON array, for both kinds of deployment', async () => {
    for (const model of ['gemini-sim', 'glm-test']) {
      const response = await fetch(`${h.url}/v1beta/models/${model}:streamGenerateContent`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': MASTER }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
      expect(response.headers.get('content-type')).toContain('application/json');
      const array = (await response.json()) as Array<{ candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }> }>;
      expect(array.map((chunk) => chunk.candidates[0]!.content.parts.map((part) => part.text ?? '').join('')).join('')).toBe(`Simulated reply from ${model}.`);
      expect(array.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    }
  });

  it('lists every configured model in Gemini’s format, and gets one', async () => {
    const names: string[] = [];
    for await (const model of await genai().models.list()) names.push(model.name!);
    expect(names).toEqual(expect.arrayContaining(['models/gemini-sim', 'models/qwen3-coder-plus', 'models/glm-test']));
    const one = await genai().models.get({ model: 'qwen3-coder-plus' });
    expect(one).toMatchObject({ name: 'models/qwen3-coder-plus', supportedActions: expect.arrayContaining(['generateContent']) });
  });
});

describe('Thoughts across protocols', () => {
  it('Claude thinking comes back as a thought part with its signature, and goes back to Claude as a signed thinking block', async () => {
    const first = await genai().models.generateContent({ model: 'claude-sim', contents: 'Think first', config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } } });
    expect((lastReceived().body as Record<string, unknown>).thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    const parts = first.candidates![0]!.content!.parts!;
    const thought = parts.find((part) => part.thought === true)!;
    expect(thought.text).toContain('Simulated thinking');
    expect(thought.thoughtSignature).toMatch(/^sig_sim/);
    await genai().models.generateContent({
      model: 'claude-sim',
      contents: [{ role: 'user', parts: [{ text: 'Think first' }] }, { role: 'model', parts }, { role: 'user', parts: [{ text: 'And now?' }] }],
      config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } },
    });
    const replayed = (lastReceived().body as { messages: Array<{ content: unknown[] }> }).messages[1]!.content[0];
    expect(replayed).toEqual({ type: 'thinking', thinking: thought.text, signature: thought.thoughtSignature });
  });
});

describe('Gemini CLI replay', () => {
  it('the request shape the Gemini CLI sends (history, parametersJsonSchema tools, thinking, call ids) reaches a Qwen-like model translated', async () => {
    const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/gemini-cli-turn.json', import.meta.url), 'utf8')) as { userAgent: string; body: Record<string, unknown> };
    const response = await fetch(`${h.url}/v1beta/models/qwen3-coder-plus:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': MASTER, 'user-agent': fixture.userAgent },
      body: JSON.stringify(fixture.body),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text()).split(/\r?\n\r?\n/).filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as GenerateContentResponse);
    expect(events.map((event) => event.candidates?.[0]?.content?.parts?.map((part) => part.text ?? '').join('') ?? '').join('')).toBe('Simulated reply from qwen3-coder-plus.');
    // Every chunk carries content (the CLI treats empty ones as a broken stream); the last one finishes.
    expect(events.every((event) => (event.candidates?.[0]?.content?.parts?.length ?? 0) > 0)).toBe(true);
    expect(events.at(-1)!.candidates![0]!.finishReason).toBe('STOP');
    const sent = lastReceived().body as Record<string, any>;
    expect(lastReceived().path).toBe('/alibaba/v1/chat/completions');
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'You are an interactive CLI agent specializing in software engineering tasks.' });
    expect(sent.messages.at(-2).tool_calls[0]).toMatchObject({ id: 'list_directory-1764630000000-5b1c2d', function: { name: 'list_directory', arguments: '{"path":"/home/dev/project"}' } });
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'list_directory-1764630000000-5b1c2d', content: expect.stringContaining('README.md') });
    expect(sent.tools.map((tool: any) => tool.function.name)).toEqual(['list_directory', 'read_file']);
    expect(sent.tools[0].function.parameters.required).toEqual(['path']);
    expect(sent.temperature).toBe(0);
    const [row] = await waitForRows(1);
    expect(row).toMatchObject({ model: 'qwen3-coder-plus', status: 200 });
    expect(response.headers.get('x-gateway-protocol')).toBe('gemini->openai');
  });
});
