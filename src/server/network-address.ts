import { BlockList, isIP } from 'node:net';

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) → `127.0.0.1`. */
export const normalizeAddress = (address: string): string => {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower.replace(/^\[(.*)\]$/, '$1');
};

const NAMED_RANGES: Record<string, Array<[string, number]>> = {
  loopback: [['127.0.0.0', 8], ['::1', 128]],
  linklocal: [['169.254.0.0', 16], ['fe80::', 10]],
  uniquelocal: [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['fc00::', 7]],
};

/** A matcher over addresses, CIDRs and proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). */
export const addressMatcher = (entries: readonly string[]): ((address: string) => boolean) => {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  const add = (address: string, bits: number | undefined) => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  };
  for (const entry of entries) {
    const named = NAMED_RANGES[entry];
    if (named) for (const [address, bits] of named) add(address, bits);
    else {
      const [address, bits] = entry.split('/');
      add(normalizeAddress(address!), bits === undefined ? undefined : Number(bits));
    }
  }
  return (address: string) => {
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    return family !== 0 && list.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
  };
};

const loopback = addressMatcher(['loopback']);

/** A real loopback address (127.0.0.0/8, ::1, ::ffff:127.x): never a host *name* that merely starts with "127.". */
export const isLoopbackAddress = (address: string | undefined): boolean => typeof address === 'string' && loopback(address);

/**
 * Fastify's `trustProxy` for a GATEWAY_TRUST_PROXY setting. A hop count becomes the
 * proxy-addr function Express uses (`hop < n`): this Fastify treats a bare number as
 * "trust nobody". Addresses/CIDRs are passed through; `false` trusts nothing.
 */
export const trustProxyOption = (setting: false | number | string): false | string | ((address: string, hop: number) => boolean) => {
  if (typeof setting === 'number') {
    if (setting <= 0) return false;
    return (_address, hop) => hop < setting;
  }
  return setting;
};
