import type { ImagePart, MediaSource, NeutralRequest, TextPart, UserPart } from '../../core/neutral-request.js';
import type { EgressRequest, EgressTarget } from '../codec.js';
import type { Json } from '../request-checks.js';

/**
 * Neutral → OpenAI Chat Completions body for OpenAI-protocol vendors (DeepSeek, Qwen,
 * GLM, Kimi, Doubao, Ollama …). Text-only content goes as a plain string, which every
 * such vendor takes; cache_control markers have no OpenAI form and are dropped.
 */
const imageUrl = (source: MediaSource): string => (source.kind === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`);

const joinText = (parts: TextPart[]): string => parts.map((part) => part.text).join('\n\n');

const userContent = (parts: Array<Exclude<UserPart, { type: 'tool-result' }>>): string | Json[] => {
  if (parts.every((part) => part.type === 'text')) return joinText(parts as TextPart[]);
  return parts.map((part): Json => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    if (part.type === 'image') return { type: 'image_url', image_url: { url: imageUrl(part.source) } };
    // Documents: OpenAI's file part (base64 PDF); a plain-text document becomes text.
    if (part.source.kind === 'text') return { type: 'text', text: part.source.data };
    if (part.source.kind === 'url') return { type: 'text', text: `[document: ${part.source.url}]` };
    return { type: 'file', file: { filename: part.title ?? 'document.pdf', file_data: `data:${part.source.mediaType};base64,${part.source.data}` } };
  });
};

const effortFor = (budget: number): 'low' | 'medium' | 'high' => (budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high');

export const buildOpenAIChatRequest = (request: NeutralRequest, target: EgressTarget): EgressRequest => {
  const messages: Json[] = [];
  if (request.system.length > 0) messages.push({ role: 'system', content: joinText(request.system) });
  for (const message of request.messages) {
    if (message.role === 'assistant') {
      const text = joinText(message.content.filter((part): part is TextPart => part.type === 'text'));
      const calls = message.content.flatMap((part) =>
        part.type === 'tool-call' ? [{ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments || '{}' } }] : [],
      );
      // Reasoning goes back only on tool-calling turns of vendors that require it (DeepSeek); most reject or ignore it in input.
      if (text === '' && calls.length === 0) continue;
      const reasoning = target.sendReasoning && calls.length > 0 ? message.content.reduce((all, part) => (part.type === 'reasoning' ? all + part.text : all), '') : '';
      messages.push({
        role: 'assistant',
        content: text === '' ? null : text,
        ...(reasoning !== '' ? { reasoning_content: reasoning } : {}),
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      });
      continue;
    }
    const rest: Array<Exclude<UserPart, { type: 'tool-result' }>> = [];
    const toolImages: ImagePart[] = [];
    for (const part of message.content) {
      if (part.type !== 'tool-result') {
        rest.push(part);
        continue;
      }
      const text = joinText(part.content.filter((item): item is TextPart => item.type === 'text'));
      for (const item of part.content) if (item.type === 'image') toolImages.push(item);
      messages.push({ role: 'tool', tool_call_id: part.toolCallId, content: part.isError ? `Error: ${text}` : text });
    }
    // Tool messages carry text only; images a tool returned follow as a user turn.
    if (toolImages.length > 0) rest.unshift({ type: 'text', text: 'Images returned by the tool:' }, ...toolImages);
    if (rest.length > 0) messages.push({ role: 'user', content: userContent(rest) });
  }
  const body: Json = { model: target.upstreamModel, messages };
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences) body.stop = request.stopSequences;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.inputSchema },
    }));
    const choice = request.toolChoice;
    if (choice?.type === 'tool') body.tool_choice = { type: 'function', function: { name: choice.name } };
    else if (choice) body.tool_choice = choice.type;
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.reasoning && target.acceptsReasoningEffort) {
    body.reasoning_effort = request.reasoning.effort ?? effortFor(request.reasoning.budgetTokens ?? 4096);
  }
  const format = request.responseFormat;
  if (format?.type === 'json') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json-schema') {
    body.response_format = { type: 'json_schema', json_schema: { name: format.name ?? 'response', schema: format.schema, ...(format.strict !== undefined ? { strict: format.strict } : {}) } };
  }
  if (request.user) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    if (target.askForStreamUsage !== false) body.stream_options = { include_usage: true };
  }
  return { path: '/chat/completions', body };
};
