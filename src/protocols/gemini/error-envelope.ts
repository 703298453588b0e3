import { GatewayError } from '../../core/gateway-error.js';
import type { UpstreamErrorInfo } from '../codec.js';

/**
 * Google's error envelope (https://ai.google.dev/gemini-api/docs/troubleshooting,
 * https://cloud.google.com/apis/design/errors): `{"error":{"code":404,"message":"…","status":"NOT_FOUND"}}`.
 */
export const geminiStatusName = (status: number): string => {
  if (status === 400 || status === 413 || status === 422) return 'INVALID_ARGUMENT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'ABORTED';
  if (status === 429) return 'RESOURCE_EXHAUSTED';
  if (status === 499) return 'CANCELLED';
  if (status === 501) return 'UNIMPLEMENTED';
  if (status === 503) return 'UNAVAILABLE';
  if (status === 504) return 'DEADLINE_EXCEEDED';
  if (status >= 500) return 'INTERNAL';
  return 'FAILED_PRECONDITION';
};

const envelope = (error: GatewayError) => ({ error: { code: error.status, message: error.message, status: geminiStatusName(error.status) } });

export const geminiErrorBody = (error: GatewayError): { status: number; body: Record<string, unknown> } => ({ status: error.status, body: envelope(error) });

/** A stream that fails after it began ends with the envelope as its last event, as Google's does. */
export const geminiErrorEvent = (error: GatewayError): string => `data: ${JSON.stringify(envelope(error))}\n\n`;

/** Reads a Gemini-protocol vendor's error body. */
export const parseGeminiError = (status: number, body: string): UpstreamErrorInfo => {
  try {
    let json = JSON.parse(body) as unknown;
    // A failed streamGenerateContent without alt=sse answers a JSON array.
    if (Array.isArray(json)) json = json[0];
    const error = (json as { error?: { message?: unknown; status?: unknown } } | null)?.error;
    if (error && typeof error === 'object') {
      const code = typeof error.status === 'string' ? error.status : null;
      const message = typeof error.message === 'string' && error.message ? error.message : `Upstream answered HTTP ${status}.`;
      return { message, code, type: code };
    }
  } catch {
    // not JSON: fall through to the text
  }
  const text = body.trim().slice(0, 300);
  return { message: text || `Upstream answered HTTP ${status}.`, code: null, type: null };
};

/** A `{"error":…}` chunk inside a vendor's stream. */
export const streamErrorFromGemini = (error: Record<string, unknown>, providerName: string): GatewayError => {
  const message = typeof error.message === 'string' ? error.message.slice(0, 2000) : 'stream error';
  const code = typeof error.code === 'number' ? error.code : 500;
  return new GatewayError(`The upstream provider ${providerName} failed mid-stream: ${message}`, {
    status: code === 429 ? 429 : 502,
    code: code === 503 ? 'upstream_overloaded' : 'upstream_stream_error',
    details: { upstream_status: typeof error.status === 'string' ? error.status.slice(0, 40) : null },
  });
};
