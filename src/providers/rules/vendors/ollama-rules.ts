import type { VendorRules } from '../rule-types.js';

/**
 * Ollama (github.com/ollama/ollama/blob/main/docs/openai.md; docs.ollama.com/api/openai-compatibility)
 */
export const OLLAMA_RULES: VendorRules = {
  defaults: {
    // "reasoning_effort" is read for thinking models (docs.ollama.com, Supported request fields).
    thinking: 'reasoning-effort',
    // "Image content: Base64 encoded image" — the server does not fetch image URLs.
    imageDelivery: 'data-url',
    // "tool_choice", "n" are listed as not supported.
    toolChoice: 'none-supported',
    multipleChoices: false,
  },
  families: [],
};
