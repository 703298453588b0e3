import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  isContentFiltered,
  isContextWindowExceeded,
  parseRetryAfter,
  retryAfterFromHeaders,
} from './classify-failure.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const http = (status: number, body?: string, headers?: Record<string, string | string[] | undefined>) =>
  classifyFailure({ kind: 'http', status, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) }, NOW);

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('2', NOW)).toBe(2_000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1_500);
    expect(parseRetryAfter(3, NOW)).toBe(3_000);
  });

  it('reads HTTP dates relative to now, past dates as 0', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', NOW)).toBe(0);
  });

  it('returns undefined for junk', () => {
    for (const value of [undefined, null, '', '  ', 'soon', '-5', '1e3', 'NaN', Number.NaN, -1]) {
      expect(parseRetryAfter(value as string | number | null | undefined, NOW)).toBeUndefined();
    }
  });

  it('prefers retry-after-ms and reads headers case-insensitively', () => {
    expect(retryAfterFromHeaders({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW)).toBe(250);
    expect(retryAfterFromHeaders({ 'Retry-After': '9' }, NOW)).toBe(9_000);
    expect(retryAfterFromHeaders({ 'retry-after': ['4', '5'] }, NOW)).toBe(4_000);
    expect(retryAfterFromHeaders({ 'retry-after-ms': 'x', 'retry-after': '1' }, NOW)).toBe(1_000);
    expect(retryAfterFromHeaders(undefined, NOW)).toBeUndefined();
  });
});

describe('classifyFailure: transport', () => {
  it('connect errors are retryable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', undefined]) {
      expect(classifyFailure(code ? { kind: 'network', code } : { kind: 'network' }, NOW)).toEqual({ failure: 'connect', retryable: true });
    }
  });

  it('maps undici timeouts and timeout phases', () => {
    expect(classifyFailure({ kind: 'network', code: 'UND_ERR_HEADERS_TIMEOUT' }, NOW)).toEqual({ failure: 'timeout-first-byte', retryable: true });
    expect(classifyFailure({ kind: 'network', code: 'UND_ERR_BODY_TIMEOUT' }, NOW)).toEqual({ failure: 'timeout', retryable: false });
    expect(classifyFailure({ kind: 'timeout', phase: 'connect' }, NOW)).toEqual({ failure: 'connect', retryable: true });
    expect(classifyFailure({ kind: 'timeout', phase: 'first-byte' }, NOW)).toEqual({ failure: 'timeout-first-byte', retryable: true });
    expect(classifyFailure({ kind: 'timeout', phase: 'idle' }, NOW)).toEqual({ failure: 'timeout', retryable: false });
    expect(classifyFailure({ kind: 'timeout', phase: 'total' }, NOW)).toEqual({ failure: 'timeout', retryable: false });
  });

  it('malformed responses are retryable', () => {
    expect(classifyFailure({ kind: 'malformed' }, NOW)).toEqual({ failure: 'malformed-response', retryable: true });
    expect(http(302)).toEqual({ failure: 'malformed-response', retryable: true });
  });
});

describe('classifyFailure: HTTP status', () => {
  it('retryable statuses', () => {
    expect(http(408)).toEqual({ failure: 'timeout-first-byte', retryable: true });
    expect(http(409)).toEqual({ failure: 'server', retryable: true });
    expect(http(429)).toEqual({ failure: 'rate-limit', retryable: true });
    for (const status of [500, 502, 503, 504, 529]) expect(http(status)).toEqual({ failure: 'server', retryable: true });
  });

  it('carries Retry-After on 429 and 503', () => {
    expect(http(429, 'slow down', { 'retry-after': '7' })).toEqual({ failure: 'rate-limit', retryable: true, retryAfterMs: 7_000 });
    expect(http(503, undefined, { 'retry-after': 'Wed, 01 Jan 2025 00:01:00 GMT' })).toEqual({
      failure: 'server',
      retryable: true,
      retryAfterMs: 60_000,
    });
  });

  it('a 429 about tokens per minute is a rate limit, not a context overflow', () => {
    expect(http(429, 'Request too large for gpt-4 on tokens per min (TPM): Limit 10000, Requested 12000.').failure).toBe('rate-limit');
  });

  it('auth and plain client errors are not retryable', () => {
    expect(http(401, '{"error":{"message":"Incorrect API key provided"}}')).toEqual({ failure: 'auth', retryable: false });
    expect(http(403, 'forbidden')).toEqual({ failure: 'auth', retryable: false });
    expect(http(400, 'API key not valid. Please pass a valid API key.')).toEqual({ failure: 'auth', retryable: false });
    expect(http(400, '{"error":{"message":"temperature must be <= 2"}}')).toEqual({ failure: 'bad-request', retryable: false });
    expect(http(404, 'model not found')).toEqual({ failure: 'bad-request', retryable: false });
    expect(http(422)).toEqual({ failure: 'bad-request', retryable: false });
  });

  it('413 is a context overflow', () => {
    expect(http(413)).toEqual({ failure: 'context-window-exceeded', retryable: false });
  });
});

describe('context window detection', () => {
  const messages = [
    '{"error":{"message":"This model\'s maximum context length is 8192 tokens. However, you requested 9000 tokens","code":"context_length_exceeded"}}',
    'context_window_exceeded',
    'prompt is too long: 210000 tokens > 200000 maximum',
    'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).',
    'Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length',
    'Input is too long for requested model.',
    'Invalid request: Your request exceeded model token limit: 8192',
    'Range of input length should be [1, 30720]',
    'the request exceeds the available context size, try increasing it',
    'Too many tokens in the input',
    'Please reduce the length of the messages or completion.',
    "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096",
    'the max length of current question is 11200',
    '{"error":{"code":"string_above_max_length"}}',
    '输入长度超过模型最大限制',
    '请求超出最大上下文长度',
    '超过最大长度限制',
    'Prompt 超长',
    '输入内容过长，请缩短后重试',
    'token数超过限制',
    '上下文长度超过限制',
  ];
  it.each(messages)('detects %s', (body) => {
    expect(isContextWindowExceeded(body)).toBe(true);
    expect(http(400, body)).toEqual({ failure: 'context-window-exceeded', retryable: false });
  });

  it('also on 500s that say so (some vendors)', () => {
    expect(http(500, 'maximum context length is 4096 tokens').failure).toBe('context-window-exceeded');
  });

  it('does not fire on unrelated messages', () => {
    for (const body of ['temperature must be between 0 and 2', 'model not found', 'Invalid value for max_tokens', '', undefined]) {
      expect(isContextWindowExceeded(body)).toBe(false);
    }
  });
});

describe('content filter detection', () => {
  const messages = [
    '{"error":{"code":"content_filter","message":"The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy."}}',
    '{"error":{"code":"content_policy_violation"}}',
    '{"code":"data_inspection_failed","message":"Input data may contain inappropriate content."}',
    'DataInspectionFailed',
    '{"error":{"code":"1301","message":"系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语"}}',
    '{"error":{"code":1301}}',
    '1301',
    '{"error":{"message":"The request was rejected because it was considered high risk","type":"content_filter"}}',
    '{"error":{"code":"InputTextSensitiveContentDetected"}}',
    'input new_sensitive',
    '输入内容审核不通过',
    '内容违规',
    'Your request was rejected as a result of our safety system.',
    'Output blocked by content filtering policy',
    'ResponsibleAIPolicyViolation',
  ];
  it.each(messages)('detects %s', (body) => {
    expect(isContentFiltered(body)).toBe(true);
    expect(http(400, body)).toEqual({ failure: 'content-filter', retryable: false });
  });

  it('detects it on 403 and 451 too', () => {
    expect(http(403, 'content_filter').failure).toBe('content-filter');
    expect(http(451, 'blocked due to safety').failure).toBe('content-filter');
  });

  it('does not fire on case-sensitive or numbers that merely contain 1301', () => {
    expect(isContentFiltered('model names are case-sensitive')).toBe(false);
    expect(isContentFiltered('Header names are case sensitive')).toBe(false);
    expect(isContentFiltered('you requested 1301 tokens')).toBe(false);
    expect(http(400, 'model names are case-sensitive').failure).toBe('bad-request');
    expect(isContentFiltered(undefined)).toBe(false);
  });
});
