import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/gateway-error.js';
import type { NeutralRequest } from '../../core/neutral-request.js';
import { decodeAll, encodeAll, joinedText, readFixture, toolArguments } from '../sse-test-helpers.js';
import { geminiEgress, geminiIngress, geminiIngressFor } from './index.js';
import { parseGeminiRequest } from './parse-request.js';

// Each fixture names the page of Google's Gemini API docs its shape comes from.
const fixture = (name: string) => readFixture(new URL(`./__fixtures__/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('Gemini stream decoder (replaying documented streams)', () => {
  it('decodes text; the end of the body is the end; usage maps cached and thought tokens', () => {
    const { parts, finished } = decodeAll(geminiEgress, fixture('gemini-text.sse'));
    expect(finished).toBe(true);
    expect(parts[0]).toMatchObject({ type: 'start', id: 'mXJpaNbkAqy0nvgPqdvT0Qk', model: 'gemini-2.5-flash' });
    expect(joinedText(parts, 'text-delta')).toBe('The sky is blue because of Rayleigh scattering.');
    expect(parts.at(-2)).toEqual({ type: 'usage', usage: { inputTokens: 5, cacheReadTokens: 4, cacheWriteTokens: 0, outputTokens: 1010, reasoningTokens: 1000 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop', stopSequence: null });
  });

  it('decodes thoughts, a function call with its id, and keeps the thought signature', () => {
    const { parts } = decodeAll(geminiEgress, fixture('gemini-thoughts-function-call.sse'));
    expect(joinedText(parts, 'reasoning-delta')).toContain('weather in Boston');
    expect(parts.find((part) => part.type === 'reasoning-signature')).toEqual({ type: 'reasoning-signature', signature: 'CiQB0e2Kb3Xr8Q==' });
    expect(toolArguments(parts)).toEqual({ fc_8f0c6d1a: { name: 'get_weather', arguments: '{"location":"Boston, MA"}' } });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: 'tool-calls' });
    expect(parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { inputTokens: 62, outputTokens: 58, reasoningTokens: 40 } });
  });

  it('maps SAFETY to content-filter', () => {
    const { parts } = decodeAll(geminiEgress, fixture('gemini-safety-blocked.sse'));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: 'content-filter' });
  });

  it('turns an error chunk into an error part', () => {
    const { parts } = decodeAll(geminiEgress, fixture('gemini-stream-error.sse'));
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream_overloaded' } });
    expect(parts.at(-1)?.type === 'error' && parts.at(-1)).toBeTruthy();
  });

  it('reports an empty body as unfinished and malformed JSON as an error', () => {
    expect(decodeAll(geminiEgress, '').finished).toBe(false);
    expect(decodeAll(geminiEgress, 'data: {oops\n\n').parts).toMatchObject([{ type: 'error', error: { code: 'upstream_malformed_response' } }]);
  });
});

describe('Gemini response decoding and errors', () => {
  it('decodes parallel function calls, invents ids only where Gemini gave none, keeps signatures', () => {
    const decoded = geminiEgress.decodeResponse(json('gemini-function-call.json'));
    expect(decoded.finishReason).toBe('tool-calls');
    expect(decoded.content[0]).toEqual({ type: 'reasoning', text: '', signature: 'Cs0BAdHtim9=' });
    expect(decoded.content[1]).toEqual({ type: 'text', text: 'Let me check both.' });
    expect(decoded.content[2]).toEqual({ type: 'tool-call', id: 'call_a1', name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect(decoded.content[3]).toMatchObject({ type: 'tool-call', id: expect.stringMatching(/^gemini_call_/), name: 'get_time' });
    expect(decoded.usage).toEqual({ inputTokens: 25, cacheReadTokens: 100, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 0 });
  });

  it('parses Google’s error envelope', () => {
    expect(geminiEgress.parseError(400, JSON.stringify(json('gemini-error.json')))).toEqual({ message: 'API key not valid. Please pass a valid API key.', code: 'INVALID_ARGUMENT', type: 'INVALID_ARGUMENT' });
    expect(geminiEgress.parseError(502, '<html>bad gateway</html>').message).toContain('bad gateway');
  });

  it('renders errors in Google’s envelope', () => {
    const error = new GatewayError('No such model.', { status: 404, code: 'model_not_found' });
    expect(geminiIngress.errorBody(error)).toEqual({ status: 404, body: { error: { code: 404, message: 'No such model.', status: 'NOT_FOUND' } } });
  });
});

describe('Gemini request building (egress)', () => {
  const request: NeutralRequest = {
    model: 'x',
    system: [{ type: 'text', text: 'Be brief.' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: '', signature: 'SIG' }, { type: 'tool-call', id: 'fc_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      { role: 'user', content: [{ type: 'tool-result', toolCallId: 'fc_1', content: [{ type: 'text', text: '{"temp":3}' }] }] },
    ],
    maxTokens: 100,
    temperature: 0.2,
    topP: 0.9,
    topK: 40,
    stopSequences: ['END'],
    tools: [{ name: 'get_weather', inputSchema: { type: 'object', additionalProperties: false, properties: { city: { type: ['string', 'null'] } }, required: ['city'] } }],
    toolChoice: { type: 'required' },
    reasoning: { budgetTokens: 2048 },
    responseFormat: { type: 'json-schema', schema: { type: 'object', $schema: 'x', properties: { a: { const: 1 } } } },
    stream: true,
  };

  it('builds contents, systemInstruction, generationConfig, tools and the streaming path', () => {
    const built = geminiEgress.buildRequest(request, { upstreamModel: 'gemini-2.5-flash', maxOutputTokens: null });
    expect(built.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(built.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBOR' } }] },
        { role: 'model', parts: [{ functionCall: { id: 'fc_1', name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'SIG' }] },
        { role: 'user', parts: [{ functionResponse: { id: 'fc_1', name: 'get_weather', response: { temp: 3 } } }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: {
        maxOutputTokens: 100,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
        responseSchema: { type: 'object', properties: { a: { enum: [1], type: 'string' } } },
        thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
      },
      tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string', nullable: true } }, required: ['city'] } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
    expect(geminiEgress.buildRequest({ ...request, stream: false }, { upstreamModel: 'gemini-2.5-flash', maxOutputTokens: null }).path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });
});

describe('Gemini ingress', () => {
  it('parses a request (camelCase and snake_case), matching id-less function responses to their calls', () => {
    const parsed = parseGeminiRequest(
      {
        system_instruction: { parts: [{ text: 'sys' }] },
        contents: [
          { role: 'user', parts: [{ text: 'hi' }, { inline_data: { mime_type: 'image/jpeg', data: '/9j/' } }] },
          { role: 'model', parts: [{ text: 'thinking', thought: true, thoughtSignature: 'S1' }, { functionCall: { name: 'ls', args: { path: '.' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'ls', response: { output: 'a.txt' } } }] },
        ],
        generationConfig: { maxOutputTokens: 50, responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true } } }, thinkingConfig: { thinkingBudget: 512 } },
        tools: [{ functionDeclarations: [{ name: 'ls', parameters: { type: 'OBJECT', properties: { path: { type: 'STRING' } } } }] }, { googleSearch: {} }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['ls'] } },
      },
      'm',
      false,
    );
    expect(parsed.system).toEqual([{ type: 'text', text: 'sys' }]);
    expect(parsed.messages[0]!.content[1]).toEqual({ type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } });
    const call = parsed.messages[1]!.content[1]!;
    expect(call).toMatchObject({ type: 'tool-call', name: 'ls', arguments: '{"path":"."}' });
    expect(parsed.messages[2]!.content[0]).toEqual({ type: 'tool-result', toolCallId: call.type === 'tool-call' ? call.id : '', content: [{ type: 'text', text: 'a.txt' }] });
    expect(parsed.responseFormat).toEqual({ type: 'json-schema', name: 'response', schema: { type: 'object', properties: { n: { type: ['integer', 'null'] } } } });
    expect(parsed.reasoning).toEqual({ budgetTokens: 512 });
    expect(parsed.tools).toEqual([{ name: 'ls', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }]);
    expect(parsed.toolChoice).toEqual({ type: 'tool', name: 'ls' });
  });

  it('joins a streamed thought summary (many thought parts, the signature last) into one signed reasoning part', () => {
    const parsed = parseGeminiRequest(
      { contents: [{ role: 'user', parts: [{ text: 'q' }] }, { role: 'model', parts: [{ text: 'a', thought: true }, { text: 'b', thought: true }, { text: '', thought: true, thoughtSignature: 'SIG' }, { text: 'answer' }] }] },
      'm',
      false,
    );
    expect(parsed.messages[1]!.content).toEqual([{ type: 'reasoning', text: 'ab', signature: 'SIG' }, { type: 'text', text: 'answer' }]);
  });

  it('rejects bad bodies with clear messages', () => {
    expect(() => parseGeminiRequest({}, 'm', false)).toThrow(/contents/);
    expect(() => parseGeminiRequest({ contents: [{ role: 'system', parts: [] }] }, 'm', false)).toThrow(/role/);
    expect(() => parseGeminiRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { temperature: 9 } }, 'm', false)).toThrow(/temperature/);
  });

  for (const name of ['gemini-text.sse', 'gemini-thoughts-function-call.sse']) {
    it(`re-encodes ${name} (SSE and JSON-array framing) into a stream that decodes to the same content`, () => {
      const { parts } = decodeAll(geminiEgress, fixture(name));
      const sse = encodeAll(geminiIngress.createStreamEncoder({ model: 'public' }), parts);
      const again = decodeAll(geminiEgress, sse);
      expect(joinedText(again.parts, 'text-delta')).toBe(joinedText(parts, 'text-delta'));
      expect(joinedText(again.parts, 'reasoning-delta')).toBe(joinedText(parts, 'reasoning-delta'));
      expect(Object.values(toolArguments(again.parts))).toEqual(Object.values(toolArguments(parts)));
      expect(again.parts.filter((part) => part.type === 'usage' || part.type === 'finish')).toEqual(parts.filter((part) => part.type === 'usage' || part.type === 'finish'));
      // Every chunk carries content: the finish reason rides on the last one.
      const array = JSON.parse(encodeAll(geminiIngressFor('m', true, 'array').createStreamEncoder({ model: 'public' }), parts)) as Array<{ candidates: Array<{ content: { parts: unknown[] }; finishReason?: string }> }>;
      expect(array.every((chunk) => chunk.candidates[0]!.content.parts.length > 0)).toBe(true);
      expect(array.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    });
  }

  it('ends a failing stream with the envelope (and closes the JSON array)', () => {
    const error = new GatewayError('boom', { status: 502, code: 'upstream_error' });
    const parts = [{ type: 'text-delta' as const, text: 'a' }, { type: 'error' as const, error }];
    const array = JSON.parse(encodeAll(geminiIngressFor('m', true, 'array').createStreamEncoder({ model: 'p' }), parts)) as unknown[];
    expect(array.at(-1)).toEqual({ error: { code: 502, message: 'boom', status: 'INTERNAL' } });
    const sse = encodeAll(geminiIngress.createStreamEncoder({ model: 'p' }), parts);
    expect(sse.trim().split('\r\n\r\n').at(-1)).toBe('data: {"error":{"code":502,"message":"boom","status":"INTERNAL"}}');
  });

  it('encodes a response with usage in usageMetadata', () => {
    const body = geminiIngress.encodeResponse(
      { id: 'r1', model: 'x', content: [{ type: 'text', text: 'hi' }, { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' }], finishReason: 'tool-calls', usage: { inputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 3 } },
      { model: 'public' },
    );
    expect(body).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }, { functionCall: { id: 'c1', name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 4, totalTokenCount: 14, thoughtsTokenCount: 3, cachedContentTokenCount: 2 },
      modelVersion: 'public',
      responseId: 'r1',
    });
  });
});
