import { GatewayError } from '../../core/gateway-error.js';
import type { UpstreamErrorInfo } from '../codec.js';

/**
 * Anthropic's error envelope and types, https://docs.anthropic.com/en/api/errors :
 * `{"type":"error","error":{"type":"not_found_error","message":"…"}}`.
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

const statusOfType: Record<AnthropicErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export const anthropicErrorType = (error: GatewayError): AnthropicErrorType => {
  const status = error.status;
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529 || (status === 503 && error.code === 'no_available_deployment')) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
};

/**
 * The gateway's own status stays (a 502 is still the vendor's fault, a 503 still means
 * "nothing available"); the type is Anthropic's, so SDKs raise the right exception class.
 */
export const anthropicErrorBody = (error: GatewayError): { status: number; body: Record<string, unknown> } => ({
  status: error.status,
  body: { type: 'error', error: { type: anthropicErrorType(error), message: error.message }, request_id: null },
});

export const anthropicErrorEvent = (error: GatewayError): string =>
  `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: anthropicErrorType(error), message: error.message } })}\n\n`;

/** Reads an Anthropic-protocol vendor's error body (Anthropic itself, or a Chinese vendor's `/anthropic` endpoint). */
export const parseAnthropicError = (status: number, body: string): UpstreamErrorInfo => {
  try {
    const json = JSON.parse(body) as { error?: { type?: unknown; message?: unknown } | string; message?: unknown };
    if (json && typeof json.error === 'object' && json.error) {
      const type = typeof json.error.type === 'string' ? json.error.type : null;
      const message = typeof json.error.message === 'string' && json.error.message ? json.error.message : `Upstream answered HTTP ${status}.`;
      return { message, code: type, type };
    }
    if (typeof json?.error === 'string') return { message: json.error, code: null, type: null };
    if (typeof json?.message === 'string') return { message: json.message, code: null, type: null };
  } catch {
    // not JSON: fall through to the text
  }
  const text = body.trim().slice(0, 300);
  return { message: text || `Upstream answered HTTP ${status}.`, code: null, type: null };
};

/** A mid-stream `event: error` from an Anthropic-protocol vendor as a gateway error. */
export const streamErrorFromAnthropic = (data: Record<string, unknown>, providerName: string): GatewayError => {
  const error = (data.error ?? {}) as { type?: unknown; message?: unknown };
  const type = typeof error.type === 'string' ? (error.type as AnthropicErrorType) : 'api_error';
  const message = typeof error.message === 'string' ? error.message.slice(0, 2000) : 'stream error';
  const status = statusOfType[type] ?? 500;
  return new GatewayError(`The upstream provider ${providerName} failed mid-stream: ${message}`, {
    status: status === 429 ? 429 : 502,
    code: status === 529 ? 'upstream_overloaded' : 'upstream_stream_error',
    details: { upstream_type: type },
  });
};
