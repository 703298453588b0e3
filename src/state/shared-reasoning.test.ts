import { Redis } from 'ioredis';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestProvider } from '../test-support/gateway-harness.js';

// Two gateway instances sharing Redis (REDIS_URL) and one DeepSeek simulator: a tool loop
// whose turns alternate between them still gets each turn's reasoning_content back.
const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const MASTER = 'sk-master-shared-reasoning';
const MODEL = 'deepseek-v4-pro';
const providers: TestProvider[] = [{ name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_API_KEY', key: 'sk-deepseek-shared-1', models: { language: [MODEL] } }];
const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];

let a: Harness;
let b: Harness;
let reachable = false;

beforeAll(async () => {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await probe.connect();
    reachable = (await probe.ping()) === 'PONG';
  } catch (error) {
    if (process.env.CI) throw new Error(`Redis at ${redisUrl} is required in CI: ${String(error)}`);
    console.warn('*** SKIPPING the shared reasoning test: Redis unreachable ***');
  } finally {
    probe.disconnect();
  }
  if (!reachable) return;
  const settings = { masterKey: MASTER, redisUrl, redisPrefix: `skgw-reasoning-${process.pid}-${Date.now()}:` };
  a = await startHarness({ providers, settings });
  b = await startHarness({ providers, settings, sim: a.sim });
  // Both instances' cluster links must be up before the shared tier is asked.
  for (let i = 0; i < 100 && !(a.gateway.ctx.routing.reasoning?.shared && b.gateway.ctx.routing.reasoning?.shared); i += 1) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('reasoning replay across instances', () => {
  it('turns alternate between two instances: every tool-calling turn’s reasoning comes back', async (context) => {
    if (!reachable) return context.skip();
    a.sim.addRule({ match: { model: MODEL }, times: 3, behavior: { toolCalls: true } });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: `shared ${Math.random()}` }];
    const thoughts: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      const instance = round % 2 === 0 ? a : b;
      const completion = await instance.client(MASTER).chat.completions.create({ model: MODEL, messages, tools });
      const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
      if (!message.tool_calls?.length) break;
      thoughts.push(message.reasoning_content ?? '');
      messages.push({ role: 'assistant', content: message.content, tool_calls: message.tool_calls });
      messages.push({ role: 'tool', tool_call_id: message.tool_calls[0]!.id, content: 'ok' });
    }
    expect(thoughts).toHaveLength(3);
    const last = a.sim.received.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!.body as { messages: Array<Record<string, unknown>> };
    expect(last.messages.filter((m) => m.role === 'assistant').map((m) => m.reasoning_content)).toEqual(thoughts);
  });
});
