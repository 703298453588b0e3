import type { AssistantPart } from '../../core/neutral-request.js';
import type { NeutralResponse } from '../../core/neutral-response.js';
import type { EncodeContext } from '../codec.js';
import { argumentsObject, type Json } from '../request-checks.js';
import { toGeminiFinishReason, toGeminiUsage } from './finish-and-usage.js';

/** Neutral assistant parts → Gemini parts (the inverse of partsToNeutral). */
export const partsToGemini = (content: AssistantPart[]): Json[] => {
  const parts: Json[] = [];
  let signature: string | null = null;
  for (const part of content) {
    let built: Json | null = null;
    if (part.type === 'text') built = { text: part.text };
    else if (part.type === 'reasoning') {
      if (part.text === '' && part.signature) {
        signature = part.signature;
        continue;
      }
      parts.push({ text: part.text, thought: true, ...(part.signature ? { thoughtSignature: part.signature } : {}) });
      continue;
    } else if (part.type === 'tool-call') built = { functionCall: { id: part.id, name: part.name, args: argumentsObject(part.arguments) } };
    if (!built) continue;
    if (signature) {
      built.thoughtSignature = signature;
      signature = null;
    }
    parts.push(built);
  }
  return parts;
};

export const encodeGeminiResponse = (response: NeutralResponse, context: EncodeContext): Json => ({
  candidates: [{ content: { role: 'model', parts: partsToGemini(response.content) }, finishReason: toGeminiFinishReason(response.finishReason), index: 0 }],
  ...(response.usage ? { usageMetadata: toGeminiUsage(response.usage) } : {}),
  modelVersion: context.model,
  ...(response.id ? { responseId: response.id } : {}),
});
