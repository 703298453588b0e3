import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/gateway-error.js';
import type { StreamPart } from '../../core/stream-part.js';
import { decodeAll, encodeAll, joinedText, parseSse, readFixture, toolArguments } from '../sse-test-helpers.js';
import { encodeResponsesResponse } from './encode-response.js';
import { openAIResponsesEgress } from './index.js';
import { parseResponsesRequest } from './parse-request.js';
import { writeReasoningCarrier } from './reasoning-carrier.js';
import { echoOfRequest } from './response-object.js';
import { createResponsesStreamEncoder } from './stream-encoder.js';

const fixture = (name: string) => readFixture(new URL(`./__fixtures__/${name}`, import.meta.url));
const shell = (include = false) => ({ id: 'resp_test', createdAt: 1, echo: echoOfRequest({}), includeReasoningContent: include });
const types = (sse: string) => parseSse(sse).map((event) => (JSON.parse(event.data) as { type: string }).type);
const usage = { inputTokens: 5, outputTokens: 3, cacheReadTokens: 2, cacheWriteTokens: 0, reasoningTokens: 1 };

describe('Responses stream fixtures from OpenAI\'s docs', () => {
  for (const name of ['openai-text-stream.sse', 'openai-function-call-stream.sse']) {
    it(`${name}: decoded to neutral parts and re-encoded to the same event sequence`, () => {
      const { parts, finished } = decodeAll(openAIResponsesEgress, fixture(name));
      expect(finished).toBe(true);
      const encoded = encodeAll(createResponsesStreamEncoder({ shell: shell(), model: 'm' }), parts);
      expect(types(encoded)).toEqual(types(fixture(name)));
      const sequence = parseSse(encoded).map((event) => (JSON.parse(event.data) as { sequence_number: number }).sequence_number);
      expect(sequence).toEqual(sequence.map((_, index) => index));
    });
  }

  it('text: the deltas, the usage with cached tokens, finish stop', () => {
    const { parts } = decodeAll(openAIResponsesEgress, fixture('openai-text-stream.sse'));
    expect(joinedText(parts, 'text-delta')).toBe('Hi there!');
    expect(parts).toContainEqual({ type: 'usage', usage: { inputTokens: 37, outputTokens: 11, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('function call: keyed by call_id, whole arguments, cached tokens split out of input', () => {
    const { parts } = decodeAll(openAIResponsesEgress, fixture('openai-function-call-stream.sse'));
    expect(toolArguments(parts)).toEqual({ call_1234xyz: { name: 'get_weather', arguments: '{"location":"Paris, France"}' } });
    expect(parts).toContainEqual({ type: 'usage', usage: { inputTokens: 163, outputTokens: 23, cacheReadTokens: 128, cacheWriteTokens: 0, reasoningTokens: 0 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' });
  });
});

describe('Responses encoder', () => {
  it('a length cut is incomplete with max_output_tokens; usage details carry cached and reasoning tokens', () => {
    const response = encodeResponsesResponse(shell(), { id: 'x', model: 'u', content: [{ type: 'text', text: 'partial' }], finishReason: 'length', usage }, 'm');
    expect(response).toMatchObject({
      id: 'resp_test',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output_text: 'partial',
      usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 10 },
    });
    expect((response.output as Array<{ status: string }>)[0]!.status).toBe('incomplete');
    const filtered = encodeResponsesResponse(shell(), { id: 'x', model: 'u', content: [], finishReason: 'content-filter', usage: null }, 'm');
    expect(filtered).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });

  it('a stream cut by length ends with response.incomplete', () => {
    const parts: StreamPart[] = [{ type: 'start' }, { type: 'text-delta', text: 'a' }, { type: 'usage', usage }, { type: 'finish', reason: 'length' }];
    const events = parseSse(encodeAll(createResponsesStreamEncoder({ shell: shell(), model: 'm' }), parts)).map((event) => JSON.parse(event.data) as Record<string, any>);
    expect(events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  it('interleaved tool calls keep their own items; an error ends with error + response.failed', () => {
    const encoder = createResponsesStreamEncoder({ shell: shell(), model: 'm' });
    const parts: StreamPart[] = [
      { type: 'tool-call-start', id: 'a', name: 'one' },
      { type: 'tool-call-start', id: 'b', name: 'two' },
      { type: 'tool-call-delta', id: 'a', argumentsDelta: '{"x":' },
      { type: 'tool-call-delta', id: 'b', argumentsDelta: '{}' },
      { type: 'tool-call-delta', id: 'a', argumentsDelta: '1}' },
      { type: 'error', error: new GatewayError('boom', { status: 502, code: 'upstream_stream_error' }) },
    ];
    const events = parseSse(encodeAll(encoder, parts)).map((event) => JSON.parse(event.data) as Record<string, any>);
    const done = events.filter((event) => event.type === 'response.function_call_arguments.done');
    expect(done.map((event) => [event.output_index, event.arguments])).toEqual([[0, '{"x":1}'], [1, '{}']]);
    expect(events.slice(-2).map((event) => event.type)).toEqual(['error', 'response.failed']);
    expect(events.at(-1)!.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'boom' } });
  });
});

describe('Responses request parsing', () => {
  it('reasoning items carried in encrypted_content come back with their signature; plain ones from the summary', () => {
    const request = parseResponsesRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: writeReasoningCarrier('thought', 'sig-1') },
        { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'visible' }], encrypted_content: 'opaque-openai-blob' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
        { role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,AAAA' }, { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' }] },
      ],
      reasoning: { effort: 'high', summary: 'auto' },
      text: { format: { type: 'json_object' } },
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'reasoning', text: 'thought', signature: 'sig-1' }, { type: 'reasoning', text: 'visible' }, { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' }],
    });
    expect(request.messages[2]!.content).toEqual([
      { type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'ok' }] },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, title: 'a.pdf' },
    ]);
    expect(request).toMatchObject({ reasoning: { effort: 'high' }, responseFormat: { type: 'json' }, toolChoice: { type: 'tool', name: 'f' }, parallelToolCalls: false });
  });

  it('refuses what it cannot translate with a 400 naming the field', () => {
    const bad = (body: Record<string, unknown>) => {
      try {
        parseResponsesRequest({ model: 'm', input: 'x', ...body });
      } catch (error) {
        return { status: (error as GatewayError).status, param: (error as GatewayError).param, code: (error as GatewayError).code };
      }
      return null;
    };
    expect(bad({ tools: [{ type: 'file_search', vector_store_ids: ['v'] }] })).toEqual({ status: 400, param: 'tools[0]', code: 'unsupported_tool' });
    expect(bad({ input: [{ type: 'item_reference', id: 'msg_1' }] })).toMatchObject({ status: 400, param: 'input[0]' });
    expect(bad({ temperature: 3 })).toMatchObject({ status: 400, param: 'temperature' });
    expect(bad({ metadata: { k: 1 } })).toMatchObject({ status: 400, param: 'metadata' });
    expect(bad({ reasoning: { effort: 'extreme' } })).toMatchObject({ status: 400, param: 'reasoning.effort' });
    expect(bad({ text: { format: { type: 'json_schema' } } })).toMatchObject({ status: 400, param: 'text.format.schema' });
  });
});
