import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../simulator/simulator-server.js';
import type { Simulator } from '../simulator/types.js';
import { defaultNeedsKey, detectVendor, knownVendors } from '../config/vendors.js';
import { providerFromEntry } from '../config/load-config.js';
import { defaultImageLimits, GENERIC_IMAGE_LIMITS, knownImageVendors, normalizeVendor, VENDOR_IMAGE_LIMITS } from '../images/vendor-limits.js';
import { adapterFor } from './registry.js';
import { canonicalVendor, VENDORS, vendorEntry } from './vendor-table.js';

/**
 * One vendor table: config detection, image limits, the adapters and the simulator all
 * read src/providers/vendor-table.ts, so they can no longer disagree on ids (they did:
 * `gemini`/`qwen`/`doubao` in the image limits, `google`/`alibaba`/`bytedance` in config).
 */
const ids = VENDORS.map((vendor) => vendor.id);

describe('the vendor table', () => {
  it('has unique ids, and no alias names two vendors', () => {
    expect(new Set(ids).size).toBe(ids.length);
    const names = VENDORS.flatMap((vendor) => [vendor.id, ...vendor.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('config detection knows exactly the table ids, and every alias and host leads to its id', () => {
    expect([...knownVendors].sort()).toEqual([...ids].sort());
    for (const vendor of VENDORS) {
      expect(detectVendor(vendor.id, 'https://example.invalid/v1')).toBe(vendor.id);
      for (const alias of vendor.aliases) expect(detectVendor(alias, 'https://example.invalid/v1')).toBe(vendor.id);
      for (const url of Object.values(vendor.endpoints)) if (!vendor.local) expect(detectVendor('My Provider', url)).toBe(vendor.id);
    }
    expect(detectVendor('Something', 'https://llm.example.com/v1')).toBe('openai-compatible');
  });

  it('an explicit vendor alias in a config becomes the table id (one id for images, adapters and rows)', () => {
    for (const [alias, id] of [['qwen', 'alibaba'], ['Gemini', 'google'], ['doubao', 'bytedance'], ['kimi', 'moonshot']]) {
      const provider = providerFromEntry({ name: 'P', base_url: 'https://example.invalid/v1', vendor: alias } as never);
      expect(provider.vendor).toBe(id);
    }
  });

  it('image limits are keyed by the same ids; aliases resolve to them', () => {
    for (const vendor of knownImageVendors()) expect(ids).toContain(vendor);
    for (const vendor of VENDORS) {
      expect(defaultImageLimits(vendor.id)).toMatchObject(vendor.imageLimits ?? GENERIC_IMAGE_LIMITS);
      for (const alias of vendor.aliases) expect(normalizeVendor(alias)).toBe(vendor.id);
    }
    expect(VENDOR_IMAGE_LIMITS.google).toBe(vendorEntry('gemini')!.imageLimits);
  });

  it('every vendor has its adapter, with the stream-usage behaviour the simulator imitates', () => {
    for (const vendor of VENDORS) {
      const adapter = adapterFor(vendor.id);
      expect(adapter.vendor).toBe(vendor.id);
      expect(adapter).toBe(vendor.adapter);
      // Vendors that put usage somewhere of their own ignore stream_options.include_usage.
      expect(adapter.acceptsStreamUsageOption).toBe(vendor.streamUsage === 'openai');
      for (const alias of vendor.aliases) expect(adapterFor(alias)).toBe(adapter);
    }
  });

  it('local inference servers need no key by default; hosted vendors do', () => {
    expect(defaultNeedsKey('ollama', 'http://10.0.0.5:11434/v1')).toBe(false);
    expect(defaultNeedsKey('vllm', 'http://10.0.0.5:8000/v1')).toBe(false);
    expect(defaultNeedsKey('openai', 'https://api.openai.com/v1')).toBe(true);
  });

  it("the shipped presets use the table's ids, and the table's endpoint for their protocol", () => {
    const dir = join(process.cwd(), 'config');
    const shipped = parse(readFileSync(join(dir, 'models.yaml'), 'utf8')) as { providers: Array<{ name: string; base_url: string; vendor?: string; protocol?: string }> };
    expect(readdirSync(join(dir, 'providers')).length).toBeGreaterThan(0);
    for (const entry of shipped.providers) {
      const provider = providerFromEntry(entry as never);
      const vendor = vendorEntry(provider.vendor);
      expect(vendor, `${entry.name}: vendor ${provider.vendor} is in the table`).toBeDefined();
      expect(canonicalVendor(provider.vendor)).toBe(provider.vendor);
      if (!vendor!.local && vendor!.endpoints[provider.protocol]) {
        expect(provider.baseUrl, `${entry.name} base URL`).toBe(vendor!.endpoints[provider.protocol]);
      }
    }
  });
});

describe('the simulator imitates each vendor as the table describes it', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => sim.close());

  /** Where a stream asked without stream_options carries usage. */
  const usageSeenAt = async (vendor: string): Promise<'finish-choice' | 'finish-top-level' | 'none'> => {
    const response = await fetch(`${sim.url}/${vendor}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sim-key' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await response.text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const chunk = JSON.parse(line.slice(6)) as { usage?: unknown; choices?: Array<{ usage?: unknown }> };
      if (chunk.choices?.[0]?.usage) return 'finish-choice';
      if (chunk.usage) return 'finish-top-level';
    }
    return 'none';
  };

  it('puts stream usage where the vendor does (and where its adapter looks)', async () => {
    for (const vendor of VENDORS) {
      if (vendor.protocol !== 'openai') continue;
      const expected = vendor.streamUsage === 'openai' ? 'none' : vendor.streamUsage;
      expect(await usageSeenAt(vendor.id), vendor.id).toBe(expected);
    }
  });
});
