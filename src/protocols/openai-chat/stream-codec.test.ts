import { describe, expect, it } from 'vitest';
import { anthropicEgress, anthropicIngress } from '../anthropic-messages/index.js';
import { decodeAll, encodeAll, joinedText, parseSse, readFixture, toolArguments } from '../sse-test-helpers.js';
import { openAIChatEgress, openAIChatIngress } from './index.js';

// Each fixture's first line names the documentation its shape comes from.
const fixture = (name: string) => readFixture(new URL(`./__fixtures__/${name}`, import.meta.url));
const anthropicFixture = (name: string) => readFixture(new URL(`../anthropic-messages/__fixtures__/${name}`, import.meta.url));

describe('OpenAI chat stream decoder (replaying documented streams)', () => {
  it('keeps tool-call deltas attached to their call when continuation chunks have empty or null id and name', () => {
    const { parts, finished } = decodeAll(openAIChatEgress, fixture('openai-tool-call-deltas.sse'));
    expect(finished).toBe(true);
    expect(toolArguments(parts)).toEqual({
      call_DdmO9pD3xa9XTPNJ32zg2hcA: { name: 'get_weather', arguments: '{"location": "Paris"}' },
      call_2: { name: 'get_time', arguments: '{"tz": "CET"}' },
    });
    // Both calls end before usage and finish.
    const types = parts.map((part) => part.type);
    expect(types.slice(-4)).toEqual(['tool-call-end', 'tool-call-end', 'usage', 'finish']);
    expect(parts.at(-2)).toEqual({ type: 'usage', usage: { inputTokens: 18, outputTokens: 37, cacheReadTokens: 64, cacheWriteTokens: 0, reasoningTokens: 0 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' });
  });

  it('decodes DeepSeek-style reasoning_content and its usage fields', () => {
    const { parts } = decodeAll(openAIChatEgress, fixture('openai-reasoning-text.sse'));
    expect(joinedText(parts, 'reasoning-delta')).toBe('9.11 vs 9.8: compare tenths.');
    expect(joinedText(parts, 'text-delta')).toBe('9.8 is greater.');
    expect(parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { inputTokens: 14, outputTokens: 30, reasoningTokens: 25 } });
  });

  it('buffers arguments that arrive before a late name', () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'x', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const text =
      chunk({ tool_calls: [{ index: 0, id: 'call_late', function: { arguments: '{"a"' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { name: 'late', arguments: ':1}' } }] }) +
      chunk({}, 'tool_calls');
    const { parts, finished } = decodeAll(openAIChatEgress, text);
    expect(finished).toBe(true);
    expect(toolArguments(parts)).toEqual({ call_late: { name: 'late', arguments: '{"a":1}' } });
  });

  it('reports an error chunk and a truncated body', () => {
    expect(decodeAll(openAIChatEgress, 'data: {"error":{"message":"boom"}}\n\n').parts).toMatchObject([{ type: 'error', error: { code: 'upstream_stream_error' } }]);
    const cut = decodeAll(openAIChatEgress, 'data: {"id":"a","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n');
    expect(cut.finished).toBe(false);
  });
});

describe('Translation between the two stream protocols', () => {
  it('an OpenAI tool-call stream becomes Anthropic tool_use blocks whose partial JSON parses', () => {
    const { parts } = decodeAll(openAIChatEgress, fixture('openai-tool-call-deltas.sse'));
    const encoded = encodeAll(anthropicIngress.createStreamEncoder({ model: 'claude-sonnet-4-5' }), parts);
    const events = parseSse(encoded).map((event) => JSON.parse(event.data) as Record<string, any>);
    const blocks = new Map<number, { name: string; json: string }>();
    for (const event of events) {
      if (event.type === 'content_block_start') blocks.set(event.index, { name: event.content_block.name, json: '' });
      if (event.type === 'content_block_delta') blocks.get(event.index)!.json += event.delta.partial_json;
    }
    expect([...blocks.values()].map((block) => [block.name, JSON.parse(block.json)])).toEqual([
      ['get_weather', { location: 'Paris' }],
      ['get_time', { tz: 'CET' }],
    ]);
    const delta = events.find((event) => event.type === 'message_delta')!;
    expect(delta.delta.stop_reason).toBe('tool_use');
    expect(delta.usage).toEqual({ input_tokens: 18, output_tokens: 37, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 });
  });

  it('an Anthropic tool-use stream becomes OpenAI chunks that decode to the same call', () => {
    const { parts } = decodeAll(anthropicEgress, anthropicFixture('anthropic-tool-use.sse'));
    const encoded = encodeAll(openAIChatIngress.createStreamEncoder({ model: 'gpt-x', includeUsage: true }), parts);
    expect(encoded.endsWith('data: [DONE]\n\n')).toBe(true);
    const again = decodeAll(openAIChatEgress, encoded);
    expect(toolArguments(again.parts)).toEqual(toolArguments(parts));
    expect(joinedText(again.parts, 'text-delta')).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(again.parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { inputTokens: 2572 - 2000, cacheReadTokens: 2000 } });
    expect(again.parts.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' });
    for (const event of parseSse(encoded).slice(0, -1)) expect(JSON.parse(event.data).model).toBe('gpt-x');
  });

  it('Anthropic thinking becomes reasoning_content for OpenAI clients', () => {
    const { parts } = decodeAll(anthropicEgress, anthropicFixture('anthropic-thinking.sse'));
    const encoded = encodeAll(openAIChatIngress.createStreamEncoder({ model: 'gpt-x' }), parts);
    const again = decodeAll(openAIChatEgress, encoded);
    expect(joinedText(again.parts, 'reasoning-delta')).toBe(joinedText(parts, 'reasoning-delta'));
    expect(encoded).not.toContain('"usage"');
  });
});
