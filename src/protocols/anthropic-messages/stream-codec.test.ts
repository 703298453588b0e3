import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../core/stream-part.js';
import { GatewayError } from '../../core/gateway-error.js';
import { decodeAll, encodeAll, joinedText, parseSse, readFixture, toolArguments } from '../sse-test-helpers.js';
import { anthropicEgress, anthropicIngress } from './index.js';

// Each fixture's first line names the page of Anthropic's docs its shape comes from.
const fixture = (name: string) => readFixture(new URL(`./__fixtures__/${name}`, import.meta.url));

const withoutStart = (parts: StreamPart[]) => parts.filter((part) => part.type !== 'start');

describe('Anthropic stream decoder (replaying documented streams)', () => {
  it('decodes a text stream with usage from message_start and message_delta', () => {
    const { parts, finished } = decodeAll(anthropicEgress, fixture('anthropic-text.sse'));
    expect(finished).toBe(true);
    expect(parts[0]).toMatchObject({ type: 'start', id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', model: 'claude-opus-4-1-20250805' });
    expect(joinedText(parts, 'text-delta')).toBe('Hello!');
    expect(parts.at(-2)).toEqual({ type: 'usage', usage: { inputTokens: 25, outputTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop', stopSequence: null });
  });

  it('decodes tool use: partial JSON stays attached to its block, cache tokens are counted in the input', () => {
    const { parts } = decodeAll(anthropicEgress, fixture('anthropic-tool-use.sse'));
    const calls = toolArguments(parts);
    expect(calls).toEqual({ toolu_01T1x1fJ34qAmk2tNTrN7Up6: { name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' } });
    expect(parts.filter((part) => part.type === 'tool-call-end')).toHaveLength(1);
    expect(parts.find((part) => part.type === 'usage')).toEqual({
      type: 'usage',
      usage: { inputTokens: 472, outputTokens: 89, cacheReadTokens: 2000, cacheWriteTokens: 100, reasoningTokens: 0 },
    });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', reason: 'tool-calls' });
  });

  it('decodes thinking with its signature, apart from the text', () => {
    const { parts } = decodeAll(anthropicEgress, fixture('anthropic-thinking.sse'));
    expect(joinedText(parts, 'reasoning-delta')).toContain('Euclidean algorithm');
    expect(parts.find((part) => part.type === 'reasoning-signature')).toMatchObject({ signature: expect.stringMatching(/^EqQBCgIYAhIM/) });
    expect(joinedText(parts, 'text-delta')).toBe('The greatest common divisor of 1071 and 462 is **21**.');
  });

  it('turns a mid-stream error event into an error part', () => {
    const { parts } = decodeAll(anthropicEgress, fixture('anthropic-stream-error.sse'));
    const error = parts.at(-1);
    expect(error?.type).toBe('error');
    expect(error?.type === 'error' && error.error.message).toContain('Overloaded');
    expect(error?.type === 'error' && error.error.details).toEqual({ upstream_type: 'overloaded_error' });
  });

  it('reports malformed JSON as an error part', () => {
    const { parts } = decodeAll(anthropicEgress, 'event: message_start\ndata: {not json\n\n');
    expect(parts).toMatchObject([{ type: 'error', error: { code: 'upstream_malformed_response' } }]);
  });
});

describe('Anthropic stream encoder', () => {
  for (const name of ['anthropic-text.sse', 'anthropic-tool-use.sse', 'anthropic-thinking.sse']) {
    it(`re-encodes ${name} into a stream that decodes to the same parts`, () => {
      const { parts } = decodeAll(anthropicEgress, fixture(name));
      const encoded = encodeAll(anthropicIngress.createStreamEncoder({ model: 'public-model' }), parts);
      const again = decodeAll(anthropicEgress, encoded);
      expect(withoutStart(again.parts)).toEqual(withoutStart(parts));
      const events = parseSse(encoded).map((event) => event.event);
      expect(events.slice(0, 2)).toEqual(['message_start', 'ping']);
      expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    });
  }

  it('writes each delta event exactly as JSON.stringify would, whatever the text holds', () => {
    const tricky = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀 lone \ud800 </script>';
    const encoded = encodeAll(anthropicIngress.createStreamEncoder({ model: 'm' }), [
      { type: 'reasoning-delta', text: tricky },
      { type: 'reasoning-signature', signature: 'sig"1' },
      { type: 'text-delta', text: tricky },
      { type: 'tool-call-start', id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"a": "\\"}' },
      { type: 'finish', reason: 'stop' },
    ]);
    const deltas = parseSse(encoded).filter((event) => event.event === 'content_block_delta');
    const expected = [
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: tricky } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig"1' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: tricky } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"a": "\\"}' } },
    ];
    expect(deltas.map((event) => event.data)).toEqual(expected.map((payload) => JSON.stringify(payload)));
  });

  it('opens a new block when reasoning follows text: never a thinking delta in a text block', () => {
    const encoded = encodeAll(anthropicIngress.createStreamEncoder({ model: 'm', estimatedInputTokens: 7 }), [
      { type: 'text-delta', text: 'a' },
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'text-delta', text: 'b' },
      { type: 'finish', reason: 'stop' },
    ]);
    const data = parseSse(encoded).map((event) => JSON.parse(event.data) as Record<string, any>);
    const starts = data.filter((event) => event.type === 'content_block_start').map((event) => [event.index, event.content_block.type]);
    expect(starts).toEqual([[0, 'text'], [1, 'thinking'], [2, 'text']]);
    for (const event of data.filter((item) => item.type === 'content_block_delta')) {
      const kind = starts.find(([index]) => index === event.index)![1];
      expect(event.delta.type).toBe(kind === 'thinking' ? 'thinking_delta' : 'text_delta');
    }
    expect(data[0].message.usage.input_tokens).toBe(7);
  });

  it('maps a finish after tool calls to tool_use even when the vendor said stop', () => {
    const encoded = encodeAll(anthropicIngress.createStreamEncoder({ model: 'm' }), [
      { type: 'tool-call-start', id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{}' },
      { type: 'tool-call-end', id: 'call_1' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(encoded).toContain('"stop_reason":"tool_use"');
  });

  it('ends a failed stream with an error event in Anthropic\'s form', () => {
    const encoder = anthropicIngress.createStreamEncoder({ model: 'm' });
    const out = encoder.encode({ type: 'text-delta', text: 'x' }) +
      encoder.encode({ type: 'error', error: new GatewayError('vendor down', { status: 502, code: 'upstream_error' }) }) + encoder.end();
    const last = parseSse(out).at(-1)!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toEqual({ type: 'error', error: { type: 'api_error', message: 'vendor down' } });
  });
});
