import type { AssistantPart } from '../../core/neutral-request.js';
import type { NeutralResponse } from '../../core/neutral-response.js';
import { isObject, type Json } from '../request-checks.js';
import { fromGeminiFinishReason, fromGeminiUsage } from './finish-and-usage.js';

let callSequence = 0;
/** Older models return function calls without ids; the gateway names them (and never sends these back). */
export const syntheticCallId = (): string => `gemini_call_${(callSequence = (callSequence + 1) % 1_000_000_000)}`;

export const firstCandidate = (json: Json): Json | null => (Array.isArray(json.candidates) && isObject(json.candidates[0]) ? json.candidates[0] : null);

/**
 * Consecutive thought parts (a streamed summary arrives as many) are one reasoning block;
 * the signature that closes them belongs to the whole, as a replay needs it.
 */
export const pushThought = (content: AssistantPart[], text: string, signature: string | undefined): void => {
  const last = content[content.length - 1];
  if (last && last.type === 'reasoning' && thoughtParts.has(last)) {
    last.text += text;
    if (signature) last.signature = signature;
    return;
  }
  const part = { type: 'reasoning' as const, text, ...(signature ? { signature } : {}) };
  thoughtParts.add(part);
  content.push(part);
};
/** Reasoning parts made from thought parts (not from a signature on another part). */
const thoughtParts = new WeakSet<object>();

/**
 * One candidate's parts → neutral. Thought parts become reasoning; a `thoughtSignature`
 * on any other part (Gemini puts them on function calls) is kept as an empty reasoning
 * part just before it, so a replay puts it back where it was.
 */
export const partsToNeutral = (parts: unknown): AssistantPart[] => {
  const content: AssistantPart[] = [];
  for (const part of Array.isArray(parts) ? parts : []) {
    if (!isObject(part)) continue;
    const signature = typeof part.thoughtSignature === 'string' && part.thoughtSignature ? part.thoughtSignature : undefined;
    if (part.thought === true) {
      pushThought(content, typeof part.text === 'string' ? part.text : '', signature);
      continue;
    }
    if (signature) content.push({ type: 'reasoning', text: '', signature });
    if (typeof part.text === 'string') content.push({ type: 'text', text: part.text });
    else if (isObject(part.functionCall) && typeof part.functionCall.name === 'string') {
      const call = part.functionCall;
      content.push({
        type: 'tool-call',
        id: typeof call.id === 'string' && call.id ? call.id : syntheticCallId(),
        name: call.name as string,
        arguments: JSON.stringify(isObject(call.args) ? call.args : {}),
      });
    }
  }
  return content;
};

/** A `GenerateContentResponse` → neutral (https://ai.google.dev/api/generate-content#generatecontentresponse). */
export const decodeGeminiResponse = (json: Json): NeutralResponse => {
  const candidate = firstCandidate(json);
  const content = partsToNeutral(isObject(candidate?.content) ? candidate.content.parts : []);
  const blocked = !candidate && isObject(json.promptFeedback) && typeof json.promptFeedback.blockReason === 'string';
  return {
    id: typeof json.responseId === 'string' ? json.responseId : '',
    model: typeof json.modelVersion === 'string' ? json.modelVersion : '',
    content,
    finishReason: blocked ? 'content-filter' : fromGeminiFinishReason(candidate?.finishReason, content.some((part) => part.type === 'tool-call')),
    stopSequence: null,
    usage: fromGeminiUsage(json.usageMetadata),
  };
};
