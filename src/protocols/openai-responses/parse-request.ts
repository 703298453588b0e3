import { badRequest } from '../../core/gateway-error.js';
import type { AssistantPart, NeutralMessage, NeutralRequest, TextPart, ToolChoice, ToolDefinition, UserPart } from '../../core/neutral-request.js';
import { isObject, optionalInteger, optionalNumber, parseDataUrl, quote, type Json } from '../request-checks.js';
import { readReasoningCarrier } from './reasoning-carrier.js';

/**
 * A Responses API body (https://platform.openai.com/docs/api-reference/responses/create)
 * → the neutral request. `input` is a string or a list of items; system/developer
 * messages and `instructions` become the system prompt; `function_call` and
 * `function_call_output` items become tool calls and tool results.
 */

/** Built-in tools the gateway cannot run for a vendor that only chats. */
const BUILT_IN_TOOL = /^(web_search|web_search_preview|file_search|computer|computer_use_preview|code_interpreter|image_generation|local_shell|shell|mcp|apply_patch|custom)/;

const text = (value: string): TextPart => ({ type: 'text', text: value });

const imagePart = (part: Json, field: string): UserPart => {
  const url = part.image_url;
  if (typeof url !== 'string' || url === '') {
    throw badRequest(`\`${field}.image_url\` must be a URL or a data URL (file_id images are not supported).`, 'invalid_request', field);
  }
  const data = parseDataUrl(url);
  return { type: 'image', source: data ? { kind: 'base64', mediaType: data.mediaType, data: data.data } : { kind: 'url', url } };
};

const filePart = (part: Json, field: string): UserPart => {
  const title = typeof part.filename === 'string' ? part.filename : undefined;
  if (typeof part.file_data === 'string') {
    const data = parseDataUrl(part.file_data);
    if (data) return { type: 'document', source: { kind: 'base64', mediaType: data.mediaType, data: data.data }, ...(title ? { title } : {}) };
    return { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: part.file_data }, ...(title ? { title } : {}) };
  }
  if (typeof part.file_url === 'string') return { type: 'document', source: { kind: 'url', url: part.file_url }, ...(title ? { title } : {}) };
  throw badRequest(`\`${field}\` needs \`file_data\` or \`file_url\` (file_id is not supported).`, 'invalid_request', field);
};

const userParts = (content: unknown, field: string): UserPart[] => {
  if (typeof content === 'string') return [text(content)];
  if (!Array.isArray(content)) throw badRequest(`\`${field}\` must be a string or a list of content parts.`, 'invalid_request', field);
  return content.map((part, index): UserPart => {
    const at = `${field}[${index}]`;
    if (!isObject(part)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        if (typeof part.text !== 'string') throw badRequest(`\`${at}.text\` must be a string.`, 'invalid_request', at);
        return text(part.text);
      case 'input_image':
        return imagePart(part, at);
      case 'input_file':
        return filePart(part, at);
      default:
        throw badRequest(`\`${at}.type\` ${quote(part.type)} is not supported.`, 'invalid_request', at);
    }
  });
};

const assistantText = (content: unknown, field: string): AssistantPart[] => {
  if (typeof content === 'string') return [text(content)];
  if (!Array.isArray(content)) throw badRequest(`\`${field}\` must be a string or a list of content parts.`, 'invalid_request', field);
  const parts: AssistantPart[] = [];
  for (const part of content) {
    if (!isObject(part)) continue;
    if ((part.type === 'output_text' || part.type === 'input_text' || part.type === 'text') && typeof part.text === 'string') parts.push(text(part.text));
    else if (part.type === 'refusal' && typeof part.refusal === 'string') parts.push(text(part.refusal));
  }
  return parts;
};

const toolOutput = (output: unknown, field: string): UserPart => {
  if (typeof output === 'string') return { type: 'text', text: output };
  if (Array.isArray(output)) {
    const parts = userParts(output, field).filter((part): part is TextPart => part.type === 'text');
    return { type: 'text', text: parts.map((part) => part.text).join('') };
  }
  throw badRequest(`\`${field}\` must be a string.`, 'invalid_request', field);
};

/** The conversation items → neutral messages, merging neighbours of the same role. */
export const parseInputItems = (input: unknown, system: TextPart[]): NeutralMessage[] => {
  const messages: NeutralMessage[] = [];
  const user = (parts: UserPart[]) => {
    const last = messages.at(-1);
    if (last?.role === 'user') last.content.push(...parts);
    else messages.push({ role: 'user', content: parts });
  };
  const assistant = (parts: AssistantPart[]) => {
    const last = messages.at(-1);
    if (last?.role === 'assistant') last.content.push(...parts);
    else messages.push({ role: 'assistant', content: parts });
  };
  if (typeof input === 'string') {
    user([text(input)]);
    return messages;
  }
  if (!Array.isArray(input)) throw badRequest('`input` must be a string or a list of items.', 'invalid_request', 'input');
  input.forEach((item, index) => {
    const at = `input[${index}]`;
    if (!isObject(item)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    const type = item.type ?? 'message';
    switch (type) {
      case 'message': {
        const role = item.role;
        if (role === 'user') user(userParts(item.content, `${at}.content`));
        else if (role === 'assistant') assistant(assistantText(item.content, `${at}.content`));
        else if (role === 'system' || role === 'developer') {
          for (const part of userParts(item.content, `${at}.content`)) if (part.type === 'text') system.push(part);
        } else throw badRequest(`\`${at}.role\` must be user, assistant, system or developer.`, 'invalid_request', at);
        break;
      }
      case 'function_call': {
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string') {
          throw badRequest(`\`${at}\` needs \`call_id\` and \`name\`.`, 'invalid_request', at);
        }
        assistant([{ type: 'tool-call', id: item.call_id, name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : '{}' }]);
        break;
      }
      case 'function_call_output': {
        if (typeof item.call_id !== 'string') throw badRequest(`\`${at}.call_id\` must be a string.`, 'invalid_request', at);
        const output = toolOutput(item.output, `${at}.output`);
        user([{ type: 'tool-result', toolCallId: item.call_id, content: output.type === 'text' ? [output] : [] }]);
        break;
      }
      case 'reasoning': {
        const carried = readReasoningCarrier(item.encrypted_content);
        if (carried) {
          assistant([{ type: 'reasoning', text: carried.text, ...(carried.signature ? { signature: carried.signature } : {}) }]);
          break;
        }
        const summary = Array.isArray(item.summary) ? item.summary : [];
        const content = Array.isArray(item.content) ? item.content : [];
        const said = [...content, ...summary]
          .map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
          .filter((part) => part !== '')
          .join('\n');
        if (said !== '') assistant([{ type: 'reasoning', text: said }]);
        break;
      }
      case 'item_reference':
        throw badRequest(`\`${at}\`: item references are not supported; send the item itself or use previous_response_id.`, 'invalid_request', at);
      default:
        throw badRequest(`\`${at}.type\` ${quote(type)} is not supported.`, 'invalid_request', at);
    }
  });
  return messages;
};

const parseTools = (value: unknown): ToolDefinition[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest('`tools` must be a list.', 'invalid_request', 'tools');
  return value.map((tool, index): ToolDefinition => {
    const at = `tools[${index}]`;
    if (!isObject(tool)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    if (tool.type !== 'function') {
      const kind = typeof tool.type === 'string' && BUILT_IN_TOOL.test(tool.type) ? 'built-in tool' : 'tool type';
      throw badRequest(
        `The ${kind} ${quote(tool.type)} is not supported for this model: only \`function\` tools are translated; built-in tools need a deployment with \`protocol: openai-responses\`.`,
        'unsupported_tool',
        at,
      );
    }
    if (typeof tool.name !== 'string' || tool.name === '') throw badRequest(`\`${at}.name\` must be a non-empty string.`, 'invalid_request', at);
    return {
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      inputSchema: isObject(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
    };
  });
};

const parseToolChoice = (value: unknown): ToolChoice | undefined => {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isObject(value) && value.type === 'function' && typeof value.name === 'string') return { type: 'tool', name: value.name };
  throw badRequest('`tool_choice` must be "auto", "none", "required" or {"type":"function","name":…}.', 'invalid_request', 'tool_choice');
};

const parseFormat = (body: Json): NeutralRequest['responseFormat'] => {
  const textOptions = body.text;
  if (textOptions === undefined || textOptions === null) return undefined;
  if (!isObject(textOptions)) throw badRequest('`text` must be an object.', 'invalid_request', 'text');
  const format = textOptions.format;
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) throw badRequest('`text.format` must be an object.', 'invalid_request', 'text.format');
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  if (format.type === 'json_schema') {
    if (!isObject(format.schema)) throw badRequest('`text.format.schema` must be a JSON Schema object.', 'invalid_request', 'text.format.schema');
    return {
      type: 'json-schema',
      schema: format.schema,
      ...(typeof format.name === 'string' ? { name: format.name } : {}),
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    };
  }
  throw badRequest('`text.format.type` must be text, json_object or json_schema.', 'invalid_request', 'text.format.type');
};

// "none" is kept: a vendor that thinks by default is told not to (src/providers/rules).
const EFFORTS = new Map<unknown, 'none' | 'minimal' | 'low' | 'medium' | 'high' | null>([
  ['none', 'none'],
  ['minimal', 'minimal'],
  ['low', 'low'],
  ['medium', 'medium'],
  ['high', 'high'],
  ['xhigh', 'high'],
]);

const parseReasoning = (value: unknown): NeutralRequest['reasoning'] => {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badRequest('`reasoning` must be an object.', 'invalid_request', 'reasoning');
  if (value.effort === undefined || value.effort === null) return undefined;
  const effort = EFFORTS.get(value.effort);
  if (effort === undefined) throw badRequest('`reasoning.effort` must be none, minimal, low, medium, high or xhigh.', 'invalid_request', 'reasoning.effort');
  return effort === null ? undefined : { effort };
};

export const checkMetadata = (value: unknown): void => {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw badRequest('`metadata` must be an object of strings.', 'invalid_request', 'metadata');
  const entries = Object.entries(value);
  if (entries.length > 16) throw badRequest('`metadata` takes at most 16 keys.', 'invalid_request', 'metadata');
  for (const [key, item] of entries) {
    if (key.length > 64 || typeof item !== 'string' || item.length > 512) {
      throw badRequest('`metadata` keys are at most 64 characters and values strings of at most 512.', 'invalid_request', 'metadata');
    }
  }
};

export const parseResponsesRequest = (body: Json): NeutralRequest => {
  if (typeof body.model !== 'string' || body.model === '') throw badRequest('`model` is required.', 'missing_model', 'model');
  if (body.input === undefined || body.input === null) throw badRequest('`input` is required.', 'invalid_request', 'input');
  checkMetadata(body.metadata);
  const system: TextPart[] = [];
  if (body.instructions !== undefined && body.instructions !== null) {
    if (typeof body.instructions !== 'string') throw badRequest('`instructions` must be a string.', 'invalid_request', 'instructions');
    if (body.instructions !== '') system.push(text(body.instructions));
  }
  const messages = parseInputItems(body.input, system);
  if (messages.length === 0) throw badRequest('`input` holds no user or assistant item.', 'invalid_request', 'input');
  const request: NeutralRequest = { model: body.model, system, messages, stream: body.stream === true, streamUsage: true };
  const maxTokens = optionalInteger(body, 'max_output_tokens', 1);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const tools = parseTools(body.tools);
  if (tools && tools.length > 0) request.tools = tools;
  const toolChoice = parseToolChoice(body.tool_choice);
  if (toolChoice) request.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') request.parallelToolCalls = body.parallel_tool_calls;
  const format = parseFormat(body);
  if (format) request.responseFormat = format;
  const reasoning = parseReasoning(body.reasoning);
  if (reasoning) request.reasoning = reasoning;
  const user = typeof body.safety_identifier === 'string' ? body.safety_identifier : typeof body.user === 'string' ? body.user : undefined;
  if (user) request.user = user.slice(0, 256);
  return request;
};
