import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';

/**
 * Anthropic's OpenAI SDK compatibility layer (base URL https://api.anthropic.com/v1/)
 * takes the key as a Bearer token; `x-api-key` is sent too so either check passes.
 */
export const anthropicAdapter = createOpenAICompatibleAdapter('anthropic', {
  // Inlined by the gateway's image pipeline (limits, SSRF rules) rather than fetched by Anthropic;
  // the Messages API then gets base64 image blocks.
  defaultImageDelivery: 'data-url',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}`, 'x-api-key': apiKey } : {}),
});
