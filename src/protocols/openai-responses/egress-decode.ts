import { GatewayError } from '../../core/gateway-error.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { AssistantPart } from '../../core/neutral-request.js';
import type { NeutralResponse } from '../../core/neutral-response.js';
import type { StreamPart } from '../../core/stream-part.js';
import { count, type Usage } from '../../core/usage.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { isObject, type Json } from '../request-checks.js';

/** Responses usage → neutral (input_tokens includes the cached ones, as prompt_tokens does). */
export const fromResponsesUsage = (value: unknown): Usage | null => {
  if (!isObject(value)) return null;
  const input = count(value.input_tokens);
  const output = count(value.output_tokens);
  // Clamped like chat usage: cached is part of input, reasoning part of output.
  const cached = Math.min(count((value.input_tokens_details as Json | null | undefined)?.cached_tokens), input);
  return {
    inputTokens: input - cached,
    outputTokens: output,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reasoningTokens: Math.min(count((value.output_tokens_details as Json | null | undefined)?.reasoning_tokens), output),
  };
};

const finishOf = (response: Json, sawToolCall: boolean): FinishReason => {
  if (response.status === 'incomplete') {
    const reason = (response.incomplete_details as Json | null)?.reason;
    return reason === 'content_filter' ? 'content-filter' : 'length';
  }
  if (response.status === 'failed') return 'error';
  return sawToolCall ? 'tool-calls' : 'stop';
};

const summaryText = (item: Json): string =>
  (Array.isArray(item.summary) ? (item.summary as Json[]) : []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');

/** A Responses API `response` object → neutral. */
export const decodeResponsesResponse = (json: Json): NeutralResponse => {
  const content: AssistantPart[] = [];
  let sawToolCall = false;
  for (const item of Array.isArray(json.output) ? (json.output as Json[]) : []) {
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as Json[]) {
        if (part.type === 'output_text' && typeof part.text === 'string') content.push({ type: 'text', text: part.text });
        else if (part.type === 'refusal' && typeof part.refusal === 'string') content.push({ type: 'text', text: part.refusal });
      }
    } else if (item.type === 'function_call') {
      sawToolCall = true;
      content.push({ type: 'tool-call', id: String(item.call_id ?? item.id ?? ''), name: String(item.name ?? ''), arguments: typeof item.arguments === 'string' ? item.arguments : '{}' });
    } else if (item.type === 'reasoning') {
      const text = summaryText(item);
      if (text !== '') content.push({ type: 'reasoning', text });
    }
  }
  return { id: String(json.id ?? ''), model: String(json.model ?? ''), content, finishReason: finishOf(json, sawToolCall), usage: fromResponsesUsage(json.usage) };
};

/** Responses SSE events → neutral parts; function calls are keyed by their item id. */
export const createResponsesStreamDecoder = (emit: (part: StreamPart) => void, providerName: string): StreamDecoder => {
  let finished = false;

  const calls = new Map<string, { callId: string; open: boolean }>();
  const decoder: StreamDecoder = {
    get finished() {
      return finished;
    },
    push(event: SseEvent) {
      if (finished) return;
      let data: Json;
      try {
        data = JSON.parse(event.data) as Json;
      } catch {
        finished = true;
        emit({ type: 'error', error: new GatewayError(`The upstream provider ${providerName} sent malformed stream data.`, { status: 502, code: 'upstream_malformed_response' }) });
        return;
      }
      const type = typeof data.type === 'string' ? data.type : event.event;
      switch (type) {
        case 'response.created': {
          const response = (data.response ?? {}) as Json;

          emit({ type: 'start', id: String(response.id ?? ''), model: String(response.model ?? '') });
          break;
        }
        case 'response.output_text.delta':
          if (typeof data.delta === 'string') emit({ type: 'text-delta', text: data.delta });
          break;
        case 'response.reasoning_summary_text.delta':
        case 'response.reasoning_text.delta':
          if (typeof data.delta === 'string') emit({ type: 'reasoning-delta', text: data.delta });
          break;
        case 'response.output_item.added': {
          const item = (data.item ?? {}) as Json;
          if (item.type === 'function_call' && typeof item.id === 'string') {
            const callId = String(item.call_id ?? item.id);
            calls.set(item.id, { callId, open: true });
            emit({ type: 'tool-call-start', id: callId, name: String(item.name ?? 'unknown_tool') });
          }
          break;
        }
        case 'response.function_call_arguments.delta': {
          const call = calls.get(String(data.item_id));
          if (call && typeof data.delta === 'string') emit({ type: 'tool-call-delta', id: call.callId, argumentsDelta: data.delta });
          break;
        }
        case 'response.output_item.done': {
          const item = (data.item ?? {}) as Json;
          const call = calls.get(String(item.id));
          if (call?.open) {
            call.open = false;
            emit({ type: 'tool-call-end', id: call.callId });
          }
          break;
        }
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed': {
          const response = (data.response ?? {}) as Json;
          for (const call of calls.values()) if (call.open) emit({ type: 'tool-call-end', id: call.callId });
          const usage = fromResponsesUsage(response.usage);
          if (usage) emit({ type: 'usage', usage });
          finished = true;
          if (type === 'response.failed') {
            const error = (response.error ?? {}) as Json;
            emit({ type: 'error', error: new GatewayError(`The upstream provider ${providerName} failed: ${String(error.message ?? 'response failed').slice(0, 2000)}`, { status: 502, code: 'upstream_stream_error' }) });
          } else emit({ type: 'finish', reason: finishOf(response, calls.size > 0) });
          break;
        }
        case 'error':
          finished = true;
          emit({ type: 'error', error: new GatewayError(`The upstream provider ${providerName} failed mid-stream: ${String(data.message ?? 'stream error').slice(0, 2000)}`, { status: data.code === 'rate_limit_exceeded' ? 429 : 502, code: 'upstream_stream_error' }) });
          break;
        default:
          break;
      }

    },
    end() {
      // Nothing buffered: an unfinished stream is reported by the relay as interrupted.
    },
  };
  return decoder;
};
