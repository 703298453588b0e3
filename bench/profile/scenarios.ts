import { EXTRA_MODELS } from '../targets/gateway.js';
import { chatBody, MODELS } from '../targets/workload.js';

/** One request shape on one protocol path through the gateway (bench/profile/per-request.ts). */
export interface Scenario {
  name: string;
  /** Path on the gateway; the plain proxies (node-floor, nginx) always get the OpenAI chat request. */
  path: string;
  body: string;
  headers: Record<string, string>;
}

const SYSTEM = 'You are a terse assistant.';
const USER = 'Say hello to the benchmark in one short sentence.';
const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01' };

const anthropicBody = (model: string, stream: boolean): string =>
  JSON.stringify({ model, max_tokens: 64, system: SYSTEM, messages: [{ role: 'user', content: USER }], ...(stream ? { stream: true } : {}) });

export const SCENARIOS: Record<string, Scenario> = {
  /** OpenAI client → OpenAI-protocol vendor: the passthrough every other path is compared with. */
  openai: { name: 'openai', path: '/v1/chat/completions', body: chatBody(MODELS.fast, false), headers: {} },
  'openai-stream': { name: 'openai-stream', path: '/v1/chat/completions', body: chatBody(MODELS.fast, true), headers: {} },
  /** Anthropic client → OpenAI-protocol vendor: request and response translated. */
  'anthropic-translate': { name: 'anthropic-translate', path: '/v1/messages', body: anthropicBody(MODELS.fast, false), headers: ANTHROPIC_HEADERS },
  'anthropic-translate-stream': { name: 'anthropic-translate-stream', path: '/v1/messages', body: anthropicBody(MODELS.fast, true), headers: ANTHROPIC_HEADERS },
  /** Anthropic client → Anthropic-protocol vendor. */
  'anthropic-passthrough': { name: 'anthropic-passthrough', path: '/v1/messages', body: anthropicBody(EXTRA_MODELS.anthropic, false), headers: ANTHROPIC_HEADERS },
  /** Responses client → chat-completions vendor. */
  'responses-chat': {
    name: 'responses-chat',
    path: '/v1/responses',
    body: JSON.stringify({ model: MODELS.fast, instructions: SYSTEM, input: USER, max_output_tokens: 64 }),
    headers: {},
  },
  /** A vendor whose stream carries no usage (the simulator's nousage mode): the tokenizer counts. */
  'no-usage-stream': { name: 'no-usage-stream', path: '/v1/chat/completions', body: chatBody(EXTRA_MODELS.noUsage, true), headers: {} },
};
