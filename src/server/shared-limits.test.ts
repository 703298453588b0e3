import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../config/env.js';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';
import { buildApp, type GatewayApp } from './app.js';

const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
let reachable = false;
let h: Harness;
let second: GatewayApp;
let secondUrl = '';

beforeAll(async () => {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await probe.connect();
    reachable = (await probe.ping()) === 'PONG';
    await probe.quit();
  } catch (error) {
    probe.disconnect();
    if (process.env.CI) throw new Error(`Redis at ${redisUrl} is required in CI: ${String(error)}`);
    console.warn('*** SKIPPING shared rate limit tests: Redis unreachable ***');
    return;
  }
  h = await startHarness({ settings: { redisUrl } });
  // A second gateway instance on the same database and Redis.
  const settings = readRuntimeSettings({}, { configDir: h.configDir, dataDir: h.dataDir, redisUrl, port: 0 });
  second = await buildApp({ settings, env: h.env, logger: pino({ level: 'silent' }) });
  await second.app.listen({ host: '127.0.0.1', port: 0 });
  const address = second.app.server.address();
  secondUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  if (!reachable) return;
  await second.close();
  await h.close();
});

describe('rate limits shared through Redis', () => {
  it('holds a key to its RPM across two gateway instances', async ({ skip }) => {
    if (!reachable) skip();
    const { key } = await h.gateway.repositories.apiKeys.createApiKey({ name: 'shared', rpmLimit: 2 });
    await h.gateway.keyGuard.reloadKeys();
    await second.keyGuard.reloadKeys();
    const send = (base: string) =>
      fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }),
      });
    expect((await send(h.url)).status).toBe(200);
    expect((await send(secondUrl)).status).toBe(200);
    const third = await send(h.url);
    expect(third.status).toBe(429);
    expect(third.headers.get('x-ratelimit-limit-requests')).toBe('2');
  });
});
