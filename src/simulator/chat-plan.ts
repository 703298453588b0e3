import type { VendorName } from './behavior.js';
import { describeImageLine } from './image-inspector.js';
import type { ImageInfo, SimulatorBehavior } from './types.js';
import { applyVendorUsage } from './vendor-usage.js';
import { vendorModesFor } from './vendor-modes/index.js';

/** Prompt-token charge per image, in the spirit of OpenAI's low-detail image tiles. */
const TOKENS_PER_IMAGE = 85;
/** Name, `{`, `}`: a tool call is reported as three completion "tokens" in both modes. */
const TOOL_CALL_TOKENS = 3;

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [extra: string]: unknown;
}

export interface PlannedToolCall {
  id: string;
  name: string;
  /** Streamed as these fragments; joined they are always `{}`. */
  argumentFragments: string[];
}

/** Everything both the JSON and the SSE responder need, decided once per request. */
export interface ChatPlan {
  id: string;
  created: number;
  model: string;
  vendor: VendorName;
  contentChunks: string[];
  reasoningChunks: string[];
  toolCall: PlannedToolCall | null;
  finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter';
  usage: ChatUsage;
  includeUsage: boolean;
}

let sequence = 0;

/** Splits on word boundaries, keeping whitespace so the chunks concatenate back exactly. */
export const splitWords = (text: string): string[] => {
  const parts = text.match(/\s*\S+/g);
  if (!parts) return text ? [text] : [];
  let covered = 0;
  for (const part of parts) covered += part.length;
  if (covered < text.length) parts[parts.length - 1] += text.slice(covered);
  return parts;
};

/** Exactly `count` pieces (code-point safe); some may be empty when the text is shorter. */
export const splitEven = (text: string, count: number): string[] => {
  const characters = Array.from(text);
  const pieces: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = Math.floor((index * characters.length) / count);
    const end = Math.floor(((index + 1) * characters.length) / count);
    pieces.push(characters.slice(start, end).join(''));
  }
  return pieces;
};

const countMessageCharacters = (messages: unknown[]): number => {
  let characters = 0;
  for (const message of messages) {
    if (message === null || typeof message !== 'object') continue;
    const content = (message as { content?: unknown }).content;
    if (typeof content === 'string') characters += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = part !== null && typeof part === 'object' ? (part as { text?: unknown }).text : undefined;
        if (typeof text === 'string') characters += text.length;
      }
    }
  }
  return characters;
};

const toolName = (tool: unknown): string | undefined => {
  if (tool === null || typeof tool !== 'object') return undefined;
  const fn = (tool as { function?: { name?: unknown } }).function;
  return typeof fn?.name === 'string' ? fn.name : undefined;
};

/**
 * Tool-call decision. Besides the brief's rule (tools present → call the first),
 * an explicit `tool_choice` function is honoured, `tool_choice: "none"` is
 * respected, and a conversation whose last message is a tool result gets text —
 * otherwise a gateway-side agent loop against the simulator would never end.
 * `behavior.toolCalls === true` forces a call regardless.
 */
const planToolCall = (body: Record<string, unknown>, messages: unknown[], behavior: SimulatorBehavior): string | null => {
  if (behavior.toolCalls === false) return null;
  const forced = behavior.toolCalls === true;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const choice = body.tool_choice;
  if (!forced) {
    if (tools.length === 0 || choice === 'none') return null;
    const last = messages[messages.length - 1] as { role?: unknown } | undefined;
    if (last?.role === 'tool') return null;
  }
  return toolName(choice) ?? toolName(tools[0]) ?? 'simulated_tool';
};

const planContent = (
  body: Record<string, unknown>,
  model: string,
  images: ImageInfo[],
  behavior: SimulatorBehavior,
): string => {
  if (behavior.content !== undefined) return behavior.content;
  const format = body.response_format as { type?: unknown } | undefined;
  if (format?.type === 'json_object') return '{"ok":true}';
  let text = `Simulated reply from ${model}.`;
  for (let index = 0; index < images.length; index += 1) text += `\n${describeImageLine(images[index], index + 1)}`;
  return text;
};

export const planChat = (
  body: Record<string, unknown>,
  model: string,
  vendor: VendorName,
  images: ImageInfo[],
  behavior: SimulatorBehavior,
): ChatPlan => {
  sequence += 1;
  const messages = body.messages as unknown[];
  const calledTool = planToolCall(body, messages, behavior);
  const content = calledTool === null ? planContent(body, model, images, behavior) : '';
  const contentChunks = behavior.chunks === undefined ? splitWords(content) : splitEven(content, behavior.chunks);
  // A thinking answer (a vendor mode decides: DeepSeek) streams `reasoning_content` first, before a tool call too.
  const modes = vendorModesFor(vendor);
  const thinks = modes.some((mode) => mode.thinks?.(model, body) === true);
  // The first answer of a conversation reads as before; later ones are numbered so a replayed one can be told apart.
  const reasoningText = messages.some((message) => (message as { role?: unknown } | null)?.role === 'assistant') ? `Simulated reasoning ${sequence} from ${model}.` : `Simulated reasoning from ${model}.`;
  const reasoningChunks = thinks ? splitWords(reasoningText) : [];
  const promptTokens = Math.ceil(countMessageCharacters(messages) / 4) + TOKENS_PER_IMAGE * images.length;
  const answerTokens = calledTool === null ? contentChunks.length : TOOL_CALL_TOKENS;
  const completionTokens = answerTokens + reasoningChunks.length;
  const usage: ChatUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  // A vendor mode's own usage (DeepSeek's prefix cache hits), then the counts a test chose.
  for (const mode of modes) mode.usage?.(model, body, usage);
  if (reasoningChunks.length > 0) usage.completion_tokens_details = { reasoning_tokens: reasoningChunks.length };
  applyVendorUsage(usage, vendor, behavior);
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  return {
    id: `chatcmpl-sim${sequence}`,
    created: Math.floor(Date.now() / 1000),
    model,
    vendor,
    contentChunks,
    reasoningChunks,
    toolCall:
      calledTool === null
        ? null
        : {
            id: `call_sim${sequence}`,
            name: calledTool,
            argumentFragments: behavior.toolArguments === undefined ? ['{', '}'] : splitEven(behavior.toolArguments, 3),
          },
    finishReason: calledTool === null ? (behavior.finishReason ?? 'stop') : 'tool_calls',
    usage,
    includeUsage: streamOptions?.include_usage === true,
  };
};

/** The non-stream `chat.completion` object. */
export const completionObject = (plan: ChatPlan): Record<string, unknown> => {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: plan.toolCall ? null : plan.contentChunks.join(''),
  };
  if (plan.reasoningChunks.length > 0) message.reasoning_content = plan.reasoningChunks.join('');
  if (plan.toolCall) {
    message.tool_calls = [
      {
        id: plan.toolCall.id,
        type: 'function',
        function: { name: plan.toolCall.name, arguments: plan.toolCall.argumentFragments.join('') },
      },
    ];
  }
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: plan.usage,
  };
};
