import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import {
  DEFAULT_MAX_INPUT_PIXELS,
  GENERIC_IMAGE_LIMITS,
  VENDOR_IMAGE_LIMITS,
  defaultImageLimits,
  knownImageVendors,
  resolveImageLimits,
} from './vendor-limits.js';

describe('vendor image limits', () => {
  it('has an entry for every vendor the gateway serves', () => {
    expect(knownImageVendors().sort()).toEqual(
      ['alibaba', 'anthropic', 'baidu', 'bytedance', 'deepseek', 'google', 'ollama', 'openai', 'siliconflow', 'tencent', 'xai', 'zhipu'].sort(),
    );
    for (const limits of [...Object.values(VENDOR_IMAGE_LIMITS), GENERIC_IMAGE_LIMITS]) {
      expect(limits.maxLongEdge).toBeGreaterThan(0);
      expect(limits.maxPixels).toBeLessThanOrEqual(limits.maxLongEdge * limits.maxLongEdge);
      expect(limits.maxBytes).toBeGreaterThan(100_000);
    }
  });

  it('encodes the documented numbers', () => {
    expect(defaultImageLimits('openai')).toMatchObject({ maxLongEdge: 2048, maxPixels: 2048 * 768, maxBytes: 20 * 1024 * 1024 });
    expect(defaultImageLimits('anthropic')).toMatchObject({ maxLongEdge: 1568, maxPixels: 1_150_000 });
    // Anthropic's 5MB is checked on the base64 text: the raw image must stay at 3/4 of it.
    expect(Math.ceil(defaultImageLimits('anthropic').maxBytes / 3) * 4).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(defaultImageLimits('zhipu')).toMatchObject({ maxLongEdge: 6000, maxPixels: 36_000_000 });
  });

  it('resolves aliases case-insensitively and falls back to the generic entry', () => {
    expect(defaultImageLimits('Claude')).toEqual(defaultImageLimits('anthropic'));
    expect(defaultImageLimits('DashScope')).toEqual(defaultImageLimits('alibaba'));
    expect(defaultImageLimits('qwen')).toEqual(defaultImageLimits('alibaba'));
    expect(defaultImageLimits('volcengine')).toEqual(defaultImageLimits('bytedance'));
    expect(defaultImageLimits('doubao')).toEqual(defaultImageLimits('bytedance'));
    expect(defaultImageLimits('gemini')).toEqual(defaultImageLimits('google'));
    expect(defaultImageLimits('grok')).toEqual(defaultImageLimits('xai'));
    expect(defaultImageLimits('some-new-vendor')).toEqual({ ...GENERIC_IMAGE_LIMITS, maxInputPixels: DEFAULT_MAX_INPUT_PIXELS });
    expect(defaultImageLimits('openai').maxInputPixels).toBe(DEFAULT_MAX_INPUT_PIXELS);
  });

  it('layers provider then model overrides, ignoring undefined fields', () => {
    const limits = resolveImageLimits(
      'openai',
      { maxBytes: 1_000_000, maxLongEdge: 1024 },
      { maxLongEdge: 512, maxPixels: undefined, maxImagesPerRequest: 4 },
    );
    expect(limits).toEqual({
      maxLongEdge: 512,
      maxPixels: 2048 * 768,
      maxBytes: 1_000_000,
      maxInputPixels: DEFAULT_MAX_INPUT_PIXELS,
      maxImagesPerRequest: 4,
    });
    expect(resolveImageLimits('openai')).toEqual(defaultImageLimits('openai'));
  });

  it('refuses nonsense overrides with a 500 naming the field', () => {
    for (const bad of [{ maxBytes: -1 }, { maxLongEdge: 1.5 }, { maxPixels: 0 }, { maxBytes: Number.NaN }]) {
      let err: unknown;
      try {
        resolveImageLimits('openai', undefined, bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe('invalid_image_limits');
      expect((err as GatewayError).message).toContain(Object.keys(bad)[0]);
    }
  });
});
