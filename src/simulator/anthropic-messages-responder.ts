import { GatewayError, badRequest } from '../server/errors.js';
import { splitEven, splitWords } from './chat-plan.js';
import type { Exchange } from './exchange.js';
import { describeImageLine } from './image-inspector.js';
import { writeStream } from './stream-writer.js';
import { checkAnthropicThinking } from './thinking-checks.js';
import type { ImageInfo, SimulatorBehavior } from './types.js';

/**
 * An Anthropic Messages API upstream (https://docs.anthropic.com/en/api/messages): JSON
 * and the documented SSE event sequence (message_start, ping, content blocks with
 * text / thinking + signature / tool_use deltas, message_delta, message_stop), prompt
 * cache usage when the request marks blocks with cache_control, and count_tokens.
 */
const TOKENS_PER_IMAGE = 85;
let sequence = 0;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every Anthropic image block as a data URL or URL, so the shared inspector can describe it. */
export const collectAnthropicImages = (messages: unknown): string[] => {
  const urls: string[] = [];
  const visit = (blocks: unknown) => {
    if (!Array.isArray(blocks)) return;
    for (const block of blocks) {
      if (!isObject(block)) continue;
      if (block.type === 'tool_result') visit(block.content);
      if (block.type !== 'image' || !isObject(block.source)) continue;
      const source = block.source;
      if (source.type === 'base64' && typeof source.data === 'string') urls.push(`data:${String(source.media_type)};base64,${source.data}`);
      else if (source.type === 'url' && typeof source.url === 'string') urls.push(source.url);
    }
  };
  for (const message of Array.isArray(messages) ? messages : []) if (isObject(message)) visit(message.content);
  return urls;
};

const textCharacters = (value: unknown): number => {
  if (typeof value === 'string') return value.length;
  if (!Array.isArray(value)) return 0;
  let total = 0;
  for (const block of value) {
    if (!isObject(block)) continue;
    if (typeof block.text === 'string') total += block.text.length;
    if (block.type === 'tool_result') total += textCharacters(block.content);
    if (block.type === 'tool_use') total += JSON.stringify(block.input ?? {}).length;
  }
  return total;
};

const hasCacheControl = (body: Json): boolean => JSON.stringify([body.system ?? null, body.tools ?? null, body.messages]).includes('"cache_control"');

export const anthropicInputTokens = (body: Json, images: number): number => {
  let characters = textCharacters(body.system);
  for (const message of Array.isArray(body.messages) ? body.messages : []) if (isObject(message)) characters += textCharacters(message.content);
  if (Array.isArray(body.tools)) characters += JSON.stringify(body.tools).length;
  return Math.max(1, Math.ceil(characters / 4)) + TOKENS_PER_IMAGE * images;
};

export const validateMessagesBody = (body: unknown, countOnly: boolean): Json => {
  if (!isObject(body)) throw badRequest('Request body must be a JSON object.', 'invalid_request');
  if (typeof body.model !== 'string' || body.model === '') throw badRequest('model: Field required', 'invalid_request', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw badRequest('messages: at least one message is required', 'invalid_request', 'messages');
  // The real API refuses a request without max_tokens; the gateway must always fill it.
  if (!countOnly && (typeof body.max_tokens !== 'number' || body.max_tokens < 1)) throw badRequest('max_tokens: Field required', 'invalid_request', 'max_tokens');
  let previous: unknown = null;
  for (const message of body.messages) {
    const role = isObject(message) ? message.role : undefined;
    if (role !== 'user' && role !== 'assistant') throw badRequest('messages: roles must be "user" or "assistant"', 'invalid_request', 'messages');
    if (role === previous) throw badRequest('messages: roles must alternate between "user" and "assistant"', 'invalid_request', 'messages');
    previous = role;
  }
  if (!countOnly) checkAnthropicThinking(body);
  return body;
};

interface MessagesPlan {
  id: string;
  model: string;
  thinking: string[];
  signature: string | null;
  text: string[];
  tool: { id: string; name: string; fragments: string[] } | null;
  usage: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number; output_tokens: number };
}

const planMessages = (body: Json, images: ImageInfo[], behavior: SimulatorBehavior): MessagesPlan => {
  sequence += 1;
  const model = body.model as string;
  const messages = body.messages as Json[];
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const choice = isObject(body.tool_choice) ? body.tool_choice : {};
  const last = messages[messages.length - 1];
  const answeredTool = Array.isArray(last?.content) && last.content.some((block) => isObject(block) && block.type === 'tool_result');
  let toolName: string | null = null;
  if (behavior.toolCalls !== false && (behavior.toolCalls === true || (tools.length > 0 && choice.type !== 'none' && !answeredTool))) {
    toolName = choice.type === 'tool' && typeof choice.name === 'string' ? choice.name : typeof tools[0]?.name === 'string' ? tools[0].name : 'simulated_tool';
  }
  let content = behavior.content ?? `Simulated reply from ${model}.`;
  if (behavior.content === undefined) for (let index = 0; index < images.length; index += 1) content += `\n${describeImageLine(images[index]!, index + 1)}`;
  const text = toolName === null ? (behavior.chunks === undefined ? splitWords(content) : splitEven(content, behavior.chunks)) : [];
  const thinkingOn = isObject(body.thinking) && body.thinking.type === 'enabled';
  const thinking = thinkingOn ? splitWords(`Simulated thinking from ${model}.`) : [];
  const args = behavior.toolArguments ?? '{}';
  const prompt = anthropicInputTokens(body, images.length);
  // Requests that mark cache breakpoints are answered as a cache hit on half the prompt.
  const cacheRead = Math.min(prompt, behavior.cachedPromptTokens ?? (hasCacheControl(body) ? Math.floor(prompt / 2) : 0));
  // Anthropic counts cache writes apart from input_tokens too (prompt-caching docs).
  const cacheWrite = Math.min(prompt - cacheRead, behavior.cacheWritePromptTokens ?? 0);
  return {
    id: `msg_sim${sequence}`,
    model,
    thinking,
    signature: thinkingOn ? `sig_sim${sequence}_${Buffer.from(model).toString('base64url')}` : null,
    text,
    tool: toolName === null ? null : { id: `toolu_sim${sequence}`, name: toolName, fragments: splitEven(args, Math.min(3, Math.max(1, args.length))) },
    usage: {
      input_tokens: prompt - cacheRead - cacheWrite,
      cache_read_input_tokens: cacheRead,
      cache_creation_input_tokens: cacheWrite,
      output_tokens: text.length + thinking.length + (toolName ? 3 : 0),
    },
  };
};

const stopReason = (plan: MessagesPlan) => (plan.tool ? 'tool_use' : 'end_turn');

const messageObject = (plan: MessagesPlan): Json => {
  const content: Json[] = [];
  if (plan.signature) content.push({ type: 'thinking', thinking: plan.thinking.join(''), signature: plan.signature });
  if (plan.tool) content.push({ type: 'tool_use', id: plan.tool.id, name: plan.tool.name, input: JSON.parse(plan.tool.fragments.join('') || '{}') });
  else content.push({ type: 'text', text: plan.text.join('') });
  return { id: plan.id, type: 'message', role: 'assistant', model: plan.model, content, stop_reason: stopReason(plan), stop_sequence: null, usage: plan.usage };
};

const sse = (name: string, payload: unknown) => `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;

const streamEvents = (plan: MessagesPlan, behavior: SimulatorBehavior): string[] => {
  const events: string[] = [];
  events.push(
    sse('message_start', {
      type: 'message_start',
      message: { id: plan.id, type: 'message', role: 'assistant', model: plan.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...plan.usage, output_tokens: 1 } },
    }),
  );
  events.push(sse('ping', { type: 'ping' }));
  if (behavior.malformedJson) events.push('event: content_block_delta\ndata: {not json\n\n');
  let index = 0;
  const block = (start: Json, deltas: Json[]) => {
    events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: start }));
    for (const delta of deltas) events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta }));
    events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
    index += 1;
  };
  if (plan.signature) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...plan.thinking.map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature: plan.signature },
    ]);
  }
  if (plan.tool) {
    block({ type: 'tool_use', id: plan.tool.id, name: plan.tool.name, input: {} }, [
      { type: 'input_json_delta', partial_json: '' },
      ...plan.tool.fragments.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    ]);
  } else {
    block({ type: 'text', text: '' }, plan.text.map((text) => ({ type: 'text_delta', text })));
  }
  events.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason(plan), stop_sequence: null }, usage: { output_tokens: plan.usage.output_tokens } }));
  events.push(sse('message_stop', { type: 'message_stop' }));
  return events;
};

export const respondMessages = async (exchange: Exchange, body: Json, images: ImageInfo[], behavior: SimulatorBehavior): Promise<void> => {
  const plan = planMessages(body, images, behavior);
  if (body.stream === true) {
    await writeStream(exchange, streamEvents(plan, behavior), behavior);
    return;
  }
  const tokenDelay = behavior.tokenDelayMs ?? 0;
  if (tokenDelay > 0 && !(await exchange.sleep(tokenDelay * plan.usage.output_tokens))) return;
  exchange.sendJsonWithBehavior(messageObject(plan), behavior);
};

export const respondCountTokens = (exchange: Exchange, body: Json, images: ImageInfo[], behavior: SimulatorBehavior): void => {
  exchange.sendJsonWithBehavior({ input_tokens: anthropicInputTokens(body, images.length) }, behavior);
};

export const isGatewayErrorStatus = (error: unknown): error is GatewayError => error instanceof GatewayError;
