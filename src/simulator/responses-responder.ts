import { randomBytes } from 'node:crypto';
import { badRequest } from '../server/errors.js';
import { splitEven, splitWords } from './chat-plan.js';
import type { Exchange } from './exchange.js';
import { writeStream } from './stream-writer.js';
import type { SimulatorBehavior } from './types.js';

type Json = Record<string, unknown>;

/**
 * OpenAI's Responses API (`POST /v1/responses`), JSON and SSE, in the shapes of
 * https://platform.openai.com/docs/api-reference/responses and its streaming events:
 * written independently of the gateway's encoder so the passthrough path is tested
 * against a vendor, not against itself. A function tool is called when tools are given
 * and the last input item is not a function_call_output.
 */
export const validateResponsesBody = (body: unknown): Json => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object.', 'invalid_body');
  const b = body as Json;
  if (typeof b.model !== 'string' || b.model === '') throw badRequest('Missing required parameter: model.', 'missing_required_parameter');
  if (b.input === undefined) throw badRequest('Missing required parameter: input.', 'missing_required_parameter');
  return b;
};

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

const inputCharacters = (input: unknown): number => (typeof input === 'string' ? input.length : JSON.stringify(input ?? '').length);

export const respondResponses = async (exchange: Exchange, body: Json, behavior: SimulatorBehavior): Promise<void> => {
  const model = body.model as string;
  const items = Array.isArray(body.input) ? (body.input as Json[]) : [];
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const last = items.at(-1);
  const callTool = behavior.toolCalls === true || (behavior.toolCalls !== false && tools.length > 0 && body.tool_choice !== 'none' && last?.type !== 'function_call_output');
  const toolName = typeof tools[0]?.name === 'string' ? (tools[0]!.name as string) : 'simulated_tool';
  const text = behavior.content ?? `Simulated reply from ${model}.`;
  const pieces = callTool ? splitEven(behavior.toolArguments ?? '{}', 3) : behavior.chunks ? splitEven(text, behavior.chunks) : splitWords(text);
  const inputTokens = Math.ceil((inputCharacters(body.input) + (typeof body.instructions === 'string' ? body.instructions.length : 0)) / 4);
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: behavior.cachedPromptTokens ?? 0 },
    output_tokens: pieces.length,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + pieces.length,
  };
  const itemId = id(callTool ? 'fc' : 'msg');
  const callId = id('call');
  const doneItem: Json = callTool
    ? { id: itemId, type: 'function_call', status: 'completed', arguments: pieces.join(''), call_id: callId, name: toolName }
    : { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
  const response = (status: string, output: Json[], withUsage: boolean): Json => ({
    id: id('resp'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    model,
    output,
    parallel_tool_calls: true,
    tool_choice: body.tool_choice ?? 'auto',
    tools,
    usage: withUsage ? usage : null,
  });
  if (body.stream !== true) {
    exchange.sendJsonWithBehavior(response('completed', [doneItem], true), behavior);
    return;
  }
  let sequence = 0;
  const events: string[] = [];
  const push = (type: string, fields: Json) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`);
  const started = response('in_progress', [], false);
  push('response.created', { response: started });
  push('response.in_progress', { response: started });
  if (callTool) {
    push('response.output_item.added', { output_index: 0, item: { ...doneItem, status: 'in_progress', arguments: '' } });
    for (const piece of pieces) push('response.function_call_arguments.delta', { item_id: itemId, output_index: 0, delta: piece });
    push('response.function_call_arguments.done', { item_id: itemId, output_index: 0, arguments: pieces.join('') });
  } else {
    push('response.output_item.added', { output_index: 0, item: { ...doneItem, status: 'in_progress', content: [] } });
    push('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const piece of pieces) push('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece });
    push('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text });
    push('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
  }
  push('response.output_item.done', { output_index: 0, item: doneItem });
  push('response.completed', { response: { ...response('completed', [doneItem], true), id: started.id } });
  await writeStream(exchange, events, behavior);
};
