import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';

/** Gemini's OpenAI-compatible endpoint takes images inline only (base64 data URLs). */
export const googleAdapter = createOpenAICompatibleAdapter('google', {
  defaultImageDelivery: 'data-url',
});
