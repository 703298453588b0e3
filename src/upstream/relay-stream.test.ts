import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../providers/registry.js';
import { relayStream } from './relay-stream.js';
import { CollectingResponse, upstreamOf } from './relay-test-helpers.js';


describe('relayStream', () => {
  it('keeps a multi-byte character that is split across upstream chunks, and re-frames events', async () => {
    const event = (text: string, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta: { content: text }, finish_reason: finish }] })}\n\n`;
    const all = Buffer.from(event('你好，') + event('世界', 'stop') + 'data: [DONE]\n\n', 'utf8');
    // Split inside the three-byte encoding of 好, and inside an event.
    const cut = all.indexOf(Buffer.from('好', 'utf8')) + 1;
    const res = new CollectingResponse();
    const outcome = await relayStream(upstreamOf([all.subarray(0, cut), all.subarray(cut, cut + 7), all.subarray(cut + 7)]), res as unknown as ServerResponse, {
      requestedModel: 'public-name',
      clientWantsUsage: false,
      adapter: adapterFor('openai'),
      providerName: 'Test',
      drainOnDisconnect: false,
    });
    expect(outcome.error).toBeNull();
    expect(outcome.completionText).toBe('你好，世界');
    const events = res.written.trim().split('\n\n');
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).model)).toEqual(['public-name', 'public-name']);
  });
});
