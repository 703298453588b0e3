import type { VendorMode, VendorRefusal } from './index.js';

/**
 * Alibaba Qwen on DashScope's OpenAI-compatible mode as its docs describe it: the ranges of
 * help.aliyun.com/zh/model-studio/error-code (temperature [0, 2), top_p (0, 1],
 * presence_penalty [-2, 2], n [1, 4], thinking_budget a positive integer), no
 * `tool_choice: "required"` and no forced tool while thinking
 * (help.aliyun.com/zh/model-studio/qwen-api-via-openai-chat-completions). Refusals are HTTP
 * 400 in the OpenAI envelope with code "invalid_parameter_error", the documented message and
 * a request id. Which models think by default follows /deep-thinking. Stream-only models are
 * another mode's concern.
 */
const refuse = (message: string): VendorRefusal => ({
  status: 400,
  body: {
    error: { code: 'invalid_parameter_error', param: null, message, type: 'invalid_request_error' },
    id: 'chatcmpl-simulated-refusal',
    request_id: 'simulated-request-id',
  },
});

const isNumber = (value: unknown): value is number => typeof value === 'number';

/** Whether the request thinks: the switch if sent, else the model's default. */
const thinks = (model: string, body: Record<string, unknown>): boolean => {
  if (/^(qwq|qvq)|^qwen.*-thinking/.test(model)) return true;
  if (/^qwen.*-instruct|^qwen3-coder|^qwen-(max|long|vl-max|vl-plus)|^qwen2/.test(model)) return false;
  if (typeof body.enable_thinking === 'boolean') return body.enable_thinking;
  return /^qwen3-\d+(\.\d+)?b|^qwen3\.\d/.test(model);
};

export const alibabaMode: VendorMode = {
  check(model, body) {
    const { temperature, top_p: topP, presence_penalty: presence, n, thinking_budget: budget } = body;
    if (isNumber(temperature) && (temperature < 0 || temperature >= 2)) return refuse('Temperature should be in [0.0, 2.0)');
    if (isNumber(topP) && (topP <= 0 || topP > 1)) return refuse('Range of top_p should be (0.0, 1.0]');
    if (isNumber(presence) && (presence < -2 || presence > 2)) return refuse('Presence_penalty should be in [-2.0, 2.0]');
    if (isNumber(n) && (n < 1 || n > 4)) return refuse('Range of n should be [1, 4]');
    if (budget !== undefined && budget !== null && !(Number.isInteger(budget) && (budget as number) > 0)) {
      return refuse('thinking_budget parameter must be a positive integer');
    }
    const choice = body.tool_choice;
    const forced = choice === 'required' || (choice !== null && typeof choice === 'object');
    if (choice === 'required' || (forced && thinks(model, body))) return refuse('tool_choice is one of the strings that should be ["none", "auto"]');
    return null;
  },
};
