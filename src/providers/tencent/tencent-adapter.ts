import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';

/** Hunyuan's compatible endpoint reports usage on the stream's chunks without being asked. */
export const tencentAdapter = createOpenAICompatibleAdapter('tencent', {
  acceptsStreamUsageOption: false,
});
