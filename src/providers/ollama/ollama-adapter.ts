import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';

/** Ollama's OpenAI endpoint cannot fetch image URLs: it needs inline base64 data URLs. */
export const ollamaAdapter = createOpenAICompatibleAdapter('ollama', {
  defaultImageDelivery: 'data-url',
});
