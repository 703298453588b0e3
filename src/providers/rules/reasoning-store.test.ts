import { describe, expect, it } from 'vitest';
import { createReasoningStore, ReasoningStore } from './reasoning-store.js';
import { captureChatAnswer, replayReasoning, StreamReasoningCapture } from './reasoning-replay.js';
import type { ResolvedRules } from './rule-types.js';

const clock = () => {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

describe('reasoning store bounds', () => {
  it('forgets the least recently used entry past the entry cap', () => {
    const store = new ReasoningStore({ maxEntries: 2, maxBytes: 1 << 20, ttlMs: 60_000 });
    store.remember('k', 'call_1', 'one');
    store.remember('k', 'call_2', 'two');
    expect(store.recall('k', 'call_1')).toBe('one'); // call_1 is now the most recent
    store.remember('k', 'call_3', 'three');
    expect(store.size).toBe(2);
    expect(store.recall('k', 'call_2')).toBeNull();
    expect(store.recall('k', 'call_1')).toBe('one');
    expect(store.recall('k', 'call_3')).toBe('three');
  });

  it('keeps its bytes under the cap and refuses one entry larger than allowed', () => {
    const store = new ReasoningStore({ maxEntries: 1000, maxBytes: 4096, ttlMs: 60_000, maxEntryBytes: 2048 });
    for (let index = 0; index < 50; index += 1) store.remember('k', `call_${index}`, 'x'.repeat(300));
    expect(store.totalBytes).toBeLessThanOrEqual(4096);
    expect(store.size).toBeLessThan(50);
    expect(store.recall('k', 'call_49')).toBe('x'.repeat(300));
    expect(store.recall('k', 'call_0')).toBeNull();
    store.remember('k', 'huge', 'y'.repeat(5000));
    expect(store.recall('k', 'huge')).toBeNull();
  });

  it('expires entries after the TTL', () => {
    const time = clock();
    const store = new ReasoningStore({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 1_000, now: time.now });
    store.remember('k', 'call_1', 'soon gone');
    time.advance(999);
    expect(store.recall('k', 'call_1')).toBe('soon gone');
    time.advance(2);
    expect(store.recall('k', 'call_1')).toBeNull();
    expect(store.size).toBe(0);
    expect(store.totalBytes).toBe(0);
  });

  it('another owner cannot read an entry, even with the same tool-call id', () => {
    const store = new ReasoningStore({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 60_000 });
    store.remember('key-a', 'call_1', 'a’s thoughts');
    expect(store.recall('key-b', 'call_1')).toBeNull();
    // An owner that ends where another begins cannot collide either.
    expect(store.recall('key-a\u0000call', '1')).toBeNull();
    expect(store.recall('key-a', 'call_1')).toBe('a’s thoughts');
  });

  it('entries 0 turns replay off', () => {
    expect(createReasoningStore({ entries: 0, maxBytes: 1 << 20, ttlMs: 1 })).toBeNull();
    expect(createReasoningStore(undefined)).toBeInstanceOf(ReasoningStore);
  });
});

const required: ResolvedRules = { parameters: [], family: null, reasoningReplay: 'required' };
const reject: ResolvedRules = { parameters: [], family: null, reasoningReplay: 'reject' };

describe('replay on an OpenAI body', () => {
  const call = { id: 'call_9', type: 'function', function: { name: 'f', arguments: '{}' } };

  it('captures from JSON and a stream, then fills in only what the client left out (the client’s objects untouched)', () => {
    const replay = { store: new ReasoningStore({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: 60_000 }), owner: 'k' };
    captureChatAnswer({ choices: [{ message: { role: 'assistant', content: null, reasoning_content: 'json thoughts', tool_calls: [call] } }] }, replay);
    const capture = new StreamReasoningCapture(replay);
    capture.raw('{"choices":[{"index":0,"delta":{"reasoning_content":"stream "}}]}');
    capture.raw('{"choices":[{"index":0,"delta":{"content":"ignored, no parse"}}]}');
    capture.chunk({ choices: [{ index: 0, delta: { reasoning_content: 'thoughts' } }] });
    capture.raw('{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_s","function":{"name":"f","arguments":""}}]}}]}');
    capture.finish();
    const sent = [
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'assistant', content: null, tool_calls: [{ ...call, id: 'call_s' }] },
      { role: 'assistant', content: null, reasoning_content: 'kept', tool_calls: [{ ...call, id: 'call_s' }] },
      { role: 'assistant', content: 'no tools' },
    ];
    const body: Record<string, unknown> = { messages: sent };
    replayReasoning(required, body, replay);
    expect((body.messages as Array<Record<string, unknown>>).map((m) => m.reasoning_content)).toEqual(['json thoughts', 'stream thoughts', 'kept', undefined]);
    expect(sent[0]).not.toHaveProperty('reasoning_content');
  });

  it('reject strips every reasoning field; no rule leaves the body alone', () => {
    const body: Record<string, unknown> = { messages: [{ role: 'assistant', content: 'a', reasoning_content: 'r', reasoning: 'r', reasoning_details: [] }, { role: 'user', content: 'u' }] };
    replayReasoning(reject, body, null);
    expect(body.messages).toEqual([{ role: 'assistant', content: 'a' }, { role: 'user', content: 'u' }]);
    const untouched = { messages: [{ role: 'assistant', content: 'a', reasoning_content: 'r' }] };
    const before = untouched.messages;
    replayReasoning({ parameters: [], family: null }, untouched, null);
    expect(untouched.messages).toBe(before);
  });
});
