import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { parseOpenAIError } from './parse-openai-error.js';
import { takeChoiceUsage, takeTopLevelUsage } from './take-chunk-usage.js';

export const createOpenAICompatibleAdapter = (
  vendor: string,
  overrides: Partial<ProviderAdapter> = {},
): ProviderAdapter => ({
  vendor,
  acceptsStreamUsageOption: true,
  defaultImageDelivery: 'url',
  authHeaders: (apiKey): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  // Look in both places every time: a vendor changing where usage lives must not lose it.
  takeChunkUsage: (chunk) => takeTopLevelUsage(chunk) ?? takeChoiceUsage(chunk),
  parseError: parseOpenAIError,
  ...overrides,
});
