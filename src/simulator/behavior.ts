import type { SimulatorBehavior, SimulatorRule } from './types.js';

/** First path segments that switch the simulator into a vendor quirk mode. */
export const VENDOR_NAMES = [
  'openai',
  'zhipu',
  'moonshot',
  'alibaba',
  'baidu',
  'tencent',
  'bytedance',
  'deepseek',
  'siliconflow',
  'ollama',
  'anthropic',
  'google',
  'xai',
  'openrouter',
  'vllm',
  'nousage',
] as const;

export type VendorName = (typeof VENDOR_NAMES)[number];

const vendorSet: ReadonlySet<string> = new Set(VENDOR_NAMES);

export interface ResolvedPath {
  vendor: VendorName;
  /** Path without the query string. */
  path: string;
}

/** `/moonshot/v1/chat/completions` → moonshot; anything else (e.g. `/v1/...`) → openai. */
export const resolvePath = (rawUrl: string): ResolvedPath => {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const secondSlash = path.indexOf('/', 1);
  const first = secondSlash === -1 ? path.slice(1) : path.slice(1, secondSlash);
  const vendor = vendorSet.has(first) ? (first as VendorName) : 'openai';
  return { vendor, path };
};

const finiteNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

const nonNegative = (value: unknown): number | undefined => {
  const number = finiteNumber(value);
  return number === undefined || number < 0 ? undefined : number;
};

/**
 * The `simulator` body field is untrusted JSON; keep only well-typed fields so a
 * typo in a test cannot crash the server or produce an invalid status line.
 */
export const sanitizeBehavior = (value: unknown): SimulatorBehavior | undefined => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const input = value as Record<string, unknown>;
  const behavior: SimulatorBehavior = {};
  if (typeof input.content === 'string') behavior.content = input.content;
  const status = finiteNumber(input.status);
  if (status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599) behavior.status = status;
  if (typeof input.errorMessage === 'string') behavior.errorMessage = input.errorMessage;
  const retryAfter = nonNegative(input.retryAfter);
  if (retryAfter !== undefined) behavior.retryAfter = retryAfter;
  const firstTokenDelayMs = nonNegative(input.firstTokenDelayMs);
  if (firstTokenDelayMs !== undefined) behavior.firstTokenDelayMs = firstTokenDelayMs;
  const tokenDelayMs = nonNegative(input.tokenDelayMs);
  if (tokenDelayMs !== undefined) behavior.tokenDelayMs = tokenDelayMs;
  const disconnectAfterChunks = nonNegative(input.disconnectAfterChunks);
  if (disconnectAfterChunks !== undefined) behavior.disconnectAfterChunks = Math.floor(disconnectAfterChunks);
  const streamErrorAfterChunks = nonNegative(input.streamErrorAfterChunks);
  if (streamErrorAfterChunks !== undefined) behavior.streamErrorAfterChunks = Math.floor(streamErrorAfterChunks);
  if (typeof input.malformedJson === 'boolean') behavior.malformedJson = input.malformedJson;
  if (typeof input.hang === 'boolean') behavior.hang = input.hang;
  if (typeof input.toolCalls === 'boolean') behavior.toolCalls = input.toolCalls;
  if (typeof input.errorBody === 'string') behavior.errorBody = input.errorBody;
  if (typeof input.toolArguments === 'string') behavior.toolArguments = input.toolArguments;
  if (input.toolContinuationIds === 'empty' || input.toolContinuationIds === 'null') behavior.toolContinuationIds = input.toolContinuationIds;
  const cachedPromptTokens = nonNegative(input.cachedPromptTokens);
  if (cachedPromptTokens !== undefined) behavior.cachedPromptTokens = Math.floor(cachedPromptTokens);
  const cacheWritePromptTokens = nonNegative(input.cacheWritePromptTokens);
  if (cacheWritePromptTokens !== undefined) behavior.cacheWritePromptTokens = Math.floor(cacheWritePromptTokens);
  const chunks = nonNegative(input.chunks);
  if (chunks !== undefined && chunks >= 1) behavior.chunks = Math.floor(chunks);
  return behavior;
};

interface StoredRule {
  rule: SimulatorRule;
  remaining: number;
}

export interface RuleContext {
  model: string | undefined;
  vendor: string;
  path: string;
  /** The bearer token the request carried, if any. */
  apiKey?: string;
}

const matches = (rule: SimulatorRule, context: RuleContext): boolean => {
  const match = rule.match;
  if (!match) return true;
  if (match.model !== undefined && match.model !== context.model) return false;
  if (match.vendor !== undefined && match.vendor !== context.vendor) return false;
  if (match.path !== undefined && context.path !== match.path && !context.path.endsWith(match.path)) return false;
  if (match.apiKey !== undefined && match.apiKey !== context.apiKey) return false;
  return true;
};

/** Ordered rules; the first match wins and a `times` budget is spent on use. */
export class RuleBook {
  private rules: StoredRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: SimulatorRule): void {
    const times = rule.times === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(rule.times));
    if (times === 0) return;
    this.rules.push({ rule: { ...rule, behavior: { ...rule.behavior } }, remaining: times });
  }

  clear(): void {
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  take(context: RuleContext): SimulatorBehavior | undefined {
    for (let index = 0; index < this.rules.length; index += 1) {
      const stored = this.rules[index];
      if (!matches(stored.rule, context)) continue;
      // A rule with a probability applies to that share of matching requests (chaos tests).
      if (stored.rule.probability !== undefined && this.random() >= stored.rule.probability) continue;
      stored.remaining -= 1;
      if (stored.remaining <= 0) this.rules.splice(index, 1);
      return stored.rule.behavior;
    }
    return undefined;
  }
}

const EMPTY: SimulatorBehavior = Object.freeze({}) as SimulatorBehavior;

/** Rule first, then the request's own `simulator` field on top (the body wins field by field). */
export const resolveBehavior = (
  rules: RuleBook,
  context: RuleContext,
  bodyBehavior: unknown,
): SimulatorBehavior => {
  const fromRule = rules.size === 0 ? undefined : rules.take(context);
  const fromBody = bodyBehavior === undefined ? undefined : sanitizeBehavior(bodyBehavior);
  if (fromRule && fromBody) return { ...fromRule, ...fromBody };
  return fromBody ?? fromRule ?? EMPTY;
};
