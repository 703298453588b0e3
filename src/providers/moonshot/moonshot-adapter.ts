import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';
import { takeChoiceUsage, takeTopLevelUsage } from '../openai-compatible/take-chunk-usage.js';

/** Moonshot sends stream usage in `choices[0].usage` of the finishing chunk, unasked. */
export const moonshotAdapter = createOpenAICompatibleAdapter('moonshot', {
  acceptsStreamUsageOption: false,
  takeChunkUsage: (chunk) => takeChoiceUsage(chunk) ?? takeTopLevelUsage(chunk),
});
