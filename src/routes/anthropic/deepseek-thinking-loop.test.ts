import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { useHarness, type TestProvider } from '../../test-support/gateway-harness.js';

// An Anthropic client (the official SDK) in a tool loop on DeepSeek's OpenAI-protocol
// endpoint in thinking mode: reasoning_content reaches the client as thinking blocks, and
// goes back to DeepSeek as reasoning_content — from the thinking blocks the client returns,
// or from what the gateway remembered when it returns only text and tool_use blocks.
const MASTER = 'sk-master-deepseek-anthropic';
const MODEL = 'deepseek-v4-pro';
const providers: TestProvider[] = [{ name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_API_KEY', key: 'sk-deepseek-anth-1234', models: { language: [MODEL] } }];

const client = () => new Anthropic({ baseURL: h.url, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
const chatBodies = () => h.sim.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Record<string, any>);
const tools: Anthropic.Tool[] = [{ name: 'lookup', description: 'Looks things up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }];

const h = useHarness({ providers, settings: { masterKey: MASTER } }, () => {
  h.sim.addRule({ match: { model: MODEL }, times: 3, behavior: { toolCalls: true, toolArguments: '{"q":"x"}' } });
});

describe('Anthropic tool loop on a DeepSeek thinking model', () => {
  for (const keepThinking of [true, false]) {
    it(`three tool-calling turns, ${keepThinking ? 'thinking blocks sent back' : 'thinking blocks dropped by the client'}, streamed and not`, async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: `Look it up (${keepThinking})` }];
      const thoughts: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        const request = { model: MODEL, max_tokens: 512, tools, messages };
        const message = round % 2 === 0 ? await client().messages.create(request) : await client().messages.stream(request).finalMessage();
        if (round === 3) {
          expect(message.content.filter((block) => block.type === 'text').map((block) => block.text)).toEqual([`Simulated reply from ${MODEL}.`]);
          break;
        }
        expect(message.stop_reason).toBe('tool_use');
        const thinking = message.content.find((block) => block.type === 'thinking');
        if (thinking?.type !== 'thinking') throw new Error(`no thinking block in ${JSON.stringify(message.content)}`);
        thoughts.push(thinking.thinking);
        const call = message.content.find((block) => block.type === 'tool_use');
        if (call?.type !== 'tool_use') throw new Error('no tool_use block');
        messages.push({ role: 'assistant', content: keepThinking ? message.content : message.content.filter((block) => block.type !== 'thinking') });
        messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'found' }] });
      }
      const assistants = (chatBodies().at(-1)!.messages as Array<Record<string, unknown>>).filter((m) => m.role === 'assistant');
      expect(assistants.map((m) => m.reasoning_content)).toEqual(thoughts);
      expect(thoughts.every((text) => text.startsWith('Simulated reasoning'))).toBe(true);
    });
  }
});
