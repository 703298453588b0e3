import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { isRefusedAddress, parseIPv6, parseNumericHost } from './ip-policy.js';

describe('isRefusedAddress: IPv4', () => {
  const refused: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.0.0.1', /private.*10\.0\.0\.0\/8/],
    ['10.255.255.255', /private/],
    ['172.16.0.1', /private.*172\.16/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private.*192\.168/],
    ['169.254.169.254', /metadata/],
    ['169.254.1.1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.0.8', /IETF/],
    ['192.0.2.10', /documentation/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.99', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['192.88.99.1', /6to4 relay/],
  ];
  it.each(refused)('refuses %s', (ip, reason) => {
    const verdict = isRefusedAddress(ip);
    expect(verdict.refused).toBe(true);
    expect(verdict.reason).toMatch(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.255.255', '223.255.255.255', '11.0.0.0', '126.255.255.255', '128.0.0.0'])(
    'allows public %s (range edges are exact)',
    (ip) => expect(isRefusedAddress(ip)).toEqual({ refused: false }),
  );
});

describe('isRefusedAddress: IPv6', () => {
  const refused: [string, RegExp][] = [
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['::', /unspecified/],
    ['[::1]', /loopback/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['fc00::1', /unique-local/],
    ['fd12:3456:789a::1', /unique-local/],
    ['ff02::1', /multicast/],
    ['ff00::', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped.*loopback/],
    ['::ffff:7f00:1', /IPv4-mapped.*loopback/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped.*metadata/],
    ['::ffff:10.1.2.3', /IPv4-mapped.*private/],
    ['::ffff:8.8.8.8', /IPv4-mapped IPv6 address \(8\.8\.8\.8\)/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['64:ff9b::127.0.0.1', /NAT64.*loopback/],
    ['64:ff9b::a00:1', /NAT64.*private/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2001:db8::1', /documentation/],
    ['3fff::1', /documentation/],
    ['2001::1', /Teredo/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['2002:7f00:1::1', /6to4/],
    ['2002:c0a8:101::1', /6to4/],
    ['100::1', /discard/],
    ['2001:2::1', /benchmarking/],
    ['2001:10::1', /ORCHID/],
    ['fec0::1', /site-local/],
    ['4000::1', /outside 2000::\/3/],
    ['::ffff:0:7f00:1', /IPv4-translated/],
  ];
  it.each(refused)('refuses %s', (ip, reason) => {
    const verdict = isRefusedAddress(ip);
    expect(verdict.refused).toBe(true);
    expect(verdict.reason).toMatch(reason);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '64:ff9b::808:808', '2a00:1450:4001:82a::200e', '2001:4::1'])(
    'allows public %s',
    (ip) => expect(isRefusedAddress(ip)).toEqual({ refused: false }),
  );

  it('refuses anything that is not an IP address', () => {
    for (const bad of ['', 'localhost', 'example.com', '1.2.3', '::g', '1.2.3.4.5', '2130706433']) {
      expect(isRefusedAddress(bad)).toEqual({ refused: true, reason: 'not an IP address' });
    }
  });

  it('parses every IPv6 spelling to the same hextets', () => {
    const loop = [0, 0, 0, 0, 0, 0, 0, 1];
    expect(parseIPv6('::1')).toEqual(loop);
    expect(parseIPv6('0:0:0:0:0:0:0:1')).toEqual(loop);
    expect(parseIPv6('0000:0000:0000::0001')).toEqual(loop);
    expect(parseIPv6('::0.0.0.1')).toEqual(loop);
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6('1:2:3:4:5:6:7.8.9.10')).toEqual([1, 2, 3, 4, 5, 6, 0x708, 0x90a]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
  });
});

describe('parseNumericHost', () => {
  const loopbackSpellings = ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.0.0.1', '0x7f.1', '127.1', '0x7F000001', '017700000001', '127.0.1', '127.0.0.1.'];
  it.each(loopbackSpellings)('reads %s as 127.0.0.1', (host) => {
    expect(parseNumericHost(host)).toBe('127.0.0.1');
  });

  it.each(loopbackSpellings)('agrees with WHATWG URL for http://%s/', (host) => {
    expect(new URL(`http://${host}/`).hostname).toBe('127.0.0.1');
  });

  it('reads other numeric forms like inet_aton', () => {
    expect(parseNumericHost('0')).toBe('0.0.0.0');
    expect(parseNumericHost('0x')).toBe('0.0.0.0');
    expect(parseNumericHost('10.1')).toBe('10.0.0.1');
    expect(parseNumericHost('192.168.257')).toBe('192.168.1.1');
    expect(parseNumericHost('0xa9fea9fe')).toBe('169.254.169.254');
    expect(parseNumericHost('4294967295')).toBe('255.255.255.255');
  });

  it('returns IPv6 hosts without brackets and names as null', () => {
    expect(parseNumericHost('[::ffff:7f00:1]')).toBe('::ffff:7f00:1');
    expect(parseNumericHost('[::1]')).toBe('::1');
    expect(parseNumericHost('example.com')).toBeNull();
    expect(parseNumericHost('images.test')).toBeNull();
    expect(parseNumericHost('1.2.3.example')).toBeNull();
    expect(parseNumericHost('0x7f.example')).toBeNull();
  });

  it.each(['4294967296', '256.0.0.1', '1.2.3.4.5', '09.1.1.1', '0x7g.1', '1.2.65536', '1..1'])(
    'refuses invalid numeric host %s like WHATWG URL does',
    (host) => {
      expect(() => parseNumericHost(host)).toThrow(GatewayError);
      expect(() => new URL(`http://${host}/`)).toThrow();
    },
  );

  it('checks numeric URL hosts after normalisation', () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::1]/']) {
      const host = parseNumericHost(new URL(url).hostname);
      expect(host).not.toBeNull();
      expect(isRefusedAddress(host as string).refused).toBe(true);
    }
  });
});
