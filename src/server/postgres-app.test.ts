import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../config/env.js';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';
import { PG_TEST_URL } from '../test-support/test-databases.js';
import { buildApp, type GatewayApp } from './app.js';

const schema = `app_${process.pid}_${Date.now().toString(36)}`;
const databaseUrl = `${PG_TEST_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
let reachable = false;
let h: Harness;
let second: GatewayApp;

const admin = () => new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });

beforeAll(async () => {
  const client = admin();
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    reachable = true;
  } catch (error) {
    if (process.env.CI) throw new Error(`PostgreSQL at ${PG_TEST_URL} is required in CI: ${String(error)}`);
    console.warn('*** SKIPPING the gateway-on-PostgreSQL tests: PostgreSQL unreachable ***');
    return;
  } finally {
    await client.end().catch(() => undefined);
  }
  h = await startHarness({ settings: { databaseUrl } });
  const settings = readRuntimeSettings({}, { configDir: h.configDir, dataDir: `${h.dataDir}-second`, databaseUrl, port: 0 });
  second = await buildApp({ settings, env: h.env, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  if (!reachable) return;
  await second?.close();
  await h?.close();
  const client = admin();
  await client.connect();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
});

describe('the whole gateway on PostgreSQL', () => {
  it('serves, accounts usage in PostgreSQL, and keeps admin changes across restarts and instances', async ({ skip }) => {
    if (!reachable) skip();
    const { response } = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'pg' }] }).withResponse();
    const requestId = response.headers.get('x-request-id');
    await h.gateway.usageWriter.flush();
    const client = admin();
    await client.connect();
    const rows = await client.query(`SELECT model, status FROM ${schema}.usage_records WHERE request_id = $1`, [requestId]);
    await client.end();
    expect(rows.rows).toEqual([{ model: 'gpt-test', status: 200 }]);

    await h.gateway.state.change({ actor: 'test', action: 'active_models.set', target: 'language' }, (draft) => draft.setActiveModel('language', 'ZhipuAI/glm-test'));
    // A second instance on the same database picks the change up through the state version.
    await expect.poll(() => second.state.catalog.active.language?.key, { timeout: 2000 }).toBe('ZhipuAI/glm-test');
    await h.restart();
    expect(h.gateway.state.catalog.active.language?.key).toBe('ZhipuAI/glm-test');
    const answer = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect((await answer.json()).model).toBe('glm-test');
  });
});
