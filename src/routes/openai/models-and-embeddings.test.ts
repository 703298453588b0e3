import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('GET /v1/models', () => {
  it('lists only usable models in OpenAI list format with provider, type and display_name', async () => {
    const page = await h.client().models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain('gpt-test');
    expect(ids).toContain('deepseek-ai/DeepSeek-V3');
    expect(ids).not.toContain('needs-key-model');
    // A name two providers serve is listed in the form that resolves.
    expect(ids).toEqual(expect.arrayContaining(['Moonshot/shared-name', 'ZhipuAI/shared-name']));
    expect(ids).not.toContain('shared-name');
    expect(new Set(ids).size).toBe(ids.length);
    const model = page.data.find((m) => m.id === 'kimi-test') as unknown as Record<string, unknown>;
    expect(model).toMatchObject({ object: 'model', provider: 'Moonshot', type: 'language', display_name: 'kimi-test display' });
  });

  it('serves the seed path too', async () => {
    const response = await fetch(`${h.url}/api/v1/models`);
    const json = await response.json();
    expect(json.object).toBe('list');
    expect(json.data.length).toBeGreaterThan(3);
  });
});

describe('POST /v1/embeddings', () => {
  it('returns vectors through the SDK, float and base64', async () => {
    const result = await h.client().embeddings.create({ model: 'embed-test', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(result.model).toBe('embed-test');
    const b64 = await h.client().embeddings.create({ model: 'embed-test', input: 'three', encoding_format: 'base64' });
    expect(b64.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(h.sim.received.at(-1)!.path).toBe('/openai/v1/embeddings');
  });

  it('refuses chat models and missing fields with clear errors', async () => {
    await expect(h.client().embeddings.create({ model: 'kimi-test', input: 'x' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const response = await fetch(`${h.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"embed-test"}' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.param).toBe('input');
  });
});

describe('health', () => {
  it('reports alive and ready', async () => {
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
    const ready = await fetch(`${h.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks.data_dir_writable).toBe(true);
  });
});

describe('API docs', () => {
  it('serves OpenAPI, Swagger UI and ReDoc with local assets only', async () => {
    const spec = await (await fetch(`${h.url}/openapi.json`)).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/chat/completions', '/api/v1/chat/completions', '/v1/models', '/v1/embeddings']));
    const docs = await (await fetch(`${h.url}/docs/`)).text();
    const redoc = await (await fetch(`${h.url}/redoc`)).text();
    for (const page of [docs, redoc]) expect(page).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs|fonts\.googleapis)/);
    // The bundle is read from disk on the first request and kept: both answers are the whole file.
    const bundle = readFileSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'));
    for (let i = 0; i < 2; i++) {
      const asset = await fetch(`${h.url}/redoc/redoc.standalone.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(Buffer.from(await asset.arrayBuffer()).equals(bundle)).toBe(true);
    }
  });
});

describe('metrics', () => {
  it('exposes Prometheus counters fed by requests', async () => {
    await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'm' }] });
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toMatch(/skgw_requests_total\{model="gpt-test",provider="OpenAI",status="200",stream="false"\} \d+/);
    expect(text).toContain('skgw_request_duration_seconds_bucket');
  });
});
