import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../providers/registry.js';
import { streamNormalizerFor } from '../providers/rules/reasoning-fields.js';
import { StreamReasoningCapture } from '../providers/rules/reasoning-replay.js';
import { ReasoningStore } from '../providers/rules/reasoning-store.js';
import { relayStream, type RelayOptions } from './relay-stream.js';
import { CollectingResponse, upstreamOf } from './relay-test-helpers.js';

// The no-parse relay with the two reasoning options: capture for replay (DeepSeek) and
// think-tag normalization (local models).

const event = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const base: RelayOptions = { requestedModel: 'm', clientWantsUsage: false, adapter: adapterFor('openai'), providerName: 'Test', drainOnDisconnect: false };
const relay = async (text: string, options: Partial<RelayOptions>) => {
  const res = new CollectingResponse();
  const outcome = await relayStream(upstreamOf([Buffer.from(text)]), res as unknown as ServerResponse, { ...base, ...options });
  const deltas = res.written
    .trim()
    .split('\n\n')
    .filter((e) => e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice(6)).choices[0].delta as Record<string, unknown>);
  return { outcome, deltas };
};

describe('relay: reasoning options', () => {
  it('captures a streamed tool-calling turn’s reasoning for replay (fast path chunks included)', async () => {
    const store = new ReasoningStore({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 60_000 });
    const text =
      event({ role: 'assistant', content: null }) +
      event({ reasoning_content: 'I should ' }) +
      event({ reasoning_content: 'look it up.' }) +
      event({ tool_calls: [{ index: 0, id: 'call_7', type: 'function', function: { name: 'f', arguments: '' } }] }) +
      event({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }) +
      event({}, 'tool_calls') +
      'data: [DONE]\n\n';
    const { outcome } = await relay(text, { capture: new StreamReasoningCapture({ store, owner: 'key-1' }) });
    expect(outcome.error).toBeNull();
    expect(store.recall('key-1', 'call_7')).toBe('I should look it up.');
    expect(store.recall('key-2', 'call_7')).toBeNull();
  });

  it('splits think tags into reasoning_content, tags cut across chunks', async () => {
    const text = ['<think>', 'Hm', 'm.</th', 'ink>\n\n', 'Yes.'].map((content) => event({ content })).join('') + event({}, 'stop') + 'data: [DONE]\n\n';
    const { deltas } = await relay(text, { normalize: streamNormalizerFor('think-tags') });
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe('Hmm.');
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('Yes.');
    // Without the rule the relay passes the vendor's text as it came.
    const plain = await relay(text, {});
    expect(plain.deltas.map((d) => d.content ?? '').join('')).toBe('<think>Hmm.</think>\n\nYes.');
  });
});
