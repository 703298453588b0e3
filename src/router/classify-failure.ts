import type { FailureKind } from './types.js';

export type TimeoutPhase = 'connect' | 'first-byte' | 'idle' | 'total';

export type UpstreamOutcome =
  | {
      kind: 'http';
      status: number;
      /** The upstream error body or its message/code text. */
      body?: string;
      /** Response headers (as undici gives them); used for Retry-After / retry-after-ms. */
      headers?: Record<string, string | string[] | undefined>;
    }
  | { kind: 'network'; code?: string }
  | { kind: 'timeout'; phase: TimeoutPhase }
  | { kind: 'malformed' };

export interface FailureClassification {
  failure: Exclude<FailureKind, 'any'>;
  retryable: boolean;
  retryAfterMs?: number;
}

/**
 * Context-window overflows, as OpenAI, Anthropic, Google, Mistral, vLLM, DeepSeek,
 * Moonshot, Qwen/DashScope, Zhipu, ERNIE and others word them. Generous on purpose: a
 * false positive only costs a fallback to a larger model.
 */
const CONTEXT_PATTERNS: RegExp[] = [
  /context[_\s-]?length[_\s-]?exceeded/i,
  /context[_\s-]?window[_\s-]?exceeded/i,
  /string_above_max_length/i,
  /max(imum)?\s+context\s+(length|window|size)/i,
  /context\s+(length|window|size)\s+(of|is|limit|exceeded)/i,
  /exceeds?\s+(the\s+)?(model'?s?\s+)?(available\s+|maximum\s+|max\s+)?context/i,
  /larger\s+than\s+the\s+(max(imum)?\s+)?context/i,
  /max(imum)?\s+input\s+(characters|chars|length)/i,
  /max(imum)?\s+length\s+of\s+(the\s+)?(current\s+)?(question|prompt|input|messages?)/i,
  /inputs.{0,20}tokens\s*\+\s*.?max_new_tokens/i,
  /(exceed(s|ed)?|over|beyond)\s+(the\s+)?(model'?s?\s+)?(max(imum)?\s+)?(input\s+|prompt\s+)?token\s*(limit|count)/i,
  /exceeds?\s+the\s+maximum\s+number\s+of\s+tokens/i,
  /too\s+many\s+(input\s+|prompt\s+)?tokens/i,
  /(prompt|input|message|messages|context|request|text|content)\s+(tokens\s+)?(is|are)\s+too\s+long/i,
  /(prompt|input)\s+too\s+long/i,
  /maximum\s+(input|prompt)\s+(length|tokens)/i,
  /range\s+of\s+input\s+length/i,
  /input\s+length\s+(should|must|exceed)/i,
  /reduce\s+the\s+length\s+of\s+the\s+(messages|prompt|input)/i,
  /max(imum)?[_\s]?(input|prompt)[_\s]?tokens?\s+(exceeded|limit)/i,
  /超出最大/,
  /超过最大/,
  /输入长度超过/,
  /输入长度超出/,
  /长度超过(了)?(模型)?(的)?(最大|限制|上限)/,
  /超出(了)?(模型)?(的)?(上下文|最大|长度)/,
  /超过(了)?(模型)?(的)?(上下文|最大长度|长度限制|token)/i,
  /上下文(长度|窗口)/,
  /(输入|文本|提示词|prompt|上下文|消息)\s*(内容)?\s*(过长|超长)/i,
  /tokens?\s*(数|数量)?\s*(超过|超出|超限)/i,
];

/** Content moderation refusals, including the Chinese vendors' own codes and wording. */
const CONTENT_FILTER_PATTERNS: RegExp[] = [
  /content[_\s-]?filter/i,
  /content[_\s-]?policy[_\s-]?violation/i,
  /content\s+management\s+policy/i,
  /responsible\s?ai\s?policy\s?violation/i,
  /data[_\s-]?inspection[_\s-]?failed/i,
  /(?<!case[\s-])(?<!case)sensitive/i,
  /inappropriate\s+content/i,
  /considered\s+high\s+risk/i,
  /safety\s+(system|settings|filter|policy|policies|reasons?)/i,
  /blocked\s+(due\s+to|by)\s+(the\s+)?(safety|moderation)/i,
  /flagged\s+by\s+(the\s+)?moderation/i,
  /moderation\s+(failed|blocked|rejected)/i,
  /["']?code["']?\s*[:=]\s*["']?1301\b/,
  /敏感/,
  /违规/,
  /违禁/,
  /不安全/,
  /内容安全/,
  /安全审核/,
  /审核(不|未)通过/,
];

const AUTH_PATTERNS: RegExp[] = [
  /invalid[_\s-]?api[_\s-]?key/i,
  /incorrect\s+api\s+key/i,
  /api\s+key\s+(not\s+valid|is\s+invalid|invalid|expired)/i,
  /authentication[_\s-]?(error|failed)/i,
  /unauthori[sz]ed/i,
  /api[_\s-]?key/i,
];

const matchesAny = (patterns: RegExp[], text: string) => patterns.some((p) => p.test(text));

/** The wordings recognised for every vendor, for the generated rules table in docs/providers.md. */
export const FAILURE_PATTERNS: Readonly<Record<'context' | 'contentFilter' | 'auth', readonly RegExp[]>> = {
  context: CONTEXT_PATTERNS,
  contentFilter: CONTENT_FILTER_PATTERNS,
  auth: AUTH_PATTERNS,
};

export const isContextWindowExceeded = (text: string | undefined): boolean =>
  !!text && matchesAny(CONTEXT_PATTERNS, text);

export const isContentFiltered = (text: string | undefined): boolean =>
  !!text && (text.trim() === '1301' || matchesAny(CONTENT_FILTER_PATTERNS, text));

/**
 * Retry-After as delta-seconds (fractions tolerated) or an HTTP date, to milliseconds
 * from `now`; a date in the past is 0. Unparseable values are undefined, not 0, so the
 * caller falls back to its own backoff.
 */
export const parseRetryAfter = (value: string | number | null | undefined, now: number): number | undefined => {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // A bare number in another shape (negative, exponent) is not a date either.
  if (/^[-+]?[\d.eE+-]+$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
};

const header = (headers: Record<string, string | string[] | undefined> | undefined, name: string) => {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
};

/** `retry-after-ms` (OpenAI, Azure) is more precise than `retry-after`, so it wins. */
export const retryAfterFromHeaders = (
  headers: Record<string, string | string[] | undefined> | undefined,
  now: number,
): number | undefined => {
  const ms = header(headers, 'retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms));
  return parseRetryAfter(header(headers, 'retry-after'), now);
};

const NETWORK_FIRST_BYTE_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT']);
const NETWORK_IDLE_CODES = new Set(['UND_ERR_BODY_TIMEOUT']);

const withRetryAfter = (
  result: FailureClassification,
  retryAfterMs: number | undefined,
): FailureClassification => (retryAfterMs === undefined ? result : { ...result, retryAfterMs });

const classifyHttp = (
  status: number,
  body: string | undefined,
  headers: Record<string, string | string[] | undefined> | undefined,
  now: number,
): FailureClassification => {
  const retryAfterMs = retryAfterFromHeaders(headers, now);
  if (status === 401) return { failure: 'auth', retryable: false };
  if (status === 429) return withRetryAfter({ failure: 'rate-limit', retryable: true }, retryAfterMs);
  if (status === 408) return { failure: 'timeout-first-byte', retryable: true };
  if (status >= 400 && isContentFiltered(body)) return { failure: 'content-filter', retryable: false };
  if (status === 413 || (status >= 400 && isContextWindowExceeded(body))) {
    return { failure: 'context-window-exceeded', retryable: false };
  }
  if (status === 403) return { failure: 'auth', retryable: false };
  if (status === 409) return withRetryAfter({ failure: 'server', retryable: true }, retryAfterMs);
  if (status >= 500) return withRetryAfter({ failure: 'server', retryable: true }, retryAfterMs);
  if (status === 400 && body && matchesAny(AUTH_PATTERNS, body)) return { failure: 'auth', retryable: false };
  if (status >= 400) return { failure: 'bad-request', retryable: false };
  // 1xx-3xx reaching the failure path means the upstream answered something we cannot use.
  return { failure: 'malformed-response', retryable: true };
};

/**
 * Map what went wrong with one upstream attempt to a failure kind and whether the same
 * request may be retried (on this group). Retryable: connect errors, 408, 409, 429, 5xx,
 * first-byte timeouts, malformed responses. Idle/total timeouts are not: the upstream was
 * already producing, or the client's deadline is spent.
 */
export const classifyFailure = (outcome: UpstreamOutcome, now: number = Date.now()): FailureClassification => {
  switch (outcome.kind) {
    case 'http':
      return classifyHttp(outcome.status, outcome.body, outcome.headers, now);
    case 'network': {
      const code = outcome.code?.toUpperCase();
      if (code && NETWORK_FIRST_BYTE_CODES.has(code)) return { failure: 'timeout-first-byte', retryable: true };
      if (code && NETWORK_IDLE_CODES.has(code)) return { failure: 'timeout', retryable: false };
      // ECONNREFUSED, ECONNRESET, ENOTFOUND, EAI_AGAIN, UND_ERR_CONNECT_TIMEOUT, UND_ERR_SOCKET…
      return { failure: 'connect', retryable: true };
    }
    case 'timeout':
      if (outcome.phase === 'connect') return { failure: 'connect', retryable: true };
      if (outcome.phase === 'first-byte') return { failure: 'timeout-first-byte', retryable: true };
      return { failure: 'timeout', retryable: false };
    case 'malformed':
      return { failure: 'malformed-response', retryable: true };
  }
};
