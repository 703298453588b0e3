import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

let h: Harness;
const master = 'gw-master-virtual-key-tests';

beforeAll(async () => {
  h = await startHarness({ settings: { masterKey: master } });
});
afterAll(async () => h.close());
beforeEach(() => h.sim.clearRules());

const createKey = async (input: Parameters<Harness['gateway']['repositories']['apiKeys']['createApiKey']>[0]) => {
  const created = await h.gateway.repositories.apiKeys.createApiKey(input);
  await h.gateway.keyGuard.reloadKeys();
  return created;
};

const ask = (key: string, model = 'gpt-test') =>
  h.client(key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('virtual API keys on /v1', () => {
  it('accepts a valid key and rejects unknown ones', async () => {
    const { key } = await createKey({ name: 'app-a' });
    expect(key).toMatch(/^sk-gw-/);
    expect((await ask(key)).choices[0]!.message.content).toContain('gpt-test');
    await expect(ask('sk-gw-not-a-real-key')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('refuses revoked and expired keys', async () => {
    const revoked = await createKey({ name: 'revoked' });
    await h.gateway.repositories.apiKeys.revokeApiKey(revoked.id);
    await h.gateway.keyGuard.reloadKeys();
    // Revoked keys leave the in-memory table, so they read as unknown: 401 either way.
    await expect(ask(revoked.key)).rejects.toMatchObject({ status: 401 });
    const expired = await createKey({ name: 'expired', expiresAt: Date.now() - 1000 });
    await expect(ask(expired.key)).rejects.toMatchObject({ status: 401 });
  });

  it('limits a key to its allowed models', async () => {
    const { key } = await createKey({ name: 'only-kimi', allowedModels: ['kimi-test'] });
    expect((await ask(key, 'kimi-test')).model).toBe('kimi-test');
    await expect(ask(key, 'gpt-test')).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
  });

  it('answers 429 with Retry-After and x-ratelimit headers over the RPM limit', async () => {
    const { key } = await createKey({ name: 'rpm', rpmLimit: 2 });
    const send = () =>
      fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }),
      });
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect((await send()).status).toBe(200);
    const third = await send();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await third.json()).error.code).toBe('rate_limit_requests');
  });

  it('answers 429 over the TPM limit', async () => {
    const { key } = await createKey({ name: 'tpm', tpmLimit: 50 });
    const big = 'word '.repeat(200);
    const response = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: big }] }),
    });
    expect(response.status).toBe(429);
    expect((await response.json()).error.code).toBe('rate_limit_tokens');
  });

  it('stops a key at its budget with budget_exceeded', async () => {
    // gpt-test has no pricing in the test config: give it one through the overlay.
    await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'OpenAI/gpt-test' }, (draft) => {
      draft.set('model', 'OpenAI/gpt-test', { pricing: { input: 1_000_000, output: 1_000_000, currency: 'USD' } });
    });
    const { key } = await createKey({ name: 'budget', budget: { amount: 5, period: 'day' } });
    await ask(key); // costs far more than 5
    await expect(ask(key)).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    // The spend also survives a reload from the usage table.
    await h.gateway.usageWriter.flush();
    await h.gateway.keyGuard.reloadKeys();
    await expect(ask(key)).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    await h.gateway.state.change({ actor: 'test', action: 'model.revert', target: 'OpenAI/gpt-test' }, (draft) => draft.revert('model', 'OpenAI/gpt-test'));
  });

  it('keeps the master key as the admin key', async () => {
    expect((await ask(master)).choices).toHaveLength(1);
  });
});
