import type { VendorMode, VendorRefusal } from './index.js';

/**
 * Zhipu GLM as its docs describe it (docs.bigmodel.cn/api-reference/模型-api/对话补全 and
 * /cn/guide/capabilities/thinking): temperature outside [0.0, 1.0] or top_p outside
 * [0.01, 1.0] is refused, and GLM-5.3 refuses thinking {type: "disabled"} and an effort
 * other than low/high/max. Zhipu answers HTTP 400 with its own envelope and code 1214,
 * "${field} 参数非法。请检查文档。" (docs.bigmodel.cn/cn/faq/api-code). A tool_choice other than
 * "auto" is not refused: the platform takes it as "auto".
 */
const invalidField = (field: string): VendorRefusal => ({ status: 400, body: { error: { code: '1214', message: `${field} 参数非法。请检查文档。` } } });

const outside = (value: unknown, min: number, max: number): boolean => typeof value === 'number' && (value < min || value > max);

export const zhipuMode: VendorMode = {
  check(model, body) {
    if (outside(body.temperature, 0, 1)) return invalidField('temperature');
    if (outside(body.top_p, 0.01, 1)) return invalidField('top_p');
    if (model.startsWith('glm-5.3')) {
      if ((body.thinking as { type?: unknown } | null | undefined)?.type === 'disabled') return invalidField('thinking');
      const effort = body.reasoning_effort;
      if (effort !== undefined && effort !== null && effort !== 'low' && effort !== 'high' && effort !== 'max') return invalidField('reasoning_effort');
    }
    return null;
  },
};
