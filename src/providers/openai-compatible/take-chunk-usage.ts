import type { ChatChunk, TokenUsage } from '../spec/provider-adapter.js';

const isUsage = (value: unknown): value is TokenUsage =>
  !!value && typeof value === 'object' && typeof (value as TokenUsage).prompt_tokens === 'number';

/** OpenAI puts usage at the top level of a chunk (a final one with `choices: []`). */
export const takeTopLevelUsage = (chunk: ChatChunk): TokenUsage | null => {
  const usage = chunk.usage;
  if ('usage' in chunk) delete chunk.usage;
  return isUsage(usage) ? usage : null;
};

/** Moonshot (and some others) put usage inside the choice that finishes the stream. */
export const takeChoiceUsage = (chunk: ChatChunk): TokenUsage | null => {
  let found: TokenUsage | null = null;
  for (const choice of chunk.choices ?? []) {
    if (choice && 'usage' in choice) {
      if (isUsage(choice.usage)) found = choice.usage;
      delete choice.usage;
    }
  }
  return found;
};
