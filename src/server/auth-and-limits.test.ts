import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';
import { assertSafeBinding } from './lifecycle.js';

let h: Harness;
const master = 'gw-master-key-for-tests-abcdef';
beforeAll(async () => {
  h = await startHarness({ settings: { masterKey: master, bodyLimitBytes: 64 * 1024 } });
});
afterAll(async () => h.close());

const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });

describe('master key', () => {
  it('requires a key on /v1 and /api/v1', async () => {
    for (const path of ['/v1/chat/completions', '/api/v1/chat/completions']) {
      const response = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(401);
      expect((await response.json()).error.type).toBe('authentication_error');
    }
    expect((await fetch(`${h.url}/v1/models`)).status).toBe(401);
    await expect(h.client('wrong').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('accepts Bearer and x-api-key', async () => {
    const completion = await h.client(master).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]!.message.content).toContain('gpt-test');
    const response = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': master }, body });
    expect(response.status).toBe(200);
    // The gateway's own key never goes upstream.
    expect(JSON.stringify(h.sim.received.at(-1)!.headers)).not.toContain(master);
  });

  it('answers 413 for bodies over the limit and keeps serving', async () => {
    const big = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] });
    const response = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${master}` }, body: big });
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('request_too_large');
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });
});

describe('binding without a key', () => {
  it('refuses non-loopback addresses and allows loopback', () => {
    expect(() => assertSafeBinding('0.0.0.0', null)).toThrow(/GATEWAY_MASTER_KEY/);
    expect(() => assertSafeBinding('127.0.0.1', null)).not.toThrow();
    expect(() => assertSafeBinding('0.0.0.0', 'k')).not.toThrow();
    for (const loopback of ['127.0.0.1', '127.5.6.7', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(() => assertSafeBinding(loopback, null), loopback).not.toThrow();
    }
    // Names that only look like loopback resolve wherever their owner likes.
    for (const name of ['127.0.0.1.nip.io', '127.evil.example', '127.0.0.1.', '1270.0.0.1', '127.0.0.256']) {
      expect(() => assertSafeBinding(name, null), name).toThrow(/GATEWAY_MASTER_KEY/);
    }
  });
});
