import { openAIStyleRefusal, type VendorMode } from './index.js';

/**
 * Tencent Hunyuan's OpenAI-compatible endpoint: the always-thinking models refuse to have
 * thinking switched off ("HY 2.0 Think … enabled 不支持关闭", cloud.tencent.cn/document/product/1823/131208),
 * models without the switch refuse `thinking`, tool_choice has no "required", and temperature is taken in [0, 2]
 * (cloud.tencent.com/document/product/1729/111007). Errors in the OpenAI envelope, 400.
 */
const ALWAYS = /^hunyuan-(t1|.*think)/;
const SWITCH = /^hy3/;

export const tencentMode: VendorMode = {
  check(model, body) {
    const thinking = body.thinking;
    if (thinking !== undefined) {
      const type = typeof thinking === 'object' && thinking !== null ? (thinking as { type?: unknown }).type : undefined;
      if (ALWAYS.test(model) && type !== 'enabled') return openAIStyleRefusal(400, `thinking cannot be disabled for model ${model.slice(0, 60)}.`, 'InvalidParameterValue', 'thinking');
      if (!ALWAYS.test(model) && !SWITCH.test(model)) return openAIStyleRefusal(400, `thinking is not supported by model ${model.slice(0, 60)}.`, 'InvalidParameter', 'thinking');
    }
    // ToolChoice: none | auto | custom (cloud.tencent.com/document/api/1729/101837).
    if (body.tool_choice === 'required') return openAIStyleRefusal(400, 'tool_choice must be none, auto or a named function.', 'InvalidParameterValue', 'tool_choice');
    const temperature = body.temperature;
    if (typeof temperature === 'number' && (temperature < 0 || temperature > 2)) return openAIStyleRefusal(400, 'temperature must be in [0, 2].', 'InvalidParameterValue', 'temperature');
    return null;
  },
};
