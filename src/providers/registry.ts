import { createOpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';
import type { ProviderAdapter } from './spec/provider-adapter.js';
import { vendorEntry } from './vendor-table.js';

/** Vendors outside the table (a config's own `vendor:` name) get the plain OpenAI-compatible adapter, made once. */
const others = new Map<string, ProviderAdapter>();

/** The adapter of a vendor id or alias, from the vendor table (src/providers/vendor-table.ts). */
export const adapterFor = (vendor: string): ProviderAdapter => {
  const known = vendorEntry(vendor);
  if (known) return known.adapter;
  let adapter = others.get(vendor);
  if (!adapter) {
    adapter = createOpenAICompatibleAdapter(vendor);
    others.set(vendor, adapter);
  }
  return adapter;
};
