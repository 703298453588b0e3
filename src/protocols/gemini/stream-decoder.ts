import type { FinishReason } from '../../core/finish-reason.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { StreamPart } from '../../core/stream-part.js';
import type { Usage } from '../../core/usage.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { isObject, type Json } from '../request-checks.js';
import { firstCandidate, partsToNeutral } from './decode-response.js';
import { streamErrorFromGemini } from './error-envelope.js';
import { fromGeminiFinishReason, fromGeminiUsage } from './finish-and-usage.js';

/**
 * Gemini `streamGenerateContent?alt=sse` → neutral parts. Every event is a whole
 * GenerateContentResponse carrying new parts; usageMetadata is cumulative (the last one
 * counts); a function call arrives whole in one event. There is no end marker: the end
 * of the body is the end, so usage and finish are emitted in `end()`.
 */
export const createGeminiStreamDecoder = (emit: (part: StreamPart) => void, providerName: string): StreamDecoder => {
  let started = false;
  let finished = false;
  let failed = false;
  let sawChunk = false;
  let sawToolCall = false;
  let finishReason: unknown;
  let blocked = false;
  let usage: Usage | null = null;

  const onChunk = (json: Json) => {
    if (isObject(json.error)) {
      failed = true;
      finished = true;
      emit({ type: 'error', error: streamErrorFromGemini(json.error, providerName) });
      return;
    }
    sawChunk = true;
    if (!started) {
      started = true;
      emit({
        type: 'start',
        ...(typeof json.responseId === 'string' ? { id: json.responseId } : {}),
        ...(typeof json.modelVersion === 'string' ? { model: json.modelVersion } : {}),
      });
    }
    const candidate = firstCandidate(json);
    if (!candidate && isObject(json.promptFeedback) && typeof json.promptFeedback.blockReason === 'string') blocked = true;
    if (candidate) {
      for (const part of partsToNeutral(isObject(candidate.content) ? candidate.content.parts : [])) {
        switch (part.type) {
          case 'text':
            if (part.text) emit({ type: 'text-delta', text: part.text });
            break;
          case 'reasoning':
            if (part.text) emit({ type: 'reasoning-delta', text: part.text });
            if (part.signature) emit({ type: 'reasoning-signature', signature: part.signature });
            break;
          case 'tool-call':
            sawToolCall = true;
            emit({ type: 'tool-call-start', id: part.id, name: part.name });
            emit({ type: 'tool-call-delta', id: part.id, argumentsDelta: part.arguments });
            emit({ type: 'tool-call-end', id: part.id });
            break;
          default:
            break;
        }
      }
      if (candidate.finishReason !== undefined && candidate.finishReason !== null) finishReason = candidate.finishReason;
    }
    const next = fromGeminiUsage(json.usageMetadata);
    if (next) usage = next;
  };

  return {
    push(sse: SseEvent) {
      if (finished || failed) return;
      let data: unknown;
      try {
        data = JSON.parse(sse.data);
      } catch {
        failed = true;
        finished = true;
        emit({ type: 'error', error: new GatewayError(`The upstream provider ${providerName} sent a malformed stream event.`, { status: 502, code: 'upstream_malformed_response' }) });
        return;
      }
      if (isObject(data)) onChunk(data);
    },
    get finished() {
      return finished;
    },
    end() {
      // An empty body is an interrupted stream; anything else ended where Gemini ends it.
      if (finished || failed || !sawChunk) return;
      finished = true;
      if (usage) emit({ type: 'usage', usage });
      const reason: FinishReason = blocked ? 'content-filter' : fromGeminiFinishReason(finishReason, sawToolCall);
      emit({ type: 'finish', reason, stopSequence: null });
    },
  };
};
