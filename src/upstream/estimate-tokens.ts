import { encode } from 'gpt-tokenizer';

/**
 * Token estimates for when a vendor sends no usage. cl100k-style BPE is close enough
 * for cost accounting across vendors; rows using it are marked as estimated.
 */
export const countTokens = (text: string): number => {
  if (text.length === 0) return 0;
  try {
    return encode(text).length;
  } catch {
    return Math.ceil(text.length / 3);
  }
};

const contentText = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
      .join('\n');
  }
  return '';
};

const imageTokens = (content: unknown): number =>
  Array.isArray(content) ? content.filter((p) => p && typeof p === 'object' && p.type === 'image_url').length * 765 : 0;

/** Roughly what OpenAI counts: content tokens plus a few per message for the framing. */
export const estimatePromptTokens = (messages: unknown): number => {
  if (!Array.isArray(messages)) return 0;
  let total = 3;
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const m = message as Record<string, unknown>;
    total += 4 + countTokens(contentText(m.content)) + imageTokens(m.content);
    if (m.tool_calls) total += countTokens(JSON.stringify(m.tool_calls));
  }
  return total;
};
