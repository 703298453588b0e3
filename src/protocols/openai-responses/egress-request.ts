import type { NeutralRequest, UserPart } from '../../core/neutral-request.js';
import type { EgressRequest, EgressTarget } from '../codec.js';
import type { Json } from '../request-checks.js';

const userPart = (part: Exclude<UserPart, { type: 'tool-result' }>): Json => {
  if (part.type === 'text') return { type: 'input_text', text: part.text };
  if (part.type === 'image') {
    return { type: 'input_image', image_url: part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`, detail: 'auto' };
  }
  if (part.source.kind === 'url') return { type: 'input_file', file_url: part.source.url };
  if (part.source.kind === 'text') return { type: 'input_text', text: part.source.data };
  return { type: 'input_file', filename: part.title ?? 'document.pdf', file_data: `data:${part.source.mediaType};base64,${part.source.data}` };
};

/** Neutral → a Responses API body (chat or Anthropic clients reaching an `openai-responses` vendor). */
export const buildResponsesRequest = (request: NeutralRequest, target: EgressTarget): EgressRequest => {
  const input: Json[] = [];
  for (const message of request.messages) {
    if (message.role === 'user') {
      const rest: Json[] = [];
      for (const part of message.content) {
        if (part.type === 'tool-result') {
          const text = part.content.map((item) => (item.type === 'text' ? item.text : '')).join('');
          input.push({ type: 'function_call_output', call_id: part.toolCallId, output: part.isError ? `Error: ${text}` : text });
        } else rest.push(userPart(part));
      }
      if (rest.length > 0) input.push({ type: 'message', role: 'user', content: rest });
      continue;
    }
    let text = '';
    const flushText = () => {
      if (text !== '') input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
      text = '';
    };
    for (const part of message.content) {
      if (part.type === 'text') text += part.text;
      else if (part.type === 'tool-call') {
        flushText();
        input.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments || '{}' });
      } else if (part.type === 'reasoning' && part.text !== '') {
        // Only the vendor's own encrypted reasoning could be replayed as such; others travel as a summary.
        input.push({ type: 'reasoning', summary: [{ type: 'summary_text', text: part.text }] });
      }
    }
    flushText();
  }
  const body: Json = { model: target.upstreamModel, input, stream: request.stream, store: false };
  if (request.system.length > 0) body.instructions = request.system.map((part) => part.text).join('\n\n');
  if (request.maxTokens !== undefined) body.max_output_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({ type: 'function', name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.inputSchema, strict: false }));
  }
  if (request.toolChoice) body.tool_choice = request.toolChoice.type === 'tool' ? { type: 'function', name: request.toolChoice.name } : request.toolChoice.type;
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat) {
    body.text = {
      format:
        request.responseFormat.type === 'json'
          ? { type: 'json_object' }
          : { type: 'json_schema', name: request.responseFormat.name ?? 'response', schema: request.responseFormat.schema, ...(request.responseFormat.strict !== undefined ? { strict: request.responseFormat.strict } : {}) },
    };
  }
  if (request.reasoning && target.acceptsReasoningEffort) body.reasoning = { effort: request.reasoning.effort ?? 'medium' };
  if (request.user) body.safety_identifier = request.user;
  return { path: '/responses', body };
};
