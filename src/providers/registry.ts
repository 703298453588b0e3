import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { googleAdapter } from './google/google-adapter.js';
import { moonshotAdapter } from './moonshot/moonshot-adapter.js';
import { ollamaAdapter } from './ollama/ollama-adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';
import type { ProviderAdapter } from './spec/provider-adapter.js';
import { tencentAdapter } from './tencent/tencent-adapter.js';
import { zhipuAdapter } from './zhipu/zhipu-adapter.js';

const adapters = new Map<string, ProviderAdapter>(
  [moonshotAdapter, ollamaAdapter, googleAdapter, zhipuAdapter, tencentAdapter, anthropicAdapter].map((a) => [
    a.vendor,
    a,
  ]),
);

/** Vendors without quirks of their own use the plain OpenAI-compatible adapter. */
export const adapterFor = (vendor: string): ProviderAdapter => {
  let adapter = adapters.get(vendor);
  if (!adapter) {
    adapter = createOpenAICompatibleAdapter(vendor);
    adapters.set(vendor, adapter);
  }
  return adapter;
};
