import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamPart } from '../../core/stream-part.js';
import { emptyUsage, type Usage } from '../../core/usage.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { isObject, type Json } from '../request-checks.js';
import { streamErrorFromAnthropic } from './error-envelope.js';
import { fromAnthropicStopReason } from './stop-reason.js';
import { fromAnthropicUsage } from './usage-mapping.js';

/**
 * Anthropic SSE → neutral parts. Usage arrives in two halves: input (and cache) tokens
 * in message_start, output tokens in message_delta (cumulative); usage and finish are
 * emitted once, at message_stop.
 */
export const createAnthropicStreamDecoder = (emit: (part: StreamPart) => void, providerName: string): StreamDecoder => {
  const blocks = new Map<number, { kind: 'text' | 'thinking' | 'tool' | 'other'; id?: string }>();
  let usage: Usage = emptyUsage();
  let sawUsage = false;
  let reason: FinishReason = 'stop';
  let stopSequence: string | null = null;
  let finished = false;
  let failed = false;

  const malformed = () =>
    new GatewayError(`The upstream provider ${providerName} sent a malformed stream event.`, { status: 502, code: 'upstream_malformed_response' });

  const finish = () => {
    if (finished) return;
    finished = true;
    for (const block of blocks.values()) if (block.kind === 'tool' && block.id) emit({ type: 'tool-call-end', id: block.id });
    blocks.clear();
    if (sawUsage) emit({ type: 'usage', usage });
    emit({ type: 'finish', reason, stopSequence });
  };

  const onData = (data: Json) => {
    switch (data.type) {
      case 'message_start': {
        const message = isObject(data.message) ? data.message : {};
        if (isObject(message.usage)) {
          usage = fromAnthropicUsage(message.usage);
          sawUsage = true;
        }
        emit({
          type: 'start',
          ...(typeof message.id === 'string' ? { id: message.id } : {}),
          ...(typeof message.model === 'string' ? { model: message.model } : {}),
          ...(sawUsage ? { usage } : {}),
        });
        return;
      }
      case 'content_block_start': {
        const at = typeof data.index === 'number' ? data.index : blocks.size;
        const block = isObject(data.content_block) ? data.content_block : {};
        if (block.type === 'text') {
          blocks.set(at, { kind: 'text' });
          if (typeof block.text === 'string' && block.text) emit({ type: 'text-delta', text: block.text });
        } else if (block.type === 'thinking') {
          blocks.set(at, { kind: 'thinking' });
          if (typeof block.thinking === 'string' && block.thinking) emit({ type: 'reasoning-delta', text: block.thinking });
        } else if (block.type === 'redacted_thinking') {
          blocks.set(at, { kind: 'other' });
          if (typeof block.data === 'string') emit({ type: 'redacted-reasoning', data: block.data });
        } else if (block.type === 'tool_use' && typeof block.id === 'string') {
          blocks.set(at, { kind: 'tool', id: block.id });
          emit({ type: 'tool-call-start', id: block.id, name: typeof block.name === 'string' ? block.name : '' });
          if (isObject(block.input) && Object.keys(block.input).length > 0) {
            emit({ type: 'tool-call-delta', id: block.id, argumentsDelta: JSON.stringify(block.input) });
          }
        } else {
          // server_tool_use, web_search_tool_result, …: nothing a neutral client can use.
          blocks.set(at, { kind: 'other' });
        }
        return;
      }
      case 'content_block_delta': {
        const block = blocks.get(typeof data.index === 'number' ? data.index : -1);
        const delta = isObject(data.delta) ? data.delta : {};
        if (delta.type === 'text_delta' && typeof delta.text === 'string') emit({ type: 'text-delta', text: delta.text });
        else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') emit({ type: 'reasoning-delta', text: delta.thinking });
        else if (delta.type === 'signature_delta' && typeof delta.signature === 'string') emit({ type: 'reasoning-signature', signature: delta.signature });
        else if (delta.type === 'input_json_delta' && block?.kind === 'tool' && block.id && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
          emit({ type: 'tool-call-delta', id: block.id, argumentsDelta: delta.partial_json });
        }
        return;
      }
      case 'content_block_stop': {
        const at = typeof data.index === 'number' ? data.index : -1;
        const block = blocks.get(at);
        if (block?.kind === 'tool' && block.id) emit({ type: 'tool-call-end', id: block.id });
        blocks.delete(at);
        return;
      }
      case 'message_delta': {
        const delta = isObject(data.delta) ? data.delta : {};
        if (delta.stop_reason !== undefined && delta.stop_reason !== null) reason = fromAnthropicStopReason(delta.stop_reason);
        if (typeof delta.stop_sequence === 'string') stopSequence = delta.stop_sequence;
        if (isObject(data.usage)) {
          // Cumulative counts; fields absent or null here keep what message_start said.
          const next = fromAnthropicUsage({
            input_tokens: data.usage.input_tokens ?? usage.inputTokens,
            cache_read_input_tokens: data.usage.cache_read_input_tokens ?? usage.cacheReadTokens,
            cache_creation_input_tokens: data.usage.cache_creation_input_tokens ?? usage.cacheWriteTokens,
            output_tokens: data.usage.output_tokens ?? usage.outputTokens,
          });
          usage = next;
          sawUsage = true;
        }
        return;
      }
      case 'message_stop':
        finish();
        return;
      case 'error':
        failed = true;
        finished = true;
        emit({ type: 'error', error: streamErrorFromAnthropic(data, providerName) });
        return;
      default:
        // ping and event types added later are ignored, as Anthropic asks clients to.
        return;
    }
  };

  return {
    push(sse: SseEvent) {
      if (finished || failed) return;
      let data: unknown;
      try {
        data = JSON.parse(sse.data);
      } catch {
        failed = true;
        finished = true;
        emit({ type: 'error', error: malformed() });
        return;
      }
      if (isObject(data)) onData(data);
    },
    get finished() {
      return finished;
    },
    end() {
      // A body that ended without message_stop is an interrupted stream: the relay reports it.
    },
  };
};
