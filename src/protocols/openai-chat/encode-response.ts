import type { NeutralResponse } from '../../core/neutral-response.js';
import type { EncodeContext } from '../codec.js';
import type { Json } from '../request-checks.js';
import { toOpenAIFinishReason, toOpenAIUsage } from './finish-and-usage.js';

export const openAIChatId = (id: string): string => (id.startsWith('chatcmpl-') ? id : `chatcmpl-${id.replace(/^msg_/, '') || Date.now().toString(36)}`);

/** Neutral → `chat.completion`. Reasoning goes out as `reasoning_content`, the field DeepSeek made common. */
export const encodeOpenAIChatResponse = (response: NeutralResponse, context: EncodeContext): Json => {
  let text = '';
  let reasoning = '';
  const toolCalls: Json[] = [];
  for (const part of response.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool-call') toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  const message: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: openAIChatId(response.id),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(response.finishReason) }],
    ...(response.usage ? { usage: toOpenAIUsage(response.usage) } : {}),
  };
};
