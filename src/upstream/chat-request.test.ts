import { describe, expect, it } from 'vitest';
import { providerFromEntry, modelFromEntry } from '../config/load-config.js';
import { buildCatalog } from '../router/model-catalog.js';
import { effectiveTimeouts, prepareChatCall } from './chat-request.js';

const catalog = () => {
  const provider = providerFromEntry({
    name: 'P',
    base_url: 'https://p.example/v1',
    description: '',
    protocol: 'openai',
    headers: { 'X-Org': 'o' },
    enabled: true,
    api_key_env: 'P_KEY',
    timeout_ms: { connect: 1000, first_byte: 2000 },
  });
  const slow = modelFromEntry({ name: 'slow', aliases: [], capabilities: [], enabled: true, timeout_ms: { first_byte: 300_000 }, upstream_name: 'slow-2025' }, 'P', 'language');
  return buildCatalog({ providers: [provider], models: [slow], env: { P_KEY: 'secret-p' }, active: { language: null, vision: null } });
};

describe('upstream call preparation', () => {
  it('layers timeouts: gateway defaults, then provider, then model', () => {
    const model = catalog().models[0]!;
    expect(effectiveTimeouts(model, { connect: 10, firstByte: 20, idle: 30, total: 40 })).toEqual({ connect: 1000, firstByte: 300_000, idle: 30, total: 40 });
  });

  it('forwards the body untouched except model, asks for stream usage, and sets auth and provider headers', () => {
    const model = catalog().models[0]!;
    const call = prepareChatCall(model, { model: 'slow', stream: true, messages: [], custom_field: { a: 1 } }, { requestId: 'r1', defaults: { connect: 1, firstByte: 1, idle: 1, total: 1 } });
    expect(JSON.parse(call.body)).toEqual({ model: 'slow-2025', stream: true, messages: [], custom_field: { a: 1 }, stream_options: { include_usage: true } });
    expect(call.url).toBe('https://p.example/v1/chat/completions');
    expect(call.headers).toMatchObject({ authorization: 'Bearer secret-p', 'X-Org': 'o', 'x-request-id': 'r1' });
  });
});
