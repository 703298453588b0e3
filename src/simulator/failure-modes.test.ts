import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorBehavior } from './index.js';

let sim: Simulator;

const client = (options: { apiKey?: string; timeout?: number } = {}): OpenAI =>
  new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: options.apiKey ?? 'sk-test', maxRetries: 0, timeout: options.timeout });

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

const chatBody = (simulator: SimulatorBehavior, extra: Record<string, unknown> = {}) =>
  ({ model: 'gpt-4o', messages, ...extra, simulator }) as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

const post = (path: string, body: unknown, signal?: AbortSignal): Promise<Response> =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clear();
  sim.clearRules();
});

describe('error statuses', () => {
  it('answers with an OpenAI error envelope and Retry-After', async () => {
    const response = await post('/v1/chat/completions', chatBody({ status: 429, retryAfter: 7, errorMessage: 'slow down' }));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({
      error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });

    const error = await client()
      .chat.completions.create(chatBody({ status: 500 }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
  });

  it('rejects bad requests like a real upstream', async () => {
    const invalid = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', body: '{nope' });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.code).toBe('invalid_json');
    const missing = await post('/v1/chat/completions', { messages });
    expect((await missing.json()).error).toMatchObject({ code: 'missing_model', param: 'model' });
    const unknown = await post('/v1/completions', { model: 'x' });
    expect(unknown.status).toBe(404);
    const wrongMethod = await fetch(`${sim.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
  });
});

describe('malformed output', () => {
  it('returns truncated JSON with status 200 for non-stream requests', async () => {
    const response = await post('/v1/chat/completions', chatBody({ malformedJson: true }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('{"id":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    await expect(client().chat.completions.create(chatBody({ malformedJson: true }))).rejects.toThrow();
  });

  it('sends a `data: {not json` event in streams', async () => {
    const response = await post('/v1/chat/completions', chatBody({ malformedJson: true }, { stream: true }));
    const text = await response.text();
    expect(text).toContain('data: {not json\n\n');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const stream = await client().chat.completions.create({ ...chatBody({ malformedJson: true }), stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
    ).rejects.toThrow();
  });
});

describe('disconnects and pacing', () => {
  it('kills the connection mid-stream and the client sees an error; not counted as a client abort', async () => {
    const stream = await client().chat.completions.create({
      ...chatBody({ disconnectAfterChunks: 2, tokenDelayMs: 5 }),
      stream: true,
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(received).toEqual(['', 'Simulated']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.disconnects).toBe(0);
  });

  it('kills a non-stream response halfway through its body', async () => {
    await expect(client().chat.completions.create(chatBody({ disconnectAfterChunks: 1 }))).rejects.toThrow();
  });

  it('counts a client abort mid-stream and resolves waitForDisconnect', async () => {
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      { ...chatBody({ tokenDelayMs: 100, content: 'one two three four five six' }), stream: true },
      { signal: controller.signal },
    );
    let seen = 0;
    // The SDK ends an aborted stream quietly (or with an abort error, depending on timing).
    await (async () => {
      for await (const _chunk of stream) {
        seen += 1;
        if (seen === 2) controller.abort();
      }
    })().catch(() => undefined);
    expect(seen).toBe(2);
    await sim.waitForDisconnect(2000);
    expect(sim.disconnects).toBe(1);
  });

  it('delays the whole response by firstTokenDelayMs and counts a client timeout as a disconnect', async () => {
    const started = performance.now();
    const response = await post('/v1/chat/completions', chatBody({ firstTokenDelayMs: 150 }, { stream: true }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await response.text();

    const timedOut = client({ timeout: 100 }).chat.completions.create(chatBody({ firstTokenDelayMs: 5000 }));
    await expect(timedOut).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await sim.waitForDisconnect(2000);
  });

  it('paces stream chunks with tokenDelayMs', async () => {
    const started = performance.now();
    const response = await post(
      '/v1/chat/completions',
      chatBody({ tokenDelayMs: 30, content: 'a b c d' }, { stream: true }),
    );
    await response.text();
    // role, 4 content chunks, finish, [DONE] → 6 gaps.
    expect(performance.now() - started).toBeGreaterThanOrEqual(170);
  });

  it('hangs until the client gives up', async () => {
    const request = post('/v1/chat/completions', chatBody({ hang: true }), AbortSignal.timeout(150));
    await expect(request).rejects.toThrow();
    await sim.waitForDisconnect(2000);
    expect(sim.disconnects).toBe(1);
  });

  it('times out waitForDisconnect when nothing disconnects', async () => {
    await expect(sim.waitForDisconnect(50)).rejects.toThrow(/No client disconnect/);
  });
});

describe('requireApiKey', () => {
  it('rejects requests without the expected bearer key', async () => {
    const locked = await startSimulator({ requireApiKey: 'sk-sim-secret', recordLimit: 0 });
    try {
      const make = (apiKey: string) =>
        new OpenAI({ baseURL: `${locked.url}/v1`, apiKey, maxRetries: 0 }).chat.completions.create({
          model: 'gpt-4o',
          messages,
        });
      const error = await make('sk-wrong').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
      const ok = await make('sk-sim-secret');
      expect(ok.choices[0].message.content).toBe('Simulated reply from gpt-4o.');
      expect(locked.received).toHaveLength(0);
    } finally {
      await locked.close();
    }
  });

  it('closes promptly even with a hanging request open', async () => {
    const other = await startSimulator();
    const hanging = fetch(`${other.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chatBody({ hang: true })),
    }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(other.openConnections()).toBe(1);
    await other.close();
    expect(await hanging).toBe('failed');
    expect(other.disconnects).toBe(0);
  });
});
