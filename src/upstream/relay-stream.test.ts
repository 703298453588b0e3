import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../providers/registry.js';
import { relayStream } from './relay-stream.js';
import { ResponseBody } from './response-body.js';
import type { UpstreamResponse } from './upstream-client.js';

/** Collects what the relay writes, like a client socket would. */
class CollectingResponse extends EventEmitter {
  written = '';
  writableFinished = false;
  destroyed = false;
  write(chunk: string) {
    this.written += chunk;
    return true;
  }
  end(chunk?: string) {
    if (chunk) this.written += chunk;
    this.writableFinished = true;
  }
}

const upstreamOf = (pieces: Buffer[]): UpstreamResponse => {
  const body = new ResponseBody();
  queueMicrotask(() => {
    for (const piece of pieces) body.push(piece);
    body.end();
  });
  return { status: 200, headers: {}, body, done: () => undefined, mapError: (e) => e as never, abort: () => undefined };
};

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
