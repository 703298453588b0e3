import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveRules } from '../../providers/rules/resolve-rules.js';
import { startHarness, type Harness, type TestProvider } from '../../test-support/gateway-harness.js';

// A local model that writes its reasoning as <think>…</think> in the content (Qwen3 or a
// DeepSeek-R1 distill on Ollama without a reasoning parser), opted in with the rule
// `reasoningField: 'think-tags'` (set here on the resolved rules, as a YAML `rules:` would).
// Every client gets the reasoning in its own protocol's form, and only the answer as text.
const MASTER = 'sk-master-think-tags';
const MODEL = 'qwen3-local';
const providers: TestProvider[] = [{ name: 'Ollama', vendor: 'ollama', models: { language: [MODEL, 'plain-local'] }, extra: '    needs_key: false\n' }];
const WRITTEN = '<think>Compare 9.11 and 9.8 digit by digit.</think>\n\n9.8 is greater.';
const REASONING = 'Compare 9.11 and 9.8 digit by digit.';
const ANSWER = '9.8 is greater.';
let h: Harness;

const openai = () => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });

beforeAll(async () => {
  h = await startHarness({ providers, settings: { masterKey: MASTER } });
  for (const model of h.gateway.ctx.catalog().models) {
    if (model.upstreamName === MODEL) model.rules = resolveRules('ollama', MODEL, undefined, { reasoningField: 'think-tags' });
  }
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
  // Seven pieces cut the tags themselves (`<thin` + `k>…`), as a real stream may.
  h.sim.addRule({ match: { model: MODEL }, behavior: { content: WRITTEN, chunks: 7 } });
  h.sim.addRule({ match: { model: 'plain-local' }, behavior: { content: WRITTEN } });
});

describe('think tags reach every client as its own reasoning form', () => {
  it('OpenAI chat (passthrough): message.reasoning_content and delta.reasoning_content', async () => {
    const json = await openai().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Which is greater?' }] });
    const message = json.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.content).toBe(ANSWER);
    expect(message.reasoning_content).toBe(REASONING);
    const stream = await openai().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Which is greater?' }], stream: true });
    let content = '';
    let reasoning = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
    }
    expect({ content, reasoning }).toEqual({ content: ANSWER, reasoning: REASONING });
    // Opt-in: a model without the rule keeps the tags in its text.
    const plain = await openai().chat.completions.create({ model: 'plain-local', messages: [{ role: 'user', content: 'x' }] });
    expect(plain.choices[0]!.message.content).toBe(WRITTEN);
  });

  it('Anthropic: a thinking block before the text (JSON and stream)', async () => {
    const client = new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
    const request = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'Which is greater?' }] };
    for (const message of [await client.messages.create(request), await client.messages.stream(request).finalMessage()]) {
      expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
      expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: REASONING });
      expect(message.content[1]).toMatchObject({ type: 'text', text: ANSWER });
    }
  });

  it('Responses: a reasoning item, then the message', async () => {
    const response = await openai().responses.create({ model: MODEL, input: 'Which is greater?', store: false });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: REASONING }] });
    expect(response.output_text).toBe(ANSWER);
    const streamed = await openai().responses.stream({ model: MODEL, input: 'Which is greater?', store: false }).finalResponse();
    expect(streamed.output_text).toBe(ANSWER);
    expect(streamed.output[0]).toMatchObject({ type: 'reasoning', summary: [{ text: REASONING }] });
  });

  it('Gemini: a thought part, then the answer text', async () => {
    const genai = new GoogleGenAI({ apiKey: MASTER, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
    const answer = await genai.models.generateContent({ model: MODEL, contents: 'Which is greater?' });
    const parts = answer.candidates![0]!.content!.parts!;
    expect(parts.filter((part) => part.thought).map((part) => part.text).join('')).toBe(REASONING);
    expect(parts.filter((part) => !part.thought).map((part) => part.text).join('')).toBe(ANSWER);
    let thought = '';
    let text = '';
    for await (const chunk of await genai.models.generateContentStream({ model: MODEL, contents: 'Which is greater?' })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought) thought += part.text ?? '';
        else text += part.text ?? '';
      }
    }
    expect({ thought, text }).toEqual({ thought: REASONING, text: ANSWER });
  });
});
