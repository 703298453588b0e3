import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { solid } from './__fixtures__/image-fixtures.js';
import { fetchImageUrl, type FetchImageUrlOptions, type ResolvedAddress } from './fetch-image-url.js';

/**
 * A real HTTP server on 127.0.0.1 plays every upstream. Names are mapped by an injected
 * resolver; the server counts connections so we can prove refused URLs never reached it.
 */
let server: Server;
let port: number;
let png: Buffer;
const stats = {
  connections: 0,
  requests: [] as string[],
  closed: new Map<string, { finished: boolean; sent: number }>(),
};
const BIG = 10 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 1);

function streamUntilClosed(name: string, res: ServerResponse) {
  let sent = 0;
  const pump = () => {
    if (res.destroyed || sent >= BIG) {
      if (!res.destroyed) res.end();
      return;
    }
    sent += CHUNK.length;
    res.write(CHUNK);
    setTimeout(pump, 2);
  };
  res.on('close', () => stats.closed.set(name, { finished: res.writableFinished, sent }));
  pump();
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const path = req.url ?? '/';
  stats.requests.push(path);
  const redirect = (location: string) => {
    res.writeHead(302, { location });
    res.end('moved');
  };
  switch (path) {
    case '/img.png':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
      res.end(png);
      return;
    case '/img-charset':
      res.writeHead(200, { 'content-type': 'IMAGE/PNG; charset=binary' });
      res.end(png);
      return;
    case '/redirect-relative':
      return redirect('/img.png');
    case '/redirect-metadata':
      return redirect('http://169.254.169.254/latest/meta-data');
    case '/redirect-internal-name':
      return redirect(`http://internal.test:${port}/img.png`);
    case '/redirect-loopback':
      return redirect(`http://127.0.0.1:${port}/img.png`);
    case '/redirect-decimal':
      return redirect(`http://2130706433:${port}/img.png`);
    case '/redirect-file':
      return redirect('file:///etc/passwd');
    case '/no-location':
      res.writeHead(302);
      res.end();
      return;
    case '/loop':
      return redirect('/loop');
    case '/html':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>internal-secret-page</html>');
      return;
    case '/svg':
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      res.end('<svg xmlns="http://www.w3.org/2000/svg"/>');
      return;
    case '/missing':
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('internal-secret-404-body');
      return;
    case '/big-declared':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': BIG });
      return streamUntilClosed('big-declared', res);
    case '/big-chunked':
      res.writeHead(200, { 'content-type': 'image/png' });
      return streamUntilClosed('big-chunked', res);
    case '/slow-headers':
      return; // never answers
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(png.subarray(0, 10));
      return; // stalls
    default:
      res.writeHead(404);
      res.end();
  }
}

beforeAll(async () => {
  png = await solid(16, 16, { r: 1, g: 2, b: 3 }).png().toBuffer();
  server = createServer(handle);
  server.on('connection', () => {
    stats.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const lookups: string[] = [];
beforeEach(() => {
  stats.connections = 0;
  stats.requests = [];
  stats.closed.clear();
  lookups.length = 0;
});

const DNS: Record<string, ResolvedAddress[]> = {
  'images.test': [{ address: '127.0.0.1', family: 4 }],
  'internal.test': [{ address: '127.0.0.1', family: 4 }],
  'evil.test': [{ address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'mixed.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.1', family: 4 },
  ],
  'mapped.test': [{ address: '::ffff:7f00:1', family: 6 }],
  'ula.test': [{ address: 'fd00::5', family: 6 }],
};

const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
  lookups.push(hostname);
  const hit = DNS[hostname];
  if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return hit;
};

const options = (extra: Partial<FetchImageUrlOptions> = {}): FetchImageUrlOptions => ({
  maxBytes: 1024 * 1024,
  timeoutMs: 2000,
  allowedHosts: ['images.test'],
  resolve,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

const waitFor = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('fetchImageUrl: allowed hosts', () => {
  it('fetches an image from an allowed private host through the checked address', async () => {
    const got = await fetchImageUrl(`http://images.test:${port}/img.png`, options());
    expect(got.buffer.equals(png)).toBe(true);
    expect(got.contentType).toBe('image/png');
    expect(got.finalUrl).toBe(`http://images.test:${port}/img.png`);
    // One lookup, through our resolver: `images.test` does not exist in real DNS, so the
    // connection can only have used the pinned, checked address.
    expect(lookups).toEqual(['images.test']);
    expect(stats.connections).toBe(1);
  });

  it('matches allowed hosts case-insensitively and ignores content-type parameters', async () => {
    const got = await fetchImageUrl(`http://IMAGES.test:${port}/img-charset`, options({ allowedHosts: ['Images.TEST'] }));
    expect(got.contentType).toBe('image/png');
  });

  it('follows a relative redirect on the same host, resolving each hop once', async () => {
    const got = await fetchImageUrl(`http://images.test:${port}/redirect-relative`, options());
    expect(got.finalUrl).toBe(`http://images.test:${port}/img.png`);
    expect(stats.requests).toEqual(['/redirect-relative', '/img.png']);
    expect(lookups).toEqual(['images.test', 'images.test']);
  });
});

describe('fetchImageUrl: SSRF refusals never reach a server', () => {
  const literalUrls = () => [
    `http://127.0.0.1:${port}/img.png`,
    `http://127.1:${port}/img.png`,
    `http://2130706433:${port}/img.png`,
    `http://0x7f.1:${port}/img.png`,
    `http://0177.0.0.1:${port}/img.png`,
    `http://[::1]:${port}/img.png`,
    `http://[::ffff:127.0.0.1]:${port}/img.png`,
    `http://[::ffff:7f00:1]:${port}/img.png`,
    `http://0.0.0.0:${port}/img.png`,
    'http://169.254.169.254/latest/meta-data',
    'http://[fd00:ec2::254]/latest/meta-data',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.0.1/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://[ff02::1]/',
    'http://[::]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[2001:db8::1]/',
    'https://127.0.0.1/',
  ];

  it('refuses every internal address class given literally (400 image_url_forbidden)', async () => {
    for (const url of literalUrls()) {
      const err = await failure(fetchImageUrl(url, options()));
      expect({ url, status: err.status, code: err.code }).toEqual({ url, status: 400, code: 'image_url_forbidden' });
    }
    expect(stats.connections).toBe(0);
  });

  it('refuses a name that resolves to loopback, naming the class but not the address', async () => {
    const err = await failure(fetchImageUrl(`http://evil.test:${port}/img.png`, options()));
    expect(err.code).toBe('image_url_forbidden');
    expect(err.message).toMatch(/loopback/);
    expect(err.message).not.toContain('127.0.0.1');
    expect(stats.connections).toBe(0);
  });

  it('refuses when any resolved address is internal ([public, 10.0.0.1])', async () => {
    const err = await failure(fetchImageUrl('http://mixed.test/img.png', options()));
    expect(err.code).toBe('image_url_forbidden');
    expect(err.message).toMatch(/private address \(10\.0\.0\.0\/8\)/);
    expect(err.message).not.toContain('10.0.0.1');
  });

  it('refuses names resolving to mapped, unique-local and metadata addresses', async () => {
    for (const host of ['mapped.test', 'ula.test', 'metadata.test']) {
      expect((await failure(fetchImageUrl(`http://${host}:${port}/img.png`, options()))).code).toBe('image_url_forbidden');
    }
    expect(stats.connections).toBe(0);
  });

  it('re-checks redirects: metadata, a non-allowed name, loopback and decimal loopback', async () => {
    for (const path of ['/redirect-metadata', '/redirect-internal-name', '/redirect-loopback', '/redirect-decimal']) {
      stats.requests = [];
      const err = await failure(fetchImageUrl(`http://images.test:${port}${path}`, options()));
      expect({ path, code: err.code }).toEqual({ path, code: 'image_url_forbidden' });
      expect(stats.requests).toEqual([path]); // the redirect target was never requested
    }
  });

  it('refuses a redirect to another scheme', async () => {
    const err = await failure(fetchImageUrl(`http://images.test:${port}/redirect-file`, options()));
    expect(err).toMatchObject({ status: 400, code: 'invalid_image_url' });
  });

  it('stops a redirect loop after maxRedirects (400)', async () => {
    const err = await failure(fetchImageUrl(`http://images.test:${port}/loop`, options()));
    expect(err).toMatchObject({ status: 400, code: 'image_fetch_too_many_redirects' });
    expect(stats.requests).toEqual(['/loop', '/loop', '/loop', '/loop']);
    const none = await failure(fetchImageUrl(`http://images.test:${port}/loop`, options({ maxRedirects: 0 })));
    expect(none.code).toBe('image_fetch_too_many_redirects');
  });

  it('refuses non-http schemes, credentials and garbage with 400 invalid_image_url', async () => {
    for (const url of [
      'ftp://images.test/x.png',
      'file:///etc/passwd',
      'gopher://images.test:70/',
      'javascript:alert(1)',
      `http://user:pass@images.test:${port}/img.png`,
      `http://user@images.test:${port}/img.png`,
      'not a url',
      'http://256.1.1.1/',
      `http://${'a'.repeat(20_000)}.test/`,
    ]) {
      const err = await failure(fetchImageUrl(url, options()));
      expect({ url: url.slice(0, 60), code: err.code, status: err.status }).toEqual({
        url: url.slice(0, 60),
        code: 'invalid_image_url',
        status: 400,
      });
    }
    expect(stats.connections).toBe(0);
  });
});

describe('fetchImageUrl: responses', () => {
  it('refuses a non-image content type with 415 without echoing the body', async () => {
    for (const path of ['/html', '/svg']) {
      const err = await failure(fetchImageUrl(`http://images.test:${port}${path}`, options()));
      expect(err).toMatchObject({ status: 415, code: 'unsupported_image_format' });
      expect(err.message).not.toContain('internal-secret');
    }
  });

  it('reports non-2xx with the status only', async () => {
    const err = await failure(fetchImageUrl(`http://images.test:${port}/missing`, options()));
    expect(err).toMatchObject({ status: 400, code: 'image_fetch_failed', details: { status: 404 } });
    expect(err.message).toContain('404');
    expect(err.message).not.toContain('internal-secret');
    const noLocation = await failure(fetchImageUrl(`http://images.test:${port}/no-location`, options()));
    expect(noLocation.code).toBe('image_fetch_failed');
  });

  it('refuses a declared Content-Length over the cap before reading the body (413)', async () => {
    const err = await failure(fetchImageUrl(`http://images.test:${port}/big-declared`, options()));
    expect(err).toMatchObject({ status: 413, code: 'image_too_large' });
    await waitFor(() => stats.closed.has('big-declared'));
    const seen = stats.closed.get('big-declared');
    expect(seen?.finished).toBe(false);
    expect(seen?.sent).toBeLessThan(BIG);
  });

  it('aborts a chunked body once it passes the cap (413) and the server sees the abort', async () => {
    const err = await failure(fetchImageUrl(`http://images.test:${port}/big-chunked`, options({ maxBytes: 200_000 })));
    expect(err).toMatchObject({ status: 413, code: 'image_too_large' });
    await waitFor(() => stats.closed.has('big-chunked'));
    const seen = stats.closed.get('big-chunked');
    expect(seen?.finished).toBe(false);
    expect(seen?.sent).toBeLessThan(BIG / 2);
  });

  it('times out a server that never answers, or stalls mid-body (504)', async () => {
    for (const path of ['/slow-headers', '/slow-body']) {
      const started = Date.now();
      const err = await failure(fetchImageUrl(`http://images.test:${port}${path}`, options({ timeoutMs: 300 })));
      expect(err).toMatchObject({ status: 504, code: 'image_fetch_timeout' });
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('times out a resolver that never answers', async () => {
    const err = await failure(
      fetchImageUrl('http://hang.test/x.png', options({ timeoutMs: 200, resolve: () => new Promise(() => undefined) })),
    );
    expect(err.code).toBe('image_fetch_timeout');
  });

  it('reports an unresolvable name and a refused connection as image_fetch_failed', async () => {
    const err = await failure(fetchImageUrl('http://nowhere.test/x.png', options()));
    expect(err).toMatchObject({ status: 400, code: 'image_fetch_failed' });

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await failure(fetchImageUrl(`http://images.test:${deadPort}/x.png`, options()));
    expect(refused).toMatchObject({ status: 400, code: 'image_fetch_failed' });
    expect(refused.message).toMatch(/connection refused/);
    expect(refused.message).not.toContain('127.0.0.1');
  });
});
