/**
 * Token counts for when a vendor sends no usage. A BPE tokenizer (cl100k) is close
 * enough for cost accounting across vendors, but it costs ~40 MB, so it is loaded only
 * the first time a vendor leaves usage out; rows using it are marked as estimated.
 * Admission checks (TPM reservations) use the cheap character-based estimate instead.
 */
type Encode = (text: string) => number[];
let tokenizer: Promise<Encode> | null = null;

const loadTokenizer = (): Promise<Encode> =>
  (tokenizer ??= import('gpt-tokenizer/encoding/cl100k_base').then((module) => module.encode as Encode));

export const countTokens = async (text: string): Promise<number> => {
  if (text.length === 0) return 0;
  try {
    return (await loadTokenizer())(text).length;
  } catch {
    return quickTokenEstimate(text);
  }
};

/** ~4 ASCII characters per token, ~1 token per CJK (or other non-ASCII) character. */
export const quickTokenEstimate = (text: string): number => {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
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

const promptTokens = (messages: unknown, count: (text: string) => number): number => {
  if (!Array.isArray(messages)) return 0;
  let total = 3;
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const m = message as Record<string, unknown>;
    total += 4 + count(contentText(m.content)) + imageTokens(m.content);
    if (m.tool_calls) total += count(JSON.stringify(m.tool_calls));
  }
  return total;
};

/** Cheap estimate for admission (rate limits): no tokenizer. */
export const quickPromptEstimate = (messages: unknown): number => promptTokens(messages, quickTokenEstimate);

/** Roughly what OpenAI counts: content tokens plus a few per message for the framing. */
export const estimatePromptTokens = async (messages: unknown): Promise<number> => {
  const encode = await loadTokenizer().catch(() => null);
  return promptTokens(messages, encode ? (text) => (text ? encode(text).length : 0) : quickTokenEstimate);
};
