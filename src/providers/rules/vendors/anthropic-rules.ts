import type { VendorRules } from '../rule-types.js';

/**
 * Anthropic, OpenAI SDK compatibility endpoint (docs.anthropic.com/en/api/openai-sdk)
 * The Messages protocol (the default) maps thinking in src/protocols/anthropic-messages.
 */
export const ANTHROPIC_RULES: VendorRules = {
  defaults: {
    // "Extended thinking support: add the thinking parameter" (extra body); reasoning_effort is not read.
    thinking: 'thinking-budget',
    multipleChoices: false,
    parameters: [
      { kind: 'clamp', param: 'temperature', min: 0, max: 1, why: 'the compatibility layer takes temperature 0..1 (docs.anthropic.com/en/api/openai-sdk, "temperature")' },
      // Thinking accepts no temperature other than 1 (docs.anthropic.com extended-thinking, "Feature compatibility").
      { kind: 'drop', param: 'temperature', why: 'with thinking on, temperature must be unset or 1 (docs.anthropic.com extended-thinking)', when: 'thinking' },
    ],
  },
  families: [],
};
