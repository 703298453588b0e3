import { notifications } from '@mantine/notifications';
import i18n from '../i18n';
import type { ErrorEnvelope } from './types';

/**
 * Errors the console explains in its own language; the gateway's English sentence is kept for
 * every other code. `details` carries the values the sentence needs.
 */
const localizedMessage = (envelope: ErrorEnvelope['error']): string => {
  const details = (envelope.details ?? {}) as Record<string, unknown>;
  if (envelope.code === 'provider_key_missing' && typeof details.provider === 'string') {
    return typeof details.variable === 'string'
      ? i18n.t('errors.code.providerKeyMissingEnv', { provider: details.provider, variable: details.variable })
      : i18n.t('errors.code.providerKeyMissing', { provider: details.provider });
  }
  return envelope.message;
};

/** An admin API failure, carrying the OpenAI-style error envelope's fields. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly type: string;
  readonly param: string | null;
  readonly details?: Record<string, unknown>;

  constructor(status: number, envelope: ErrorEnvelope['error']) {
    super(localizedMessage(envelope));
    this.name = 'ApiError';
    this.status = status;
    this.code = envelope.code;
    this.type = envelope.type;
    this.param = envelope.param;
    this.details = envelope.details;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

/** Registered by the auth provider: a 401 from /admin/api means the session ended. */
export const setUnauthorizedHandler = (handler: (() => void) | null) => {
  onUnauthorized = handler;
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Show the error message in a notification (default true). */
  notify?: boolean;
  /** A 401 ends the session and opens the login page (default true). */
  authRedirect?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export const buildUrl = (path: string, query?: RequestOptions['query']) => {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

export const notifyError = (error: unknown) => {
  const message =
    error instanceof Error && error.message ? error.message : i18n.t('errors.unknown');
  notifications.show({
    color: 'red',
    title: i18n.t('errors.title'),
    message,
    'data-testid': 'api-error-notification',
  });
};

const toApiError = async (response: Response): Promise<ApiError> => {
  let envelope: ErrorEnvelope['error'] | undefined;
  try {
    const body = (await response.json()) as Partial<ErrorEnvelope>;
    if (body && typeof body.error === 'object' && body.error && 'message' in body.error) {
      envelope = body.error;
    }
  } catch {
    // Not JSON (a proxy page, an empty body): fall back to the status text below.
  }
  return new ApiError(
    response.status,
    envelope ?? {
      message: i18n.t('errors.http', { status: response.status }),
      type: 'server_error',
      param: null,
      code: null,
    },
  );
};

/**
 * fetch with the session cookie and CSRF header; throws ApiError for non-2xx answers.
 * Body may be JSON-serialisable data or FormData (multipart).
 */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (MUTATING.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    const error = new ApiError(0, {
      message: i18n.t('errors.network'),
      type: 'network_error',
      param: null,
      code: 'network_error',
    });
    if (options.notify !== false) notifyError(error);
    throw error;
  }
  if (response.ok) return response;

  const error = await toApiError(response);
  if (response.status === 401 && path.startsWith('/admin/api/') && options.authRedirect !== false) {
    onUnauthorized?.();
    throw error;
  }
  if (options.notify !== false) notifyError(error);
  throw error;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return (await response.json()) as T;
  return (await response.text()) as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>(path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>(path, { ...options, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>(path, { ...options, method: 'PATCH', body }),
  delete: <T>(path: string, options?: RequestOptions) =>
    request<T>(path, { ...options, method: 'DELETE' }),
};
