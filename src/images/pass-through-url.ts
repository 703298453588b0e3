import { defaultResolver, normalizeHostname, pickAddress, type HostResolver } from './fetch-image-url.js';
import { GatewayError } from '../server/errors.js';
import { ImageErrorCode, imageFetchTimeout, imageUrlForbidden, invalidImageUrl } from './image-errors.js';

export interface PassThroughOptions {
  /** Normalised host names the operator allowed (`vision.allowed_url_hosts`): no address check. */
  allowed: ReadonlySet<string>;
  resolve?: HostResolver;
  /** Longest the DNS check may take. */
  timeoutMs: number;
}

const MAX_URL_LENGTH = 16_384;
// Characters URL parsers disagree about: WHATWG strips leading/trailing C0 and spaces,
// drops tabs and newlines anywhere and reads `\` as `/`; urllib3/requests do none of it.
const AMBIGUOUS = /[\u0000-\u0020\u007f\\]/;
// Scheme, `//`, an authority without credentials, then path/query/fragment or nothing.
const SHAPE = /^(https?):\/\/([^/?#]*)([/?#][^]*)?$/i;
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[^:@[\]%]+)(?::(\d{1,5}))?$/i;
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

const refuse = (why: string) =>
  invalidImageUrl(`The image URL ${why}; send a plain absolute http(s) URL (percent-encode spaces and special characters).`);

/**
 * The form of an image URL the gateway may hand to a vendor that fetches it itself.
 * The URL must mean the same thing to every parser (no whitespace, control characters,
 * backslashes, credentials, signed ports or numeric host spellings such as `0x7f.1`),
 * its host must resolve only to public addresses (as for the gateway's own fetches,
 * /etc/hosts included) unless the operator allowed it, and what is passed on is the
 * URL re-serialised from its parsed form, never the client's text.
 */
export async function vetPassThroughUrl(raw: string, options: PassThroughOptions): Promise<string> {
  if (raw.length > MAX_URL_LENGTH) throw refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (AMBIGUOUS.test(raw)) throw refuse('contains spaces, control characters or backslashes');
  const shape = SHAPE.exec(raw);
  if (!shape) throw refuse('is not of the form http(s)://host/path');
  const authority = AUTHORITY.exec(shape[2]!);
  if (!authority) throw refuse(shape[2]!.includes('@') ? 'must not contain credentials' : 'has a malformed host or port');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('is not a valid absolute URL');
  }
  const hostname = normalizeHostname(url.hostname);
  // The parser must have read the host exactly as written (modulo case and IDNA): a
  // host it rewrote (`0x7f.1`, `2130706433`, `[0:0::1]`) is read otherwise by others.
  if (!hostname || normalizeHostname(authority[1]!) !== hostname) throw refuse(`has a host ("${authority[1]!.slice(0, 100)}") that parsers read differently`);
  if (authority[2] !== undefined && Number(authority[2]) !== Number(url.port || DEFAULT_PORTS[url.protocol])) {
    throw refuse('has a port that parsers read differently');
  }
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (!options.allowed.has(hostname)) {
      throw imageUrlForbidden(`The image URL host "${hostname}" is a loopback name; the gateway does not pass on internal URLs.`);
    }
  }
  if (!options.allowed.has(hostname)) {
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      await pickAddress({ url, hostname }, options.allowed as Set<string>, options.resolve ?? defaultResolver, signal);
    } catch (error) {
      if (signal.aborted) throw imageFetchTimeout(options.timeoutMs);
      if (error instanceof GatewayError && error.code === ImageErrorCode.fetchFailed) {
        throw imageUrlForbidden(
          `The image URL host "${hostname.slice(0, 100)}" could not be resolved; the gateway passes on only URLs whose host resolves to public addresses (or is listed in vision.allowed_url_hosts).`,
        );
      }
      if (error instanceof GatewayError && error.code === ImageErrorCode.urlForbidden) {
        throw imageUrlForbidden(error.message.replace('does not fetch from internal addresses', 'does not pass on internal URLs'));
      }
      throw error;
    }
  }
  return url.href;
}
