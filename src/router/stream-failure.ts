import type { GatewayError } from '../core/gateway-error.js';
import { isContentFiltered, isContextWindowExceeded } from './classify-failure.js';
import type { FailureKind } from './types.js';

// An error event naming a 4xx status, or an invalid-request type, is about the request.
const REQUEST_CAUSED = /invalid_request|"(?:status|code)"\s*:\s*"?4\d\d\b/i;

/**
 * What a stream that failed after it began counts against its deployment's breaker.
 * Breakers are shared by every tenant, so only vendor-side trouble counts (a broken or
 * cut stream, an overload); an error event the request itself caused (a content filter,
 * an invalid request, a context overflow) counts nothing, or one tenant's crafted
 * requests could open a deployment for everyone. `vendorErrorText` is the vendor's own
 * error event when it sent one.
 */
export const streamFailureKind = (error: GatewayError, vendorErrorText: string | null): Exclude<FailureKind, 'any'> | null => {
  if (error.code === 'upstream_malformed_response') return 'malformed-response';
  const text = vendorErrorText ?? error.message;
  if (isContentFiltered(text) || isContextWindowExceeded(text)) return null;
  if (vendorErrorText !== null && REQUEST_CAUSED.test(vendorErrorText)) return null;
  if (error.status >= 400 && error.status < 500 && error.status !== 408) return null;
  return 'server';
};
