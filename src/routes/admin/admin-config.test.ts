import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient, findSecrets } from './admin-test-client.js';

const ADMIN_PASSWORD = 'config-suite-password';
const EXTRA_KEY = 'sk-extra-provider-secret-9876';

let h: Harness;
const recorded: string[] = [];
const admin = new AdminTestClient(() => h.url, recorded);
const enc = encodeURIComponent;

beforeAll(async () => {
  h = await startHarness({
    settings: { adminPassword: ADMIN_PASSWORD },
    activeModels: {
      active_language_model_provider: 'OpenAI',
      active_language_model: 'gpt-test',
      active_vision_model_provider: 'OpenAI',
      active_vision_model: 'vision-test',
    },
  });
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());
beforeEach(() => h.sim.clear());

const auditTotal = async () => (await admin.get('/admin/api/audit')).json.total as number;
const modelKeys = async () => ((await admin.get('/admin/api/models')).json.data as Array<{ key: string }>).map((m) => m.key);
/** A /v1 call without `model`: which model answered? */
const chatWithoutModel = async () => {
  const response = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('x-gateway-model');
};

describe('providers', () => {
  it('lists providers with masked keys and status', async () => {
    const list = await admin.get('/admin/api/providers');
    const openai = list.json.data.find((p: { name: string }) => p.name === 'OpenAI');
    expect(openai).toMatchObject({
      baseUrl: `${h.sim.url}/openai/v1`,
      protocol: 'openai',
      enabled: true,
      needsKey: true,
      keyEnv: 'OPENAI_API_KEY',
      keySource: 'env',
      keyMasked: '\u20261234',
      status: 'usable',
      modelCount: 3,
      source: 'config',
    });
    expect(list.json.data.find((p: { name: string }) => p.name === 'Keyless')).toMatchObject({ keySource: 'none', keyMasked: null, status: 'key_missing' });
  });

  it('adds a provider, sets and tests its key (masked only), removes the key and the provider', async () => {
    const before = await auditTotal();
    const invalid = await admin.post('/admin/api/providers', { name: 'Extra', baseUrl: 'ftp://nope' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.param).toBe('baseUrl');
    const reserved = await admin.post('/admin/api/providers', { name: 'Extra', baseUrl: 'http://x.test/v1', keyEnv: 'GATEWAY_MASTER_KEY' });
    expect(reserved.json.error.param).toBe('keyEnv');
    expect(await auditTotal()).toBe(before);

    const created = await admin.post('/admin/api/providers', { name: 'Extra', baseUrl: `${h.sim.url}/openai/v1`, needsKey: true, description: 'extra one' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Extra', status: 'key_missing', keySource: 'none', keyMasked: null, source: 'admin', modelCount: 0 });
    expect((await admin.post('/admin/api/providers', { name: 'extra', baseUrl: 'http://x.test/v1' })).json.error.code).toBe('provider_exists');

    const untested = await admin.post('/admin/api/providers/Extra/test');
    expect(untested.json).toMatchObject({ ok: false, error: { code: 'key_missing' } });

    const keyed = await admin.put('/admin/api/providers/Extra/key', { apiKey: EXTRA_KEY });
    expect(keyed.json).toMatchObject({ keySource: 'admin', keyMasked: '\u20269876', status: 'usable' });
    expect(keyed.text).not.toContain(EXTRA_KEY);

    const tested = await admin.post('/admin/api/providers/extra/test');
    expect(tested.json).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
    expect(tested.json.models).toContain('gpt-4o');
    const upstream = h.sim.received.at(-1)!;
    expect(upstream).toMatchObject({ method: 'GET', path: '/openai/v1/models' });
    expect(upstream.headers.authorization).toBe(`Bearer ${EXTRA_KEY}`);

    const patched = await admin.patch('/admin/api/providers/Extra', { description: 'changed', timeoutMs: 5000 });
    expect(patched.json).toMatchObject({ description: 'changed', timeoutMs: 5000 });
    expect((await admin.patch('/admin/api/providers/Extra', { name: 'Renamed' })).json.error.param).toBe('name');

    const unkeyed = await admin.delete('/admin/api/providers/Extra/key');
    expect(unkeyed.json).toMatchObject({ keySource: 'none', keyMasked: null, status: 'key_missing' });
    expect((await admin.delete('/admin/api/providers/Extra')).json).toEqual({ ok: true });
    expect((await admin.get('/admin/api/providers')).json.data.map((p: { name: string }) => p.name)).not.toContain('Extra');
    const actions = (await admin.get('/admin/api/audit?pageSize=10')).json.data.map((e: { action: string; actor: string }) => `${e.actor}:${e.action}`);
    expect(actions.slice(0, 5)).toEqual(['admin:provider.delete', 'admin:provider_key.delete', 'admin:provider.update', 'admin:provider_key.set', 'admin:provider.create']);
  });

  it('reports an unreachable provider as a failed test, and refuses to delete one serving an active model', async () => {
    await admin.post('/admin/api/providers', { name: 'Down', baseUrl: 'http://127.0.0.1:1/v1', needsKey: false });
    const tested = await admin.post('/admin/api/providers/Down/test');
    expect(tested.json).toMatchObject({ ok: false, error: { code: 'upstream_unreachable' } });
    await admin.delete('/admin/api/providers/Down');
    const busy = await admin.delete('/admin/api/providers/OpenAI');
    expect(busy.status).toBe(409);
    expect(busy.json.error.code).toBe('provider_in_use');
    expect((await admin.delete('/admin/api/providers/Nope')).status).toBe(404);
  });
});

describe('models and active models', () => {
  it('adds a model that /v1 lists and serves through the openai SDK', async () => {
    const created = await admin.post('/admin/api/models', {
      provider: 'openai',
      name: 'gpt-added',
      type: 'language',
      displayName: 'Added',
      pricing: { input: 1, output: 2 },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      key: 'OpenAI/gpt-added',
      provider: 'OpenAI',
      type: 'language',
      types: ['language'],
      displayName: 'Added',
      pricing: { input: 1, output: 2, currency: 'USD' },
      status: 'usable',
      source: 'admin',
      active: { language: false, vision: false },
    });
    const listed = await h.client().models.list();
    expect(listed.data.map((m) => m.id)).toContain('gpt-added');
    const completion = await h.client().chat.completions.create({ model: 'gpt-added', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gpt-added.');
  });

  it('refuses duplicates (409), unknown providers and invalid payloads (400) without writing anything', async () => {
    const before = await auditTotal();
    const models = await modelKeys();
    const duplicate = await admin.post('/admin/api/models', { provider: 'OpenAI', name: 'gpt-added', type: 'language' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error.code).toBe('model_exists');
    expect((await admin.post('/admin/api/models', { provider: 'OpenAI', name: 'gpt-test', type: 'vision' })).status).toBe(409);
    const unknown = await admin.post('/admin/api/models', { provider: 'Nobody', name: 'x', type: 'language' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 'unknown_provider', param: 'provider' });
    const negative = await admin.post('/admin/api/models', { provider: 'OpenAI', name: 'x', type: 'language', contextWindow: -5 });
    expect(negative.status).toBe(400);
    expect(negative.json.error.param).toBe('contextWindow');
    const nested = await admin.post('/admin/api/models', { provider: 'OpenAI', name: 'x', type: 'language', pricing: { input: 'a', output: 1 } });
    expect(nested.json.error.param).toBe('pricing.input');
    const missing = await admin.post('/admin/api/models', { provider: 'OpenAI', name: 'x' });
    expect(missing.json.error).toMatchObject({ param: 'type', code: 'missing_required_parameter' });
    const notJson = await admin.request('POST', '/admin/api/models', { body: '{"provider":', headers: {} });
    expect(notJson.status).toBe(400);
    expect(await auditTotal()).toBe(before);
    expect(await modelKeys()).toEqual(models);
  });

  it('patches models by URL-encoded key, including names with a slash', async () => {
    const patched = await admin.patch(`/admin/api/models/${enc('OpenAI/gpt-added')}`, { displayName: 'Renamed', contextWindow: 8000 });
    expect(patched.json).toMatchObject({ displayName: 'Renamed', contextWindow: 8000 });
    const slashKey = 'SiliconFlow/deepseek-ai/DeepSeek-V3';
    expect((await admin.patch(`/admin/api/models/${enc(slashKey)}`, { enabled: false })).json).toMatchObject({ key: slashKey, status: 'disabled' });
    expect((await h.client().models.list()).data.map((m) => m.id)).not.toContain('deepseek-ai/DeepSeek-V3');
    expect((await admin.patch(`/admin/api/models/${enc(slashKey)}`, { enabled: true })).json.status).toBe('usable');
    expect((await admin.patch(`/admin/api/models/${enc('OpenAI/nope')}`, { enabled: true })).status).toBe(404);
  });

  it('refuses to delete an active model, deletes others', async () => {
    const active = await admin.delete(`/admin/api/models/${enc('OpenAI/gpt-test')}`);
    expect(active.status).toBe(409);
    expect(active.json.error.code).toBe('model_is_active');
    expect(active.json.error.message).toMatch(/switch the active model/);
    await admin.post('/admin/api/models', { provider: 'ZhipuAI', name: 'temp-model', type: 'language' });
    expect((await admin.delete(`/admin/api/models/${enc('ZhipuAI/temp-model')}`)).json).toEqual({ ok: true });
    expect(await modelKeys()).not.toContain('ZhipuAI/temp-model');
  });

  it('switches the active language model for the very next /v1 request', async () => {
    expect(await chatWithoutModel()).toBe('OpenAI/gpt-test');
    const switched = await admin.put('/admin/api/active-models', { type: 'language', key: 'moonshot/kimi-test' });
    expect(switched.json.language).toEqual({ provider: 'Moonshot', name: 'kimi-test', key: 'Moonshot/kimi-test' });
    expect(switched.json.vision).toEqual({ provider: 'OpenAI', name: 'vision-test', key: 'OpenAI/vision-test' });
    expect(await chatWithoutModel()).toBe('Moonshot/kimi-test');
    expect(h.sim.received.at(-1)!.path).toBe('/moonshot/v1/chat/completions');
    const models = (await admin.get('/admin/api/models')).json.data;
    expect(models.find((m: { key: string }) => m.key === 'Moonshot/kimi-test').active).toEqual({ language: true, vision: false });

    const embedding = await admin.put('/admin/api/active-models', { type: 'language', key: 'OpenAI/embed-test' });
    expect(embedding.json.error).toMatchObject({ code: 'model_type_mismatch', param: 'key' });
    expect((await admin.put('/admin/api/active-models', { type: 'language', key: 'nope/nope' })).status).toBe(400);
    expect((await admin.put('/admin/api/active-models', { type: 'audio', key: 'Moonshot/kimi-test' })).json.error.param).toBe('type');
  });

  it('keeps added models and the active model across a restart', async () => {
    await h.restart();
    expect(await modelKeys()).toContain('OpenAI/gpt-added');
    expect((await admin.get('/admin/api/active-models')).json.language.key).toBe('Moonshot/kimi-test');
    expect(await chatWithoutModel()).toBe('Moonshot/kimi-test');
  });
});

describe('config export, import and audit', () => {
  it('exports YAML without secrets that imports back to the same state', async () => {
    const exported = await admin.get('/admin/api/config/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/yaml/);
    const doc = parseYaml(exported.text);
    const openai = doc.providers.find((p: { name: string }) => p.name === 'OpenAI');
    expect(openai).toMatchObject({ api_key_env: 'OPENAI_API_KEY', base_url: `${h.sim.url}/openai/v1` });
    expect(openai.models.language.map((m: { name: string }) => m.name)).toEqual(['gpt-test', 'gpt-added']);
    expect(openai.models.vision).toEqual([{ name: 'gpt-test' }, expect.objectContaining({ name: 'vision-test' })]);
    expect(doc.active_models).toEqual({ language: 'Moonshot/kimi-test', vision: 'OpenAI/vision-test' });

    const modelsBefore = (await admin.get('/admin/api/models')).json.data;
    const providersBefore = (await admin.get('/admin/api/providers')).json.data;
    // Change things, then import the export: everything comes back.
    await admin.put('/admin/api/active-models', { type: 'language', key: 'OpenAI/gpt-test' });
    await admin.delete(`/admin/api/models/${enc('OpenAI/gpt-added')}`);
    await admin.patch('/admin/api/providers/ZhipuAI', { description: 'edited' });
    await admin.post('/admin/api/models', { provider: 'Ollama', name: 'extra-local', type: 'vision' });
    const imported = await admin.post('/admin/api/config/import', { yaml: exported.text });
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({ ok: true, version: expect.any(Number) });
    expect((await admin.get('/admin/api/models')).json.data).toEqual(modelsBefore);
    expect((await admin.get('/admin/api/providers')).json.data).toEqual(providersBefore);
    const again = await admin.get('/admin/api/config/export');
    const body = (text: string) => text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    expect(body(again.text)).toBe(body(exported.text));
    expect(await chatWithoutModel()).toBe('Moonshot/kimi-test');
    expect((await admin.get('/admin/api/audit')).json.data[0]).toMatchObject({ actor: 'admin', action: 'config.import' });
  });

  it('imports an edited file (new provider and model, dropped model) in one change', async () => {
    const doc = parseYaml((await admin.get('/admin/api/config/export')).text);
    doc.providers.push({ name: 'Imported', base_url: `${h.sim.url}/openai/v1`, needs_key: false, models: { language: [{ name: 'imported-model' }] } });
    const zhipu = doc.providers.find((p: { name: string }) => p.name === 'ZhipuAI');
    zhipu.models.language = zhipu.models.language.filter((m: { name: string }) => m.name !== 'shared-name');
    const before = await auditTotal();
    const { stringify } = await import('yaml');
    expect((await admin.post('/admin/api/config/import', { yaml: stringify(doc) })).status).toBe(200);
    expect(await auditTotal()).toBe(before + 1);
    const keys = await modelKeys();
    expect(keys).toContain('Imported/imported-model');
    expect(keys).not.toContain('ZhipuAI/shared-name');
    const completion = await h.client().chat.completions.create({ model: 'imported-model', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from imported-model.');
  });

  it('rejects invalid imports with 400 naming the problem and writes nothing', async () => {
    const before = await auditTotal();
    const models = await modelKeys();
    const broken = await admin.post('/admin/api/config/import', { yaml: 'providers:\n  - name: "x\n    base_url: [' });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('invalid_yaml');
    const badUrl = await admin.post('/admin/api/config/import', { yaml: 'providers:\n  - name: A\n    base_url: nope\n' });
    expect(badUrl.json.error).toMatchObject({ code: 'invalid_config', param: 'providers[0].base_url' });
    expect(badUrl.json.error.message).toMatch(/import:3/);
    const duplicate = await admin.post('/admin/api/config/import', {
      yaml: 'providers:\n  - name: A\n    base_url: http://a.test\n  - name: a\n    base_url: http://b.test\n',
    });
    expect(duplicate.json.error.message).toMatch(/duplicate provider/);
    const unknownActive = await admin.post('/admin/api/config/import', {
      yaml: 'providers:\n  - name: A\n    base_url: http://a.test\nactive_models:\n  language: A/missing\n',
    });
    expect(unknownActive.json.error.param).toBe('active_models.language');
    expect((await admin.post('/admin/api/config/import', {})).json.error.param).toBe('yaml');
    expect(await auditTotal()).toBe(before);
    expect(await modelKeys()).toEqual(models);
  });

  it('lists the audit log and rolls back to restore the previous active model', async () => {
    await admin.put('/admin/api/active-models', { type: 'language', key: 'ZhipuAI/glm-test' });
    const first = (await admin.get('/admin/api/audit?page=1&pageSize=5')).json;
    expect(first.data[0]).toMatchObject({ actor: 'admin', action: 'active_model.set', target: 'language', time: expect.stringMatching(/Z$/) });
    expect(first.data[0].diff.changes[0]).toMatchObject({ key: 'activeModels.language', after: 'ZhipuAI/glm-test' });
    await admin.put('/admin/api/active-models', { type: 'language', key: 'OpenAI/gpt-test' });
    expect(await chatWithoutModel()).toBe('OpenAI/gpt-test');

    const rolled = await admin.post(`/admin/api/audit/${first.data[0].id}/rollback`);
    expect(rolled.json).toMatchObject({ ok: true, version: expect.any(Number) });
    expect((await admin.get('/admin/api/active-models')).json.language.key).toBe('ZhipuAI/glm-test');
    expect(await chatWithoutModel()).toBe('ZhipuAI/glm-test');
    expect((await admin.get('/admin/api/audit')).json.data[0]).toMatchObject({ action: 'config.rollback', actor: 'admin' });
    expect((await admin.post('/admin/api/audit/999999/rollback')).status).toBe(404);
    expect((await admin.post('/admin/api/audit/abc/rollback')).json.error.param).toBe('id');
  });

  it('leaked no secret in any response or log line', () => {
    const secrets = [ADMIN_PASSWORD, EXTRA_KEY, ...defaultTestProviders().map((p) => p.key ?? '')];
    expect(recorded.length).toBeGreaterThan(50);
    expect(findSecrets([...recorded, ...h.logLines], secrets)).toEqual([]);
  });
});
