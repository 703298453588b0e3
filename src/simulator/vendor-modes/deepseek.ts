import { createHash } from 'node:crypto';
import { openAIStyleRefusal, type VendorMode, type VendorRefusal } from './index.js';

/**
 * DeepSeek as its docs describe it (api-docs.deepseek.com, read 2026-12-02):
 * - guides/thinking_mode: thinking is on by default for the V4 ids (`deepseek-v4-pro`,
 *   `deepseek-flash`, the retired `deepseek-v4-flash`), switched by `thinking: {type}`;
 *   `deepseek-reasoner` always thinks, `deepseek-chat` only when asked. Reasoning comes
 *   in `reasoning_content`, tool-calling turns included. In a tool loop the reasoning of
 *   every assistant turn that called tools must come back, else 400 — the message is the
 *   one users report (e.g. github.com/JohnnyZ93/oai-compatible-copilot/issues/215). The
 *   check is that the field came back: an empty string passes (deepseek-harness
 *   discussions 739/1850). `logprobs`/`top_logprobs` in thinking mode are an error.
 * - guides/kv_cache: a request whose leading part matches an earlier request's cached
 *   prefix is billed as `prompt_cache_hit_tokens`, the rest `prompt_cache_miss_tokens`
 *   (their sum is `prompt_tokens`). Simulated per whole leading messages.
 */

const THINKS_BY_DEFAULT = /^deepseek-(v4|flash)/;

export const deepseekThinks = (model: string, body: Record<string, unknown>): boolean => {
  if (model === 'deepseek-reasoner') return true;
  const type = (body.thinking as { type?: unknown } | undefined)?.type;
  if (type === 'enabled') return true;
  if (type === 'disabled') return false;
  return THINKS_BY_DEFAULT.test(model);
};

const messagesOf = (body: Record<string, unknown>): unknown[] => (Array.isArray(body.messages) ? body.messages : []);

const missingReasoning = (messages: unknown[]): number => {
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index] as { role?: unknown; tool_calls?: unknown; reasoning_content?: unknown } | null;
    if (message?.role !== 'assistant' || !Array.isArray(message.tool_calls) || message.tool_calls.length === 0) continue;
    if (typeof message.reasoning_content !== 'string') return index;
  }
  return -1;
};

const check = (model: string, body: Record<string, unknown>): VendorRefusal | null => {
  if (!deepseekThinks(model, body)) return null;
  if (missingReasoning(messagesOf(body)) !== -1) {
    return openAIStyleRefusal(400, 'The `reasoning_content` in the thinking mode must be passed back to the API.', 'invalid_request_error');
  }
  for (const param of ['logprobs', 'top_logprobs']) {
    // The docs say it is an error; the wording here is the simulator's own.
    if (body[param] !== undefined && body[param] !== null && body[param] !== false) {
      return openAIStyleRefusal(400, `${param} is not supported in thinking mode.`, 'invalid_request_error', param);
    }
  }
  return null;
};

/** Prefix hashes the "disk cache" has seen, oldest first; bounded so a long test run stays small. */
const seenPrefixes = new Map<string, true>();
const MAX_PREFIXES = 5000;

const characters = (message: unknown): number => {
  const content = (message as { content?: unknown } | null)?.content;
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const part of content) {
    const text = (part as { text?: unknown } | null)?.text;
    if (typeof text === 'string') total += text.length;
  }
  return total;
};

/**
 * The cache-hit share of a prompt: the longest run of leading messages some earlier
 * request (on this model) ended with or went through. Every prefix of this request is
 * then remembered, as DeepSeek persists units at the end of each request's input.
 */
export const deepseekCacheHit = (model: string, body: Record<string, unknown>, promptTokens: number): number => {
  const messages = messagesOf(body);
  const hash = createHash('sha256').update(model);
  let hitCharacters = 0;
  let running = 0;
  const prefixes: string[] = [];
  for (const message of messages) {
    hash.update(JSON.stringify(message) ?? 'null');
    const key = hash.copy().digest('base64');
    running += characters(message);
    if (seenPrefixes.has(key)) hitCharacters = running;
    prefixes.push(key);
  }
  for (const key of prefixes) {
    seenPrefixes.delete(key);
    seenPrefixes.set(key, true);
  }
  while (seenPrefixes.size > MAX_PREFIXES) seenPrefixes.delete(seenPrefixes.keys().next().value as string);
  return Math.min(promptTokens, Math.floor(hitCharacters / 4));
};

export const deepseekMode: VendorMode = {
  check,
  thinks: deepseekThinks,
  usage(model, body, usage) {
    const hit = deepseekCacheHit(model, body, usage.prompt_tokens);
    usage.prompt_cache_hit_tokens = hit;
    usage.prompt_cache_miss_tokens = usage.prompt_tokens - hit;
  },
};
