import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { AdminTestClient } from '../routes/admin/admin-test-client.js';
import { defaultTestProviders, startHarness, writeTestConfig, type Harness } from '../test-support/gateway-harness.js';

/**
 * Issue 10 item 8: an admin could import (or create through the provider API) a provider
 * whose key variable is one of the gateway's own secrets (`GATEWAY_MASTER_KEY`,
 * `ADMIN_PASSWORD`) or any other variable (`HOME`, another vendor's credentials), point
 * it at any host and have the gateway send that value there as a Bearer token.
 */

const MASTER = 'gw-master-secret-never-leaves-0001';
const PASSWORD = 'admin-password-never-leaves-0002';
const AWS_SECRET = 'aws-secret-never-leaves-0003';

let h: Harness;
const admin = new AdminTestClient(() => h.url);

beforeAll(async () => {
  h = await startHarness({
    settings: { masterKey: MASTER, adminPassword: PASSWORD, providerKeyEnvAllow: ['*_API_KEY', 'CORP_*_TOKEN'] },
    env: { GATEWAY_MASTER_KEY: MASTER, ADMIN_PASSWORD: PASSWORD, HOME: '/root', AWS_SECRET_ACCESS_KEY: AWS_SECRET, CORP_LLM_TOKEN: 'corp-token-0004', ACME_API_KEY: 'acme-key-0005' },
  });
  expect((await admin.login(PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());
beforeEach(() => h.sim.clear());

/** Every Authorization header the simulated vendor has seen, plus its bodies. */
const leaked = () =>
  h.sim.received.some((r) => JSON.stringify([r.headers, r.body]).match(new RegExp(`${MASTER}|${PASSWORD}|${AWS_SECRET}|/root`)));

const chatWith = async (model: string) => {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.text();
  return res.status;
};

const importWith = async (keyEnv: string, name: string) => {
  const doc = parseYaml((await admin.get('/admin/api/config/export')).text);
  doc.providers.push({ name, api_key_env: keyEnv, needs_key: true, base_url: `${h.sim.url}/openai/v1`, models: { language: [{ name: `${name.toLowerCase()}-model` }] } });
  return admin.post('/admin/api/config/import', { yaml: stringify(doc) });
};

describe("a provider's api_key_env (issue 10, item 8)", () => {
  ['GATEWAY_MASTER_KEY', 'ADMIN_PASSWORD', 'gateway_master_key', 'HOME', 'AWS_SECRET_ACCESS_KEY'].forEach((variable, index) => {
    it(`refuses ${variable} on config import and never sends it anywhere`, async () => {
      const name = `Evil${index}`;
      const res = await importWith(variable, name);
      await chatWith(`${name.toLowerCase()}-model`);
      expect(leaked()).toBe(false);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/api_key_env/);
      expect(res.json.error.message).toContain(variable);
    });
  });

  it('refuses them on the provider API (create and patch)', async () => {
    for (const keyEnv of ['GATEWAY_SECRET_KEY', 'DATABASE_URL', 'REDIS_URL', 'PATH', 'HOME', 'AWS_SECRET_ACCESS_KEY']) {
      const created = await admin.post('/admin/api/providers', { name: 'Sneaky', baseUrl: `${h.sim.url}/openai/v1`, keyEnv, needsKey: true });
      expect(created.status, keyEnv).toBe(400);
      expect(created.json.error.param).toBe('keyEnv');
      const patched = await admin.patch('/admin/api/providers/OpenAI', { keyEnv });
      expect(patched.status, keyEnv).toBe(400);
    }
    expect(await chatWith('gpt-test')).toBe(200);
    expect(leaked()).toBe(false);
  });

  it('allows the names the config uses, *_API_KEY and the operator allow-list', async () => {
    const created = await admin.post('/admin/api/providers', { name: 'Acme', baseUrl: `${h.sim.url}/openai/v1`, keyEnv: 'ACME_API_KEY', needsKey: true });
    expect(created.status).toBe(201);
    const corp = await importWith('CORP_LLM_TOKEN', 'Corp');
    expect(corp.status).toBe(200);
    expect(await chatWith('corp-model')).toBe(200);
    expect(h.sim.received.at(-1)!.headers.authorization).toBe('Bearer corp-token-0004');
    // OPENAI_API_KEY is what the config folder uses.
    expect((await admin.patch('/admin/api/providers/OpenAI', { keyEnv: 'OPENAI_API_KEY' })).status).toBe(200);
  });

  it('refuses a reserved variable in the config folder with the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skgw-keyenv-'));
    try {
      writeTestConfig(dir, 'http://127.0.0.1:1', [...defaultTestProviders(), { name: 'Bad', vendor: 'openai', keyEnv: 'GATEWAY_MASTER_KEY', models: { language: ['bad-model'] } }]);
      expect(() => loadConfig(dir)).toThrow(/models\.yaml:\d+ .*api_key_env.*GATEWAY_MASTER_KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
