import type { AssistantPart } from '../../core/neutral-request.js';
import type { NeutralResponse } from '../../core/neutral-response.js';
import { isObject, type Json } from '../request-checks.js';
import { fromAnthropicStopReason } from './stop-reason.js';
import { fromAnthropicUsage } from './usage-mapping.js';

/** An Anthropic `message` object → neutral. Server-tool blocks have no neutral form and are left out. */
export const decodeAnthropicResponse = (json: Json): NeutralResponse => {
  const content: AssistantPart[] = [];
  for (const block of Array.isArray(json.content) ? json.content : []) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') content.push({ type: 'text', text: block.text });
    else if (block.type === 'thinking') {
      content.push({
        type: 'reasoning',
        text: typeof block.thinking === 'string' ? block.thinking : '',
        ...(typeof block.signature === 'string' && block.signature ? { signature: block.signature } : {}),
      });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') content.push({ type: 'redacted-reasoning', data: block.data });
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      content.push({ type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  return {
    id: typeof json.id === 'string' ? json.id : '',
    model: typeof json.model === 'string' ? json.model : '',
    content,
    finishReason: fromAnthropicStopReason(json.stop_reason),
    stopSequence: typeof json.stop_sequence === 'string' ? json.stop_sequence : null,
    usage: isObject(json.usage) ? fromAnthropicUsage(json.usage) : null,
  };
};
