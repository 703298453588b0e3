import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

/**
 * Issue 10 (lower severity) / issue 11 bug 2: without GATEWAY_MASTER_KEY, a wrong, revoked or
 * expired key was served as anonymous (`Bearer sk-gw-wrong` → 200), so revoking a key lifted
 * its limits instead of blocking it. And a key restricted to some models listed them all.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const chat = (key: string | null) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }),
  });

describe('presented keys without a master key', () => {
  it('judges a presented key by the key: unknown, revoked and expired are 401', async () => {
    const keys = h.gateway.repositories.apiKeys;
    const revoked = await keys.createApiKey({ name: 'to-revoke', rpmLimit: 1 });
    await keys.revokeApiKey(revoked.id);
    const expired = await keys.createApiKey({ name: 'expires', expiresAt: Date.now() + 200 });
    await h.gateway.keyGuard.reloadKeys();
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const [key, codes] of [
      ['sk-gw-wrong', ['invalid_api_key']],
      [revoked.key, ['api_key_revoked', 'invalid_api_key']],
      [expired.key, ['api_key_expired', 'invalid_api_key']],
    ] as const) {
      const response = await chat(key);
      expect(response.status, key.slice(0, 12)).toBe(401);
      expect(codes).toContain((await response.json()).error.code);
    }
    await expect(h.client('sk-gw-wrong').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    // No key at all, on loopback: still the anonymous trial mode.
    expect((await chat(null)).status).toBe(200);
    expect((await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })).choices).toHaveLength(1);
  });

  it('lists only the allowed models to a restricted key', async () => {
    const restricted = await h.gateway.repositories.apiKeys.createApiKey({ name: 'only-gpt', allowedModels: ['gpt-test', 'Moonshot/kimi-test'] });
    await h.gateway.keyGuard.reloadKeys();
    const ids = (await h.client(restricted.key).models.list()).data.map((m) => m.id).sort();
    expect(ids).toEqual(['gpt-test', 'kimi-test']);
    // An unrestricted caller still sees everything.
    expect((await h.client().models.list()).data.length).toBeGreaterThan(5);
    // And retrieving a model outside the list is a 404, as for one that does not exist.
    await expect(h.client(restricted.key).models.retrieve('glm-test')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
