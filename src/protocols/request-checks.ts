import { badRequest } from '../core/gateway-error.js';

/** Small validators shared by the request parsers; messages name the offending field. */
export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Client strings quoted in error messages are cut short: they must not flood a log or a response. */
export const quote = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

export const optionalNumber = (body: Json, field: string, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw badRequest(`\`${field}\` must be a number between ${min} and ${max}.`, 'invalid_request', field);
  }
  return value;
};

export const optionalInteger = (body: Json, field: string, min = 0): number | undefined => {
  const value = optionalNumber(body, field, min);
  if (value !== undefined && !Number.isInteger(value)) throw badRequest(`\`${field}\` must be an integer.`, 'invalid_request', field);
  return value;
};

export const requireString = (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw badRequest(`\`${field}\` must be a string.`, 'invalid_request', field);
  return value;
};

export const stringList = (value: unknown, field: string): string[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw badRequest(`\`${field}\` must be a string or a list of strings.`, 'invalid_request', field);
  }
  return value as string[];
};

/** `data:image/png;base64,AAAA` → media type and payload; null for anything else. */
export const parseDataUrl = (url: string): { mediaType: string; data: string } | null => {
  const match = /^data:([\w.+/-]+);base64,/i.exec(url.slice(0, 200));
  return match ? { mediaType: match[1]!.toLowerCase(), data: url.slice(match[0].length) } : null;
};

/** Tool arguments as an object for protocols that carry JSON, not text. */
export const argumentsObject = (text: string): Json => {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : { value: parsed };
  } catch {
    // A model produced invalid JSON; keep it visible rather than dropping the call.
    return { _raw_arguments: text };
  }
};
