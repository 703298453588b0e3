import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminTestClient, findSecrets } from '../routes/admin/admin-test-client.js';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

const ADMIN_PASSWORD = 'pool-suite-password';
const KEY_A = 'sk-pool-aaaa-unauthorized-1111';
const KEY_B = 'sk-pool-bbbb-no-balance-2222';
const KEY_C = 'sk-pool-cccc-working-3333';
const HEAVY = 'sk-weight-heavy-4444';
const LIGHT = 'sk-weight-light-5555';
const RECHECK_MS = 3_000;
// DashScope's answer for an account in arrears (docs: "Arrearage — 账户欠费/余额不足").
const BALANCE_BODY = '{"error":{"message":"账户余额不足","code":"Arrearage"}}';

let h: Harness;
const recorded: string[] = [];
const admin = new AdminTestClient(() => h.url, recorded);

const hitsWith = (secret: string) => h.sim.received.filter((r) => r.headers.authorization === `Bearer ${secret}`).length;

const chat = (model: string) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

/** `count` requests, `parallel` at a time; returns the statuses. */
const burst = async (model: string, count: number, parallel = 8): Promise<number[]> => {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        const response = await chat(model);
        await response.text();
        statuses.push(response.status);
      }
    }),
  );
  return statuses;
};

const poolOf = async (provider: string) => {
  const response = await admin.get(`/admin/api/providers/${provider}/pool`);
  expect(response.status).toBe(200);
  return response.json as { keys: Array<Record<string, any>> };
};

beforeAll(async () => {
  h = await startHarness({
    providers: [
      {
        name: 'Pooled',
        vendor: 'openai',
        models: { language: ['pool-model'] },
        extra: '    api_key_env: ["POOL_KEY_A", "POOL_KEY_B"]\n    needs_key: true\n',
      },
      { name: 'Weighted', vendor: 'openai', models: { language: ['weighted-model'] }, extra: '    needs_key: true\n' },
    ],
    env: { POOL_KEY_A: KEY_A, POOL_KEY_B: KEY_B },
    settings: { adminPassword: ADMIN_PASSWORD, keyRecheckMs: [RECHECK_MS] },
  });
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());

describe('provider key pools', () => {
  it('keeps serving when two of three keys fail, takes them out with their reasons, and re-checks them', async () => {
    const added = await admin.post('/admin/api/providers/Pooled/pool', { label: 'good', apiKey: KEY_C });
    expect(added.status).toBe(201);
    expect(added.json.keys.map((k: { label: string }) => k.label)).toEqual(['POOL_KEY_A', 'POOL_KEY_B', 'good']);
    h.sim.addRule({ match: { apiKey: KEY_A }, behavior: { status: 401, errorMessage: 'Incorrect API key provided.' } });
    h.sim.addRule({ match: { apiKey: KEY_B }, behavior: { status: 400, errorBody: BALANCE_BODY } });
    h.sim.clear();

    const started = Date.now();
    // One at a time first: each bad key is tried once and is out after that first failure.
    const first = await burst('pool-model', 10, 1);
    expect(hitsWith(KEY_A)).toBe(1);
    expect(hitsWith(KEY_B)).toBe(1);
    const statuses = [...first, ...(await burst('pool-model', 90))];
    const elapsed = Date.now() - started;
    expect(statuses).toHaveLength(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // At most one re-check per backoff period since (on a slow machine).
    const allowed = 1 + Math.floor(elapsed / RECHECK_MS);
    expect(hitsWith(KEY_A)).toBeGreaterThanOrEqual(1);
    expect(hitsWith(KEY_A)).toBeLessThanOrEqual(allowed);
    expect(hitsWith(KEY_B)).toBeGreaterThanOrEqual(1);
    expect(hitsWith(KEY_B)).toBeLessThanOrEqual(allowed);
    expect(hitsWith(KEY_C)).toBe(100);

    const pool = await poolOf('Pooled');
    const [a, b, c] = pool.keys;
    expect(a).toMatchObject({ label: 'POOL_KEY_A', state: 'disabled', reason: 'auth', keyMasked: '…1111', source: 'env', editable: false });
    expect(a!.lastError).toContain('Incorrect API key');
    expect(b).toMatchObject({ label: 'POOL_KEY_B', state: 'disabled', reason: 'quota' });
    expect(b!.lastError).toContain('账户余额不足');
    expect(c).toMatchObject({ label: 'good', state: 'active', reason: null, keyMasked: '…3333', editable: true });
    expect(c!.lastUsedAt).toEqual(expect.stringMatching(/Z$/));

    // The vendor tops B up; A stays broken. After the backoff a request re-checks each.
    h.sim.clearRules();
    h.sim.addRule({ match: { apiKey: KEY_A }, behavior: { status: 401, errorMessage: 'Incorrect API key provided.' } });
    await sleep(RECHECK_MS + 200);
    expect((await burst('pool-model', 6, 1)).every((s) => s === 200)).toBe(true);
    const after = await poolOf('Pooled');
    expect(after.keys[0]).toMatchObject({ state: 'disabled', reason: 'auth' });
    expect(after.keys[1]).toMatchObject({ state: 'active', reason: null });
    h.sim.clear();
    await burst('pool-model', 6, 1);
    expect(hitsWith(KEY_B)).toBe(3);

    // Usage rows name the key that served by label, never by secret.
    await h.gateway.usageWriter.flush();
    const logs = (await admin.get('/admin/api/logs?provider=Pooled&pageSize=500')).json;
    const labels = new Set(logs.data.map((row: { providerKeyLabel: string }) => row.providerKeyLabel));
    expect([...labels].sort()).toEqual(['POOL_KEY_B', 'good']);
    const usage = await poolOf('Pooled');
    expect(usage.keys[2]!.usage.requests).toBeGreaterThanOrEqual(100);
    expect(findSecrets(recorded, [KEY_A, KEY_B, KEY_C])).toEqual([]);
  });

  it('spreads requests 3:1 by weight (within ±4σ over 400 requests)', async () => {
    expect((await admin.post('/admin/api/providers/Weighted/pool', { label: 'heavy', apiKey: HEAVY, weight: 3 })).status).toBe(201);
    expect((await admin.post('/admin/api/providers/Weighted/pool', { label: 'light', apiKey: LIGHT, weight: 1 })).status).toBe(201);
    h.sim.clear();
    const statuses = await burst('weighted-model', 400);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const heavy = hitsWith(HEAVY);
    const sigma = Math.sqrt(400 * 0.75 * 0.25);
    console.info(`weighted spread: heavy ${heavy} / light ${hitsWith(LIGHT)} (expected 300 ± ${(4 * sigma).toFixed(1)})`);
    expect(Math.abs(heavy - 300)).toBeLessThanOrEqual(4 * sigma);
    expect(heavy + hitsWith(LIGHT)).toBe(400);
  });

  it('edits, disables and removes admin pool keys; bad input gets a clear error', async () => {
    const { keys } = await poolOf('Weighted');
    const light = keys.find((k) => k.label === 'light')!;
    const disabled = await admin.patch(`/admin/api/providers/Weighted/pool/${light.id}`, { enabled: false, rpmLimit: 10 });
    expect(disabled.status).toBe(200);
    expect(disabled.json.keys.find((k: { id: string }) => k.id === light.id)).toMatchObject({ enabled: false, state: 'off', rpmLimit: 10 });
    h.sim.clear();
    await burst('weighted-model', 10, 2);
    expect(hitsWith(LIGHT)).toBe(0);
    const bad = await admin.post('/admin/api/providers/Weighted/pool', { label: 'heavy', apiKey: 'sk-another-6666' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('duplicate_label');
    expect((await admin.post('/admin/api/providers/Weighted/pool', { apiKey: 'two\nlines' })).status).toBe(400);
    expect((await admin.delete(`/admin/api/providers/Weighted/pool/${light.id}`)).status).toBe(200);
    expect((await poolOf('Weighted')).keys.map((k) => k.label)).toEqual(['heavy']);
    expect((await admin.delete(`/admin/api/providers/Weighted/pool/${light.id}`)).status).toBe(404);
    const audit = (await admin.get('/admin/api/audit')).json;
    expect(JSON.stringify(audit)).toContain('pool_key.add');
    expect(findSecrets(recorded, [HEAVY, LIGHT])).toEqual([]);
  });
});
