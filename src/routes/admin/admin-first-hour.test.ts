import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTestProviders, startHarness, type Harness, type TestProvider } from '../../test-support/gateway-harness.js';
import { AdminTestClient, findSecrets } from './admin-test-client.js';

/** Issue 11 ("the first hour"): what a newcomer trips over in the admin API. */

const ADMIN_PASSWORD = 'first-hour-password';
const MASTER_KEY = 'sk-master-first-hour-4321';
const enc = encodeURIComponent;

const providers = (): TestProvider[] => [
  ...defaultTestProviders(),
  // A provider that needs a key but names no variable for it (the broken sentence of bug 5).
  { name: 'Sim', vendor: 'openai', models: { language: ['sim-model'] }, extra: '    needs_key: true\n' },
  // Nothing listens on port 1: a provider that is "usable" on paper only.
  {
    name: 'Dead',
    vendor: 'openai',
    baseUrl: 'http://127.0.0.1:1/v1',
    models: { language: ['dead-model'] },
    extra: '    needs_key: false\n    description: "本地死服务"\n    description_en: "A local server that is not running"\n',
  },
];

/** The OpenAI provider file again, with a gpt-4o-class model and an English display name. */
const OPENAI_FILE = `provider: "OpenAI"
models:
  language:
    - name: "gpt-test"
      display_name: "gpt-test display"
  vision:
    - name: "gpt-test"
    - name: "vision-test"
    - name: "omni-test"
      display_name: "全能模型"
      display_name_en: "Omni model"
      description: "多模态模型"
      description_en: "Multimodal model"
      capabilities: ["chat"]
  embedding:
    - name: "embed-test"
`;

let h: Harness;
const recorded: string[] = [];
const admin = new AdminTestClient(() => h.url, recorded);

const chat = (body: object, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

beforeAll(async () => {
  h = await startHarness({
    providers: providers(),
    settings: { adminPassword: ADMIN_PASSWORD, masterKey: undefined },
    activeModels: { active_language_model_provider: 'OpenAI', active_language_model: 'gpt-test' },
  });
  writeFileSync(join(h.configDir, 'providers', 'openai.yaml'), OPENAI_FILE);
  await h.restart();
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => {
  expect(findSecrets(recorded, Object.values(h.env).filter((v): v is string => Boolean(v)))).toEqual([]);
  await h?.close();
});

describe('bug 4: the request log says who called', () => {
  it('an API call without a key is "anonymous", a playground call "playground", a virtual key its name', async () => {
    expect((await chat({ model: 'gpt-test' })).status).toBe(200);
    const playground = await admin.post('/admin/api/playground/chat/completions', { model: 'kimi-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(playground.status).toBe(200);
    const created = await admin.post('/admin/api/keys', { name: 'first-hour-key' });
    expect(created.status).toBe(201);
    expect((await chat({ model: 'glm-test' }, { authorization: `Bearer ${created.json.key}` })).status).toBe(200);
    await h.gateway.usageWriter.flush();

    const logs = (await admin.get('/admin/api/logs?pageSize=10')).json.data as Array<{ model: string; caller: string; keyName: string | null }>;
    const byModel = (model: string) => logs.find((entry) => entry.model === model);
    expect(byModel('gpt-test')).toMatchObject({ caller: 'anonymous', keyName: null });
    expect(byModel('kimi-test')).toMatchObject({ caller: 'playground' });
    expect(byModel('glm-test')).toMatchObject({ caller: 'key', keyName: 'first-hour-key' });
  });
});

describe('bug 5: a provider without a key says what to do in one sentence', () => {
  it('without a key variable: enter a key on the Providers page (no dangling "or")', async () => {
    const response = await chat({ model: 'sim-model' });
    expect(response.status).toBe(503);
    const { error } = (await response.json()) as { error: { message: string; code: string; details: Record<string, string> } };
    expect(error.code).toBe('provider_key_missing');
    expect(error.message).toBe("The provider Sim has no API key: enter a key on the console's Providers page (or name a variable in its api_key_env).");
    expect(error.message).not.toContain('configured or');
    expect(error.details).toEqual({ provider: 'Sim' });
  });

  it('with a key variable: set it or enter a key', async () => {
    const response = await chat({ model: 'needs-key-model' });
    expect(response.status).toBe(503);
    const { error } = (await response.json()) as { error: { message: string; details: Record<string, string> } };
    expect(error.message).toBe(
      "The provider Keyless has no API key: set the environment variable KEYLESS_API_KEY or enter a key on the console's Providers page.",
    );
    expect(error.details).toEqual({ provider: 'Keyless', variable: 'KEYLESS_API_KEY' });
  });
});

describe('friction 3: making a model that cannot answer active', () => {
  it('is refused with the reason, and accepted with force (then default requests answer 503)', async () => {
    const before = (await admin.get('/admin/api/active-models')).json.language.key;
    const refused = await admin.put('/admin/api/active-models', { type: 'language', key: 'Keyless/needs-key-model' });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'model_not_usable', param: 'key', details: { status: 'key_missing', provider: 'Keyless', variable: 'KEYLESS_API_KEY' } });
    expect(refused.json.error.message).toContain('has no API key');
    expect(refused.json.error.message).toContain('"force": true');
    expect((await admin.get('/admin/api/active-models')).json.language.key).toBe(before);

    const forced = await admin.put('/admin/api/active-models', { type: 'language', key: 'Keyless/needs-key-model', force: true });
    expect(forced.status).toBe(200);
    expect(forced.json.language.key).toBe('Keyless/needs-key-model');
    expect((await chat({})).status).toBe(503);

    expect((await admin.put('/admin/api/active-models', { type: 'language', key: before })).status).toBe(200);
    expect((await chat({})).status).toBe(200);
  });

  it('a disabled model is refused too', async () => {
    expect((await admin.patch(`/admin/api/models/${enc('ZhipuAI/glm-test')}`, { enabled: false })).status).toBe(200);
    const refused = await admin.put('/admin/api/active-models', { type: 'language', key: 'ZhipuAI/glm-test' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('the model is disabled');
    expect((await admin.patch(`/admin/api/models/${enc('ZhipuAI/glm-test')}`, { enabled: true })).status).toBe(200);
  });
});

describe('friction 4: a vision model that chats serves language too', () => {
  it('from the config: listed with the language type, can be the active language model, answers /v1 without images', async () => {
    const models = (await admin.get('/admin/api/models')).json.data as Array<{ key: string; types: string[] }>;
    expect(models.find((m) => m.key === 'OpenAI/omni-test')!.types).toEqual(['vision', 'language']);
    // A vision model without the capability stays vision-only.
    expect(models.find((m) => m.key === 'OpenAI/vision-test')!.types).toEqual(['vision']);
    const before = (await admin.get('/admin/api/active-models')).json.language.key;
    const switched = await admin.put('/admin/api/active-models', { type: 'language', key: 'OpenAI/omni-test' });
    expect(switched.status).toBe(200);
    const response = await chat({});
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe('OpenAI/omni-test');
    expect((await admin.put('/admin/api/active-models', { type: 'vision', key: 'OpenAI/omni-test' })).status).toBe(200);
    expect((await admin.put('/admin/api/active-models', { type: 'language', key: before })).status).toBe(200);
    expect((await admin.put('/admin/api/active-models', { type: 'language', key: 'OpenAI/vision-test' })).json.error.code).toBe('model_type_mismatch');
  });

  it('added in the console with the chat capability', async () => {
    const created = await admin.post('/admin/api/models', { provider: 'OpenAI', name: 'omni-added', type: 'vision', capabilities: ['chat'] });
    expect(created.status).toBe(201);
    expect(created.json.types).toEqual(['vision', 'language']);
  });
});

describe('friction 8: English names from the config', () => {
  it('display_name_en and description_en reach the admin API next to the Chinese ones', async () => {
    const models = (await admin.get('/admin/api/models')).json.data as Array<{ key: string }>;
    expect(models.find((m) => m.key === 'OpenAI/omni-test')).toMatchObject({
      displayName: '全能模型',
      displayNameEn: 'Omni model',
      description: '多模态模型',
      descriptionEn: 'Multimodal model',
    });
    expect(models.find((m) => m.key === 'OpenAI/vision-test')).toMatchObject({ displayNameEn: null });
    const dead = ((await admin.get('/admin/api/providers')).json.data as Array<{ name: string }>).find((p) => p.name === 'Dead');
    expect(dead).toMatchObject({ description: '本地死服务', descriptionEn: 'A local server that is not running' });
  });

  it('the console can set and clear an English display name', async () => {
    const created = await admin.post('/admin/api/models', { provider: 'Moonshot', name: 'named-model', type: 'language', displayName: '命名模型', displayNameEn: 'Named model' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ displayName: '命名模型', displayNameEn: 'Named model' });
    const cleared = await admin.patch(`/admin/api/models/${enc('Moonshot/named-model')}`, { displayNameEn: null });
    expect(cleared.json).toMatchObject({ displayName: '命名模型', displayNameEn: null });
    expect((await admin.patch(`/admin/api/models/${enc('Moonshot/named-model')}`, { displayNameEn: 'x'.repeat(201) })).json.error.param).toBe('displayNameEn');
  });

  it('the export keeps them, so a round trip does not lose the English names', async () => {
    const exported = await admin.get('/admin/api/config/export');
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('display_name_en: Omni model');
  });
});

describe('friction 9: the last connection check is shown, not just the key', () => {
  it('a provider whose server does not listen is "usable" but its check failed, with the time', async () => {
    const list = async () => (await admin.get('/admin/api/providers')).json.data as Array<{ name: string; status: string; lastCheck: unknown }>;
    expect((await list()).find((p) => p.name === 'Dead')).toMatchObject({ status: 'usable', lastCheck: null });
    const started = Date.now();
    const tested = await admin.post('/admin/api/providers/Dead/test');
    expect(tested.status).toBe(200);
    expect(tested.json).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) }, checkedAt: expect.any(String) });
    const dead = (await list()).find((p) => p.name === 'Dead')!;
    expect(dead.lastCheck).toMatchObject({ ok: false, trigger: 'console', error: { code: tested.json.error.code } });
    const checkedAt = Date.parse((dead.lastCheck as { checkedAt: string }).checkedAt);
    expect(checkedAt).toBeGreaterThanOrEqual(started - 1000);
    expect(checkedAt).toBeLessThanOrEqual(Date.now() + 1000);

    const ok = await admin.post('/admin/api/providers/OpenAI/test');
    expect(ok.json).toMatchObject({ ok: true });
    expect((await list()).find((p) => p.name === 'OpenAI')!.lastCheck).toMatchObject({ ok: true, trigger: 'console', modelCount: expect.any(Number) });
  });
});

describe('the periodic connection check and the master key caller', () => {
  let periodic: Harness;
  const client = new AdminTestClient(() => periodic.url);

  beforeAll(async () => {
    // Read when the admin routes register; only this harness checks every second.
    process.env.GATEWAY_PROVIDER_CHECK_INTERVAL_MS = '1000';
    try {
      periodic = await startHarness({ providers: providers(), settings: { adminPassword: ADMIN_PASSWORD, masterKey: MASTER_KEY } });
    } finally {
      delete process.env.GATEWAY_PROVIDER_CHECK_INTERVAL_MS;
    }
    expect((await client.login(ADMIN_PASSWORD)).status).toBe(200);
  });
  afterAll(async () => periodic?.close());

  it('runs off the request path: every usable provider gets a scheduled result; key-missing ones are not probed', async () => {
    const list = async () => (await client.get('/admin/api/providers')).json.data as Array<{ name: string; lastCheck: { ok: boolean; trigger: string } | null }>;
    await expect.poll(async () => (await list()).find((p) => p.name === 'Dead')?.lastCheck?.trigger, { timeout: 15_000, interval: 250 }).toBe('scheduled');
    await expect.poll(async () => (await list()).find((p) => p.name === 'OpenAI')?.lastCheck, { timeout: 15_000, interval: 250 }).toMatchObject({ ok: true, trigger: 'scheduled' });
    const providersNow = await list();
    expect(providersNow.find((p) => p.name === 'Dead')!.lastCheck!.ok).toBe(false);
    expect(providersNow.find((p) => p.name === 'Keyless')!.lastCheck).toBeNull();
    expect(periodic.sim.received.some((r) => r.vendor === 'openai' && r.path.endsWith('/models') && r.method === 'GET')).toBe(true);
  });

  it('a call with the master key is logged as "master"', async () => {
    const response = await fetch(`${periodic.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` },
      body: JSON.stringify({ model: 'kimi-test', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    await periodic.gateway.usageWriter.flush();
    const logs = (await client.get('/admin/api/logs?pageSize=5')).json.data as Array<{ model: string; caller: string }>;
    expect(logs.find((entry) => entry.model === 'kimi-test')).toMatchObject({ caller: 'master' });
  });
});
