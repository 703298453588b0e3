import type { GatewayError } from '../../core/gateway-error.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamPart } from '../../core/stream-part.js';
import type { Usage } from '../../core/usage.js';
import type { EncodeContext, StreamEncoder } from '../codec.js';
import { anthropicErrorEvent } from './error-envelope.js';
import { anthropicMessageId } from './encode-response.js';
import { toAnthropicStopReason } from './stop-reason.js';
import { toAnthropicUsage } from './usage-mapping.js';

/**
 * Neutral parts → Anthropic's event sequence
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming): message_start, ping,
 * content_block_start/delta/stop per block, message_delta with stop_reason and usage,
 * message_stop. Blocks never mix: a thinking delta after text opens a new thinking block.
 */
type BlockKind = 'text' | 'thinking' | 'tool' | null;

const event = (name: string, payload: unknown): string => `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;

export const createAnthropicStreamEncoder = (context: EncodeContext): StreamEncoder => {
  let started = false;
  let ended = false;
  let index = -1;
  let open: BlockKind = null;
  let openToolId: string | null = null;
  const toolIndex = new Map<string, number>();
  let usage: Usage | null = null;
  let finish: FinishReason = 'stop';
  let stopSequence: string | null = null;
  let sawToolCall = false;

  const start = (id?: string, startUsage?: Usage): string => {
    started = true;
    const first = startUsage ?? { inputTokens: context.estimatedInputTokens ?? 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    const message = {
      id: anthropicMessageId(id ?? ''),
      type: 'message',
      role: 'assistant',
      model: context.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...toAnthropicUsage(first), output_tokens: Math.max(1, first.outputTokens) },
    };
    return event('message_start', { type: 'message_start', message }) + event('ping', { type: 'ping' });
  };
  const ensureStarted = (): string => (started ? '' : start());

  const close = (): string => {
    if (open === null) return '';
    const out = event('content_block_stop', { type: 'content_block_stop', index });
    open = null;
    openToolId = null;
    return out;
  };

  const openBlock = (kind: Exclude<BlockKind, null>, contentBlock: Record<string, unknown>): string => {
    const out = close();
    index += 1;
    open = kind;
    return out + event('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
  };

  // The per-token events, written as text around one JSON string: the same bytes JSON.stringify
  // gives for {type, index, delta: {type, [field]: value}}, without two objects per token.
  const delta = (at: number, type: string, field: string, value: string) =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":${at},"delta":{"type":"${type}","${field}":${JSON.stringify(value)}}}\n\n`;

  const fail = (error: GatewayError): string => {
    ended = true;
    return ensureStarted() + close() + anthropicErrorEvent(error);
  };

  return {
    encode(part: StreamPart): string {
      if (ended) return '';
      switch (part.type) {
        case 'start':
          return started ? '' : start(part.id, part.usage);
        case 'text-delta': {
          if (part.text === '') return '';
          const head = ensureStarted() + (open === 'text' ? '' : openBlock('text', { type: 'text', text: '' }));
          return head + delta(index, 'text_delta', 'text', part.text);
        }
        case 'reasoning-delta': {
          const head = ensureStarted() + (open === 'thinking' ? '' : openBlock('thinking', { type: 'thinking', thinking: '', signature: '' }));
          return part.text === '' ? head : head + delta(index, 'thinking_delta', 'thinking', part.text);
        }
        case 'reasoning-signature': {
          const head = ensureStarted() + (open === 'thinking' ? '' : openBlock('thinking', { type: 'thinking', thinking: '', signature: '' }));
          return head + delta(index, 'signature_delta', 'signature', part.signature);
        }
        case 'redacted-reasoning':
          return ensureStarted() + openBlock('thinking', { type: 'redacted_thinking', data: part.data }) + close();
        case 'tool-call-start': {
          sawToolCall = true;
          const head = ensureStarted() + openBlock('tool', { type: 'tool_use', id: part.id, name: part.name, input: {} });
          toolIndex.set(part.id, index);
          openToolId = part.id;
          return head;
        }
        case 'tool-call-delta': {
          const at = toolIndex.get(part.id);
          if (at === undefined || part.argumentsDelta === '') return '';
          // Deltas of an earlier call (interleaved parallel calls) still name their own block.
          return delta(at, 'input_json_delta', 'partial_json', part.argumentsDelta);
        }
        case 'tool-call-end':
          return open === 'tool' && openToolId === part.id ? close() : '';
        case 'usage':
          usage = part.usage;
          return '';
        case 'finish':
          finish = part.reason;
          stopSequence = part.stopSequence ?? null;
          return '';
        case 'error':
          return fail(part.error);
      }
    },
    end(): string {
      if (ended) return '';
      ended = true;
      // Some OpenAI-protocol vendors say "stop" after a tool call; Anthropic clients loop on tool_use.
      const reason = finish === 'stop' && sawToolCall ? 'tool_use' : toAnthropicStopReason(finish);
      const final = toAnthropicUsage(usage);
      return (
        ensureStarted() +
        close() +
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: reason, stop_sequence: stopSequence },
          usage: usage ? final : { output_tokens: final.output_tokens },
        }) +
        event('message_stop', { type: 'message_stop' })
      );
    },
  };
};
