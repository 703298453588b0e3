import { isIPv4, isIPv6 } from 'node:net';
import { invalidImageUrl } from './image-errors.js';

/**
 * Which addresses the gateway refuses to fetch images from (SSRF policy). Everything is
 * exact integer arithmetic on parsed addresses; no string prefix matching.
 */
export interface AddressVerdict {
  refused: boolean;
  /** Address class, safe to show a client (never the resolved address itself). */
  reason?: string;
}

interface V4Range {
  base: number;
  bits: number;
  reason: string;
}

const v4 = (cidr: string, reason: string): V4Range => {
  const [ip, bits] = cidr.split('/');
  return { base: ipv4ToInt(ip) >>> 0, bits: Number(bits), reason };
};

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates). Order matters only
// for the reason text: the more specific range comes first.
const V4_REFUSED: V4Range[] = [
  v4('255.255.255.255/32', 'broadcast address (255.255.255.255)'),
  v4('169.254.169.254/32', 'link-local cloud metadata address (169.254.169.254)'),
  v4('0.0.0.0/8', '"this network" address (0.0.0.0/8)'),
  v4('10.0.0.0/8', 'private address (10.0.0.0/8)'),
  v4('100.64.0.0/10', 'carrier-grade NAT address (100.64.0.0/10)'),
  v4('127.0.0.0/8', 'loopback address (127.0.0.0/8)'),
  v4('169.254.0.0/16', 'link-local address (169.254.0.0/16)'),
  v4('172.16.0.0/12', 'private address (172.16.0.0/12)'),
  v4('192.0.0.0/24', 'IETF protocol assignment address (192.0.0.0/24)'),
  v4('192.0.2.0/24', 'documentation address (192.0.2.0/24)'),
  v4('192.88.99.0/24', '6to4 relay anycast address (192.88.99.0/24)'),
  v4('192.168.0.0/16', 'private address (192.168.0.0/16)'),
  v4('198.18.0.0/15', 'benchmarking address (198.18.0.0/15)'),
  v4('198.51.100.0/24', 'documentation address (198.51.100.0/24)'),
  v4('203.0.113.0/24', 'documentation address (203.0.113.0/24)'),
  v4('224.0.0.0/4', 'multicast address (224.0.0.0/4)'),
  v4('240.0.0.0/4', 'reserved address (240.0.0.0/4)'),
];

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

const intToIpv4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const inV4Range = (addr: number, range: V4Range) =>
  range.bits === 0 || addr >>> (32 - range.bits) === range.base >>> (32 - range.bits);

function judgeV4(addr: number): AddressVerdict {
  const hit = V4_REFUSED.find((range) => inV4Range(addr, range));
  return hit ? { refused: true, reason: hit.reason } : { refused: false };
}

/** 8 hextets of a valid IPv6 text (embedded dotted IPv4 allowed), or null. */
export function parseIPv6(text: string): number[] | null {
  if (!isIPv6(text)) return null;
  let input = text;
  const lastColon = input.lastIndexOf(':');
  const dotted = input.slice(lastColon + 1);
  if (dotted.includes('.')) {
    // ::ffff:1.2.3.4 -> ::ffff:102:304
    if (!isIPv4(dotted)) return null;
    const n = ipv4ToInt(dotted);
    input = `${input.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = input.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const head = parse(halves[0]);
  const rest = halves.length > 1 ? parse(halves[1]) : [];
  const zeros = halves.length > 1 ? 8 - head.length - rest.length : 0;
  if (zeros < 0) return null;
  const out = [...head, ...new Array<number>(zeros).fill(0), ...rest];
  return out.length === 8 && out.every((h) => Number.isInteger(h) && h >= 0 && h <= 0xffff) ? out : null;
}

interface V6Range {
  prefix: number[];
  bits: number;
  reason: string;
}

const v6 = (cidr: string, reason: string): V6Range => {
  const [ip, bits] = cidr.split('/');
  const prefix = parseIPv6(ip);
  if (!prefix) throw new Error(`bad built-in range ${cidr}`);
  return { prefix, bits: Number(bits), reason };
};

function inV6Range(addr: number[], range: V6Range): boolean {
  let bits = range.bits;
  for (let i = 0; i < 8 && bits > 0; i += 1, bits -= 16) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((addr[i] & mask) !== (range.prefix[i] & mask)) return false;
  }
  return true;
}

// IANA IPv6 Special-Purpose Address Registry. Ranges that embed an IPv4 address are
// handled separately below.
const V6_REFUSED: V6Range[] = [
  v6('::/128', 'unspecified address (::)'),
  v6('::1/128', 'loopback address (::1)'),
  v6('::/96', 'IPv4-compatible IPv6 address (::/96, deprecated)'),
  v6('::ffff:0:0:0/96', 'IPv4-translated IPv6 address (::ffff:0:0:0/96)'),
  v6('64:ff9b:1::/48', 'local-use NAT64 address (64:ff9b:1::/48)'),
  v6('100::/64', 'discard-only address (100::/64)'),
  v6('2001::/32', 'Teredo tunnel address (2001::/32)'),
  v6('2001:2::/48', 'benchmarking address (2001:2::/48)'),
  v6('2001:10::/28', 'ORCHID address (2001:10::/28)'),
  v6('2001:20::/28', 'ORCHIDv2 address (2001:20::/28)'),
  v6('2001:db8::/32', 'documentation address (2001:db8::/32)'),
  v6('3fff::/20', 'documentation address (3fff::/20)'),
  v6('2002::/16', '6to4 address (2002::/16)'),
  v6('fc00::/7', 'unique-local address (fc00::/7)'),
  v6('fe80::/10', 'link-local address (fe80::/10)'),
  v6('fec0::/10', 'site-local address (fec0::/10, deprecated)'),
  v6('ff00::/8', 'multicast address (ff00::/8)'),
];

const MAPPED = v6('::ffff:0:0/96', '');
const NAT64 = v6('64:ff9b::/96', '');

const embeddedV4 = (addr: number[]) => ((addr[6] << 16) | addr[7]) >>> 0;

function judgeV6(addr: number[]): AddressVerdict {
  if (inV6Range(addr, MAPPED)) {
    // Mapped addresses reach the IPv4 host directly; there is no legitimate reason for a
    // public image host to publish one, so refuse them all and name the embedded class.
    const inner = judgeV4(embeddedV4(addr));
    return {
      refused: true,
      reason: `IPv4-mapped IPv6 address${inner.refused ? ` of a ${inner.reason}` : ` (${intToIpv4(embeddedV4(addr))})`}`,
    };
  }
  if (inV6Range(addr, NAT64)) {
    const inner = judgeV4(embeddedV4(addr));
    return inner.refused ? { refused: true, reason: `NAT64 address of a ${inner.reason}` } : { refused: false };
  }
  const hit = V6_REFUSED.find((range) => inV6Range(addr, range));
  if (hit) return { refused: true, reason: hit.reason };
  // Only 2000::/3 is allocated global unicast; everything else is reserved today.
  if ((addr[0] & 0xe000) !== 0x2000) return { refused: true, reason: 'reserved IPv6 address (outside 2000::/3)' };
  return { refused: false };
}

const stripBrackets = (ip: string) => (ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip);

/** Whether the gateway may connect to this literal address. Anything unparsable is refused. */
export function isRefusedAddress(ip: string): AddressVerdict {
  let text = stripBrackets(String(ip).trim());
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone); // fe80::1%eth0: the zone does not change the class
  if (isIPv4(text)) return judgeV4(ipv4ToInt(text));
  const addr = parseIPv6(text);
  if (addr) return judgeV6(addr);
  return { refused: true, reason: 'not an IP address' };
}

// --- numeric host spellings -----------------------------------------------------------

const DECIMAL = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]*$/;
const OCTAL = /^0[0-7]+$/;

/** WHATWG "IPv4 number" parser: 0x… hex, 0… octal, else decimal; null when not a number. */
function parseIPv4Number(part: string): number | null {
  if (part === '') return null;
  if (HEX.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (part.length > 1 && part.startsWith('0')) return OCTAL.test(part) ? parseInt(part.slice(1), 8) : null;
  return DECIMAL.test(part) ? parseInt(part, 10) : null;
}

const endsInNumber = (parts: string[]) => {
  const last = parts[parts.length - 1];
  return DECIMAL.test(last) || HEX.test(last);
};

/**
 * Normalise a URL host the way WHATWG URL (and inet_aton) read numeric IPv4 spellings:
 * `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1` all mean 127.0.0.1. Returns the canonical
 * address for numeric hosts (IPv4 dotted quad, or IPv6 without brackets), null for names,
 * and throws 400 `invalid_image_url` for numeric-looking hosts that are not valid
 * addresses (WHATWG refuses those URLs too).
 */
export function parseNumericHost(host: string): string | null {
  const text = stripBrackets(host.trim());
  if (text.includes(':')) {
    if (isIPv6(text.split('%')[0])) return text.split('%')[0].toLowerCase();
    throw invalidImageUrl('The image URL host is not a valid IPv6 address.');
  }
  const parts = text.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // trailing dot
  if (!endsInNumber(parts)) return null;
  if (parts.length > 4) throw invalidImageUrl('The image URL host is not a valid IPv4 address.');
  const numbers = parts.map(parseIPv4Number);
  if (numbers.some((n) => n === null)) throw invalidImageUrl('The image URL host is not a valid IPv4 address.');
  const values = numbers as number[];
  const last = values[values.length - 1];
  if (values.slice(0, -1).some((n) => n > 255) || last >= 256 ** (5 - values.length)) {
    throw invalidImageUrl('The image URL host is not a valid IPv4 address (a part is out of range).');
  }
  let address = last;
  values.slice(0, -1).forEach((n, i) => {
    address += n * 256 ** (3 - i);
  });
  return intToIpv4(address);
}
