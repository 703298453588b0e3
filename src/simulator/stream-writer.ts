import { vendorEntry } from '../providers/vendor-table.js';
import type { ChatPlan } from './chat-plan.js';
import type { Exchange } from './exchange.js';
import type { SimulatorBehavior } from './types.js';

const DONE = 'data: [DONE]\n\n';
const MALFORMED = 'data: {not json\n\n';

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/** How a vendor reports usage in a stream. */
type UsagePlacement = 'openai' | 'finish-choice' | 'finish-top-level' | 'never';

/** Each vendor's placement comes from the vendor table, the one the gateway's adapters read. */
const usagePlacement = (vendor: ChatPlan['vendor']): UsagePlacement => {
  // Test mode: an upstream that never reports usage, so the gateway has to estimate it.
  if (vendor === 'nousage') return 'never';
  return vendorEntry(vendor)?.streamUsage ?? 'openai';
};

/**
 * Builds every SSE event of a chat completion stream up front (they are small and
 * deterministic), so pacing and failure injection only decide when and how many
 * get written.
 */
export const buildStreamEvents = (plan: ChatPlan, behavior: SimulatorBehavior): string[] => {
  const placement = usagePlacement(plan.vendor);
  const openaiUsage = placement === 'openai' && plan.includeUsage;
  const prefix =
    `data: {"id":${JSON.stringify(plan.id)},"object":"chat.completion.chunk","created":${plan.created},` +
    `"model":${JSON.stringify(plan.model)},"choices":[`;
  // With include_usage OpenAI sends `"usage":null` on every chunk before the usage chunk.
  const suffix = openaiUsage ? '],"usage":null}\n\n' : ']}\n\n';
  const choice = (delta: unknown): string =>
    `${prefix}{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":null}${suffix}`;

  const events: string[] = [];
  const toolCall = plan.toolCall;
  const toolStart = toolCall ? [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] : null;
  // A thinking model reasons first and names its tool call after (DeepSeek's order).
  const thinksFirst = plan.reasoningChunks.length > 0;
  if (toolStart && !thinksFirst) events.push(choice({ role: 'assistant', content: null, tool_calls: toolStart }));
  else events.push(choice({ role: 'assistant', content: toolCall ? null : '' }));
  if (behavior.malformedJson) events.push(MALFORMED);
  for (const piece of plan.reasoningChunks) events.push(choice({ content: null, reasoning_content: piece }));
  if (toolStart && thinksFirst) events.push(choice({ content: null, tool_calls: toolStart }));
  if (toolCall) {
    const repeated = behavior.toolContinuationIds === 'empty' ? '' : behavior.toolContinuationIds === 'null' ? null : undefined;
    for (const fragment of toolCall.argumentFragments) {
      const call = repeated === undefined ? { index: 0, function: { arguments: fragment } } : { index: 0, id: repeated, type: 'function', function: { name: repeated, arguments: fragment } };
      events.push(choice({ tool_calls: [call] }));
    }
  } else {
    for (const piece of plan.contentChunks) events.push(choice({ content: piece }));
  }

  const usageJson = JSON.stringify(plan.usage);
  const finishReason = JSON.stringify(plan.finishReason);
  if (placement === 'finish-choice') {
    events.push(`${prefix}{"index":0,"delta":{},"finish_reason":${finishReason},"usage":${usageJson}}]}\n\n`);
  } else if (placement === 'finish-top-level') {
    events.push(`${prefix}{"index":0,"delta":{},"finish_reason":${finishReason}}],"usage":${usageJson}}\n\n`);
  } else {
    events.push(`${prefix}{"index":0,"delta":{},"logprobs":null,"finish_reason":${finishReason}}${suffix}`);
  }
  if (openaiUsage) events.push(`${prefix}],"usage":${usageJson}}\n\n`);
  events.push(DONE);
  return events;
};

/** Writes the events with `tokenDelayMs` between them; `disconnectAfterChunks` kills the socket after n events. */
export const writeStream = async (exchange: Exchange, eventsIn: string[], behavior: SimulatorBehavior, contentType?: string): Promise<void> => {
  if (exchange.closed) return;
  let events = eventsIn;
  const { res } = exchange;
  res.writeHead(200, contentType ? { ...STREAM_HEADERS, 'content-type': contentType } : STREAM_HEADERS);
  if (behavior.streamErrorAfterChunks !== undefined) {
    const body = behavior.errorBody ?? JSON.stringify({ error: { message: behavior.errorMessage ?? 'The stream failed.', type: 'server_error', code: null } });
    events = [...events.slice(0, behavior.streamErrorAfterChunks).filter((event) => event !== DONE), `data: ${body}\n\n`];
  }
  const limit = behavior.disconnectAfterChunks;
  const delay = behavior.tokenDelayMs ?? 0;
  if (delay <= 0 && limit === undefined) {
    res.end(events.join(''));
    return;
  }
  if (limit === 0) {
    res.flushHeaders();
    setImmediate(() => exchange.destroyNow());
    return;
  }
  for (let index = 0; index < events.length; index += 1) {
    if (index > 0 && !(await exchange.sleep(delay))) return;
    if (limit !== undefined && index === limit - 1) {
      exchange.writeThenDestroy(events[index]);
      return;
    }
    res.write(events[index]);
  }
  res.end();
};
