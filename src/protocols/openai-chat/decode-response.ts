import type { AssistantPart } from '../../core/neutral-request.js';
import type { NeutralResponse } from '../../core/neutral-response.js';
import { isObject, type Json } from '../request-checks.js';
import { fromOpenAIFinishReason, fromOpenAIUsage, openAIUsageOf } from './finish-and-usage.js';

/** A `chat.completion` object → neutral; reasoning_content (DeepSeek, Qwen, GLM) becomes a reasoning part. */
export const decodeOpenAIChatResponse = (json: Json): NeutralResponse => {
  const choice = Array.isArray(json.choices) && isObject(json.choices[0]) ? json.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: AssistantPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  else if (Array.isArray(message.content)) {
    for (const part of message.content) if (isObject(part) && typeof part.text === 'string') content.push({ type: 'text', text: part.text });
  }
  let index = 0;
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const fn = isObject(call) && isObject(call.function) ? call.function : null;
    if (!fn || typeof fn.name !== 'string') continue;
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${index}`;
    index += 1;
    content.push({ type: 'tool-call', id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) });
  }
  return {
    id: typeof json.id === 'string' ? json.id : '',
    model: typeof json.model === 'string' ? json.model : '',
    content,
    finishReason: fromOpenAIFinishReason(choice.finish_reason),
    usage: fromOpenAIUsage(openAIUsageOf(json)),
  };
};
