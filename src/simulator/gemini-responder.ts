import { badRequest } from '../server/errors.js';
import { splitEven, splitWords } from './chat-plan.js';
import type { Exchange } from './exchange.js';
import { describeImageLine } from './image-inspector.js';
import { writeStream } from './stream-writer.js';
import { checkGeminiThinking } from './thinking-checks.js';
import type { ImageInfo, SimulatorBehavior } from './types.js';

/**
 * A Gemini API upstream (https://ai.google.dev/api/generate-content): generateContent
 * JSON, streamGenerateContent as SSE (`?alt=sse`) or as one JSON array (without it),
 * thought parts with signatures when `thinkingConfig.includeThoughts` is set, function
 * calls with ids, usageMetadata, countTokens. Like Google's API it refuses fields it does
 * not know, so a translation that leaks OpenAI fields (`model`, `stream`) fails loudly.
 */
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const TOKENS_PER_IMAGE = 258;
let sequence = 0;

const KNOWN_FIELDS = new Set([
  'contents', 'systemInstruction', 'system_instruction', 'tools', 'toolConfig', 'tool_config', 'generationConfig', 'generation_config',
  'safetySettings', 'safety_settings', 'cachedContent', 'cached_content', 'labels', 'simulator',
]);
const METHOD = /\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

/** `/v1beta/models/gemini-2.5-flash:generateContent` → model and method; null for other paths. */
export const geminiEndpoint = (path: string): { model: string; method: GeminiMethod } | null => {
  const match = METHOD.exec(path);
  return match ? { model: decodeURIComponent(match[1]!), method: match[2] as GeminiMethod } : null;
};

const field = (object: Json, camel: string, snake: string): unknown => object[camel] ?? object[snake];

/** Every inline image as a data URL, for the shared inspector. */
export const collectGeminiImages = (body: Json | null): string[] => {
  const urls: string[] = [];
  const contents = body && Array.isArray(body.contents) ? body.contents : [];
  for (const content of contents) {
    if (!isObject(content) || !Array.isArray(content.parts)) continue;
    for (const part of content.parts) {
      const inline = isObject(part) ? field(part, 'inlineData', 'inline_data') : null;
      if (isObject(inline) && typeof inline.data === 'string') urls.push(`data:${String(field(inline, 'mimeType', 'mime_type'))};base64,${inline.data}`);
    }
  }
  return urls;
};

export const validateGeminiBody = (body: unknown, method: GeminiMethod, model = ''): Json => {
  if (!isObject(body)) throw badRequest('Invalid JSON payload received.', 'invalid_request');
  // countTokens takes either `contents` or a whole `generateContentRequest`.
  const request = method === 'countTokens' && isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  for (const key of Object.keys(request)) {
    if (!KNOWN_FIELDS.has(key) && !(method === 'countTokens' && key === 'model')) throw badRequest(`Invalid JSON payload received. Unknown name "${key.slice(0, 40)}": Cannot find field.`, 'invalid_request');
  }
  if (!Array.isArray(request.contents) || request.contents.length === 0) throw badRequest('* GenerateContentRequest.contents: contents is not specified', 'invalid_request');
  for (const content of request.contents) {
    if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0) throw badRequest('* GenerateContentRequest.contents: parts must not be empty', 'invalid_request');
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') throw badRequest('Please use a valid role: user, model.', 'invalid_request');
  }
  if (method !== 'countTokens') checkGeminiThinking(model, request);
  return request;
};

const characters = (value: unknown, depth = 0): number => {
  if (depth > 64) return 0;
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((total: number, item) => total + characters(item, depth + 1), 0);
  if (isObject(value)) {
    let total = 0;
    for (const [key, inner] of Object.entries(value)) if (key !== 'inlineData' && key !== 'inline_data' && key !== 'thoughtSignature') total += characters(inner, depth + 1);
    return total;
  }
  return 0;
};

export const geminiPromptTokens = (body: Json, images: number): number =>
  Math.max(1, Math.ceil((characters(body.contents) + characters(field(body, 'systemInstruction', 'system_instruction')) + characters(body.tools)) / 4)) + TOKENS_PER_IMAGE * images;

interface GeminiPlan {
  id: string;
  model: string;
  thoughts: string[];
  signature: string | null;
  text: string[];
  call: { id: string; name: string; args: Json } | null;
  usage: Json;
}

const plan = (body: Json, model: string, images: ImageInfo[], behavior: SimulatorBehavior): GeminiPlan => {
  sequence += 1;
  const contents = body.contents as Json[];
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((tool) => {
    const list = isObject(tool) ? field(tool, 'functionDeclarations', 'function_declarations') : null;
    return Array.isArray(list) ? (list as Json[]) : [];
  });
  const toolConfig = field(body, 'toolConfig', 'tool_config');
  const callingConfig = isObject(toolConfig) ? field(toolConfig, 'functionCallingConfig', 'function_calling_config') : null;
  const mode = isObject(callingConfig) ? callingConfig.mode : undefined;
  const allowed = isObject(callingConfig) ? field(callingConfig, 'allowedFunctionNames', 'allowed_function_names') : undefined;
  const last = contents[contents.length - 1];
  const answered = Array.isArray(last?.parts) && last.parts.some((part) => isObject(part) && field(part, 'functionResponse', 'function_response') !== undefined);
  let callName: string | null = null;
  if (behavior.toolCalls !== false && (behavior.toolCalls === true || (declarations.length > 0 && mode !== 'NONE' && !answered))) {
    callName = Array.isArray(allowed) && typeof allowed[0] === 'string' ? allowed[0] : typeof declarations[0]?.name === 'string' ? declarations[0].name : 'simulated_tool';
  }
  const config = field(body, 'generationConfig', 'generation_config');
  const generation = isObject(config) ? config : {};
  const thinking = field(generation, 'thinkingConfig', 'thinking_config');
  const includeThoughts = isObject(thinking) && field(thinking, 'includeThoughts', 'include_thoughts') === true;
  const json = field(generation, 'responseMimeType', 'response_mime_type') === 'application/json';
  let content = behavior.content ?? (json ? `{"simulated":true,"model":${JSON.stringify(model)}}` : `Simulated reply from ${model}.`);
  if (behavior.content === undefined && !json) for (let index = 0; index < images.length; index += 1) content += `\n${describeImageLine(images[index]!, index + 1)}`;
  const text = callName === null ? (behavior.chunks === undefined ? splitWords(content) : splitEven(content, behavior.chunks)) : [];
  const thoughts = includeThoughts ? splitWords(`**Simulated thinking** from ${model}.`) : [];
  let args: Json = {};
  try {
    const parsed: unknown = JSON.parse(behavior.toolArguments ?? '{}');
    if (isObject(parsed)) args = parsed;
  } catch {
    // a test asked for invalid arguments; Gemini always sends an object
  }
  const prompt = geminiPromptTokens(body, images.length);
  const cached = Math.min(prompt, behavior.cachedPromptTokens ?? 0);
  const candidates = text.length + (callName ? 3 : 0);
  return {
    id: `sim-response-${sequence}`,
    model,
    thoughts,
    signature: isObject(thinking) ? `sig_sim${sequence}_${Buffer.from(model).toString('base64url')}` : null,
    text,
    call: callName === null ? null : { id: `fc_sim${sequence}`, name: callName, args },
    usage: {
      promptTokenCount: prompt,
      candidatesTokenCount: candidates,
      totalTokenCount: prompt + candidates + thoughts.length,
      ...(thoughts.length > 0 ? { thoughtsTokenCount: thoughts.length } : {}),
      ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    },
  };
};

const candidate = (parts: Json[], finish: boolean) => ({
  content: { parts, role: 'model' },
  ...(finish ? { finishReason: 'STOP' } : {}),
  index: 0,
});

const response = (p: GeminiPlan, parts: Json[], finish: boolean, usage: Json) => ({
  candidates: [candidate(parts, finish)],
  usageMetadata: usage,
  modelVersion: p.model,
  responseId: p.id,
});

const callPart = (p: GeminiPlan): Json => ({ functionCall: { id: p.call!.id, name: p.call!.name, args: p.call!.args }, ...(p.signature ? { thoughtSignature: p.signature } : {}) });

const fullParts = (p: GeminiPlan): Json[] => {
  const parts: Json[] = [];
  if (p.thoughts.length > 0) parts.push({ text: p.thoughts.join(''), thought: true });
  if (p.call) parts.push(callPart(p));
  else parts.push({ text: p.text.join(''), ...(p.signature && p.thoughts.length === 0 ? { thoughtSignature: p.signature } : {}) });
  return parts;
};

/** The chunks of a stream: thoughts, then text pieces (or the call); the last carries finishReason and full usage. */
const chunks = (p: GeminiPlan): Json[] => {
  const early = { promptTokenCount: p.usage.promptTokenCount, totalTokenCount: p.usage.promptTokenCount };
  const out: Json[] = p.thoughts.map((thought) => response(p, [{ text: thought, thought: true }], false, early));
  const pieces: Json[] = p.call ? [callPart(p)] : p.text.map((text) => ({ text }));
  pieces.forEach((part, index) => {
    const last = index === pieces.length - 1;
    out.push(response(p, [part], last, last ? p.usage : early));
  });
  return out;
};

export const respondGemini = async (exchange: Exchange, body: Json, model: string, method: GeminiMethod, sse: boolean, images: ImageInfo[], behavior: SimulatorBehavior): Promise<void> => {
  if (method === 'countTokens') {
    exchange.sendJsonWithBehavior({ totalTokens: geminiPromptTokens(body, images.length), promptTokensDetails: [{ modality: 'TEXT', tokenCount: geminiPromptTokens(body, 0) }] }, behavior);
    return;
  }
  const p = plan(body, model, images, behavior);
  if (method === 'generateContent') {
    const tokenDelay = behavior.tokenDelayMs ?? 0;
    if (tokenDelay > 0 && !(await exchange.sleep(tokenDelay * p.text.length))) return;
    exchange.sendJsonWithBehavior(response(p, fullParts(p), true, p.usage), behavior);
    return;
  }
  const list = chunks(p);
  // No end marker: the end of the body is the end of a Gemini stream.
  const events = sse
    ? list.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`)
    : list.map((chunk, index) => `${index === 0 ? '[' : '\r\n,'}${JSON.stringify(chunk)}${index === list.length - 1 ? ']' : ''}`);
  if (behavior.malformedJson) events.splice(1, 0, sse ? 'data: {not json\r\n\r\n' : '{not json');
  await writeStream(exchange, events, behavior, sse ? undefined : 'application/json');
};

/** `GET /v1beta/models`: Google's list format (https://ai.google.dev/api/models#method:-models.list). */
export const geminiModelsList = (): Json => ({
  models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'].map((name) => ({
    name: `models/${name}`,
    version: '001',
    displayName: name,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
  })),
});
