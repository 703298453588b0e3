import type { ReasoningField } from './rule-types.js';
import { splitThinkTags, ThinkTagSplitter } from './think-tags.js';

/**
 * Reasoning in the field OpenAI chat clients read (`reasoning_content`, which DeepSeek
 * made common), whatever field the vendor used: `reasoning` (OpenRouter, vLLM, Ollama's
 * OpenAI endpoint), `reasoning_details` (OpenRouter's structured list), or `<think>` tags
 * in the content (rule `reasoningField: 'think-tags'`). Used on the OpenAI passthrough
 * only for deployments whose rules name such a field; the translating decoders read all
 * of them anyway.
 */
type JsonObject = Record<string, unknown>;

/** OpenRouter's `reasoning_details`: text and summary entries as one text (encrypted ones carry none). */
export const reasoningDetailsText = (details: unknown): string => {
  if (!Array.isArray(details)) return '';
  let text = '';
  for (const entry of details) {
    const item = entry as { type?: unknown; text?: unknown; summary?: unknown } | null;
    if (typeof item?.text === 'string') text += item.text;
    else if (item?.type === 'reasoning.summary' && typeof item.summary === 'string') text += item.summary;
  }
  return text;
};

/** `reasoning` or `reasoning_details` of a message or delta, when it has no `reasoning_content`. */
export const otherReasoningField = (holder: JsonObject): string => {
  if (typeof holder.reasoning === 'string') return holder.reasoning;
  return reasoningDetailsText(holder.reasoning_details);
};

/** Rewrites a `chat.completion` in place; true when anything changed (the text must then be serialized again). */
export const normalizeChatAnswer = (json: JsonObject, field: ReasoningField | undefined): boolean => {
  if (field !== 'reasoning' && field !== 'think-tags') return false;
  const choices = json.choices;
  if (!Array.isArray(choices)) return false;
  let changed = false;
  for (const choice of choices) {
    const message = (choice as { message?: JsonObject } | null)?.message;
    if (!message || typeof message !== 'object' || typeof message.reasoning_content === 'string') continue;
    if (field === 'reasoning') {
      const text = otherReasoningField(message);
      if (text !== '') {
        message.reasoning_content = text;
        changed = true;
      }
    } else if (typeof message.content === 'string' && message.content.includes('<think>')) {
      const split = splitThinkTags(message.content);
      message.content = split.content;
      if (split.reasoning !== '') message.reasoning_content = split.reasoning;
      changed = true;
    }
  }
  return changed;
};

/**
 * The same for a stream, chunk by chunk (in place). Think tags are split per choice
 * across chunks; what a choice still holds back goes out with its finishing chunk.
 */
export class StreamReasoningNormalizer {
  private readonly splitters = new Map<number, ThinkTagSplitter>();

  constructor(readonly field: 'reasoning' | 'think-tags') {}

  /** Whether a raw chunk must be parsed and rewritten (else it may pass through as text). */
  needs(data: string): boolean {
    return this.field === 'think-tags' || data.includes('"reasoning');
  }

  chunk(chunk: JsonObject): void {
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    choices.forEach((entry, position) => {
      const choice = entry as { index?: unknown; delta?: JsonObject; finish_reason?: unknown } | null;
      const delta = choice?.delta;
      if (!delta || typeof delta !== 'object') return;
      if (this.field === 'reasoning') {
        if (typeof delta.reasoning_content === 'string') return;
        const text = otherReasoningField(delta);
        if (text !== '') delta.reasoning_content = text;
        return;
      }
      const index = typeof choice.index === 'number' ? choice.index : position;
      let splitter = this.splitters.get(index);
      if (!splitter) this.splitters.set(index, (splitter = new ThinkTagSplitter()));
      const split = typeof delta.content === 'string' ? splitter.push(delta.content) : { reasoning: '', content: '' };
      if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
        const rest = splitter.end();
        split.reasoning += rest.reasoning;
        split.content += rest.content;
      }
      if (typeof delta.content === 'string' || split.content !== '') delta.content = split.content;
      if (split.reasoning !== '') delta.reasoning_content = (typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '') + split.reasoning;
    });
  }
}

/** The normalizer a deployment's stream needs, or null (the relay then stays on its no-parse path). */
export const streamNormalizerFor = (field: ReasoningField | undefined): StreamReasoningNormalizer | null =>
  field === 'reasoning' || field === 'think-tags' ? new StreamReasoningNormalizer(field) : null;
