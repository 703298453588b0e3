import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useHarness, type TestProvider } from '../../test-support/gateway-harness.js';

// A Responses client (the official openai package) in a tool loop on a DeepSeek-like chat
// model in thinking mode: the gateway translates to Chat Completions, DeepSeek's reasoning
// comes out as reasoning items, and goes back as reasoning_content on the next turns —
// from the stored conversation (previous_response_id), from the reasoning items the client
// sends back, or from what the gateway remembered when the client dropped them. The
// simulator's DeepSeek mode answers 400 if any tool-calling turn comes back without it.
const MASTER = 'sk-master-deepseek-responses';
const MODEL = 'deepseek-v4-pro';
const providers: TestProvider[] = [{ name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_API_KEY', key: 'sk-deepseek-resp-1234', models: { language: [MODEL] } }];

const client = () => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: MASTER, maxRetries: 0, timeout: 15_000 });
const chatBodies = () => h.sim.received.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Record<string, any>);
const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }];

type Response = OpenAI.Responses.Response;
type Body = Omit<OpenAI.Responses.ResponseCreateParamsNonStreaming, 'stream'>;
const create = (stream: boolean, body: Body): Promise<Response> => (stream ? client().responses.stream(body).finalResponse() : client().responses.create(body));
const reasoningOf = (response: Response): string =>
  response.output.flatMap((item) => (item.type === 'reasoning' ? item.summary.map((part) => part.text) : [])).join('');
const callOf = (response: Response) => {
  const call = response.output.find((item) => item.type === 'function_call');
  if (call?.type !== 'function_call') throw new Error(`no function call in ${JSON.stringify(response.output)}`);
  return call;
};

/** The reasoning_content of each assistant message the vendor got on the last request. */
const replayedOnLastRequest = () =>
  (chatBodies().at(-1)!.messages as Array<Record<string, unknown>>).filter((m) => m.role === 'assistant').map((m) => m.reasoning_content);

const h = useHarness({ providers, settings: { masterKey: MASTER } }, () => {
  h.sim.addRule({ match: { model: MODEL }, times: 3, behavior: { toolCalls: true, toolArguments: '{"q":"x"}' } });
});

describe('Responses tool loop on a DeepSeek thinking model', () => {
  for (const stream of [false, true]) {
    it(`previous_response_id over three tool-calling turns: reasoning items out, reasoning_content replayed (${stream ? 'streamed' : 'JSON'})`, async () => {
      const turns: Response[] = [await create(stream, { model: MODEL, input: `Find it (${stream})`, tools })];
      for (let round = 0; round < 3; round += 1) {
        const last = turns.at(-1)!;
        turns.push(await create(stream, { model: MODEL, tools, previous_response_id: last.id, input: [{ type: 'function_call_output', call_id: callOf(last).call_id, output: 'found' }] }));
      }
      expect(turns.slice(0, 3).map(reasoningOf).every((text) => text.startsWith('Simulated reasoning'))).toBe(true);
      expect(turns[3]!.output_text).toBe(`Simulated reply from ${MODEL}.`);
      expect(replayedOnLastRequest()).toEqual(turns.slice(0, 3).map(reasoningOf));
    });
  }

  it('without previous_response_id: the reasoning items the client sends back, and the remembered ones when it drops them', async () => {
    for (const keepReasoning of [true, false]) {
      h.sim.clear();
      h.sim.clearRules();
      h.sim.addRule({ match: { model: MODEL }, times: 3, behavior: { toolCalls: true } });
      const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: `stateless ${keepReasoning}` }];
      const reasonings: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        const response = await create(round % 2 === 1, { model: MODEL, tools, input, store: false });
        if (round === 3) {
          expect(response.output_text).toBe(`Simulated reply from ${MODEL}.`);
          break;
        }
        reasonings.push(reasoningOf(response));
        for (const item of response.output) if (keepReasoning || item.type !== 'reasoning') input.push(item as OpenAI.Responses.ResponseInputItem);
        input.push({ type: 'function_call_output', call_id: callOf(response).call_id, output: 'found' });
      }
      expect(replayedOnLastRequest()).toEqual(reasonings);
    }
  });
});
