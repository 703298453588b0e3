import type { ContentPart, MediaSource, NeutralRequest, TextPart } from '../../core/neutral-request.js';
import type { EgressRequest, EgressTarget } from '../codec.js';
import { argumentsObject, type Json } from '../request-checks.js';

/** Anthropic requires max_tokens; this is used when neither the client nor the model config gives one. */
export const DEFAULT_MAX_TOKENS = 4096;
/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024;
// "none" and "minimal" are below the smallest budget: no thinking block is sent.
const effortBudget = { none: 0, minimal: 0, low: 1024, medium: 4096, high: 16384 } as const;

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; other vendors' ids (Kimi's `functions.x:0`) are mapped consistently. */
export const anthropicToolId = (id: string): string => (id && /^[\w-]+$/.test(id) ? id : `toolu_${id.replace(/[^\w-]/g, '_') || 'call'}`);

const withCache = (block: Json, part: { cacheControl?: Record<string, unknown> }): Json =>
  part.cacheControl ? { ...block, cache_control: part.cacheControl } : block;

const source = (media: MediaSource): Json =>
  media.kind === 'url' ? { type: 'url', url: media.url } : { type: 'base64', media_type: media.mediaType, data: media.data };

const text = (part: TextPart): Json => withCache({ type: 'text', text: part.text }, part);

const block = (part: ContentPart): Json | null => {
  switch (part.type) {
    case 'text':
      // Anthropic rejects empty text blocks.
      return part.text === '' ? null : text(part);
    case 'image':
      return withCache({ type: 'image', source: source(part.source) }, part);
    case 'document': {
      const src = part.source.kind === 'text' ? { type: 'text', media_type: 'text/plain', data: part.source.data } : source(part.source);
      return withCache({ type: 'document', source: src, ...(part.title ? { title: part.title } : {}) }, part);
    }
    case 'tool-result':
      return withCache(
        {
          type: 'tool_result',
          tool_use_id: anthropicToolId(part.toolCallId),
          content: part.content.map((item) => (item.type === 'text' ? text(item) : { type: 'image', source: source(item.source) })),
          ...(part.isError ? { is_error: true } : {}),
        },
        part,
      );
    case 'reasoning':
      // A thinking block is only accepted back with the signature Anthropic gave it.
      return part.signature ? { type: 'thinking', thinking: part.text, signature: part.signature } : null;
    case 'redacted-reasoning':
      return { type: 'redacted_thinking', data: part.data };
    case 'tool-call':
      return withCache({ type: 'tool_use', id: anthropicToolId(part.id), name: part.name, input: argumentsObject(part.arguments) }, part);
  }
};

const jsonInstruction = (request: NeutralRequest): TextPart[] => {
  const format = request.responseFormat;
  if (!format) return [];
  // Messages has no JSON mode; the instruction is the documented way to ask for JSON.
  const schema = format.type === 'json-schema' ? ` matching this JSON schema: ${JSON.stringify(format.schema)}` : '';
  return [{ type: 'text', text: `Respond with a single valid JSON object${schema}, and nothing else.` }];
};

/** Neutral → Anthropic Messages body (https://docs.anthropic.com/en/api/messages). */
export const buildAnthropicRequest = (request: NeutralRequest, target: EgressTarget): EgressRequest => {
  const messages: Array<{ role: 'user' | 'assistant'; content: Json[] }> = [];
  for (const message of request.messages) {
    const blocks: Json[] = [];
    for (const part of message.content) {
      const built = block(part);
      if (built) blocks.push(built);
    }
    if (blocks.length === 0) continue;
    const last = messages[messages.length - 1];
    // The API wants user and assistant turns to alternate: consecutive same-role turns merge.
    if (last && last.role === message.role) last.content.push(...blocks);
    else messages.push({ role: message.role, content: blocks });
  }
  const body: Json = { model: target.upstreamModel, messages };
  const system = [...request.system, ...jsonInstruction(request)].filter((part) => part.text !== '');
  if (system.length > 0) body.system = system.map(text);
  let maxTokens = request.maxTokens ?? target.maxOutputTokens ?? DEFAULT_MAX_TOKENS;
  const reasoning = request.reasoning;
  let thinking = false;
  if (reasoning) {
    let budget = reasoning.budgetTokens ?? (reasoning.effort ? effortBudget[reasoning.effort] : MIN_THINKING_BUDGET * 4);
    if (budget >= MIN_THINKING_BUDGET) {
      // budget_tokens must stay below max_tokens; a client's explicit max_tokens wins over the budget.
      if (budget >= maxTokens) {
        if (request.maxTokens === undefined) maxTokens = budget + DEFAULT_MAX_TOKENS;
        else budget = maxTokens - 1;
      }
      if (budget >= MIN_THINKING_BUDGET) {
        body.thinking = { type: 'enabled', budget_tokens: budget };
        thinking = true;
      }
    }
  }
  body.max_tokens = maxTokens;
  // With thinking on, Anthropic accepts no temperature/top_k and only top_p >= 0.95.
  if (request.temperature !== undefined && !thinking) body.temperature = Math.min(1, request.temperature);
  if (request.topP !== undefined && (!thinking || request.topP >= 0.95)) body.top_p = request.topP;
  if (request.topK !== undefined && !thinking) body.top_k = request.topK;
  if (request.stopSequences) body.stop_sequences = request.stopSequences;
  if (request.tools && request.tools.length > 0 && request.toolChoice?.type !== 'none') {
    body.tools = request.tools.map((tool) =>
      withCache({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: tool.inputSchema }, tool),
    );
    const choice = request.toolChoice;
    const parallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
    // Extended thinking takes tool_choice auto or none only: a forced tool would be a 400
    // (docs.anthropic.com extended-thinking, "Extended thinking with tool use"), so it stays auto.
    if (thinking && (choice?.type === 'required' || choice?.type === 'tool')) body.tool_choice = { type: 'auto', ...parallel };
    else if (choice?.type === 'required') body.tool_choice = { type: 'any', ...parallel };
    else if (choice?.type === 'tool') body.tool_choice = { type: 'tool', name: choice.name, ...parallel };
    else if (request.parallelToolCalls === false) body.tool_choice = { type: 'auto', ...parallel };
  }
  if (request.user) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return { path: '/v1/messages', body };
};
