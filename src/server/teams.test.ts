/**
 * Teams (issue 18, item 2): a team's budget, RPM and allowed models cap all its member
 * keys together, inside which each key's own limits still apply; shared across
 * instances through Redis; usage views filter by team.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../config/env.js';
import { AdminTestClient } from '../routes/admin/admin-test-client.js';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';
import { buildApp, type GatewayApp } from './app.js';

const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const master = 'gw-master-teams-suite';
const ADMIN_PASSWORD = 'teams-suite-password';

const send = (base: string, key: string, model = 'gpt-test') =>
  fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'please answer this question' }] }),
  }).then(async (response) => {
    const body = (await response.json()) as { error?: { code: string; message: string } };
    return { status: response.status, code: body.error?.code ?? null, message: body.error?.message ?? '' };
  });

const redisReachable = async () => {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch (error) {
    if (process.env.CI) throw new Error(`Redis at ${redisUrl} is required in CI: ${String(error)}`);
    console.warn('*** SKIPPING the cross-instance team test: Redis unreachable ***');
    return false;
  } finally {
    probe.disconnect();
  }
};

describe('teams on one instance', () => {
  let h: Harness;
  const admin = new AdminTestClient(() => h.url);
  beforeAll(async () => {
    h = await startHarness({ settings: { masterKey: master, adminPassword: ADMIN_PASSWORD } });
    // One token costs 1: a request is ~7 prompt + ~6 completion tokens, 7 + 16 reserved.
    await h.gateway.state.change({ actor: 'test', action: 'model.update', target: 'OpenAI/gpt-test' }, (draft) => {
      draft.set('model', 'OpenAI/gpt-test', { pricing: { input: 1_000_000, output: 1_000_000, currency: 'CNY' } });
    });
    expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
  });
  afterAll(async () => h?.close());

  it('caps two keys together by the team budget, while a key outside the team goes on', async () => {
    const team = await admin.post('/admin/api/teams', { name: 'Search', budget: { amount: 60, period: 'day', currency: 'CNY' }, allowedModels: ['gpt-test'] });
    expect(team.status).toBe(201);
    expect(team.json).toMatchObject({ name: 'Search', budget: { amount: 60, period: 'day', currency: 'CNY' }, spend: 0, members: [] });
    const one = await admin.post('/admin/api/keys', { name: 'search-1', teamId: team.json.id, budget: { amount: 1000, period: 'day' } });
    const two = await admin.post('/admin/api/keys', { name: 'search-2', teamId: team.json.id });
    const outside = await admin.post('/admin/api/keys', { name: 'other-team' });
    expect(one.json.teamId).toBe(team.json.id);

    const results = [];
    for (let i = 0; i < 12; i += 1) results.push(await send(h.url, i % 2 === 0 ? one.json.key : two.json.key));
    const served = results.filter((r) => r.status === 200).length;
    console.info(`team budget 60: served ${served} of 12 over two keys`);
    expect(served).toBeGreaterThanOrEqual(2);
    expect(served).toBeLessThan(12);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.every((r) => r.status === 429 && r.code === 'budget_exceeded' && r.message.includes('team'))).toBe(true);
    // Both keys were refused once the team's budget was used, whatever their own budgets.
    expect(results.at(-1)!.status).toBe(429);
    expect(results.at(-2)!.status).toBe(429);
    expect((await send(h.url, outside.json.key)).status).toBe(200);

    // The team's allowed models cap its keys.
    const blocked = await send(h.url, two.json.key, 'kimi-test');
    expect(blocked).toMatchObject({ status: 403, code: 'model_not_allowed' });

    // The team view shows members and spend; usage filters by team.
    await h.gateway.usageWriter.flush();
    const view = (await admin.get(`/admin/api/teams/${team.json.id}`)).json;
    expect(view.members.map((m: { name: string }) => m.name).sort()).toEqual(['search-1', 'search-2']);
    expect(view.spend).toBeGreaterThan(0);
    // As for keys: admitted while budget remains, so the team ends at most one request over.
    const perRequest = view.spend / served;
    expect(view.spend - perRequest).toBeLessThan(60);
    const summary = (await admin.get(`/admin/api/usage/summary?teamId=${team.json.id}`)).json;
    // The team's twelve plus the refused model; not the outside key's request.
    expect(summary.requests).toBe(13);
    expect(summary.costByCurrency.CNY).toBeCloseTo(view.spend, 6);
    const everyone = (await admin.get('/admin/api/usage/summary')).json;
    expect(everyone.requests).toBe(14);
    const logs = (await admin.get(`/admin/api/logs?teamId=${team.json.id}&pageSize=50`)).json;
    expect(new Set(logs.data.map((row: { keyName: string }) => row.keyName))).toEqual(new Set(['search-1', 'search-2']));
  });

  it("applies a key's own RPM inside the team's", async () => {
    const team = await admin.post('/admin/api/teams', { name: 'Roomy', rpmLimit: 100 });
    const key = await admin.post('/admin/api/keys', { name: 'tight', teamId: team.json.id, rpmLimit: 1 });
    expect((await send(h.url, key.json.key)).status).toBe(200);
    expect(await send(h.url, key.json.key)).toMatchObject({ status: 429, code: 'rate_limit_requests' });
    const bad = await admin.post('/admin/api/keys', { name: 'lost', teamId: 'team_doesnotexist' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('team_not_found');
    expect((await admin.post('/admin/api/teams', { name: 'Roomy' })).json.error.code).toBe('duplicate_team');
    expect((await admin.delete(`/admin/api/teams/${team.json.id}`)).status).toBe(200);
    expect((await admin.get(`/admin/api/keys`)).json.data.find((k: { name: string }) => k.name === 'tight').teamId).toBeNull();
  });
});

describe('team RPM across two instances sharing Redis', () => {
  let reachable = false;
  let h: Harness;
  let second: GatewayApp;
  let secondUrl = '';
  beforeAll(async () => {
    reachable = await redisReachable();
    if (!reachable) return;
    h = await startHarness({ settings: { masterKey: master, redisUrl } });
    const settings = readRuntimeSettings({}, { configDir: h.configDir, dataDir: h.dataDir, redisUrl, masterKey: master, port: 0 });
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

  it('holds two keys of a team to the team RPM over both instances', async ({ skip }) => {
    if (!reachable) skip();
    const team = await h.gateway.repositories.teams.create({ name: `shared-${Date.now()}`, rpmLimit: 3 });
    const one = await h.gateway.repositories.apiKeys.createApiKey({ name: 'shared-1', teamId: team.id });
    const two = await h.gateway.repositories.apiKeys.createApiKey({ name: 'shared-2', teamId: team.id });
    await h.gateway.keyGuard.reloadKeys();
    await second.keyGuard.reloadKeys();
    expect((await send(h.url, one.key)).status).toBe(200);
    expect((await send(secondUrl, two.key)).status).toBe(200);
    expect((await send(secondUrl, one.key)).status).toBe(200);
    const fourth = await send(h.url, two.key);
    expect(fourth).toMatchObject({ status: 429, code: 'rate_limit_requests' });
    expect(fourth.message).toContain('team');
  });
});

describe("a team's allowed models through model groups", () => {
  // The team's list holds at every deployment a group, retry or fallback reaches, as a
  // key's own list does: a group that mixes an allowed and a disallowed model must never
  // be a way around it.
  let h: Harness;
  const admin = new AdminTestClient(() => h.url);
  beforeAll(async () => {
    h = await startHarness({
      settings: { masterKey: master, adminPassword: ADMIN_PASSWORD },
      modelsYamlExtra: [
        'model_groups:',
        '  - name: "mixed"',
        '    strategy: "weighted"',
        '    deployments:',
        '      - { provider: "OpenAI", model: "gpt-test", weight: 1 }',
        '      - { provider: "Moonshot", model: "kimi-test", weight: 5 }',
        '',
      ].join('\n'),
    });
    await admin.login(ADMIN_PASSWORD);
  });
  afterAll(async () => h?.close());

  it('serves a group only from the deployments the team may use', async () => {
    const team = await admin.post('/admin/api/teams', { name: 'Narrow', allowedModels: ['gpt-test', 'mixed'] });
    const narrow = await admin.post('/admin/api/teams', { name: 'Narrower', allowedModels: ['gpt-test'] });
    // The key itself may use the group; its team names the group too, or only one model.
    const wide = await admin.post('/admin/api/keys', { name: 'wide-key', teamId: team.json.id });
    const capped = await admin.post('/admin/api/keys', { name: 'capped-key', teamId: narrow.json.id, allowedModels: ['mixed'] });
    h.sim.clear();
    for (let i = 0; i < 12; i += 1) expect((await send(h.url, capped.json.key, 'mixed')).status).toBe(200);
    const models = h.sim.received.map((r) => (r.body as { model?: string }).model);
    expect(models).toHaveLength(12);
    expect(models.every((m) => m === 'gpt-test')).toBe(true);
    // Naming the group in the team's list allows what the operator put in it.
    h.sim.clear();
    for (let i = 0; i < 12; i += 1) expect((await send(h.url, wide.json.key, 'mixed')).status).toBe(200);
    expect(h.sim.received.some((r) => (r.body as { model?: string }).model === 'kimi-test')).toBe(true);
  });
});
