import type { ContentPart, MediaSource, NeutralMessage, NeutralRequest } from '../../core/neutral-request.js';
import type { EgressRequest, EgressTarget } from '../codec.js';
import { argumentsObject, isObject, parseDataUrl, type Json } from '../request-checks.js';
import { toGeminiSchema } from './schema.js';
import { geminiThinkingConfig } from './thinking-config.js';


const mimeOfUrl = (url: string): string => {
  const extension = /\.(\w{2,5})(?:[?#]|$)/.exec(url)?.[1]?.toLowerCase();
  if (extension === 'png') return 'image/png';
  if (extension === 'webp') return 'image/webp';
  if (extension === 'gif') return 'image/gif';
  if (extension === 'pdf') return 'application/pdf';
  return 'image/jpeg';
};

const media = (source: MediaSource): Json => {
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const data = parseDataUrl(source.url);
  if (data) return { inlineData: { mimeType: data.mediaType, data: data.data } };
  return { fileData: { mimeType: mimeOfUrl(source.url), fileUri: source.url } };
};

/** The function's name for each call id: functionResponse parts must name the function. */
const callNames = (messages: NeutralMessage[]): Map<string, string> => {
  const names = new Map<string, string>();
  for (const message of messages) for (const part of message.content) if (part.type === 'tool-call') names.set(part.id, part.name);
  return names;
};

const responseOf = (text: string, isError: boolean): Json => {
  if (!isError) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed)) return parsed;
    } catch {
      // plain text output
    }
  }
  // Gemini's documented keys: `output` for the result, `error` for a failure.
  return isError ? { error: text } : { output: text };
};

/** Gemini-made call ids have no prefix; ids the gateway invents (`call_…`) are not sent back. */
const SYNTHETIC_ID = /^gemini_call_/;

const parts = (content: ContentPart[], names: Map<string, string>): Json[] => {
  const out: Json[] = [];
  // A signature Gemini attached to a non-thought part (a function call) is kept as an
  // empty reasoning part just before it; it goes back on the part that follows.
  let signature: string | null = null;
  const push = (part: Json) => {
    if (signature) {
      part.thoughtSignature = signature;
      signature = null;
    }
    out.push(part);
  };
  for (const part of content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') push({ text: part.text });
        break;
      case 'image':
        push(media(part.source));
        break;
      case 'document':
        push(part.source.kind === 'text' ? { text: part.source.data } : media(part.source));
        break;
      case 'reasoning':
        if (part.text === '') signature = part.signature ?? null;
        else out.push({ text: part.text, thought: true, ...(part.signature ? { thoughtSignature: part.signature } : {}) });
        break;
      case 'redacted-reasoning':
        // Another vendor's encrypted reasoning means nothing to Gemini.
        break;
      case 'tool-call':
        push({ functionCall: { ...(SYNTHETIC_ID.test(part.id) ? {} : { id: part.id }), name: part.name, args: argumentsObject(part.arguments) } });
        break;
      case 'tool-result': {
        const text = part.content.map((item) => (item.type === 'text' ? item.text : '')).join('');
        const name = names.get(part.toolCallId) ?? part.toolCallId;
        push({ functionResponse: { ...(SYNTHETIC_ID.test(part.toolCallId) ? {} : { id: part.toolCallId }), name, response: responseOf(text, part.isError === true) } });
        for (const item of part.content) if (item.type === 'image') out.push(media(item.source));
        break;
      }
    }
  }
  return out;
};

export const geminiModelPath = (model: string, stream: boolean): string =>
  `/v1beta/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;

/** Neutral → Gemini `generateContent` body (https://ai.google.dev/api/generate-content). */
export const buildGeminiRequest = (request: NeutralRequest, target: EgressTarget): EgressRequest => {
  const names = callNames(request.messages);
  const contents: Array<{ role: 'user' | 'model'; parts: Json[] }> = [];
  for (const message of request.messages) {
    const built = parts(message.content, names);
    if (built.length === 0) continue;
    const role = message.role === 'user' ? 'user' : 'model';
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...built);
    else contents.push({ role, parts: built });
  }
  const body: Json = { contents };
  const system = request.system.filter((part) => part.text !== '');
  if (system.length > 0) body.systemInstruction = { parts: system.map((part) => ({ text: part.text })) };
  const config: Json = {};
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stopSequences && request.stopSequences.length > 0) config.stopSequences = request.stopSequences.slice(0, 5);
  const format = request.responseFormat;
  if (format) {
    config.responseMimeType = 'application/json';
    if (format.type === 'json-schema') config.responseSchema = toGeminiSchema(format.schema);
  }
  // Per model line: thinkingLevel (Gemini 3) or a budget in the model's range (2.5); see thinking-config.ts.
  const thinkingConfig = geminiThinkingConfig(target.upstreamModel, request.reasoning);
  if (thinkingConfig) config.thinkingConfig = thinkingConfig;
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (request.tools && request.tools.length > 0 && request.toolChoice?.type !== 'none') {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          ...(isObject(tool.inputSchema) && Object.keys(tool.inputSchema.properties ?? {}).length > 0 ? { parameters: toGeminiSchema(tool.inputSchema) } : {}),
        })),
      },
    ];
    const choice = request.toolChoice;
    if (choice?.type === 'required') body.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
    else if (choice?.type === 'tool') body.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
  return { path: geminiModelPath(target.upstreamModel, request.stream), body };
};
