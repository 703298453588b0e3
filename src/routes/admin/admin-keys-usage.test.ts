import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient, findSecrets } from './admin-test-client.js';

const ADMIN_PASSWORD = 'keys-suite-password';
const MASTER_KEY = 'sk-master-for-keys-suite-0001';
const POLL_MS = 200;

let h: Harness;
const recorded: string[] = [];
const admin = new AdminTestClient(() => h.url, recorded);
const virtualSecrets: string[] = [];

beforeAll(async () => {
  // With a master key, unknown (and revoked) keys are refused instead of served anonymously.
  h = await startHarness({
    settings: { adminPassword: ADMIN_PASSWORD, masterKey: MASTER_KEY },
    build: { pollIntervalMs: POLL_MS },
    activeModels: { active_vision_model_provider: 'OpenAI', active_vision_model: 'vision-test' },
  });
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());

describe('virtual API keys', () => {
  let keyId = '';

  it('creates a key whose secret is shown once, lists it masked, and lets it call /v1', async () => {
    const created = await admin.post('/admin/api/keys', { name: 'team-a', allowedModels: ['gpt-test'], rpmLimit: 100, budget: { amount: 5, period: 'month' } });
    expect(created.status).toBe(201);
    const secret: string = created.json.key;
    virtualSecrets.push(secret);
    expect(secret).toMatch(/^sk-gw-/);
    expect(created.json).toMatchObject({
      name: 'team-a',
      keyMasked: `\u2026${secret.slice(-4)}`,
      createdAt: expect.stringMatching(/Z$/),
      expiresAt: null,
      revokedAt: null,
      allowedModels: ['gpt-test'],
      rpmLimit: 100,
      tpmLimit: null,
      budget: { amount: 5, period: 'month' },
      spend: 0,
      lastUsedAt: null,
      status: 'active',
    });
    keyId = created.json.id;
    const list = await admin.get('/admin/api/keys');
    expect(list.json.data.map((k: { id: string }) => k.id)).toContain(keyId);
    expect(list.text).not.toContain(secret);
    expect(list.json.data[0]).not.toHaveProperty('key');

    const completion = await h.client(secret).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gpt-test.');
    await expect(h.client(secret).chat.completions.create({ model: 'kimi-test', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 403 });
  });

  it('patches a key and validates the fields', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const patched = await admin.patch(`/admin/api/keys/${keyId}`, { tpmLimit: 10_000, allowedModels: null, expiresAt });
    expect(patched.json).toMatchObject({ tpmLimit: 10_000, allowedModels: null, expiresAt, rpmLimit: 100 });
    const bad = await admin.patch(`/admin/api/keys/${keyId}`, { expiresAt: 'next tuesday' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('expiresAt');
    expect((await admin.patch(`/admin/api/keys/${keyId}`, { budget: { amount: -1, period: 'day' } })).json.error.param).toBe('budget.amount');
    expect((await admin.post('/admin/api/keys', { name: '' })).json.error.param).toBe('name');
    expect((await admin.post('/admin/api/keys', { name: 'old', expiresAt: '2001-01-01T00:00:00Z' })).json.error.param).toBe('expiresAt');
    expect((await admin.patch('/admin/api/keys/key_missing', { name: 'x' })).status).toBe(404);
  });

  it('revokes a key: /v1 refuses it within the poll interval', async () => {
    const secret = virtualSecrets[0]!;
    const revoked = await admin.post(`/admin/api/keys/${keyId}/revoke`);
    expect(revoked.json).toMatchObject({ status: 'revoked', revokedAt: expect.stringMatching(/Z$/) });
    const deadline = Date.now() + POLL_MS * 2;
    let status = 0;
    do {
      const response = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
      status = response.status;
      await response.text();
    } while (status !== 401 && Date.now() < deadline);
    expect(status).toBe(401);
    expect((await admin.post('/admin/api/keys/key_missing/revoke')).status).toBe(404);
  });
});

describe('usage and logs', () => {
  it('shows requests made through /v1 in the summary, series, top lists and logs', async () => {
    const created = await admin.post('/admin/api/keys', { name: 'usage-key' });
    virtualSecrets.push(created.json.key);
    for (let i = 0; i < 3; i++) {
      await h.client(created.json.key).chat.completions.create({ model: 'glm-test', messages: [{ role: 'user', content: `n${i}` }] });
    }
    await h.client(MASTER_KEY).chat.completions.create({ model: 'kimi-test', messages: [{ role: 'user', content: 'm' }] });
    await h.client(created.json.key).responses.create({ model: 'glm-test', input: 'r', store: false });
    await expect(h.client(MASTER_KEY).chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'm' }] })).rejects.toMatchObject({ status: 404 });
    await h.gateway.usageWriter.flush();

    const summary = (await admin.get('/admin/api/usage/summary')).json;
    expect(summary.requests).toBeGreaterThanOrEqual(6);
    expect(summary.errors).toBeGreaterThanOrEqual(1);
    expect(summary.totalTokens).toBeGreaterThan(0);
    expect(summary).toHaveProperty('p95LatencyMs');

    const series = (await admin.get('/admin/api/usage/timeseries?bucket=minute')).json;
    expect(series.bucket).toBe('minute');
    expect(series.data.reduce((sum: number, p: { requests: number }) => sum + p.requests, 0)).toBe(summary.requests);
    expect(series.data[0].time).toMatch(/Z$/);

    const topModels = (await admin.get('/admin/api/usage/top?by=model')).json.data;
    expect(topModels[0]).toMatchObject({ name: 'glm-test', requests: 4 });
    const topKeys = (await admin.get('/admin/api/usage/top?by=key&limit=5')).json.data;
    expect(topKeys.map((k: { name: string }) => k.name)).toContain('usage-key');

    const logs = (await admin.get(`/admin/api/logs?keyId=${created.json.id}&pageSize=2`)).json;
    expect(logs).toMatchObject({ total: 4, page: 1, pageSize: 2 });
    expect(logs.data[0]).toMatchObject({ keyId: created.json.id, keyName: 'usage-key', model: 'glm-test', provider: 'ZhipuAI', status: 200, stream: false, protocol: 'openai-responses' });
    expect(logs.data[1]).toMatchObject({ protocol: 'openai-chat' });
    // The client protocol filters the log.
    const responsesOnly = (await admin.get(`/admin/api/logs?keyId=${created.json.id}&protocol=openai-responses`)).json;
    expect(responsesOnly.total).toBe(1);
    expect((await admin.get(`/admin/api/logs?keyId=${created.json.id}&protocol=openai-chat`)).json.total).toBe(3);
    expect((await admin.get('/admin/api/logs?protocol=smtp')).json.error.param).toBe('protocol');
    const detail = await admin.get(`/admin/api/logs/${logs.data[0].id}`);
    expect(detail.json).toEqual(logs.data[0]);
    const errors = (await admin.get('/admin/api/logs?status=error')).json;
    expect(errors.data.some((e: { errorCode: string }) => e.errorCode === 'model_not_found')).toBe(true);
    const keys = (await admin.get('/admin/api/keys')).json.data;
    expect(keys.find((k: { id: string }) => k.id === created.json.id).lastUsedAt).toMatch(/Z$/);

    expect((await admin.get('/admin/api/usage/summary?from=yesterday')).json.error.param).toBe('from');
    expect((await admin.get('/admin/api/usage/top?by=colour')).json.error.param).toBe('by');
    expect((await admin.get('/admin/api/logs?status=teapot')).json.error.param).toBe('status');
    expect((await admin.get('/admin/api/logs/nope')).status).toBe(404);
    const empty = (await admin.get(`/admin/api/usage/summary?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z`)).json;
    expect(empty.requests).toBe(0);
  });
});

describe('playground', () => {
  it('answers chat as /v1 does, JSON and SSE, logged as the admin', async () => {
    const json = await admin.post('/admin/api/playground/chat/completions', { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(json.status).toBe(200);
    expect(json.json.choices[0].message.content).toBe('Simulated reply from gpt-test.');
    expect(json.headers.get('x-gateway-model')).toBe('OpenAI/gpt-test');
    const sse = await admin.post('/admin/api/playground/chat/completions', { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.text.trim().endsWith('data: [DONE]')).toBe(true);
    const invalid = await admin.post('/admin/api/playground/chat/completions', { model: 'gpt-test' });
    expect(invalid.json.error.param).toBe('messages');
    await h.gateway.usageWriter.flush();
    const logs = (await admin.get('/admin/api/logs?model=gpt-test')).json.data;
    expect(logs[0]).toMatchObject({ keyName: 'admin', keyId: null });
  });

  it('answers a Responses request as /v1/responses does (JSON and SSE), stores nothing, logged as the admin', async () => {
    const json = await admin.post('/admin/api/playground/responses', { model: 'kimi-test', input: 'hi', instructions: 'Be brief.' });
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: 'Simulated reply from kimi-test.' }] }] });
    expect(json.headers.get('x-gateway-protocol')).toBe('openai-responses->openai');
    const sse = await admin.post('/admin/api/playground/responses', { model: 'kimi-test', input: 'hi', stream: true });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.text).toContain('event: response.completed');
    // Nothing kept: the operator is not a key, and the master key must not read it either.
    expect((await h.client(MASTER_KEY).responses.retrieve(json.json.id).catch((e: unknown) => e))).toMatchObject({ status: 404 });
    const continued = await admin.post('/admin/api/playground/responses', { model: 'kimi-test', input: 'again', previous_response_id: json.json.id });
    expect(continued.status).toBe(400);
    expect(continued.json.error).toMatchObject({ param: 'previous_response_id', message: expect.stringMatching(/playground keeps no responses/) });
    expect((await admin.post('/admin/api/playground/responses', { model: 'kimi-test' })).json.error.param).toBe('input');
    await h.gateway.usageWriter.flush();
    const logs = (await admin.get('/admin/api/logs?model=kimi-test&protocol=openai-responses')).json.data;
    expect(logs[0]).toMatchObject({ keyName: 'admin', keyId: null, protocol: 'openai-responses' });
  });

  it('answers vision questions (JSON images) with the active vision model', async () => {
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
    const response = await admin.post('/admin/api/playground/vision/completions', {
      prompt: 'What colour is this?',
      images: [`data:image/png;base64,${png.toString('base64')}`],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe('OpenAI/vision-test');
    expect(response.headers.get('x-gateway-images')).toBe('1');
    expect(response.json.choices[0].message.content).toBeTruthy();
  });
});

describe('secrets', () => {
  it('leaked no secret in any response or log line', () => {
    const secrets = [ADMIN_PASSWORD, MASTER_KEY, ...virtualSecrets, ...defaultTestProviders().map((p) => p.key ?? '')];
    expect(virtualSecrets).toHaveLength(2);
    // The create answers are the one place a virtual key is shown; everything else must not.
    const others = recorded.filter((text) => !virtualSecrets.some((s) => text.includes(`"key":"${s}"`)));
    expect(others.length).toBeGreaterThan(20);
    expect(findSecrets([...others, ...h.logLines], secrets)).toEqual([]);
  });
});
