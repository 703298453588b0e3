import { badRequest } from '../../core/gateway-error.js';
import type { AssistantPart, NeutralMessage, NeutralRequest, TextPart, ToolChoice, ToolDefinition, UserPart } from '../../core/neutral-request.js';
import { isObject, optionalInteger, optionalNumber, parseDataUrl, quote, stringList, type Json } from '../request-checks.js';

/**
 * OpenAI Chat Completions request → neutral
 * (https://platform.openai.com/docs/api-reference/chat/create). Used only when the
 * deployment speaks another protocol; OpenAI → OpenAI is passed through unparsed.
 */

const textOf = (content: unknown, where: string): string => {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  }
  throw badRequest(`\`${where}\` must be a string or a list of parts.`, 'invalid_request', where);
};

const userParts = (content: unknown, where: string): UserPart[] => {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw badRequest(`\`${where}\` must be a string or a list of parts.`, 'invalid_request', where);
  return content.map((part, index): UserPart => {
    const at = `${where}.${index}`;
    if (!isObject(part)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part.type === 'image_url') {
      const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
      if (typeof url !== 'string') throw badRequest(`\`${at}.image_url.url\` must be a string.`, 'invalid_request', at);
      const data = parseDataUrl(url);
      return { type: 'image', source: data ? { kind: 'base64', ...data } : { kind: 'url', url } };
    }
    if (part.type === 'file' && isObject(part.file) && typeof part.file.file_data === 'string') {
      const data = parseDataUrl(part.file.file_data);
      if (!data) throw badRequest(`\`${at}.file.file_data\` must be a base64 data URL.`, 'invalid_request', at);
      return { type: 'document', source: { kind: 'base64', ...data }, ...(typeof part.file.filename === 'string' ? { title: part.file.filename } : {}) };
    }
    throw badRequest(`\`${at}.type\` ${quote(part.type)} is not supported for this model.`, 'invalid_request', at);
  });
};

const assistantParts = (message: Json, where: string): AssistantPart[] => {
  const parts: AssistantPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', text: reasoning });
  const text = textOf(message.content, `${where}.content`);
  if (text !== '') parts.push({ type: 'text', text });
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((call, index) => {
      const at = `${where}.tool_calls.${index}`;
      const fn = isObject(call) && isObject(call.function) ? call.function : null;
      if (!fn || typeof call.id !== 'string' || typeof fn.name !== 'string') throw badRequest(`\`${at}\` needs an id and a function name.`, 'invalid_request', at);
      parts.push({ type: 'tool-call', id: call.id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) });
    });
  }
  return parts;
};

const parseTools = (value: unknown): ToolDefinition[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest('`tools` must be a list.', 'invalid_request', 'tools');
  return value.map((tool, index) => {
    const at = `tools.${index}`;
    const fn = isObject(tool) && tool.type === 'function' && isObject(tool.function) ? tool.function : null;
    if (!fn || typeof fn.name !== 'string') throw badRequest(`\`${at}\` must be {type: "function", function: {name, …}}.`, 'invalid_request', at);
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      inputSchema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
  });
};

const parseToolChoice = (value: unknown): ToolChoice | undefined => {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isObject(value) && isObject(value.function) && typeof value.function.name === 'string') return { type: 'tool', name: value.function.name };
  throw badRequest('`tool_choice` must be "auto", "none", "required" or {type: "function", function: {name}}.', 'invalid_request', 'tool_choice');
};

export const parseOpenAIChatRequest = (body: Json): NeutralRequest => {
  if (typeof body.model !== 'string' || body.model === '') throw badRequest('`model` is required.', 'missing_model', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw badRequest('`messages` must be a non-empty list.', 'invalid_messages', 'messages');
  if (typeof body.n === 'number' && body.n > 1) throw badRequest('`n` greater than 1 is not supported for this model.', 'invalid_request', 'n');
  const system: TextPart[] = [];
  const messages: NeutralMessage[] = [];
  body.messages.forEach((message, index) => {
    const at = `messages.${index}`;
    if (!isObject(message)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    switch (message.role) {
      case 'system':
      case 'developer': {
        // Protocols with one top-level system prompt get every system message, in order.
        const text = textOf(message.content, `${at}.content`);
        if (text !== '') system.push({ type: 'text', text });
        return;
      }
      case 'user':
        messages.push({ role: 'user', content: userParts(message.content, `${at}.content`) });
        return;
      case 'assistant':
        messages.push({ role: 'assistant', content: assistantParts(message, at) });
        return;
      case 'tool': {
        if (typeof message.tool_call_id !== 'string') throw badRequest(`\`${at}.tool_call_id\` must be a string.`, 'invalid_request', at);
        const text = textOf(message.content, `${at}.content`);
        messages.push({ role: 'user', content: [{ type: 'tool-result', toolCallId: message.tool_call_id, content: [{ type: 'text', text }] }] });
        return;
      }
      default:
        throw badRequest(`\`${at}.role\` ${quote(message.role)} is not supported.`, 'invalid_request', at);
    }
  });
  const request: NeutralRequest = { model: body.model, system, messages, stream: body.stream === true };
  const maxTokens = optionalInteger(body, 'max_completion_tokens', 1) ?? optionalInteger(body, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const topK = optionalInteger(body, 'top_k', 0);
  if (topK !== undefined) request.topK = topK;
  const stops = stringList(body.stop, 'stop');
  if (stops && stops.length > 0) request.stopSequences = stops;
  const tools = parseTools(body.tools);
  if (tools && tools.length > 0) request.tools = tools;
  const toolChoice = parseToolChoice(body.tool_choice);
  if (toolChoice) request.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') request.parallelToolCalls = body.parallel_tool_calls;
  const effort = body.reasoning_effort;
  if (effort === 'none' || effort === 'minimal' || effort === 'low' || effort === 'medium' || effort === 'high') request.reasoning = { effort };
  const format = body.response_format;
  if (isObject(format)) {
    if (format.type === 'json_object') request.responseFormat = { type: 'json' };
    else if (format.type === 'json_schema' && isObject(format.json_schema) && isObject(format.json_schema.schema)) {
      request.responseFormat = {
        type: 'json-schema',
        schema: format.json_schema.schema,
        ...(typeof format.json_schema.name === 'string' ? { name: format.json_schema.name } : {}),
        ...(typeof format.json_schema.strict === 'boolean' ? { strict: format.json_schema.strict } : {}),
      };
    }
  }
  if (typeof body.user === 'string' && body.user !== '') request.user = body.user.slice(0, 256);
  if (isObject(body.stream_options) && body.stream_options.include_usage === true) request.streamUsage = true;
  return request;
};
