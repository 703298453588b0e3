import { describe, expect, it } from 'vitest';
import { parseGeminiRequest } from './parse-request.js';
import { geminiThinkingConfig } from './thinking-config.js';

// Gemini thinking per model line (ai.google.dev/gemini-api/docs/thinking): the values the
// simulator's Gemini responder accepts (src/simulator/thinking-checks.ts) for each line.
describe('Gemini thinkingConfig from the neutral reasoning request', () => {
  it('Gemini 3: thinkingLevel only, Pro low/high, Flash all four; no way to stop thinking', () => {
    expect(geminiThinkingConfig('gemini-3-pro-preview', { effort: 'medium' })).toEqual({ thinkingLevel: 'high', includeThoughts: true });
    expect(geminiThinkingConfig('gemini-3-pro-preview', { effort: 'none' })).toEqual({ thinkingLevel: 'low', includeThoughts: false });
    expect(geminiThinkingConfig('gemini-3-flash-preview', { effort: 'medium' })).toEqual({ thinkingLevel: 'medium', includeThoughts: true });
    expect(geminiThinkingConfig('gemini-3-flash-preview', { effort: 'none' })).toEqual({ thinkingLevel: 'minimal', includeThoughts: false });
    expect(geminiThinkingConfig('gemini-3-flash-preview', { budgetTokens: 20_000 })).toEqual({ thinkingLevel: 'high', includeThoughts: true });
  });

  it('Gemini 2.5: a budget in the model’s range; 0 only where thinking can stop', () => {
    expect(geminiThinkingConfig('gemini-2.5-pro', { budgetTokens: 50 })).toEqual({ thinkingBudget: 128, includeThoughts: true });
    expect(geminiThinkingConfig('gemini-2.5-pro', { budgetTokens: 100_000 })).toEqual({ thinkingBudget: 32_768, includeThoughts: true });
    expect(geminiThinkingConfig('gemini-2.5-pro', { effort: 'none' })).toEqual({ thinkingBudget: 128, includeThoughts: false });
    expect(geminiThinkingConfig('gemini-2.5-flash', { effort: 'none' })).toEqual({ thinkingBudget: 0 });
    expect(geminiThinkingConfig('gemini-2.5-flash', { budgetTokens: 100_000 })).toEqual({ thinkingBudget: 24_576, includeThoughts: true });
    expect(geminiThinkingConfig('gemini-2.5-flash-lite', { budgetTokens: 100 })).toEqual({ thinkingBudget: 512, includeThoughts: true });
    expect(geminiThinkingConfig('gemini-2.5-flash', {})).toEqual({ thinkingBudget: -1, includeThoughts: true });
    expect(geminiThinkingConfig('gemini-2.5-flash', undefined)).toBeUndefined();
  });

  it('parses thinkingBudget 0 as "no thinking" and every thinkingLevel', () => {
    const parse = (thinkingConfig: Record<string, unknown>) =>
      parseGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { thinkingConfig } }, 'm', false).reasoning;
    expect(parse({ thinkingBudget: 0 })).toEqual({ effort: 'none' });
    expect(parse({ thinkingLevel: 'MINIMAL' })).toEqual({ effort: 'minimal' });
    expect(parse({ thinkingLevel: 'medium' })).toEqual({ effort: 'medium' });
    expect(parse({ thinkingBudget: 3000 })).toEqual({ budgetTokens: 3000 });
  });
});
