import type { UpstreamErrorInfo } from '../spec/provider-adapter.js';

const asText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : null;

/**
 * Vendors wrap errors differently: OpenAI `{error:{message,code,type}}`, some Chinese
 * vendors `{code, message}` or `{error_code, error_msg}`, Ollama `{error: "text"}`.
 */
export const parseOpenAIError = (status: number, body: string): UpstreamErrorInfo => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 300);
    return { message: text || `Upstream answered HTTP ${status}.`, code: null, type: null };
  }
  const root = (Array.isArray(json) ? json[0] : json) as Record<string, unknown> | undefined;
  const error = root?.error;
  if (typeof error === 'string') return { message: error, code: null, type: null };
  const source = (error && typeof error === 'object' ? error : root ?? {}) as Record<string, unknown>;
  const message =
    asText(source.message) ?? asText(source.error_msg) ?? asText(source.msg) ?? asText(source.detail) ??
    `Upstream answered HTTP ${status}.`;
  const code = asText(source.code) ?? asText(source.error_code) ?? null;
  const type = asText(source.type) ?? null;
  return { message, code, type };
};
