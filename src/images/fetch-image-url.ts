import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { domainToASCII } from 'node:url';
import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../server/errors.js';
import {
  formatBytes,
  ImageErrorCode,
  imageFetchFailed,
  imageFetchTimeout,
  imageTooLarge,
  imageUrlForbidden,
  invalidImageUrl,
  unsupportedImageFormat,
} from './image-errors.js';
import { isRefusedAddress, parseNumericHost } from './ip-policy.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface FetchImageUrlOptions {
  /** Largest body we download; more is refused (413) without reading further. */
  maxBytes: number;
  /** Whole operation: every DNS lookup, redirect hop and the body. */
  timeoutMs: number;
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
  /** Exact host names (case-insensitive) exempt from the address check: `vision.allowed_url_hosts`. */
  allowedHosts?: string[];
  /** Name resolution, called once per hop. Default: `dns.promises.lookup(host, {all: true})`. */
  resolve?: HostResolver;
}

export interface FetchedImage {
  buffer: Buffer;
  contentType: string;
  finalUrl: string;
}

const DEFAULT_MAX_REDIRECTS = 3;
const MAX_URL_LENGTH = 16_384;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'sk-llm-gateway-image-fetch/1';

export const defaultResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a: LookupAddress) => ({
    address: a.address,
    family: a.family,
  }));

export const normalizeHostname = (host: string): string => {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return domainToASCII(name) || name;
};

export interface Target {
  url: URL;
  hostname: string;
}

function parseTarget(raw: string): Target {
  if (raw.length > MAX_URL_LENGTH) throw invalidImageUrl(`The image URL is longer than ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidImageUrl('The image URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidImageUrl(`Image URLs must use http or https, not ${url.protocol.replace(/:$/, '')}.`);
  }
  if (url.username || url.password) throw invalidImageUrl('Image URLs must not contain credentials.');
  if (!url.hostname) throw invalidImageUrl('The image URL has no host.');
  return { url, hostname: normalizeHostname(url.hostname) };
}

/** Reject with a timeout as soon as the signal fires, even if `promise` never settles. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * The one address this hop may connect to. Every resolved address is checked (a name that
 * resolves to a public and a private address is refused), and the caller connects to the
 * checked address itself, so a second, rebound DNS answer can never be used.
 */
export async function pickAddress(
  target: Target,
  allowed: Set<string>,
  resolve: HostResolver,
  signal: AbortSignal,
): Promise<ResolvedAddress> {
  const numeric = parseNumericHost(target.hostname);
  let addresses: ResolvedAddress[];
  if (numeric) {
    addresses = [{ address: numeric, family: numeric.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await raceAbort(resolve(target.hostname), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw imageFetchFailed(`Could not resolve the image URL host "${target.hostname}".`);
    }
    if (!Array.isArray(addresses) || addresses.length === 0) {
      throw imageFetchFailed(`Could not resolve the image URL host "${target.hostname}".`);
    }
  }
  if (!allowed.has(target.hostname)) {
    for (const { address } of addresses) {
      const verdict = isRefusedAddress(address);
      if (verdict.refused) {
        throw imageUrlForbidden(
          `The image URL host "${target.hostname}" resolves to a ${verdict.reason}; the gateway does not fetch from internal addresses.`,
        );
      }
    }
  }
  const [first] = addresses;
  return { address: parseNumericHost(first.address) ?? first.address, family: first.family === 6 ? 6 : 4 };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dispatcher whose every connection goes to `address`, whatever name the URL carries. */
function pinnedAgent(address: ResolvedAddress, timeoutMs: number): Agent {
  const lookup = (_hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    if (options?.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
  return new Agent({
    connect: { lookup, timeout: timeoutMs } as unknown as Agent.Options['connect'],
    connections: 1,
    pipelining: 0,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

const headerValue = (headers: Dispatcher.ResponseData['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Drop a response body without reading it. undici reports a destroyed body as an
 * AbortError event; nobody is listening any more, so swallow it here.
 */
const discard = (body: Dispatcher.ResponseData['body']) => {
  body.on('error', () => undefined);
  body.destroy();
};

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > maxBytes) {
      discard(body);
      throw imageTooLarge(`The image at the URL is larger than the ${formatBytes(maxBytes)} limit.`, 413);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
};

function mapFetchError(err: unknown, signal: AbortSignal, timeoutMs: number): GatewayError {
  if (err instanceof GatewayError) return err;
  if (
    signal.aborted ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError
  ) {
    return imageFetchTimeout(timeoutMs);
  }
  const code = (err as { code?: string } | null)?.code ?? '';
  const cause = (err as { cause?: { code?: string } } | null)?.cause?.code ?? '';
  const known = NETWORK_CODES[code] ?? NETWORK_CODES[cause];
  if (known) return imageFetchFailed(`Could not fetch the image URL (${known}).`);
  if (/CERT|TLS|SSL/i.test(`${code} ${cause}`)) return imageFetchFailed('Could not fetch the image URL (TLS error).');
  // Never echo the underlying message: it may carry internal addresses.
  return imageFetchFailed('Could not fetch the image URL.');
}

/**
 * Download an image from a client-supplied URL without letting the client reach internal
 * services (SSRF): http(s) only, no credentials, every hop resolved once and every address
 * checked, connections pinned to the checked address, redirects followed by hand and
 * re-checked, size and time capped while streaming.
 */
export async function fetchImageUrl(url: string, options: FetchImageUrlOptions): Promise<FetchedImage> {
  const { maxBytes, timeoutMs } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0 || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new GatewayError('fetchImageUrl needs positive maxBytes and timeoutMs.', {
      status: 500,
      code: ImageErrorCode.invalidLimits,
    });
  }
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const allowed = new Set((options.allowedHosts ?? []).map(normalizeHostname));
  const resolve = options.resolve ?? defaultResolver;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('image fetch timeout')), timeoutMs);
  const agents: Agent[] = [];
  let current = typeof url === 'string' ? url.trim() : '';
  try {
    for (let redirects = 0; ; ) {
      const target = parseTarget(current);
      const address = await pickAddress(target, allowed, resolve, controller.signal);
      const agent = pinnedAgent(address, timeoutMs);
      agents.push(agent);
      const response = await request(target.url, {
        method: 'GET',
        dispatcher: agent,
        signal: controller.signal,
        headers: { 'user-agent': USER_AGENT, accept: 'image/*' },
      });
      const { statusCode, headers, body } = response;

      if (REDIRECT_STATUSES.has(statusCode)) {
        discard(body);
        const location = headerValue(headers, 'location');
        if (!location) throw imageFetchFailed(`The image URL answered HTTP ${statusCode} without a Location.`);
        if (redirects >= maxRedirects) {
          throw new GatewayError(`The image URL redirected more than ${maxRedirects} times.`, {
            status: 400,
            code: ImageErrorCode.tooManyRedirects,
          });
        }
        redirects += 1;
        try {
          current = new URL(location, target.url).href;
        } catch {
          throw invalidImageUrl('The image URL redirected to an invalid location.');
        }
        continue;
      }
      if (statusCode < 200 || statusCode > 299) {
        discard(body); // the body of an internal or failing server is never read or echoed
        throw imageFetchFailed(`The image URL answered HTTP ${statusCode}.`, { status: statusCode });
      }
      const contentType = (headerValue(headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!contentType.startsWith('image/') || contentType === 'image/svg+xml') {
        discard(body);
        throw unsupportedImageFormat(
          `The image URL returned content-type "${contentType.slice(0, 100) || 'none'}", not a supported image.`,
        );
      }
      const declared = Number(headerValue(headers, 'content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(body);
        throw imageTooLarge(
          `The image at the URL is ${formatBytes(declared)}, above the ${formatBytes(maxBytes)} limit.`,
          413,
        );
      }
      const buffer = await readCapped(body, maxBytes);
      return { buffer, contentType, finalUrl: target.url.href };
    }
  } catch (err) {
    throw mapFetchError(err, controller.signal, timeoutMs);
  } finally {
    clearTimeout(timer);
    await Promise.all(agents.map((agent) => agent.destroy().catch(() => undefined)));
  }
}
