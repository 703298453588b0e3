import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';

/**
 * GLM-4V accepts a URL or base64 in `image_url.url`; its documented base64 form is raw
 * (no `data:` prefix), and Zhipu always sends usage in the last stream chunk.
 */
export const zhipuAdapter = createOpenAICompatibleAdapter('zhipu', {
  acceptsStreamUsageOption: false,
  defaultImageDelivery: 'url',
});
