/**
 * One error family for the whole gateway. Every error that reaches a client is a
 * GatewayError (or is converted to one by the error handler), so the OpenAI
 * envelope, the status and the stable `code` are decided in one place.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'conflict_error'
  | 'unsupported_media_type_error'
  | 'service_unavailable_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'server_error';

export interface GatewayErrorOptions {
  status: number;
  code: string;
  type?: ErrorType;
  param?: string | null;
  headers?: Record<string, string>;
  /** Extra machine-readable details that are safe to show a client. */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Text for the operator's log only (e.g. a vendor's 5xx message), never sent to the client. */
  logDetail?: string;
}

const defaultType = (status: number): ErrorType => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 413) return 'invalid_request_error';
  if (status === 415) return 'unsupported_media_type_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 502) return 'upstream_error';
  if (status === 503) return 'service_unavailable_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
};

export class GatewayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly details?: Record<string, unknown>;
  readonly logDetail?: string;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.code = options.code;
    this.type = options.type ?? defaultType(options.status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.logDetail = options.logDetail;
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.param,
        code: this.code,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    details?: Record<string, unknown>;
  };
}

export const badRequest = (message: string, code = 'invalid_request', param: string | null = null) =>
  new GatewayError(message, { status: 400, code, param });

export const notFound = (message: string, code = 'not_found') =>
  new GatewayError(message, { status: 404, code });

export const conflict = (message: string, code = 'conflict') =>
  new GatewayError(message, { status: 409, code });

export const unauthorized = (message = 'Missing or invalid API key.', code = 'invalid_api_key') =>
  new GatewayError(message, { status: 401, code });

export const isGatewayError = (value: unknown): value is GatewayError => value instanceof GatewayError;
