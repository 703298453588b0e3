import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';
import { AdminTestClient } from './admin-test-client.js';

const ADMIN_PASSWORD = 'routing-suite-password';
let h: Harness;
const admin = new AdminTestClient(() => h.url, []);

beforeAll(async () => {
  h = await startHarness({ settings: { adminPassword: ADMIN_PASSWORD } });
  expect((await admin.login(ADMIN_PASSWORD)).status).toBe(200);
});
afterAll(async () => h?.close());

const chat = async (model: string) => {
  const response = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const json = await response.json();
  return { status: response.status, json, model: response.headers.get('x-gateway-model') };
};

describe('model groups and deployment health in the admin API', () => {
  it('creates a group that /v1 serves at once, lists it, and deletes it', async () => {
    const created = await admin.request('PUT', '/admin/api/routing/groups/team-chat', {
      body: { strategy: 'priority', deployments: [{ provider: 'Moonshot', model: 'kimi-test' }, { provider: 'ZhipuAI', model: 'glm-test', priority: 1 }] },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ name: 'team-chat', strategy: 'priority', source: 'admin' });
    const answer = await chat('team-chat');
    expect(answer.status).toBe(200);
    expect(answer.json.model).toBe('team-chat');
    expect(answer.model).toBe('Moonshot/kimi-test');
    expect(((await admin.request('GET', '/admin/api/routing/groups')).json.data as Array<{ name: string }>).map((g) => g.name)).toContain('team-chat');
    expect(((await h.client().models.list()).data.map((m) => m.id))).toContain('team-chat');
    const deleted = await admin.request('DELETE', '/admin/api/routing/groups/team-chat');
    expect(deleted.status).toBe(200);
    expect((await chat('team-chat')).status).toBe(404);
  });

  it('refuses invalid groups naming the field, and unknown deployments', async () => {
    const empty = await admin.request('PUT', '/admin/api/routing/groups/bad', { body: { deployments: [] } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.param).toContain('deployments');
    const unknown = await admin.request('PUT', '/admin/api/routing/groups/bad', { body: { deployments: [{ provider: 'Moonshot', model: 'nope' }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('unknown_model');
  });

  it('shows circuit state per deployment in the admin API and in metrics', async () => {
    h.sim.addRule({ match: { model: 'glm-test' }, behavior: { status: 503 } });
    for (let i = 0; i < 6; i++) await chat('glm-test');
    h.sim.clearRules();
    const health = await admin.request('GET', '/admin/api/routing/health');
    const glm = (health.json.deployments as Array<{ id: string; state: string }>).find((d) => d.id === 'ZhipuAI/glm-test');
    expect(glm?.state).toBe('open');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('skgw_deployment_circuit_open{deployment="ZhipuAI/glm-test"} 1');
  });
});
