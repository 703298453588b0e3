import { badRequest } from '../../core/gateway-error.js';
import type {
  AssistantPart,
  CacheControl,
  DocumentPart,
  ImagePart,
  MediaSource,
  NeutralMessage,
  NeutralRequest,
  TextPart,
  ToolChoice,
  ToolDefinition,
  UserPart,
} from '../../core/neutral-request.js';
import { isObject, optionalInteger, optionalNumber, quote, stringList, type Json } from '../request-checks.js';

/**
 * Anthropic Messages request → neutral (https://docs.anthropic.com/en/api/messages).
 * Used only when the deployment speaks another protocol; anything the neutral form
 * cannot carry is refused with a 400 naming it rather than silently dropped.
 */

const cacheOf = (block: Json): { cacheControl?: CacheControl } =>
  isObject(block.cache_control) ? { cacheControl: block.cache_control } : {};

const mediaSource = (source: unknown, where: string): MediaSource => {
  if (!isObject(source)) throw badRequest(`\`${where}.source\` must be an object.`, 'invalid_request', where);
  if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return { kind: 'base64', mediaType: source.media_type, data: source.data };
  }
  if (source.type === 'url' && typeof source.url === 'string') return { kind: 'url', url: source.url };
  throw badRequest(`\`${where}.source\` must be {type: "base64", media_type, data} or {type: "url", url}.`, 'invalid_request', where);
};

const textBlock = (block: Json, where: string): TextPart => {
  if (typeof block.text !== 'string') throw badRequest(`\`${where}.text\` must be a string.`, 'invalid_request', where);
  return { type: 'text', text: block.text, ...cacheOf(block) };
};

const imageBlock = (block: Json, where: string): ImagePart => ({ type: 'image', source: mediaSource(block.source, where), ...cacheOf(block) });

const documentBlock = (block: Json, where: string): DocumentPart => {
  const source = block.source;
  const title = typeof block.title === 'string' ? { title: block.title } : {};
  if (isObject(source) && source.type === 'text' && typeof source.data === 'string') {
    return { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: source.data }, ...title, ...cacheOf(block) };
  }
  return { type: 'document', source: mediaSource(source, where), ...title, ...cacheOf(block) };
};

const toolResultContent = (content: unknown, where: string): Array<TextPart | ImagePart> => {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw badRequest(`\`${where}.content\` must be a string or a list of blocks.`, 'invalid_request', where);
  return content.map((item, index) => {
    const at = `${where}.content.${index}`;
    if (!isObject(item)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    if (item.type === 'text') return textBlock(item, at);
    if (item.type === 'image') return imageBlock(item, at);
    throw badRequest(`\`${at}.type\` ${quote(item.type)} is not supported inside tool_result.`, 'invalid_request', at);
  });
};

const blocksOf = (content: unknown, where: string): Json[] => {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw badRequest(`\`${where}\` must be a string or a list of content blocks.`, 'invalid_request', where);
  return content.map((block, index) => {
    if (!isObject(block)) throw badRequest(`\`${where}.${index}\` must be an object.`, 'invalid_request', `${where}.${index}`);
    return block;
  });
};

const userParts = (content: unknown, where: string): UserPart[] =>
  blocksOf(content, where).map((block, index): UserPart => {
    const at = `${where}.${index}`;
    switch (block.type) {
      case 'text':
        return textBlock(block, at);
      case 'image':
        return imageBlock(block, at);
      case 'document':
        return documentBlock(block, at);
      case 'tool_result':
        if (typeof block.tool_use_id !== 'string') throw badRequest(`\`${at}.tool_use_id\` must be a string.`, 'invalid_request', at);
        return {
          type: 'tool-result',
          toolCallId: block.tool_use_id,
          content: toolResultContent(block.content, at),
          ...(block.is_error === true ? { isError: true } : {}),
          ...cacheOf(block),
        };
      default:
        throw badRequest(`\`${at}.type\` ${quote(block.type)} is not supported in a user message for this model.`, 'invalid_request', at);
    }
  });

const assistantParts = (content: unknown, where: string): AssistantPart[] =>
  blocksOf(content, where).map((block, index): AssistantPart => {
    const at = `${where}.${index}`;
    switch (block.type) {
      case 'text':
        return textBlock(block, at);
      case 'thinking':
        return {
          type: 'reasoning',
          text: typeof block.thinking === 'string' ? block.thinking : '',
          ...(typeof block.signature === 'string' && block.signature ? { signature: block.signature } : {}),
        };
      case 'redacted_thinking':
        return { type: 'redacted-reasoning', data: typeof block.data === 'string' ? block.data : '' };
      case 'tool_use':
        if (typeof block.id !== 'string' || typeof block.name !== 'string') {
          throw badRequest(`\`${at}\` needs a string \`id\` and \`name\`.`, 'invalid_request', at);
        }
        return { type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}), ...cacheOf(block) };
      default:
        throw badRequest(`\`${at}.type\` ${quote(block.type)} is not supported in an assistant message for this model.`, 'invalid_request', at);
    }
  });

const parseTools = (value: unknown): ToolDefinition[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest('`tools` must be a list.', 'invalid_request', 'tools');
  return value.map((tool, index) => {
    const at = `tools.${index}`;
    if (!isObject(tool) || typeof tool.name !== 'string' || tool.name === '') throw badRequest(`\`${at}.name\` must be a string.`, 'invalid_request', at);
    // Server tools (web_search_…, bash_…, text_editor_…) run at Anthropic; nothing else can run them.
    if (tool.type !== undefined && tool.type !== 'custom') {
      throw badRequest(`\`${at}.type\` ${quote(tool.type)} is an Anthropic server tool; this model only takes custom tools.`, 'invalid_request', at);
    }
    const schema = tool.input_schema ?? { type: 'object', properties: {} };
    if (!isObject(schema)) throw badRequest(`\`${at}.input_schema\` must be a JSON schema object.`, 'invalid_request', at);
    return {
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      inputSchema: schema,
      ...cacheOf(tool),
    };
  });
};

const parseToolChoice = (value: unknown): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } => {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badRequest('`tool_choice` must be an object.', 'invalid_request', 'tool_choice');
  const parallel = value.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (value.type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel };
    case 'none':
      return { toolChoice: { type: 'none' } };
    case 'tool':
      if (typeof value.name !== 'string') throw badRequest('`tool_choice.name` must be a string.', 'invalid_request', 'tool_choice');
      return { toolChoice: { type: 'tool', name: value.name }, ...parallel };
    default:
      throw badRequest('`tool_choice.type` must be auto, any, tool or none.', 'invalid_request', 'tool_choice');
  }
};

const parseSystem = (value: unknown): TextPart[] => {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  if (!Array.isArray(value)) throw badRequest('`system` must be a string or a list of text blocks.', 'invalid_request', 'system');
  return value.map((block, index) => {
    if (!isObject(block) || block.type !== 'text') throw badRequest(`\`system.${index}\` must be a text block.`, 'invalid_request', 'system');
    return textBlock(block, `system.${index}`);
  });
};

export const parseAnthropicRequest = (body: Json): NeutralRequest => {
  if (typeof body.model !== 'string' || body.model === '') throw badRequest('`model` is required.', 'missing_model', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw badRequest('`messages` must be a non-empty list.', 'invalid_messages', 'messages');
  }
  const messages: NeutralMessage[] = body.messages.map((message, index) => {
    const at = `messages.${index}`;
    if (!isObject(message)) throw badRequest(`\`${at}\` must be an object.`, 'invalid_request', at);
    if (message.role === 'user') return { role: 'user', content: userParts(message.content, `${at}.content`) };
    if (message.role === 'assistant') return { role: 'assistant', content: assistantParts(message.content, `${at}.content`) };
    throw badRequest(`\`${at}.role\` must be "user" or "assistant".`, 'invalid_request', at);
  });
  const request: NeutralRequest = { model: body.model, system: parseSystem(body.system), messages, stream: body.stream === true };
  const maxTokens = optionalInteger(body, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const topK = optionalInteger(body, 'top_k', 0);
  if (topK !== undefined) request.topK = topK;
  const stops = stringList(body.stop_sequences, 'stop_sequences');
  if (stops && stops.length > 0) request.stopSequences = stops;
  const tools = parseTools(body.tools);
  if (tools && tools.length > 0) request.tools = tools;
  Object.assign(request, parseToolChoice(body.tool_choice));
  const thinking = body.thinking;
  // `disabled` is the client saying no thinking: vendors that think by default are told so.
  if (isObject(thinking) && thinking.type === 'disabled') request.reasoning = { effort: 'none' };
  if (isObject(thinking) && thinking.type === 'enabled') {
    const budget = typeof thinking.budget_tokens === 'number' && thinking.budget_tokens > 0 ? Math.floor(thinking.budget_tokens) : undefined;
    request.reasoning = budget === undefined ? {} : { budgetTokens: budget };
  }
  const metadata = body.metadata;
  if (isObject(metadata) && typeof metadata.user_id === 'string' && metadata.user_id !== '') request.user = metadata.user_id.slice(0, 256);
  return request;
};
