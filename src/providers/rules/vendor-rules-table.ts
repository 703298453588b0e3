import type { VendorRules } from './rule-types.js';

/**
 * The vendor rules table (issue 13): per vendor id of `src/providers/vendor-table.ts`,
 * the defaults and the model families that differ. Every rule says why, citing the
 * vendor's docs; `docs/providers.md` shows this table, generated from it.
 */
export const VENDOR_RULES: Readonly<Record<string, VendorRules>> = {
  openai: {
    defaults: { thinking: 'reasoning-effort' },
    families: [
      {
        name: 'reasoning models (o-series, gpt-5)',
        match: /^(o\d|gpt-5)/,
        rules: {
          parameters: [
            {
              kind: 'rename',
              param: 'max_tokens',
              to: 'max_completion_tokens',
              why: 'reasoning models reject max_tokens ("Use max_completion_tokens instead"; platform.openai.com/docs/guides/reasoning)',
            },
          ],
        },
      },
    ],
  },
  // xAI and Gemini's OpenAI-compatible endpoint take reasoning_effort (docs.x.ai reasoning;
  // ai.google.dev/gemini-api/docs/openai "reasoning_effort").
  xai: { defaults: { thinking: 'reasoning-effort' }, families: [] },
  google: { defaults: { thinking: 'reasoning-effort' }, families: [] },
};
