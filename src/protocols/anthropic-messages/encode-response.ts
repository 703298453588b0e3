import type { NeutralResponse } from '../../core/neutral-response.js';
import type { EncodeContext } from '../codec.js';
import { argumentsObject, type Json } from '../request-checks.js';
import { toAnthropicStopReason } from './stop-reason.js';
import { toAnthropicUsage } from './usage-mapping.js';

let sequence = 0;

/** Anthropic ids look like `msg_…`; a vendor id is kept inside one so it can still be traced. */
export const anthropicMessageId = (id: string): string =>
  id.startsWith('msg_') ? id : `msg_${(id.replace(/[^\w-]/g, '') || `gw${Date.now().toString(36)}${(sequence += 1)}`).slice(0, 80)}`;

/** Neutral → the Anthropic `message` object a client expects. */
export const encodeAnthropicResponse = (response: NeutralResponse, context: EncodeContext): Json => {
  const content: Json[] = [];
  for (const part of response.content) {
    if (part.type === 'text') content.push({ type: 'text', text: part.text });
    else if (part.type === 'reasoning') content.push({ type: 'thinking', thinking: part.text, signature: part.signature ?? '' });
    else if (part.type === 'redacted-reasoning') content.push({ type: 'redacted_thinking', data: part.data });
    else content.push({ type: 'tool_use', id: part.id, name: part.name, input: argumentsObject(part.arguments) });
  }
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: toAnthropicStopReason(response.finishReason),
    stop_sequence: response.stopSequence ?? null,
    usage: toAnthropicUsage(response.usage ?? { inputTokens: context.estimatedInputTokens ?? 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }),
  };
};
