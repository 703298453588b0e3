import type { FinishReason } from '../../core/finish-reason.js';
import type { StreamPart } from '../../core/stream-part.js';
import type { Usage } from '../../core/usage.js';
import type { EncodeContext, StreamEncoder } from '../codec.js';
import type { Json } from '../request-checks.js';
import { geminiErrorBody } from './error-envelope.js';
import { toGeminiFinishReason, toGeminiUsage } from './finish-and-usage.js';

/** `sse`: `?alt=sse`, one `data:` event per chunk. `array`: without it, Gemini streams one JSON array. */
export type GeminiStreamFraming = 'sse' | 'array';

/**
 * Neutral parts → GenerateContentResponse chunks. The last content part is held back one
 * step so the finish reason and usage ride on a chunk with content, as Gemini's own last
 * chunk does (the Gemini CLI treats a stream whose last chunk is empty as broken).
 */
export const createGeminiStreamEncoder = (context: EncodeContext, framing: GeminiStreamFraming = 'sse'): StreamEncoder => {
  let count = 0;
  let ended = false;
  let id = '';
  let held: Json | null = null;
  let usage: Usage | null = null;
  let reason: FinishReason | null = null;
  let thought = '';
  const calls = new Map<string, { name: string; args: string }>();

  const frame = (chunk: Json): string => {
    const json = JSON.stringify(chunk);
    count += 1;
    if (framing === 'sse') return `data: ${json}\r\n\r\n`;
    return `${count === 1 ? '[' : ',\r\n'}${json}`;
  };
  const chunk = (parts: Json[], extra: Json = {}): Json => ({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
    modelVersion: context.model,
    ...(id ? { responseId: id } : {}),
  });
  const hold = (part: Json): string => {
    const out = held ? frame(chunk([held])) : '';
    held = part;
    return out;
  };
  const flushThought = (signature?: string): string => {
    if (!thought && !signature) return '';
    const part: Json = { text: thought, thought: true, ...(signature ? { thoughtSignature: signature } : {}) };
    thought = '';
    return hold(part);
  };

  return {
    encode(part: StreamPart): string {
      if (ended) return '';
      switch (part.type) {
        case 'start':
          if (part.id) id = part.id;
          return '';
        case 'text-delta':
          return part.text === '' ? '' : flushThought() + hold({ text: part.text });
        case 'reasoning-delta':
          // Thoughts are sent as they come, each delta its own part, like Gemini's thought summaries.
          if (part.text === '') return '';
          thought += part.text;
          return flushThought();
        case 'reasoning-signature':
          return flushThought(part.signature);
        case 'tool-call-start':
          calls.set(part.id, { name: part.name, args: '' });
          return flushThought();
        case 'tool-call-delta': {
          const call = calls.get(part.id);
          if (call) call.args += part.argumentsDelta;
          return '';
        }
        case 'tool-call-end': {
          const call = calls.get(part.id);
          if (!call) return '';
          calls.delete(part.id);
          let args: unknown = {};
          try {
            args = call.args.trim() ? JSON.parse(call.args) : {};
          } catch {
            args = { _raw_arguments: call.args };
          }
          return hold({ functionCall: { id: part.id, name: call.name, args } });
        }
        case 'usage':
          usage = part.usage;
          return '';
        case 'finish':
          reason = part.reason;
          return '';
        case 'redacted-reasoning':
          return '';
        case 'error': {
          // What came before is sent, then Google's envelope as the last chunk.
          let out = flushThought();
          if (held) out += frame(chunk([held]));
          held = null;
          out += frame(geminiErrorBody(part.error).body);
          ended = true;
          return framing === 'array' ? `${out}]` : out;
        }
      }
    },
    end(): string {
      if (ended) return '';
      ended = true;
      let out = flushThought();
      if (held || reason || usage) {
        const last = chunk(held ? [held] : [], reason ? { finishReason: toGeminiFinishReason(reason) } : {});
        if (usage) last.usageMetadata = toGeminiUsage(usage);
        out += frame(last);
      }
      held = null;
      if (framing === 'array') out += count === 0 ? '[]' : ']';
      return out;
    },
  };

};
