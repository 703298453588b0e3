import type { VendorMode, VendorRefusal } from './index.js';

/**
 * Volcengine Ark chat API (www.volcengine.com/docs/82379/1494384): `stream_options` only
 * together with `stream: true`; `thinking.type` enabled | disabled | auto (auto only on
 * doubao-seed-1.6), on the models that have the switch (82379/1449737); temperature in [0, 2].
 * Errors in Ark's envelope: {error: {code, message, param, type}}, status 400.
 */
const refuse = (param: string, message: string): VendorRefusal => ({
  status: 400,
  body: { error: { code: 'InvalidParameter', message: `The parameter \`${param}\` specified in the request are not valid: ${message}`, param, type: 'BadRequest' } },
});

const SWITCHABLE = /^(doubao-seed-(1[-.][68]|2)|doubao-1[-.]5-thinking-vision|deepseek-v3[-.][12])/;
const AUTO = /^doubao-seed-1[-.]6/;

export const bytedanceMode: VendorMode = {
  check(model, body) {
    if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true) {
      return refuse('stream_options', 'stream_options is only supported when stream is true.');
    }
    const thinking = body.thinking;
    if (thinking !== undefined) {
      const type = typeof thinking === 'object' && thinking !== null ? (thinking as { type?: unknown }).type : undefined;
      if (!SWITCHABLE.test(model)) return refuse('thinking', `thinking is not supported by model ${model.slice(0, 60)}.`);
      if (type !== 'enabled' && type !== 'disabled' && !(type === 'auto' && AUTO.test(model))) return refuse('thinking.type', 'the value is not supported by this model.');
    }
    const temperature = body.temperature;
    if (typeof temperature === 'number' && (temperature < 0 || temperature > 2)) return refuse('temperature', 'value must be in [0, 2].');
    return null;
  },
};
