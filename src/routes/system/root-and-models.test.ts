import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/gateway-harness.js';

/** Issue 11 bug 8: `models.retrieve` was 404, and `GET /` a JSON 404 for browsers and clients alike. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('GET /v1/models/{id}', () => {
  it('works through the OpenAI SDK, including provider-qualified ids with `/`', async () => {
    const client = h.client();
    const plain = await client.models.retrieve('gpt-test');
    expect(plain).toMatchObject({ id: 'gpt-test', object: 'model', provider: 'OpenAI' });
    // `shared-name` is served by two providers, so its id is provider-qualified.
    const qualified = await client.models.retrieve('Moonshot/shared-name');
    expect(qualified).toMatchObject({ id: 'Moonshot/shared-name', provider: 'Moonshot' });
    const slashes = await client.models.retrieve('deepseek-ai/DeepSeek-V3');
    expect(slashes.id).toBe('deepseek-ai/DeepSeek-V3');
    // Unencoded slashes over raw HTTP, and the prototype's /api/v1 prefix.
    const raw = await fetch(`${h.url}/api/v1/models/SiliconFlow/deepseek-ai/DeepSeek-V3`);
    expect(raw.status).toBe(200);
    expect((await raw.json()).provider).toBe('SiliconFlow');
    await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('GET /', () => {
  it('redirects a browser to the console', async () => {
    const response = await fetch(`${h.url}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin');
  });

  it('answers an API client with a small JSON index', async () => {
    const response = await fetch(`${h.url}/`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const index = await response.json();
    expect(index).toMatchObject({ version: expect.any(String), links: { api: '/v1', docs: '/docs', admin: '/admin', health: '/health' } });
    expect(typeof index.name).toBe('string');
    expect((await fetch(`${h.url}/`)).status).toBe(200);
  });
});
