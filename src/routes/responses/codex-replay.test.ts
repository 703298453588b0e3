import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTestProviders, startHarness, type Harness } from '../../test-support/gateway-harness.js';

// Codex CLI and reasoning traffic through the Responses API, against chat-protocol
// vendors of the simulator: a Kimi-like model whose tool-call continuation chunks
// repeat empty or null ids and names, and a DeepSeek-like reasoner.
const MASTER = 'sk-master-codex-replay';
let h: Harness;
const codexRequest = JSON.parse(readFileSync(new URL('../../protocols/openai-responses/__fixtures__/codex-cli-request.json', import.meta.url), 'utf8')) as Record<string, unknown>;
delete codexRequest._source;

const client = () => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
const chatBodies = () => h.sim.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Record<string, any>);

beforeAll(async () => {
  h = await startHarness({
    providers: [...defaultTestProviders(), { name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_API_KEY', key: 'ds-secret-2468', models: { language: ['deepseek-reasoner'] } }],
    settings: { masterKey: MASTER },
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sim.clear();
  h.sim.clearRules();
});

describe('a Codex CLI request against a Kimi-like chat model', () => {
  for (const repeated of ['empty', 'null'] as const) {
    it(`streams typed events the SDK parses; the tool arguments arrive whole (continuation ids ${repeated})`, async () => {
      const args = '{"command":["bash","-lc","ls -la"],"workdir":"/home/dev/project","timeout_ms":10000}';
      h.sim.addRule({ match: { model: 'kimi-test' }, times: 1, behavior: { toolArguments: args, toolContinuationIds: repeated } });
      const stream = await client().responses.create({ ...(codexRequest as unknown as OpenAI.Responses.ResponseCreateParamsStreaming), model: 'kimi-test' });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const types = events.map((event) => event.type);
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
      const added = events.filter((event) => event.type === 'response.output_item.added');
      expect(added).toHaveLength(1);
      const deltas = events.filter((event): event is OpenAI.Responses.ResponseFunctionCallArgumentsDeltaEvent => event.type === 'response.function_call_arguments.delta');
      expect(deltas.length).toBeGreaterThan(1);
      const itemId = (added[0] as OpenAI.Responses.ResponseOutputItemAddedEvent).item.id;
      expect(new Set(deltas.map((delta) => delta.item_id))).toEqual(new Set([itemId]));
      expect(deltas.map((delta) => delta.delta).join('')).toBe(args);
      const done = events.find((event): event is OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent => event.type === 'response.function_call_arguments.done');
      expect(done?.arguments).toBe(args);
      const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
      expect(completed.response.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'shell', arguments: args, id: itemId })]);
      expect(JSON.parse((completed.response.output[0] as OpenAI.Responses.ResponseFunctionToolCall).arguments)).toMatchObject({ command: ['bash', '-lc', 'ls -la'] });
      expect(completed.response.usage?.output_tokens).toBeGreaterThan(0);
      // What the Kimi-like vendor received: Codex's instructions as the system prompt, its tools as chat tools.
      const sent = chatBodies()[0]!;
      expect(sent.messages[0]).toEqual({ role: 'system', content: codexRequest.instructions });
      // Codex's three user items arrive as one user turn, in order.
      expect(sent.messages).toHaveLength(2);
      expect(sent.messages[1].content).toMatch(/^<user_instructions>[\s\S]*<environment_context>[\s\S]*List the files in this directory\.$/);
      expect(sent.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['shell', 'update_plan']);
      expect(sent.parallel_tool_calls).toBe(false);
      expect(sent.stream).toBe(true);
    });
  }

  it('the next Codex turn (stateless: the whole history with the function_call_output) gets the answer', async () => {
    const callId = 'call_codex_1';
    const stream = client().responses.stream({
      ...(codexRequest as unknown as OpenAI.Responses.ResponseCreateParamsStreaming),
      model: 'kimi-test',
      input: [
        ...(codexRequest.input as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call', call_id: callId, name: 'shell', arguments: '{"command":["ls"]}' },
        { type: 'function_call_output', call_id: callId, output: '{"output":"README.md\\n","metadata":{"exit_code":0}}' },
      ],
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Simulated reply from kimi-test.');
    expect(chatBodies()[0]!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } }] },
      { role: 'tool', tool_call_id: callId, content: '{"output":"README.md\\n","metadata":{"exit_code":0}}' },
    ]);
  });
});

describe('reasoning from a DeepSeek-like reasoner', () => {
  it('comes out as a reasoning item (JSON) with reasoning tokens, and as reasoning summary events (stream)', async () => {
    const response = await client().responses.create({ model: 'deepseek-reasoner', input: 'Think first', store: false, include: ['reasoning.encrypted_content'] });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = response.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: 'summary_text', text: 'Simulated reasoning from deepseek-reasoner.' }]);
    expect(reasoning.encrypted_content).toEqual(expect.any(String));
    expect(response.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);

    const stream = client().responses.stream({ model: 'deepseek-reasoner', input: 'Think first', store: false });
    let thought = '';
    stream.on('response.reasoning_summary_text.delta', (event) => (thought += event.delta));
    const final = await stream.finalResponse();
    expect(thought).toBe('Simulated reasoning from deepseek-reasoner.');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output_text).toBe('Simulated reply from deepseek-reasoner.');
  });

  it('is kept on the stored turn and replayed into the next turn\'s conversation', async () => {
    const first = await client().responses.create({ model: 'deepseek-reasoner', input: 'Think first' });
    const second = await client().responses.create({ model: 'deepseek-reasoner', input: 'And now?', previous_response_id: first.id });
    expect(second.status).toBe('completed');
    const sent = chatBodies()[1]!;
    // Chat-protocol vendors get the answer text back (reasoning is not sent to them, see
    // buildOpenAIChatRequest); the stored turn keeps its reasoning item for other vendors.
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Think first' },
      { role: 'assistant', content: 'Simulated reply from deepseek-reasoner.' },
      { role: 'user', content: 'And now?' },
    ]);
    const stored = await client().responses.retrieve(first.id);
    expect(stored.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Simulated reasoning from deepseek-reasoner.' }] });
  });
});
