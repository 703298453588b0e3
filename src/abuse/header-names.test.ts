import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTestProviders, startHarness, type Harness } from '../test-support/gateway-harness.js';

/**
 * Issue 10 item 11: a model named `千问-max` (or with CR/LF) made Node refuse the
 * x-gateway-model header: non-stream requests got a bare 500, streams hung forever and
 * leaked an upstream connection and an in-flight count each.
 */
const CHINESE = '千问-max';
const CRLF = 'evil\r\nSet-Cookie: x=1';
let h: Harness;
let openai: OpenAI;

beforeAll(async () => {
  h = await startHarness({
    providers: [
      ...defaultTestProviders().filter((p) => p.name === 'OpenAI'),
      // YAML's "\r\n" escapes put a real CR/LF into the name.
      { name: '通义', vendor: 'openai', keyEnv: 'QWEN_API_KEY', key: 'qwen-secret-1234', models: { language: [CHINESE, 'evil\\r\\nSet-Cookie: x=1'] } },
    ],
  });
  openai = h.client();
});
afterAll(async () => h?.close());

const inFlight = (key: string) => h.gateway.ctx.routing.stats.inFlight(key);
const body = (model: string, stream = false) => JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] });

describe('names that are not valid header values', () => {
  it('serves `千问-max` through the OpenAI SDK, stream and non-stream, with the name percent-encoded', async () => {
    const { data, response } = await openai.chat.completions.create({ model: CHINESE, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]!.message.content).toBeTruthy();
    const header = response.headers.get('x-gateway-model')!;
    expect(header).toBe('%E9%80%9A%E4%B9%89/%E5%8D%83%E9%97%AE-max');
    expect(decodeURIComponent(header)).toBe(`通义/${CHINESE}`);
    expect(decodeURIComponent(response.headers.get('x-gateway-provider')!)).toBe('通义');

    const stream = await Promise.race([
      (async () => {
        const chunks: string[] = [];
        for await (const chunk of await openai.chat.completions.create({ model: CHINESE, stream: true, messages: [{ role: 'user', content: 'hi' }] })) {
          chunks.push(chunk.choices[0]?.delta?.content ?? '');
        }
        return chunks.join('');
      })(),
      sleep(10_000).then(() => 'hung'),
    ]);
    expect(stream).not.toBe('hung');
    expect(stream.length).toBeGreaterThan(0);
    expect(inFlight(`通义/${CHINESE}`)).toBe(0);
  });

  it('serves a name with CR/LF over raw HTTP without letting it split the header', async () => {
    for (const stream of [false, true]) {
      const response = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(CRLF, stream),
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text.length).toBeGreaterThan(0);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(response.headers.get('x-gateway-model')).toBe('%E9%80%9A%E4%B9%89/evil%0D%0ASet-Cookie:%20x=1');
      expect(decodeURIComponent(response.headers.get('x-gateway-model')!)).toBe(`通义/${CRLF}`);
    }
    expect(inFlight(`通义/${CRLF}`)).toBe(0);
  });

  it('still ends the request and releases the deployment when writing headers fails', async () => {
    // Fault injection at the Node layer: the next writeHead on a marked request fails the
    // way Node fails on an invalid header value (ERR_INVALID_CHAR).
    const breakHeaders = (request: { headers: Record<string, unknown> }, response: ServerResponse) => {
      if (!request.headers['x-test-break-headers']) return;
      const original = response.writeHead;
      response.writeHead = function (this: ServerResponse) {
        response.writeHead = original;
        return original.call(this, 200, { 'x-broken': 'não\u5343' });
      } as typeof response.writeHead;
    };
    h.gateway.app.server.on('request', breakHeaders);
    try {
      for (const stream of [false, true]) {
        const response = await fetch(`${h.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-test-break-headers': '1' },
          body: body('gpt-test', stream),
          signal: AbortSignal.timeout(10_000),
        });
        expect(response.status).toBe(500);
        const envelope = await response.json();
        expect(envelope.error.type).toBe('server_error');
        expect(JSON.stringify(envelope)).not.toMatch(/ERR_INVALID_CHAR|at .*\.js/);
      }
      expect(inFlight('OpenAI/gpt-test')).toBe(0);
      // And the gateway keeps serving.
      expect((await openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })).choices).toHaveLength(1);
    } finally {
      h.gateway.app.server.off('request', breakHeaders);
    }
  });
});
