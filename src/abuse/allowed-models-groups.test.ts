import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestProvider } from '../test-support/gateway-harness.js';

/**
 * Issue 10 item 4: a key allowed only `Cheap/cheap-model` reached `Pricey/expensive-model`
 * (50x the price) through a model group whose first deployment was the cheap one, and
 * through a fallback from a dead model. Every deployment and fallback target is now
 * checked against the key before it is tried.
 */

const provider = (name: string, model: string): TestProvider => ({
  name,
  vendor: 'openai',
  keyEnv: `${name.toUpperCase()}_API_KEY`,
  key: `${name.toLowerCase()}-secret-key-0001`,
  models: { language: [model] },
});

const yaml = `
model_groups:
  - name: "smart"
    strategy: "weighted"
    deployments:
      - { provider: "Cheap", model: "cheap-model", weight: 1 }
      - { provider: "Pricey", model: "expensive-model", weight: 5 }
    retry: { max_attempts: 3, base_delay_ms: 1, max_delay_ms: 5, budget_ratio: 1, min_retries_per_second: 100 }
  - name: "dead-first"
    strategy: "priority"
    deployments:
      - { provider: "Cheap", model: "cheap-model", priority: 0 }
    retry: { max_attempts: 1 }
    fallbacks:
      - { on: ["any"], to: ["expensive-model"] }
  - name: "pricey-only"
    deployments:
      - { provider: "Pricey", model: "expensive-model" }
`;

let h: Harness;
const master = 'gw-master-allowed-models-groups';

beforeAll(async () => {
  h = await startHarness({
    settings: { masterKey: master },
    providers: [provider('Cheap', 'cheap-model'), provider('Pricey', 'expensive-model')],
    modelsYamlExtra: yaml,
  });
});
afterAll(async () => h.close());
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
});

const createKey = async (allowedModels: string[]) => {
  const created = await h.gateway.repositories.apiKeys.createApiKey({ name: `restricted-${allowedModels.join('-')}`, allowedModels });
  await h.gateway.keyGuard.reloadKeys();
  return created.key;
};

const chat = async (key: string, model: string) => {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: res.status, servedBy: res.headers.get('x-gateway-model'), body: (await res.json()) as { error?: { code: string } } };
};

/** Requests the simulated vendor received for a model. */
const receivedFor = (model: string) => h.sim.received.filter((r) => (r.body as { model?: string }).model === model).length;

describe('allowed models through groups and fallbacks (issue 10, item 4)', () => {
  it('never serves a group request from a deployment the key may not use', async () => {
    const key = await createKey(['Cheap/cheap-model']);
    const results = await Promise.all(Array.from({ length: 12 }, () => chat(key, 'smart')));
    const byExpensive = results.filter((r) => r.servedBy === 'Pricey/expensive-model').length;
    console.log(`allowed-models: ${byExpensive} of 12 group requests served by the disallowed deployment`);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(byExpensive).toBe(0);
    expect(receivedFor('expensive-model')).toBe(0);
    expect(receivedFor('cheap-model')).toBe(12);
  });

  it('skips a disallowed deployment on retry instead of failing over to it', async () => {
    const key = await createKey(['Cheap/cheap-model']);
    h.sim.addRule({ match: { model: 'cheap-model' }, behavior: { status: 500, errorMessage: 'down' } });
    const result = await chat(key, 'smart');
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(result.servedBy).toBeNull();
    expect(receivedFor('expensive-model')).toBe(0);
    // The allowed deployment was retried (max_attempts 3), never the other one.
    expect(receivedFor('cheap-model')).toBeGreaterThanOrEqual(1);
  });

  it('does not fall back to a disallowed model when the allowed one is dead', async () => {
    const key = await createKey(['cheap-model']);
    h.sim.addRule({ match: { model: 'cheap-model' }, behavior: { status: 503, errorMessage: 'dead' } });
    const result = await chat(key, 'dead-first');
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(result.servedBy).toBeNull();
    expect(receivedFor('expensive-model')).toBe(0);
  });

  it('answers 403 model_not_allowed when no deployment of the group is allowed', async () => {
    const key = await createKey(['cheap-model']);
    const result = await chat(key, 'pricey-only');
    expect(result.status).toBe(403);
    expect(result.body.error?.code).toBe('model_not_allowed');
    expect(receivedFor('expensive-model')).toBe(0);
  });

  it('still lets a key that names the group use all its deployments, and unrestricted keys everything', async () => {
    const key = await createKey(['smart']);
    const results = await Promise.all(Array.from({ length: 12 }, () => chat(key, 'smart')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.some((r) => r.servedBy === 'Pricey/expensive-model')).toBe(true);
    const master12 = await Promise.all(Array.from({ length: 4 }, () => chat(master, 'pricey-only')));
    expect(master12.every((r) => r.status === 200 && r.servedBy === 'Pricey/expensive-model')).toBe(true);
  });
});
