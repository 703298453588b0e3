import type { VendorMode, VendorRefusal } from './index.js';

/**
 * Moonshot Kimi as its docs describe it (platform.kimi.com/docs/api/models-overview and
 * /docs/api/chat): the K-series answer 400 to sampling values other than their fixed ones,
 * K2.6 and K2.7 Code to `tool_choice: "required"`, thinking K2.x to a forced tool, K2.7 Code
 * to turning thinking off, K3 to an effort other than low/high/max; moonshot-v1 takes
 * temperature in [0, 1] and n up to 5. Kimi's body is `{error: {message, type}}`; the
 * temperature message is the one Kimi sends ("invalid temperature: only 1 is allowed for
 * this model"), the others follow its pattern (the docs give the rule, not the text).
 */
const refuse = (message: string): VendorRefusal => ({ status: 400, body: { error: { message, type: 'invalid_request_error' } } });

type Family = 'k3' | 'k2.7-code' | 'k2.6' | 'k2.5' | 'open';

const familyOf = (model: string): Family | null => {
  if (model.startsWith('kimi-k3')) return 'k3';
  if (model.startsWith('kimi-k2.7-code')) return 'k2.7-code';
  if (model.startsWith('kimi-k2.6')) return 'k2.6';
  if (model.startsWith('kimi-k2.5')) return 'k2.5';
  if (model.startsWith('moonshot-v1') || model.startsWith('kimi-k2')) return 'open';
  return null;
};

const present = (value: unknown): value is number => typeof value === 'number';

/** The first sampling parameter that differs from the value this model fixes. */
const lockedSampling = (body: Record<string, unknown>, temperature: number): VendorRefusal | null => {
  const fixed: Array<[string, number]> = [
    ['temperature', temperature],
    ['top_p', 0.95],
    ['n', 1],
    ['presence_penalty', 0],
    ['frequency_penalty', 0],
  ];
  for (const [param, value] of fixed) {
    if (present(body[param]) && body[param] !== value) return refuse(`invalid ${param}: only ${value} is allowed for this model`);
  }
  return null;
};

const thinkingType = (body: Record<string, unknown>): unknown => (body.thinking as { type?: unknown } | null | undefined)?.type;

export const moonshotMode: VendorMode = {
  check(model, body) {
    const family = familyOf(model);
    if (family === null) return null;
    if (family === 'open') {
      if (present(body.temperature) && (body.temperature < 0 || body.temperature > 1)) return refuse('invalid temperature: must be in [0, 1]');
      if (present(body.n) && (body.n < 1 || body.n > 5)) return refuse('invalid n: must be in [1, 5]');
      return null;
    }
    if (family === 'k3') {
      const effort = body.reasoning_effort;
      if (effort !== undefined && effort !== null && effort !== 'low' && effort !== 'high' && effort !== 'max') {
        return refuse(`invalid reasoning_effort: ${String(effort).slice(0, 32)} is not one of low, high, max`);
      }
      return lockedSampling(body, 1);
    }
    if (family === 'k2.7-code' && thinkingType(body) === 'disabled') return refuse('invalid thinking: thinking cannot be disabled for this model');
    const thinking = family === 'k2.7-code' || thinkingType(body) !== 'disabled';
    const sampling = lockedSampling(body, thinking ? 1 : 0.6);
    if (sampling) return sampling;
    const choice = body.tool_choice;
    if (choice === 'required' && (thinking || family !== 'k2.5')) return refuse(`tool_choice 'required' is incompatible with ${thinking ? 'thinking enabled' : 'this model'}`);
    if (thinking && choice !== undefined && choice !== null && typeof choice === 'object') return refuse('tool_choice must be "auto" or "none" when thinking is enabled');
    return null;
  },
};
