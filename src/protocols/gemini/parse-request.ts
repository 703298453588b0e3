import { badRequest } from '../../core/gateway-error.js';
import type { AssistantPart, NeutralMessage, NeutralRequest, TextPart, ToolChoice, ToolDefinition, UserPart } from '../../core/neutral-request.js';
import { isObject, quote, type Json } from '../request-checks.js';
import { pushThought, syntheticCallId } from './decode-response.js';

/**
 * Gemini `generateContent` request → neutral (https://ai.google.dev/api/generate-content).
 * Google's JSON parser takes both proto field spellings (`systemInstruction` and
 * `system_instruction`); so does this one. The model and streaming come from the URL.
 */
export const field = (object: Json, camel: string, snake: string): unknown => object[camel] ?? object[snake];

const number = (config: Json, camel: string, snake: string, min: number, max: number): number | undefined => {
  const value = field(config, camel, snake);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw badRequest(`\`generationConfig.${camel}\` must be a number between ${min} and ${max}.`, 'invalid_request', `generationConfig.${camel}`);
  }
  return value;
};

/** Gemini schemas (uppercase OpenAPI types, `nullable`) → JSON Schema for other vendors. */
export const fromGeminiSchema = (schema: unknown, depth = 0): Json => {
  if (!isObject(schema) || depth > 32) return {};
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') out.type = value.toLowerCase();
    else if (key === 'properties' && isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, fromGeminiSchema(inner, depth + 1)]));
    else if (key === 'items') out.items = fromGeminiSchema(value, depth + 1);
    else if (key === 'anyOf' && Array.isArray(value)) out.anyOf = value.map((inner) => fromGeminiSchema(inner, depth + 1));
    else if (key !== 'nullable' && key !== 'propertyOrdering') out[key] = value;
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
};

const textOfParts = (value: unknown, where: string): TextPart[] => {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const parts = isObject(value) ? value.parts : value;
  if (!Array.isArray(parts)) throw badRequest(`\`${where}\` must be a Content with parts.`, 'invalid_request', where);
  return parts.filter((part): part is Json => isObject(part) && typeof part.text === 'string').map((part) => ({ type: 'text', text: part.text as string }));
};

const mediaPart = (part: Json, at: string): UserPart | null => {
  const inline = field(part, 'inlineData', 'inline_data');
  if (isObject(inline)) {
    const mimeType = field(inline, 'mimeType', 'mime_type');
    if (typeof mimeType !== 'string' || typeof inline.data !== 'string') throw badRequest(`\`${at}.inlineData\` needs mimeType and data.`, 'invalid_request', at);
    const source = { kind: 'base64' as const, mediaType: mimeType.toLowerCase(), data: inline.data };
    return mimeType.toLowerCase().startsWith('image/') ? { type: 'image', source } : { type: 'document', source };
  }
  const file = field(part, 'fileData', 'file_data');
  if (isObject(file)) {
    const uri = field(file, 'fileUri', 'file_uri');
    if (typeof uri !== 'string') throw badRequest(`\`${at}.fileData.fileUri\` must be a string.`, 'invalid_request', at);
    return { type: 'image', source: { kind: 'url', url: uri } };
  }
  return null;
};

const resultText = (response: unknown): { text: string; isError: boolean } => {
  if (isObject(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1 && typeof response.output === 'string') return { text: response.output, isError: false };
    if (keys.length === 1 && response.error !== undefined) return { text: typeof response.error === 'string' ? response.error : JSON.stringify(response.error), isError: true };
  }
  return { text: JSON.stringify(response ?? {}), isError: false };
};

const messages = (contents: unknown): NeutralMessage[] => {
  if (!Array.isArray(contents) || contents.length === 0) throw badRequest('`contents` must be a non-empty list.', 'invalid_request', 'contents');
  // Calls without ids get one, and responses without ids are matched to them by name, in order.
  const openCalls = new Map<string, string[]>();
  const out: NeutralMessage[] = [];
  contents.forEach((content, index) => {
    const where = `contents.${index}`;
    if (!isObject(content) || !Array.isArray(content.parts)) throw badRequest(`\`${where}.parts\` must be a list.`, 'invalid_request', where);
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function') throw badRequest(`\`${where}.role\` ${quote(role)} must be "user" or "model".`, 'invalid_request', where);
    if (role === 'model') {
      const parts: AssistantPart[] = [];
      content.parts.forEach((part: unknown, at) => {
        if (!isObject(part)) throw badRequest(`\`${where}.parts.${at}\` must be an object.`, 'invalid_request', where);
        const signature = field(part, 'thoughtSignature', 'thought_signature');
        const sig = typeof signature === 'string' && signature ? signature : undefined;
        if (part.thought === true) {
          pushThought(parts, typeof part.text === 'string' ? part.text : '', sig);
          return;
        }
        if (sig) parts.push({ type: 'reasoning', text: '', signature: sig });
        const call = field(part, 'functionCall', 'function_call');
        if (typeof part.text === 'string') parts.push({ type: 'text', text: part.text });
        else if (isObject(call) && typeof call.name === 'string') {
          const id = typeof call.id === 'string' && call.id ? call.id : syntheticCallId();
          openCalls.set(call.name, [...(openCalls.get(call.name) ?? []), id]);
          parts.push({ type: 'tool-call', id, name: call.name, arguments: JSON.stringify(isObject(call.args) ? call.args : {}) });
        }
      });
      out.push({ role: 'assistant', content: parts });
      return;
    }
    const parts: UserPart[] = [];
    content.parts.forEach((part: unknown, at) => {
      const partAt = `${where}.parts.${at}`;
      if (!isObject(part)) throw badRequest(`\`${partAt}\` must be an object.`, 'invalid_request', partAt);
      if (typeof part.text === 'string') {
        parts.push({ type: 'text', text: part.text });
        return;
      }
      const response = field(part, 'functionResponse', 'function_response');
      if (isObject(response) && typeof response.name === 'string') {
        const queue = openCalls.get(response.name);
        const id = typeof response.id === 'string' && response.id ? response.id : (queue?.shift() ?? syntheticCallId());
        if (queue && typeof response.id === 'string') {
          const at2 = queue.indexOf(response.id);
          if (at2 >= 0) queue.splice(at2, 1);
        }
        const { text, isError } = resultText(response.response);
        parts.push({ type: 'tool-result', toolCallId: id, content: [{ type: 'text', text }], ...(isError ? { isError } : {}) });
        return;
      }
      const media = mediaPart(part, partAt);
      if (media) parts.push(media);
      // executableCode, videoMetadata, …: nothing a neutral vendor can use.
    });
    out.push({ role: 'user', content: parts });
  });
  return out;
};

const tools = (value: unknown): ToolDefinition[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest('`tools` must be a list.', 'invalid_request', 'tools');
  const defined: ToolDefinition[] = [];
  for (const tool of value) {
    const declarations = isObject(tool) ? field(tool, 'functionDeclarations', 'function_declarations') : undefined;
    if (!Array.isArray(declarations)) continue; // googleSearch, codeExecution: Gemini's own tools
    for (const declaration of declarations) {
      if (!isObject(declaration) || typeof declaration.name !== 'string' || declaration.name === '') throw badRequest('Every function declaration needs a name.', 'invalid_request', 'tools');
      const jsonSchema = field(declaration, 'parametersJsonSchema', 'parameters_json_schema');
      const schema = isObject(jsonSchema) ? jsonSchema : isObject(declaration.parameters) ? fromGeminiSchema(declaration.parameters) : { type: 'object', properties: {} };
      defined.push({ name: declaration.name, ...(typeof declaration.description === 'string' ? { description: declaration.description } : {}), inputSchema: schema });
    }
  }
  return defined.length > 0 ? defined : undefined;
};

const toolChoice = (value: unknown): ToolChoice | undefined => {
  const config = isObject(value) ? field(value, 'functionCallingConfig', 'function_calling_config') : undefined;
  if (!isObject(config)) return undefined;
  const names = field(config, 'allowedFunctionNames', 'allowed_function_names');
  if (config.mode === 'NONE') return { type: 'none' };
  if (config.mode === 'ANY') return Array.isArray(names) && names.length === 1 && typeof names[0] === 'string' ? { type: 'tool', name: names[0] } : { type: 'required' };
  return { type: 'auto' };
};

export const parseGeminiRequest = (body: Json, model: string, stream: boolean): NeutralRequest => {
  const request: NeutralRequest = { model, system: [], messages: messages(body.contents), stream };
  const system = field(body, 'systemInstruction', 'system_instruction');
  if (system !== undefined && system !== null) request.system = textOfParts(system, 'systemInstruction');
  const config = field(body, 'generationConfig', 'generation_config');
  if (config !== undefined && !isObject(config)) throw badRequest('`generationConfig` must be an object.', 'invalid_request', 'generationConfig');
  if (isObject(config)) {
    const max = number(config, 'maxOutputTokens', 'max_output_tokens', 1, 1_000_000);
    if (max !== undefined) request.maxTokens = Math.floor(max);
    request.temperature = number(config, 'temperature', 'temperature', 0, 2);
    request.topP = number(config, 'topP', 'top_p', 0, 1);
    const topK = number(config, 'topK', 'top_k', 1, 1_000_000);
    if (topK !== undefined) request.topK = Math.floor(topK);
    const stops = field(config, 'stopSequences', 'stop_sequences');
    if (Array.isArray(stops)) request.stopSequences = stops.filter((stop): stop is string => typeof stop === 'string');
    const mime = field(config, 'responseMimeType', 'response_mime_type');
    const jsonSchema = field(config, 'responseJsonSchema', 'response_json_schema');
    const schema = field(config, 'responseSchema', 'response_schema');
    if (isObject(jsonSchema)) request.responseFormat = { type: 'json-schema', schema: jsonSchema, name: 'response' };
    else if (isObject(schema)) request.responseFormat = { type: 'json-schema', schema: fromGeminiSchema(schema), name: 'response' };
    else if (mime === 'application/json') request.responseFormat = { type: 'json' };
    const thinking = field(config, 'thinkingConfig', 'thinking_config');
    if (isObject(thinking)) {
      const budget = field(thinking, 'thinkingBudget', 'thinking_budget');
      const level = field(thinking, 'thinkingLevel', 'thinking_level');
      const levelName = typeof level === 'string' ? level.toLowerCase() : undefined;
      if (typeof budget === 'number' && budget > 0) request.reasoning = { budgetTokens: Math.floor(budget) };
      // thinkingBudget 0 turns thinking off (ai.google.dev/gemini-api/docs/thinking).
      else if (budget === 0) request.reasoning = { effort: 'none' };
      else if (levelName === 'minimal' || levelName === 'low' || levelName === 'medium' || levelName === 'high') request.reasoning = { effort: levelName };
      else if (budget === -1 || field(thinking, 'includeThoughts', 'include_thoughts') === true) request.reasoning = { effort: 'medium' };
    }
  }
  request.tools = tools(body.tools);
  request.toolChoice = toolChoice(field(body, 'toolConfig', 'tool_config'));
  for (const key of ['temperature', 'topP', 'topK', 'tools', 'toolChoice', 'maxTokens'] as const) if (request[key] === undefined) delete request[key];
  return request;
};

const TOKENS_PER_IMAGE = 258;

/** A quick prompt estimate (characters / 4, Gemini's 258 tokens per image) for limits before the vendor answers. */
export const estimateGeminiInputTokens = (body: Json): { tokens: number; images: number } => {
  let characters = 0;
  let images = 0;
  const visit = (value: unknown, depth: number) => {
    if (depth > 64) return;
    if (typeof value === 'string') characters += value.length;
    else if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
    else if (isObject(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'inlineData' || key === 'inline_data' || key === 'fileData' || key === 'file_data') images += 1;
        else visit(inner, depth + 1);
      }
    }
  };
  visit(body.contents, 0);
  visit(field(body, 'systemInstruction', 'system_instruction'), 0);
  visit(body.tools, 0);
  return { tokens: Math.max(1, Math.ceil(characters / 4)) + TOKENS_PER_IMAGE * images, images };
};
