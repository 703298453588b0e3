import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

/** Issue 10 (lower severity): 100k-level nested JSON answered 500 and logged a stack trace per request. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const DEPTH = 100_000;
const deep = (open: string, close: string) => `${open.repeat(DEPTH)}1${close.repeat(DEPTH)}`;

describe('deeply nested JSON', () => {
  it('is refused with 400 in the envelope, with no stack trace logged', async () => {
    const bodies = [
      `{"model":"gpt-test","messages":[{"role":"user","content":${deep('[', ']')}}]}`,
      `{"model":"gpt-test","messages":${deep('[', ']')}}`,
      `{"model":"gpt-test","messages":[{"role":"user","content":"x"}],"metadata":${deep('{"a":', '}')}}`,
      `{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"x"}],"tools":${deep('[', ']')}}`,
    ];
    const before = h.logLines.length;
    const codes = new Set<string>();
    for (const path of ['/v1/chat/completions', '/v1/embeddings', '/v1/vision/completions']) {
      for (const body of bodies) {
        const response = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(response.status, `${path} ${body.slice(0, 80)}`).toBe(400);
        const envelope = await response.json();
        // Either refused for its depth or for a field the endpoint does not take: a 400 either way.
        expect(envelope.error.type).toBe('invalid_request_error');
        codes.add(envelope.error.code);
        expect(JSON.stringify(envelope)).not.toMatch(/RangeError|stack|\.js:\d+/);
      }
    }
    expect(codes).toContain('json_too_deep');
    const logged = h.logLines.slice(before).join('\n');
    expect(logged).not.toMatch(/RangeError|Maximum call stack|"stack"/);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('still accepts ordinary nesting', async () => {
    const content = `${'['.repeat(50)}"x"${']'.repeat(50)}`;
    const response = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"gpt-test","messages":[{"role":"user","content":"x"}],"metadata":{"k":${content}}}`,
    });
    expect(response.status).not.toBe(500);
  });
});
