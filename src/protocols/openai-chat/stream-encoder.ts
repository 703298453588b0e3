import type { StreamPart } from '../../core/stream-part.js';
import type { Usage } from '../../core/usage.js';
import type { EncodeContext, StreamEncoder } from '../codec.js';
import { openAIChatErrorEvent } from './error-envelope.js';
import { openAIChatId } from './encode-response.js';
import { toOpenAIFinishReason, toOpenAIUsage } from './finish-and-usage.js';

/**
 * Neutral parts → `chat.completion.chunk` SSE, ending with `data: [DONE]`. Usage is sent
 * as OpenAI does (a last chunk with `choices: []`) only when the client asked for it.
 */
export const createOpenAIChatStreamEncoder = (context: EncodeContext): StreamEncoder => {
  let prefix = '';
  let ended = false;
  let usage: Usage | null = null;
  let finished = false;
  let sawToolCall = false;
  const toolIndex = new Map<string, number>();

  const chunk = (delta: unknown, finishReason: string | null = null) =>
    `${prefix}[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : JSON.stringify(finishReason)}}]}\n\n`;

  const begin = (id?: string): string => {
    if (prefix) return '';
    prefix = `data: {"id":${JSON.stringify(openAIChatId(id ?? ''))},"object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(context.model)},"choices":`;
    return chunk({ role: 'assistant', content: '' });
  };

  return {
    encode(part: StreamPart): string {
      if (ended) return '';
      switch (part.type) {
        case 'start':
          return begin(part.id);
        case 'text-delta':
          return part.text === '' ? '' : begin() + chunk({ content: part.text });
        case 'reasoning-delta':
          return part.text === '' ? '' : begin() + chunk({ reasoning_content: part.text });
        case 'reasoning-signature':
        case 'redacted-reasoning':
          // No OpenAI form; the signature only matters when replayed to the same vendor.
          return '';
        case 'tool-call-start': {
          sawToolCall = true;
          const index = toolIndex.size;
          toolIndex.set(part.id, index);
          return begin() + chunk({ tool_calls: [{ index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }] });
        }
        case 'tool-call-delta': {
          const index = toolIndex.get(part.id);
          if (index === undefined || part.argumentsDelta === '') return '';
          return chunk({ tool_calls: [{ index, function: { arguments: part.argumentsDelta } }] });
        }
        case 'tool-call-end':
          return '';
        case 'usage':
          usage = part.usage;
          return '';
        case 'finish': {
          finished = true;
          const reason = part.reason === 'stop' && sawToolCall ? 'tool_calls' : toOpenAIFinishReason(part.reason);
          return begin() + chunk({}, reason);
        }
        case 'error':
          ended = true;
          return openAIChatErrorEvent(part.error);
      }
    },
    end(): string {
      if (ended) return '';
      ended = true;
      let out = begin();
      if (!finished) out += chunk({}, sawToolCall ? 'tool_calls' : 'stop');
      if (context.includeUsage && usage) out += `${prefix}[],"usage":${JSON.stringify(toOpenAIUsage(usage))}}\n\n`;
      return `${out}data: [DONE]\n\n`;
    },
  };
};
