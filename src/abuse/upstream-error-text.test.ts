import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';

/** Issue 10 (lower severity): a vendor's 5xx text (internal hosts, traces) reached clients verbatim. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const internal = 'connection to db-primary-7.corp.internal:5432 refused; Traceback (most recent call last): File "/srv/app.py"';

describe('upstream error text', () => {
  it('gives a neutral message for a vendor 5xx and logs the vendor text', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 500, errorMessage: internal } });
    const before = h.logLines.length;
    const error = await h
      .client()
      .chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(502);
    expect(apiError.message).toContain('server error (HTTP 500)');
    expect(JSON.stringify(apiError.error)).not.toMatch(/db-primary|Traceback|app\.py/);
    expect(h.logLines.slice(before).join('\n')).toContain('db-primary-7.corp.internal');
  });

  it('keeps the vendor message for a 4xx, which is about the request', async () => {
    h.sim.addRule({ match: { model: 'gpt-test' }, times: 1, behavior: { status: 400, errorMessage: 'max_tokens is too large for this model' } });
    const error = (await h
      .client()
      .chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain('max_tokens is too large for this model');
  });
});
