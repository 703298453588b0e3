import type { AssistantPart } from '../../core/neutral-request.js';
import type { NeutralResponse } from '../../core/neutral-response.js';
import { isObject, type Json } from '../request-checks.js';
import { fromOpenAIFinishReason, fromOpenAIUsage, openAIUsageOf } from './finish-and-usage.js';
import type { DecodeOptions } from '../codec.js';
import { otherReasoningField } from '../../providers/rules/reasoning-fields.js';
import { splitThinkTags } from '../../providers/rules/think-tags.js';

/**
 * A `chat.completion` object → neutral. Reasoning becomes a reasoning part from whichever
 * field the vendor used: `reasoning_content` (DeepSeek, Qwen, GLM), `reasoning` (vLLM,
 * Ollama, OpenRouter), `reasoning_details` (OpenRouter), or think tags when the model's rules say so.
 */
export const decodeOpenAIChatResponse = (json: Json, options?: DecodeOptions): NeutralResponse => {
  const choice = Array.isArray(json.choices) && isObject(json.choices[0]) ? json.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: AssistantPart[] = [];
  let reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : otherReasoningField(message);
  let text = message.content;
  if (options?.thinkTags && typeof text === 'string' && text.includes('<think>')) {
    const split = splitThinkTags(text);
    reasoning += split.reasoning;
    text = split.content;
  }
  if (reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
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
