import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

/**
 * Issue 10 item 10: image URLs for vendors that fetch them themselves ('url' delivery)
 * were passed on unresolved and as sent. Host names that resolve to loopback through
 * /etc/hosts, and URLs Node cannot parse but Python stacks can (`http://127.0.0.1:+18720/`,
 * spaces, backslashes), reached self-hosted vendors, which then fetched internal URLs.
 */

/** A name other than `localhost` that this machine's /etc/hosts maps to loopback. */
const loopbackAlias = (): string => {
  const fromHosts = readFileSync('/etc/hosts', 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter(([address]) => address && /^(127\.|::1$)/.test(address))
    .flatMap(([, ...names]) => names)
    .find((name) => name && !/^(localhost|ip6-localhost|ip6-loopback)$/i.test(name) && !name.endsWith('.localhost'));
  return fromHosts ?? hostname();
};

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ modelsYamlExtra: 'vision:\n  allowed_url_hosts: ["images.example"]\n' });
});
afterAll(async () => h.close());
beforeEach(() => h.sim.clear());

const send = async (url: string) => {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-test',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url } }] }],
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; param: string | null } } };
};

/** The image URL the simulated vendor received in the last request, if any. */
const forwardedUrl = (): string | null => {
  const last = h.sim.received.at(-1);
  if (!last) return null;
  const part = (last.body as { messages: Array<{ content: Array<{ image_url?: { url: string } }> }> }).messages[0]!.content[1]!;
  return part.image_url!.url;
};

describe('SSRF through image URLs passed on unfetched (issue 10, item 10)', () => {
  const alias = loopbackAlias();
  const attacks: Array<[string, string]> = [
    [`a name /etc/hosts maps to loopback (${alias})`, `http://${alias}:18720/latest/meta-data`],
    ['a port with a sign Node refuses and Python accepts', 'http://127.0.0.1:+18720/'],
    ['a space in the host part', 'http://127.0.0.1 .example.com/a.png'],
    ['a space in the path', 'http://images.example/a b.png'],
    ['a backslash before an @', 'http://example.com\\@127.0.0.1:18720/'],
    ['a tab inside the host', 'http://loc\talhost:18720/'],
    ['a newline', 'http://example.com/a.png\nHost: 127.0.0.1'],
    ['a hex IPv4 form', 'http://0x7f.1:18720/'],
    ['a decimal IPv4 form', 'http://2130706433:18720/'],
    ['credentials', 'http://user:pass@images.example/a.png'],
    ['a percent-encoded host', 'http://%31%32%37.0.0.1:18720/'],
    ['a metadata address', 'http://169.254.169.254/latest/meta-data/'],
  ];

  for (const [what, url] of attacks) {
    it(`refuses ${what} and sends the vendor nothing`, async () => {
      const { status, body } = await send(url);
      expect(status, url).toBe(400);
      expect(['image_url_forbidden', 'invalid_image_url']).toContain(body.error?.code);
      expect(body.error?.param).toBe('messages[0].content[1].image_url');
      expect(h.sim.received).toHaveLength(0);
    });
  }

  it('passes an allowed URL on re-serialised from its parsed form', async () => {
    const { status } = await send('http://IMAGES.example:80/photo-ü.png?size=large');
    expect(status).toBe(200);
    expect(forwardedUrl()).toBe('http://images.example/photo-%C3%BC.png?size=large');
  });
});
