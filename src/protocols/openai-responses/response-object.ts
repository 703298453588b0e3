import { randomHex } from '../../core/random-hex.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { AssistantPart } from '../../core/neutral-request.js';
import { promptTokensOf, type Usage } from '../../core/usage.js';
import type { Json } from '../request-checks.js';
import { writeReasoningCarrier } from './reasoning-carrier.js';

/**
 * The Responses API `response` object and its output items, in the shapes of
 * https://platform.openai.com/docs/api-reference/responses/object .
 */

/**
 * `resp_…`, `msg_…`, `fc_…`, `rs_…`: OpenAI's prefixes with 24 bytes in hex. A response id is
 * the primary key of a stored response, so it starts with the time (6 bytes of milliseconds)
 * and ends with 18 random ones: inserts land at the end of the key's index instead of on a
 * random page each (as with usage rows' time-ordered ids), which made every batch of stored
 * responses rewrite hundreds of index pages. Items are never keys: all 24 bytes random.
 */
export const newItemId = (prefix: 'resp' | 'msg' | 'fc' | 'rs', now = Date.now()): string =>
  prefix === 'resp' ? `resp_${Math.floor(now).toString(16).padStart(12, '0').slice(-12)}${randomHex(18)}` : `${prefix}_${randomHex(24)}`;

/** What one response echoes of its request, fixed when the request arrives. */
export interface ResponseShell {
  id: string;
  createdAt: number;
  /** The request fields a response object repeats (instructions, tools, temperature…). */
  echo: Json;
  /** `include: ["reasoning.encrypted_content"]`: reasoning items carry their text for replay. */
  includeReasoningContent: boolean;
}

export const echoOfRequest = (body: Json): Json => ({
  instructions: body.instructions ?? null,
  max_output_tokens: body.max_output_tokens ?? null,
  parallel_tool_calls: body.parallel_tool_calls ?? true,
  previous_response_id: body.previous_response_id ?? null,
  reasoning: body.reasoning ?? { effort: null, summary: null },
  temperature: body.temperature ?? 1,
  text: body.text ?? { format: { type: 'text' } },
  tool_choice: body.tool_choice ?? 'auto',
  tools: body.tools ?? [],
  top_p: body.top_p ?? 1,
  truncation: body.truncation ?? 'disabled',
  user: body.user ?? null,
  metadata: body.metadata ?? {},
  store: body.store !== false,
  background: false,
  service_tier: 'default',
});

export const toResponsesUsage = (usage: Usage): Json => {
  const input = promptTokensOf(usage);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: input + usage.outputTokens,
  };
};

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** `incomplete` with a reason when the answer was cut; `completed` otherwise. */
export const statusOf = (reason: FinishReason | null): { status: ResponseStatus; incomplete: Json | null } => {
  if (reason === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (reason === 'content-filter' || reason === 'refusal') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
};

export const messageItem = (id: string, text: string, status: 'in_progress' | 'completed' | 'incomplete'): Json => ({
  id,
  type: 'message',
  status,
  role: 'assistant',
  content: status === 'in_progress' ? [] : [outputTextPart(text)],
});

export const outputTextPart = (text: string): Json => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export const functionCallItem = (id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed'): Json => ({
  id,
  type: 'function_call',
  status,
  arguments: args,
  call_id: callId,
  name,
});

export const reasoningItem = (shell: ResponseShell, id: string, text: string, signature: string | undefined, done: boolean): Json => ({
  id,
  type: 'reasoning',
  summary: done && text !== '' ? [{ type: 'summary_text', text }] : [],
  ...(done && shell.includeReasoningContent ? { encrypted_content: writeReasoningCarrier(text, signature) } : {}),
});

/** Output text: what the SDKs call `output_text`, every output_text part joined. */
export const outputTextOf = (output: Json[]): string => {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content as Json[]) if (part.type === 'output_text') text += part.text as string;
  }
  return text;
};

export const responseObject = (
  shell: ResponseShell,
  model: string,
  status: ResponseStatus,
  output: Json[],
  usage: Usage | null,
  extra: { incomplete?: Json | null; error?: Json | null } = {},
): Json => ({
  id: shell.id,
  object: 'response',
  created_at: shell.createdAt,
  status,
  error: extra.error ?? null,
  incomplete_details: extra.incomplete ?? null,
  model,
  output,
  output_text: outputTextOf(output),
  usage: usage ? toResponsesUsage(usage) : null,
  ...shell.echo,
});

/** Neutral assistant parts → output items, one message item for all the text. */
export const outputItemsOf = (shell: ResponseShell, content: AssistantPart[], status: 'completed' | 'incomplete'): Json[] => {
  const items: Json[] = [];
  let text = '';
  for (const part of content) {
    if (part.type === 'reasoning') items.push(reasoningItem(shell, newItemId('rs'), part.text, part.signature, true));
    else if (part.type === 'text') text += part.text;
  }
  if (text !== '') items.push(messageItem(newItemId('msg'), text, status));
  for (const part of content) {
    if (part.type === 'tool-call') items.push(functionCallItem(newItemId('fc'), part.id, part.name, part.arguments, 'completed'));
  }
  return items;
};
