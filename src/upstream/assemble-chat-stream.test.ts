import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { neutralUsageFromOpenAI } from '../core/usage.js';
import { assembleChatStream } from './assemble-chat-stream.js';
import { ResponseBody } from './response-body.js';
import type { UpstreamResponse } from './upstream-client.js';

/**
 * Fixtures: DashScope compatible-mode streams, shaped as Model Studio documents its
 * `chat.completion.chunk` objects (the qwen-mt / qwen-vl compatible-mode pages: `delta`
 * with content, role, tool_calls, function_call and refusal; `reasoning_content` for
 * thinking models per the deep-thinking page; the usage-only last chunk with empty
 * `choices` when `stream_options.include_usage` is set, with `prompt_tokens_details` and
 * `completion_tokens_details`). The tool-call stream follows its function-calling page:
 * the first fragment of a call carries id and name, later ones only `index` and arguments.
 */
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name));

const upstreamOf = (pieces: Buffer[]): UpstreamResponse & { aborted: boolean; finished: boolean } => {
  const body = new ResponseBody();
  queueMicrotask(() => {
    for (const piece of pieces) body.push(piece);
    body.end();
  });
  const upstream = {
    status: 200,
    headers: {},
    body,
    aborted: false,
    finished: false,
    done: () => void (upstream.finished = true),
    mapError: (e: unknown) => e as never,
    abort: () => void (upstream.aborted = true),
  };
  return upstream;
};

/** Cuts the bytes every `size` bytes, through events and multi-byte characters alike. */
const slices = (all: Buffer, size: number) => {
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; at += size) out.push(all.subarray(at, at + size));
  return out;
};

const sse = (...chunks: unknown[]) => Buffer.from(chunks.map((chunk) => `data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}\n\n`).join(''));

describe('assembleChatStream', () => {
  it('folds a QwQ stream into the chat.completion it stands for: reasoning, text, finish, the vendor usage untouched', async () => {
    for (const size of [1, 7, 100_000]) {
      const upstream = upstreamOf(slices(fixture('alibaba-qwq-stream.sse'), size));
      const assembled = await assembleChatStream(upstream, 'Qwen');
      expect(assembled).toEqual({
        ok: true,
        json: {
          id: 'chatcmpl-qwq-fixture-1',
          object: 'chat.completion',
          created: 1741500000,
          model: 'qwq-plus',
          system_fingerprint: null,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: '9.9 is larger.', reasoning_content: 'The user asks 9.9 vs 9.11. 0.90 > 0.11.' },
              logprobs: null,
              finish_reason: 'stop',
            },
          ],
          usage: { completion_tokens: 24, prompt_tokens: 120, total_tokens: 144, completion_tokens_details: { reasoning_tokens: 18 }, prompt_tokens_details: { cached_tokens: 64 } },
        },
      });
      expect(upstream.finished).toBe(true);
    }
  });

  it('the assembled usage gives the same five numbers as a JSON answer would (cached and reasoning tokens)', async () => {
    const assembled = await assembleChatStream(upstreamOf([fixture('alibaba-qwq-stream.sse')]), 'Qwen');
    if (!assembled.ok) throw new Error('expected an answer');
    expect(neutralUsageFromOpenAI(assembled.json.usage as Record<string, unknown>)).toMatchObject({ inputTokens: 56, cacheReadTokens: 64, outputTokens: 24, reasoningTokens: 18 });
  });

  it('joins tool-call arguments by index, keeps the first id and name, and leaves content null', async () => {
    const assembled = await assembleChatStream(upstreamOf(slices(fixture('alibaba-tool-call-stream.sse'), 5)), 'Qwen');
    if (!assembled.ok) throw new Error('expected an answer');
    const choice = (assembled.json.choices as Array<Record<string, unknown>>)[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_8f0c1b2d', type: 'function', function: { name: 'get_current_weather', arguments: '{"location": "杭州"}' } },
        { id: 'call_9a7e3c4f', type: 'function', function: { name: 'get_current_time', arguments: '{}' } },
      ],
    });
    expect(assembled.json.usage).toEqual({ completion_tokens: 30, prompt_tokens: 260, total_tokens: 290, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('takes usage from inside the finishing choice (Moonshot) and assembles every choice of n > 1', async () => {
    const head = { id: 'c1', object: 'chat.completion.chunk', created: 5, model: 'm' };
    const body = sse(
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'A' } }, { index: 1, delta: { role: 'assistant', content: 'B' } }] },
      { ...head, choices: [{ index: 1, delta: { content: '2' }, finish_reason: 'length' }] },
      { ...head, choices: [{ index: 0, delta: { content: '1' }, finish_reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cached_tokens: 1 } }] },
    );
    const assembled = await assembleChatStream(upstreamOf([body]), 'Moonshot');
    if (!assembled.ok) throw new Error('expected an answer');
    expect((assembled.json.choices as Array<{ message: { content: string }; finish_reason: string }>).map((c) => [c.message.content, c.finish_reason])).toEqual([
      ['A1', 'stop'],
      ['B2', 'length'],
    ]);
    expect(assembled.json.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cached_tokens: 1 });
  });

  it('reports an error event as the vendor error it stands for (status and body), and stops reading', async () => {
    const error = { error: { code: 'data_inspection_failed', message: 'Output data may contain inappropriate content.', type: 'data_inspection_failed' } };
    const upstream = upstreamOf([sse({ id: 'c', choices: [{ index: 0, delta: { content: 'x' } }] }, error, { id: 'c', choices: [{ index: 0, delta: { content: 'never read' } }] })]);
    expect(await assembleChatStream(upstream, 'Qwen')).toEqual({ ok: false, status: 500, text: JSON.stringify(error) });
    expect(upstream.aborted).toBe(true);
    const named = await assembleChatStream(upstreamOf([sse({ error: { message: 'bad', code: '400' } })]), 'Qwen');
    expect(named).toMatchObject({ ok: false, status: 400 });
  });

  it('throws for a stream that ends before its answer does, and for a malformed chunk', async () => {
    const cut = sse({ id: 'c', choices: [{ index: 0, delta: { content: 'half' } }] });
    await expect(assembleChatStream(upstreamOf([cut]), 'Qwen')).rejects.toMatchObject({ status: 502, code: 'upstream_stream_interrupted' });
    await expect(assembleChatStream(upstreamOf([Buffer.from('data: {not json\n\n')]), 'Qwen')).rejects.toMatchObject({ status: 502, code: 'upstream_malformed_response' });
    // A finish reason without [DONE] is a complete answer (some vendors never send [DONE]).
    const finished = await assembleChatStream(upstreamOf([sse({ id: 'c', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] })]), 'Qwen');
    expect(finished.ok).toBe(true);
  });
});
