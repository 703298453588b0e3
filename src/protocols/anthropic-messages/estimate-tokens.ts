import { quickTokenEstimate } from '../../upstream/estimate-tokens.js';

/**
 * A fast local input-token estimate for a Messages request: count_tokens answers with it
 * for vendors without a count endpoint (Claude Code calls it many times at start-up, so
 * no tokenizer here), and admission uses it. Images count as Anthropic's documented
 * upper bound for a full-size image (~1600 tokens).
 */
const IMAGE_TOKENS = 1600;
const PER_MESSAGE = 4;

const blocksTokens = (content: unknown): number => {
  if (typeof content === 'string') return quickTokenEstimate(content);
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const block of content) {
    if (block === null || typeof block !== 'object') continue;
    const b = block as Record<string, unknown>;
    if (typeof b.text === 'string') total += quickTokenEstimate(b.text);
    else if (typeof b.thinking === 'string') total += quickTokenEstimate(b.thinking);
    else if (b.type === 'image') total += IMAGE_TOKENS;
    else if (b.type === 'document') total += IMAGE_TOKENS * 2;
    else if (b.type === 'tool_use') total += quickTokenEstimate(JSON.stringify(b.input ?? {})) + 8;
    else if (b.type === 'tool_result') total += blocksTokens(b.content) + 4;
  }
  return total;
};

export const estimateAnthropicInputTokens = (body: Record<string, unknown>): number => {
  let total = blocksTokens(body.system);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (message && typeof message === 'object') total += PER_MESSAGE + blocksTokens((message as { content?: unknown }).content);
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) total += quickTokenEstimate(JSON.stringify(body.tools));
  return Math.max(1, total);
};

/** Whether any message carries an image (routes to a vision-capable model). */
export const anthropicHasImages = (messages: unknown): boolean => {
  if (!Array.isArray(messages)) return false;
  for (const message of messages) {
    const content = message && typeof message === 'object' ? (message as { content?: unknown }).content : null;
    if (!Array.isArray(content)) continue;
    for (const block of content) {
      if (block && typeof block === 'object') {
        const b = block as { type?: unknown; content?: unknown };
        if (b.type === 'image') return true;
        if (b.type === 'tool_result' && Array.isArray(b.content) && b.content.some((inner) => inner && typeof inner === 'object' && (inner as { type?: unknown }).type === 'image')) return true;
      }
    }
  }
  return false;
};
