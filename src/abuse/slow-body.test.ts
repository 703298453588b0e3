import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';
import { openRaw, requestHead, statusOf, type RawConnection } from './raw-http.js';

/**
 * Issue 10 item 7: bodies sent a byte at a time held connections for minutes, before any
 * authentication, until the instance ran out of file descriptors.
 */
const master = 'gw-master-key-slow-body-tests';
const CAP = 20;
const BODY_TIMEOUT_MS = 1_500;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    settings: { masterKey: master, maxConnectionsPerClient: CAP, connectionLimitExempt: [], bodyTimeoutMs: BODY_TIMEOUT_MS, headersTimeoutMs: 1_000 },
  });
});
afterAll(async () => h?.close());

const chatHead = (key: string | null, length = 1_000) =>
  requestHead('/v1/chat/completions', {
    'content-type': 'application/json',
    'content-length': String(length),
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  });

describe('slow request bodies', () => {
  it('caps connections per client address before authentication', async () => {
    const held: RawConnection[] = [];
    for (let i = 0; i < 50; i++) held.push(await openRaw(h.url, chatHead(master)));
    await sleep(300);
    const refused = held.filter((c) => statusOf(c.received()) === 429);
    const open = held.filter((c) => c.received() === '' && !c.socket.destroyed);
    expect(open.length).toBeLessThanOrEqual(CAP);
    expect(refused.length).toBeGreaterThanOrEqual(50 - CAP);
    expect(refused[0]!.received()).toContain('too_many_connections');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // The slots come back when the connections close.
    await sleep(100);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('does not cap a trusted proxy, which carries many clients on one address', async () => {
    const proxied = await startHarness({ settings: { masterKey: master, maxConnectionsPerClient: 5, connectionLimitExempt: [], trustProxy: '127.0.0.1' } });
    try {
      const held: RawConnection[] = [];
      for (let i = 0; i < 15; i++) held.push(await openRaw(proxied.url, chatHead(master)));
      await sleep(300);
      expect(held.filter((c) => statusOf(c.received()) === 429)).toHaveLength(0);
      for (const c of held) c.socket.destroy();
    } finally {
      await proxied.close();
    }
  });

  it('cuts off a body dripped a byte at a time after the body timeout', async () => {
    const connection = await openRaw(h.url, chatHead(master, 200));
    const drip = setInterval(() => {
      if (!connection.socket.destroyed) connection.socket.write('{');
    }, 100);
    try {
      const closedAfter = await Promise.race([connection.closed, sleep(8_000).then(() => Infinity)]);
      expect(closedAfter).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
      // Timeout + Node's check interval + a loaded machine; before the fix it stayed open for minutes.
      expect(closedAfter).toBeLessThan(6_000);
      expect(statusOf(connection.received())).toBe(408);
    } finally {
      clearInterval(drip);
      connection.socket.destroy();
    }
  });

  it('does not cut a long answer: the deadline covers receiving the request, not streaming the response', async () => {
    const started = performance.now();
    const response = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${master}` },
      body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'x' }], simulator: { chunks: 12, tokenDelayMs: 250 } }),
    });
    const text = await response.text();
    expect(performance.now() - started).toBeGreaterThan(BODY_TIMEOUT_MS + 500);
    expect(text).toContain('[DONE]');
  });

  it('answers an unauthenticated body 401 at once, without reading it', async () => {
    for (const key of ['sk-gw-wrong-key', null]) {
      const connection = await openRaw(h.url, chatHead(key, 100_000));
      connection.socket.write('{"model":');
      const answeredAfter = await Promise.race([connection.answered, sleep(5_000).then(() => Infinity)]);
      expect(answeredAfter).toBeLessThan(1_000);
      const closedAfter = await Promise.race([connection.closed, sleep(5_000).then(() => Infinity)]);
      expect(closedAfter).toBeLessThan(BODY_TIMEOUT_MS);
      const text = connection.received();
      expect(statusOf(text)).toBe(401);
      expect(text.toLowerCase()).toContain('connection: close');
      expect(text).toContain('authentication_error');
      connection.socket.destroy();
    }
  });
});
