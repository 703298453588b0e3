import type { ModelRules, ParameterRule, VendorRules } from '../rule-types.js';

/**
 * Moonshot Kimi (api.moonshot.cn). Sources, read 2026-12-02:
 * - PARAMS: the model parameter reference, https://platform.kimi.com/docs/api/models-overview
 *   (per family: which sampling values are fixed, the thinking switch, K3's reasoning_effort).
 * - CHAT: the chat API reference, https://platform.kimi.com/docs/api/chat (tool_choice,
 *   reasoning_content kept in history) and its earlier edition at
 *   https://platform.moonshot.cn/docs/api/chat (temperature range [0, 1], n at most 5).
 * - THINKING: https://platform.kimi.com/docs/guide/use-kimi-k2-thinking-model (which models
 *   think by default).
 * Stream usage inside `choices[0].usage` is handled by the Moonshot adapter, not here.
 */
const PARAMS = 'platform.kimi.com/docs/api/models-overview';

/** The K-series sampling values Moonshot fixes: anything else is answered 400. */
const lockedSampling = (family: string): ParameterRule[] => [
  { kind: 'fixed', param: 'top_p', value: 0.95, why: `${family}: top_p is 0.95 and cannot be modified (${PARAMS})` },
  { kind: 'fixed', param: 'n', value: 1, why: `${family}: n is 1 and cannot be modified (${PARAMS})` },
  { kind: 'fixed', param: 'presence_penalty', value: 0, why: `${family}: presence_penalty is 0 and cannot be modified (${PARAMS})` },
  { kind: 'fixed', param: 'frequency_penalty', value: 0, why: `${family}: frequency_penalty is 0 and cannot be modified (${PARAMS})` },
];

/** moonshot-v1 and the retired K2 previews: temperature in [0, 1], n at most 5. */
const openSampling = (family: string): ParameterRule[] => [
  { kind: 'clamp', param: 'temperature', min: 0, max: 1, why: `${family}: temperature must be in [0, 1] (platform.moonshot.cn/docs/api/chat)` },
  { kind: 'clamp', param: 'n', min: 1, max: 5, why: `${family}: n must not be greater than 5 (platform.moonshot.cn/docs/api/chat)` },
];

/** K2.5 and K2.6: one model thinks or not, switched by `thinking: {type}`, on by default. */
const hybridK2 = (family: string): ModelRules => ({
  thinking: 'thinking-type',
  thinksByDefault: true,
  reasoningReplay: 'required',
  // While thinking only "auto" and "none" (platform.kimi.com/docs/api/chat).
  toolChoiceWhenThinking: 'auto-none',
  parameters: [
    { kind: 'fixed', param: 'temperature', value: 1, when: 'thinking', why: `${family}: temperature is fixed at 1.0 in thinking mode, other values are an error (${PARAMS})` },
    { kind: 'fixed', param: 'temperature', value: 0.6, when: 'not-thinking', why: `${family}: temperature is fixed at 0.6 in non-thinking mode, other values are an error (${PARAMS})` },
    ...lockedSampling(family),
  ],
});

export const MOONSHOT_RULES: VendorRules = {
  // Thinking models answer in `reasoning_content` (CHAT).
  defaults: { reasoningField: 'reasoning_content' },
  families: [
    {
      name: 'Kimi K3',
      match: /^kimi-k3/,
      rules: {
        // K3 always thinks; its depth is the top-level reasoning_effort: low, high or max (PARAMS).
        thinking: 'reasoning-effort',
        thinksByDefault: true,
        efforts: { none: null, minimal: 'low', low: 'low', medium: 'high', high: 'high' },
        reasoningReplay: 'required',
        parameters: [{ kind: 'fixed', param: 'temperature', value: 1, why: `Kimi K3: temperature is fixed at 1.0 (${PARAMS})` }, ...lockedSampling('Kimi K3')],
      },
    },
    {
      name: 'Kimi K2.7 Code',
      match: /^kimi-k2\.7-code/,
      rules: {
        thinking: 'fixed',
        thinksByDefault: true,
        reasoningReplay: 'required',
        toolChoice: 'no-required',
        parameters: [
          { kind: 'drop', param: 'thinking', why: `Kimi K2.7 Code always thinks: thinking {type: "disabled"} is an error (${PARAMS})` },
          { kind: 'fixed', param: 'temperature', value: 1, why: `Kimi K2.7 Code: temperature is fixed at 1.0 (${PARAMS})` },
          ...lockedSampling('Kimi K2.7 Code'),
        ],
      },
    },
    {
      name: 'Kimi K2.6',
      match: /^kimi-k2\.6/,
      // "required" is refused by K2.6 even without thinking (PARAMS).
      rules: { ...hybridK2('Kimi K2.6'), toolChoice: 'no-required' },
    },
    { name: 'Kimi K2.5', match: /^kimi-k2\.5/, rules: hybridK2('Kimi K2.5') },
    {
      name: 'Kimi K2 Thinking (retired)',
      match: /^kimi-k2-thinking/,
      // A dedicated thinking model: thinking is always on (THINKING).
      rules: { thinking: 'fixed', thinksByDefault: true, reasoningReplay: 'required', parameters: openSampling('Kimi K2 Thinking') },
    },
    { name: 'Kimi K2 previews (retired)', match: /^kimi-k2/, rules: { thinking: 'none', parameters: openSampling('Kimi K2') } },
    { name: 'moonshot-v1', match: /^moonshot-v1/, rules: { thinking: 'none', parameters: openSampling('moonshot-v1') } },
  ],
};
