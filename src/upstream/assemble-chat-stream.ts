import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import { GatewayError } from '../server/errors.js';
import type { UpstreamResponse } from './upstream-client.js';

/**
 * Stream-only models (vendor rule `streamOnly`, e.g. Qwen's QwQ and QVQ): a client that
 * did not ask for a stream still gets one complete `chat.completion` object. The gateway
 * asks the vendor for a stream and folds its `chat.completion.chunk` events into the
 * object the vendor would have sent without `stream` — text, reasoning, tool calls with
 * their arguments joined, finish reasons and the vendor's own usage object, untouched, so
 * the accounting reads it exactly as it reads a JSON answer (cache and reasoning details
 * included). This runs inside the routed call's attempt, before anything reaches the
 * client, so a broken stream is retried or falls back like a broken JSON answer.
 */

interface ToolCallState {
  id: string;
  name: string;
  arguments: string;
}

interface ChoiceState {
  index: number;
  role: string;
  content: string[];
  sawContent: boolean;
  /** Reasoning, kept under the field name the vendor streams it in. */
  reasoning: Map<'reasoning_content' | 'reasoning', string[]>;
  refusal: string[] | null;
  tools: Map<number, ToolCallState>;
  logprobs: unknown[] | null;
  finishReason: unknown;
}

/** What the vendor's stream amounted to: the assembled object, or an error event it sent instead. */
export type AssembledChat = { ok: true; json: Record<string, unknown> } | { ok: false; status: number; text: string };

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** An error event's status: the one it names when it is an HTTP error status, else 500 (vendor trouble). */
const errorStatus = (error: unknown): number => {
  const info = isRecord(error) ? error : {};
  for (const candidate of [info.status, info.status_code, info.http_code, info.code]) {
    const status = typeof candidate === 'string' && /^\d{3}$/.test(candidate) ? Number(candidate) : candidate;
    if (typeof status === 'number' && status >= 400 && status <= 599) return status;
  }
  return 500;
};

class ChatAssembler {
  private readonly choices = new Map<number, ChoiceState>();
  private head: Record<string, unknown> | null = null;
  private usage: unknown = null;
  done = false;
  failure: { status: number; text: string } | null = null;

  private choice(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = { index, role: 'assistant', content: [], sawContent: false, reasoning: new Map(), refusal: null, tools: new Map(), logprobs: null, finishReason: null };
      this.choices.set(index, state);
    }
    return state;
  }

  private onTool(state: ChoiceState, entry: Record<string, unknown>, position: number): void {
    // Continuation chunks carry the index and argument text only; the id and name come once.
    const index = typeof entry.index === 'number' ? entry.index : position;
    let tool = state.tools.get(index);
    if (!tool) state.tools.set(index, (tool = { id: '', name: '', arguments: '' }));
    if (typeof entry.id === 'string' && entry.id !== '' && tool.id === '') tool.id = entry.id;
    const fn = isRecord(entry.function) ? entry.function : {};
    if (typeof fn.name === 'string' && fn.name !== '' && tool.name === '') tool.name = fn.name;
    if (typeof fn.arguments === 'string') tool.arguments += fn.arguments;
  }

  private onChoice(entry: Record<string, unknown>, position: number): void {
    const state = this.choice(typeof entry.index === 'number' ? entry.index : position);
    const delta = isRecord(entry.delta) ? entry.delta : {};
    if (typeof delta.role === 'string' && delta.role !== '') state.role = delta.role;
    if (typeof delta.content === 'string') {
      state.sawContent = true;
      if (delta.content !== '') state.content.push(delta.content);
    }
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      const text = delta[field];
      if (typeof text !== 'string' || text === '') continue;
      const parts = state.reasoning.get(field);
      if (parts) parts.push(text);
      else state.reasoning.set(field, [text]);
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') (state.refusal ??= []).push(delta.refusal);
    if (Array.isArray(delta.tool_calls)) delta.tool_calls.forEach((call, at) => isRecord(call) && this.onTool(state, call, at));
    const logprobs = isRecord(entry.logprobs) && Array.isArray(entry.logprobs.content) ? entry.logprobs.content : null;
    if (logprobs) (state.logprobs ??= []).push(...logprobs);
    // Moonshot puts the usage inside the finishing choice.
    if (isRecord(entry.usage)) this.usage = entry.usage;
    if (entry.finish_reason !== undefined && entry.finish_reason !== null) state.finishReason = entry.finish_reason;
  }

  /** One SSE `data:` payload. */
  push(data: string): void {
    if (this.done || this.failure) return;
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new GatewayError('The upstream provider sent a malformed stream chunk.', { status: 502, code: 'upstream_malformed_response' });
    }
    if (!isRecord(chunk)) return;
    if (chunk.error !== undefined && chunk.error !== null) {
      // The vendor's error event stands for its error answer: judged like an HTTP error with that body.
      this.failure = { status: errorStatus(chunk.error), text: data };
      return;
    }
    this.head ??= chunk;
    if (isRecord(chunk.usage)) this.usage = chunk.usage;
    if (Array.isArray(chunk.choices)) chunk.choices.forEach((entry, at) => isRecord(entry) && this.onChoice(entry, at));
  }

  /** Every choice has its finish reason: the answer is complete even without [DONE]. */
  get finished(): boolean {
    if (this.done) return true;
    if (this.choices.size === 0) return false;
    for (const state of this.choices.values()) if (state.finishReason === null) return false;
    return true;
  }

  result(): Record<string, unknown> {
    const head = this.head ?? {};
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => {
        const tools = [...state.tools.entries()]
          .sort(([a], [b]) => a - b)
          .map(([index, tool]) => ({ id: tool.id || `call_${state.index}_${index}`, type: 'function', function: { name: tool.name, arguments: tool.arguments } }));
        const text = state.content.join('');
        const message: Record<string, unknown> = {
          role: state.role,
          // As the vendors answer without a stream: null content beside tool calls, else the text.
          content: text === '' && (tools.length > 0 || !state.sawContent) ? null : text,
        };
        for (const [field, parts] of state.reasoning) message[field] = parts.join('');
        if (state.refusal) message.refusal = state.refusal.join('');
        if (tools.length > 0) message.tool_calls = tools;
        return { index: state.index, message, logprobs: state.logprobs ? { content: state.logprobs } : null, finish_reason: state.finishReason ?? 'stop' };
      });
    return {
      id: typeof head.id === 'string' ? head.id : '',
      object: 'chat.completion',
      created: typeof head.created === 'number' ? head.created : Math.floor(Date.now() / 1000),
      model: typeof head.model === 'string' ? head.model : '',
      ...(head.system_fingerprint !== undefined ? { system_fingerprint: head.system_fingerprint } : {}),
      choices,
      ...(this.usage !== null ? { usage: this.usage } : {}),
    };
  }
}

/**
 * Reads the vendor's whole stream (the body is consumed and the response marked done)
 * and returns the assembled answer. Throws the mapped error when reading fails (timeouts,
 * a cut connection), a malformed chunk, or a stream that ends before its answer does.
 */
export const assembleChatStream = async (upstream: UpstreamResponse, providerName: string): Promise<AssembledChat> => {
  const assembler = new ChatAssembler();
  let malformed: unknown = null;
  const parser = createParser({
    onEvent: (event) => {
      if (malformed) return;
      try {
        assembler.push(event.data);
      } catch (error) {
        malformed = error;
      }
    },
  });
  const utf8 = new StringDecoder('utf8');
  try {
    for await (const piece of upstream.body) {
      parser.feed(utf8.write(piece));
      if (malformed || assembler.failure) {
        // Nothing after this counts: let go of the connection instead of reading on.
        upstream.abort();
        break;
      }
    }
    parser.feed(utf8.end());
  } catch (error) {
    const mapped = upstream.mapError(error);
    // The vendor was reached: a connection lost mid-answer is a cut stream, as the relay says too.
    throw mapped.code === 'upstream_unreachable'
      ? new GatewayError(`The upstream provider ${providerName} closed the stream unexpectedly.`, { status: 502, code: 'upstream_stream_interrupted' })
      : mapped;
  } finally {
    upstream.done();
  }
  if (malformed) {
    throw new GatewayError(`The upstream provider ${providerName} sent a malformed stream chunk.`, { status: 502, code: 'upstream_malformed_response' });
  }
  if (assembler.failure) return { ok: false, ...assembler.failure };
  if (!assembler.finished) {
    throw new GatewayError(`The upstream provider ${providerName} ended the stream early.`, { status: 502, code: 'upstream_stream_interrupted' });
  }
  return { ok: true, json: assembler.result() };
};
