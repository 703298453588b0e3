import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.js';

// The simulator's Gemini responder, driven by the official @google/genai SDK as a real client would.
let sim: Simulator;
const client = (apiKey = 'AIza-sim-test') => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${sim.url}/google`, retryOptions: { attempts: 1 } } });
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

beforeAll(async () => {
  sim = await startSimulator({ requireApiKey: 'AIza-sim-test' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clear();
  sim.clearRules();
});

describe('Gemini responder', () => {
  it('answers generateContent with text and usageMetadata; the key arrives in x-goog-api-key', async () => {
    const answer = await client().models.generateContent({ model: 'gemini-sim', contents: 'Hello there', config: { systemInstruction: 'Be brief.' } });
    expect(answer.text).toBe('Simulated reply from gemini-sim.');
    expect(answer.candidates![0]!.finishReason).toBe('STOP');
    expect(answer.usageMetadata!.promptTokenCount).toBeGreaterThan(0);
    const received = sim.received[0]!;
    expect(received.path).toBe('/google/v1beta/models/gemini-sim:generateContent');
    expect(received.headers['x-goog-api-key']).toBe('AIza-sim-test');
    expect(received.url).not.toContain('AIza');
  });

  it('streams SSE with thoughts, a function call with id and signature; the last chunk carries usage', async () => {
    const stream = await client().models.generateContentStream({
      model: 'gemini-sim',
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }, { inlineData: { mimeType: 'image/png', data: PNG_1X1 } }] }],
      config: {
        thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
        tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } } } }] }],
      },
    });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
    expect(parts.some((part) => part.thought === true)).toBe(true);
    const call = parts.find((part) => part.functionCall)!;
    expect(call.functionCall).toMatchObject({ name: 'get_weather', id: expect.stringMatching(/^fc_sim/) });
    expect(call.thoughtSignature).toMatch(/^sig_sim/);
    expect(chunks.at(-1)!.usageMetadata!.thoughtsTokenCount).toBeGreaterThan(0);
    expect(sim.received[0]!.url).toContain('alt=sse');
    expect(sim.received[0]!.images).toMatchObject([{ format: 'png', width: 1, height: 1 }]);
  });

  it('streams a JSON array without alt=sse, and counts tokens', async () => {
    const response = await fetch(`${sim.url}/v1beta/models/gemini-sim:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-sim-test' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    const array = (await response.json()) as Array<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>;
    expect(array.map((chunk) => chunk.candidates[0]!.content.parts[0]!.text).join('')).toBe('Simulated reply from gemini-sim.');
    const counted = await client().models.countTokens({ model: 'gemini-sim', contents: 'count these words please' });
    expect(counted.totalTokens).toBeGreaterThan(0);
  });

  it('answers errors in Google’s envelope: bad key, unknown fields, injected faults', async () => {
    await expect(client('wrong').models.generateContent({ model: 'gemini-sim', contents: 'x' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('API key not valid') });
    const leaked = await fetch(`${sim.url}/v1beta/models/gemini-sim:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-sim-test' },
      body: JSON.stringify({ model: 'gemini-sim', contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(leaked.status).toBe(400);
    expect(await leaked.json()).toEqual({ error: { code: 400, message: expect.stringContaining('Unknown name "model"'), status: 'INVALID_ARGUMENT' } });
    sim.addRule({ match: { model: 'gemini-sim' }, times: 1, behavior: { status: 429, errorMessage: 'Resource has been exhausted' } });
    await expect(client().models.generateContent({ model: 'gemini-sim', contents: 'x' })).rejects.toMatchObject({ status: 429 });
  });
});
