import type { ProviderAdapter } from '../providers/spec/provider-adapter.js';
import { GatewayError } from '../server/errors.js';

/** Remove anything that looks like the key the gateway sent, in case a vendor echoes it. */
export const scrubSecret = (text: string, secret: string | null): string => {
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join(`…${secret.slice(-4)}`);
  return out.replace(/\b(sk-[A-Za-z0-9_-]{6})[A-Za-z0-9_-]{8,}/g, '$1…');
};

/**
 * Upstream 4xx and 429 reach the client with the vendor's message and status
 * (and Retry-After); upstream 5xx becomes 502 with a neutral message (the vendor's text
 * is kept in `logDetail` for the log) so clients can tell whose fault it was.
 */
export const upstreamHttpError = (
  status: number,
  bodyText: string,
  headers: Record<string, string | string[] | undefined>,
  adapter: ProviderAdapter,
  providerName: string,
  apiKey: string | null,
): GatewayError => {
  const info = adapter.parseError(status, bodyText);
  const message = scrubSecret(info.message, apiKey).slice(0, 2000);
  const retryAfter = headers['retry-after'];
  const extraHeaders: Record<string, string> = {};
  if (typeof retryAfter === 'string') extraHeaders['retry-after'] = retryAfter;
  if (status >= 500) {
    // The vendor's 5xx text can describe its internals (hosts, stack traces, other tenants):
    // the client gets a neutral message, the operator's log the vendor's.
    return new GatewayError(`The upstream provider ${providerName} had a server error (HTTP ${status}); try again later.`, {
      status: 502,
      logDetail: message,
      code: 'upstream_error',
      headers: extraHeaders,
      details: { upstream_status: status, upstream_code: info.code },
    });
  }
  const passthroughStatus = status >= 400 && status < 500 ? status : 502;
  const code =
    status === 401 || status === 403
      ? 'upstream_auth_error'
      : status === 429
        ? (info.code ?? 'rate_limit_exceeded')
        : (info.code ?? 'upstream_bad_request');
  return new GatewayError(
    status === 401 || status === 403 ? `The upstream provider ${providerName} rejected the gateway's credentials: ${message}` : message,
    {
      // A vendor 401 is the operator's problem, not the client's: don't tell the client its key is wrong.
      status: status === 401 ? 502 : passthroughStatus,
      code,
      type: status === 429 ? 'rate_limit_error' : undefined,
      headers: extraHeaders,
      details: { upstream_status: status },
    },
  );
};
