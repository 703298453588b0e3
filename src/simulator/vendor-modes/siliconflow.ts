import type { VendorMode, VendorRefusal } from './index.js';

/**
 * SiliconFlow chat completions (docs.siliconflow.cn/cn/api-reference/chat-completions/chat-completions):
 * `enable_thinking` only on the hybrid models it lists, `thinking_budget` in [128, 32768].
 * Errors in SiliconFlow's envelope {code, message, data} (docs.siliconflow.cn 错误码), status 400.
 */
const HYBRID = /(Qwen\/Qwen3-(8B|14B|32B|30B-A3B|235B-A22B)$|Hunyuan-A13B|GLM-4\.[56]|DeepSeek-V3\.[12])/;

const refuse = (message: string): VendorRefusal => ({ status: 400, body: { code: 20015, message, data: null } });

export const siliconflowMode: VendorMode = {
  check(model, body) {
    if ((body.enable_thinking !== undefined || body.thinking_budget !== undefined) && !HYBRID.test(model)) {
      return refuse(`The parameter enable_thinking is not supported by model ${model.slice(0, 80)}.`);
    }
    const budget = body.thinking_budget;
    if (budget !== undefined && (typeof budget !== 'number' || budget < 128 || budget > 32_768)) return refuse('thinking_budget must be between 128 and 32768.');
    return null;
  },
};
