import type { VendorRules } from '../rule-types.js';

/**
 * Google Gemini, OpenAI-compatible endpoint (ai.google.dev/gemini-api/docs/openai, "Thinking")
 * reasoning_effort maps to a thinking budget (2.5) or thinkingLevel (3); "none" turns thinking
 * off where the model allows it. The native protocol maps thinkingConfig in src/protocols/gemini.
 */
export const GOOGLE_RULES: VendorRules = {
  defaults: { thinking: 'reasoning-effort' },
  families: [
    // Gemini 3 Pro takes low | high and cannot stop thinking.
    { name: 'gemini-3 pro', match: /^gemini-3(\.\d+)?-pro/, rules: { thinksByDefault: true, efforts: { none: null, minimal: 'low', low: 'low', medium: 'high', high: 'high' } } },
    { name: 'gemini-3 flash', match: /^gemini-3(\.\d+)?-flash/, rules: { thinksByDefault: true, efforts: { none: 'minimal', minimal: 'minimal', low: 'low', medium: 'medium', high: 'high' } } },
    // "Gemini 2.5 Pro ... cannot turn off thinking": "none" would be a 400, so the default (dynamic) stays.
    { name: 'gemini-2.5 pro', match: /^gemini-2\.5-pro/, rules: { thinksByDefault: true, efforts: { none: null, minimal: 'low', low: 'low', medium: 'medium', high: 'high' } } },
    { name: 'gemini-2.5 flash', match: /^gemini-2\.5-flash/, rules: { thinksByDefault: true } },
    { name: 'gemini 2.0 / 1.5 (no thinking)', match: /^gemini-(1\.5|2\.0)/, rules: { thinking: 'none' } },
  ],
};
