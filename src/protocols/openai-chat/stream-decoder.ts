import { GatewayError } from '../../core/gateway-error.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamPart } from '../../core/stream-part.js';
import type { Usage } from '../../core/usage.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { isObject, type Json } from '../request-checks.js';
import { parseOpenAIError } from './error-envelope.js';
import { fromOpenAIFinishReason, fromOpenAIUsage } from './finish-and-usage.js';
import type { DecodeOptions } from '../codec.js';
import { otherReasoningField } from '../../providers/rules/reasoning-fields.js';
import { ThinkTagSplitter } from '../../providers/rules/think-tags.js';

interface ToolState {
  id: string;
  name: string;
  started: boolean;
  ended: boolean;
  /** Argument text that arrived before the name (some vendors send the name late). */
  buffered: string;
}

/**
 * OpenAI `chat.completion.chunk` SSE → neutral parts. Tool calls are keyed by their
 * `index`: continuation chunks carry only arguments, with the id and name empty, null
 * or absent, and must stay attached to the call that index started. Usage comes at the
 * top level (OpenAI, after the finish chunk) or inside the finishing choice (Moonshot).
 */
export const createOpenAIChatStreamDecoder = (emit: (part: StreamPart) => void, providerName: string, options?: DecodeOptions): StreamDecoder => {
  // Think tags (opt-in per model) are split across chunks; neutral streams carry one choice.
  const thinkTags = options?.thinkTags ? new ThinkTagSplitter() : null;
  const emitText = (text: string) => {
    if (!thinkTags) {
      if (text !== '') emit({ type: 'text-delta', text });
      return;
    }
    const split = thinkTags.push(text);
    if (split.reasoning !== '') emit({ type: 'reasoning-delta', text: split.reasoning });
    if (split.content !== '') emit({ type: 'text-delta', text: split.content });
  };
  const flushTags = () => {
    if (!thinkTags) return;
    const rest = thinkTags.end();
    if (rest.reasoning !== '') emit({ type: 'reasoning-delta', text: rest.reasoning });
    if (rest.content !== '') emit({ type: 'text-delta', text: rest.content });
  };
  const tools = new Map<number, ToolState>();
  let started = false;
  let usage: Usage | null = null;
  let reason: FinishReason | null = null;
  let done = false;
  let failed = false;
  let flushed = false;

  const endTools = () => {
    for (const tool of tools.values()) {
      if (!tool.started) {
        // A call whose name never came: still surface it so the client sees the attempt.
        tool.started = true;
        emit({ type: 'tool-call-start', id: tool.id, name: tool.name || 'unknown_tool' });
        if (tool.buffered) emit({ type: 'tool-call-delta', id: tool.id, argumentsDelta: tool.buffered });
      }
      if (!tool.ended) {
        tool.ended = true;
        emit({ type: 'tool-call-end', id: tool.id });
      }
    }
  };

  const flush = () => {
    if (flushed || failed) return;
    flushed = true;
    flushTags();
    endTools();
    if (usage) emit({ type: 'usage', usage });
    emit({ type: 'finish', reason: reason ?? 'stop' });
  };

  const onToolDelta = (entry: Json, position: number) => {
    const index = typeof entry.index === 'number' ? entry.index : position;
    const fn = isObject(entry.function) ? entry.function : {};
    const id = typeof entry.id === 'string' && entry.id !== '' ? entry.id : null;
    const name = typeof fn.name === 'string' && fn.name !== '' ? fn.name : null;
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';
    let tool = tools.get(index);
    if (!tool) {
      tool = { id: id ?? `call_${index}_${Date.now().toString(36)}`, name: '', started: false, ended: false, buffered: '' };
      tools.set(index, tool);
    }
    if (name && !tool.name) tool.name = name;
    if (!tool.started && tool.name) {
      tool.started = true;
      emit({ type: 'tool-call-start', id: tool.id, name: tool.name });
      if (tool.buffered) emit({ type: 'tool-call-delta', id: tool.id, argumentsDelta: tool.buffered });
      tool.buffered = '';
    }
    if (args === '') return;
    if (tool.started) emit({ type: 'tool-call-delta', id: tool.id, argumentsDelta: args });
    else tool.buffered += args;
  };

  const onChunk = (chunk: Json) => {
    if (chunk.error !== undefined && chunk.error !== null) {
      failed = true;
      const info = parseOpenAIError(500, JSON.stringify(chunk));
      emit({
        type: 'error',
        error: new GatewayError(`The upstream provider ${providerName} failed mid-stream: ${info.message.slice(0, 2000)}`, {
          status: 502,
          code: 'upstream_stream_error',
        }),
      });
      return;
    }
    if (!started) {
      started = true;
      emit({ type: 'start', ...(typeof chunk.id === 'string' ? { id: chunk.id } : {}), ...(typeof chunk.model === 'string' ? { model: chunk.model } : {}) });
    }
    const top = fromOpenAIUsage(chunk.usage);
    if (top) usage = top;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const delta = isObject(choice.delta) ? choice.delta : {};
      const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : otherReasoningField(delta);
      if (reasoning !== '') emit({ type: 'reasoning-delta', text: reasoning });
      if (typeof delta.content === 'string') emitText(delta.content);
      if (Array.isArray(delta.tool_calls)) delta.tool_calls.forEach((entry, position) => isObject(entry) && onToolDelta(entry, position));
      const inChoice = fromOpenAIUsage(choice.usage);
      if (inChoice) usage = inChoice;
      if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
        flushTags();
        reason = fromOpenAIFinishReason(choice.finish_reason);
        // Close the calls now so an encoder can end their blocks before any usage-only chunk.
        endTools();
      }
    }
  };

  return {
    push(event: SseEvent) {
      if (done || failed) return;
      const data = event.data;
      if (data === '[DONE]') {
        done = true;
        flush();
        return;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        failed = true;
        emit({ type: 'error', error: new GatewayError(`The upstream provider ${providerName} sent a malformed stream chunk.`, { status: 502, code: 'upstream_malformed_response' }) });
        return;
      }
      if (isObject(chunk)) onChunk(chunk);
    },
    get finished() {
      return done || failed || reason !== null;
    },
    end() {
      // Vendors that send a finish reason but no [DONE] still end cleanly.
      if (!done && reason !== null) flush();
    },
  };
};
