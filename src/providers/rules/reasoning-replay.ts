import type { AssistantPart } from '../../core/neutral-request.js';
import type { ReasoningStore } from './reasoning-store.js';
import type { ResolvedRules } from './rule-types.js';

/**
 * Reasoning replay (rule `reasoningReplay`) on the OpenAI-format body a vendor is about to
 * receive, and the capture of reasoning from its answers. `required`: an assistant turn
 * with tool calls but no `reasoning_content` gets the one the gateway remembered for it
 * (or `""`, which DeepSeek accepts: it checks that the field came back, see
 * deepseek-ai/deepseek-harness discussions 739 and 1850). `reject`: reasoning fields are
 * taken off input messages. Vendors with neither pay one property read.
 */
export interface ReplayContext {
  store: ReasoningStore;
  /** Who the conversation belongs to (the virtual key id): one key never reads another's. */
  owner: string;
}

type Message = Record<string, unknown>;

const firstCallId = (calls: unknown): string | null => {
  if (!Array.isArray(calls) || calls.length === 0) return null;
  const id = (calls[0] as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : null;
};

/** Applies the rule to `body.messages` (the array and changed messages are copied; the client's objects stay as sent). */
export const replayReasoning = (rules: ResolvedRules, body: Record<string, unknown>, replay: ReplayContext | null): void => {
  const mode = rules.reasoningReplay;
  if (mode !== 'required' && mode !== 'reject') return;
  const messages = body.messages;
  if (!Array.isArray(messages)) return;
  let copy: unknown[] | null = null;
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index] as Message | null;
    if (message === null || typeof message !== 'object' || message.role !== 'assistant') continue;
    if (mode === 'reject') {
      if (message.reasoning_content === undefined && message.reasoning === undefined && message.reasoning_details === undefined) continue;
      const { reasoning_content: _rc, reasoning: _r, reasoning_details: _rd, ...rest } = message;
      (copy ??= [...messages])[index] = rest;
      continue;
    }
    // Without a store replay is off: the vendor sees exactly what the client sent.
    if (!replay || typeof message.reasoning_content === 'string') continue;
    const id = firstCallId(message.tool_calls);
    if (id === null) continue;
    // A client that kept it in OpenRouter's `reasoning` field sent it after all.
    const reasoning = replay.store.recall(replay.owner, id) ?? (typeof message.reasoning === 'string' ? message.reasoning : '');
    const { reasoning: _r, ...rest } = message;
    (copy ??= [...messages])[index] = { ...rest, reasoning_content: reasoning };
  }
  if (copy) body.messages = copy;
};

/**
 * With a shared tier (REDIS_URL): fetches the turns this request needs that this instance
 * has not seen, before `replayReasoning` runs. Null when there is nothing to ask, so the
 * caller awaits only then.
 */
export const fetchSharedReasoning = (body: Record<string, unknown>, replay: ReplayContext | null): Promise<void> | null => {
  if (!replay?.store.shared || !Array.isArray(body.messages)) return null;
  const ids: string[] = [];
  for (const message of body.messages as Array<Message | null>) {
    if (message === null || typeof message !== 'object' || message.role !== 'assistant' || typeof message.reasoning_content === 'string') continue;
    const id = firstCallId(message.tool_calls);
    if (id !== null) ids.push(id);
  }
  return ids.length === 0 ? null : replay.store.fetchShared(replay.owner, ids);
};

/** Remembers the reasoning of a `chat.completion` answer that ended in tool calls. */
export const captureChatAnswer = (json: Record<string, unknown>, replay: ReplayContext): void => {
  const choices = json.choices;
  if (!Array.isArray(choices)) return;
  const message = (choices[0] as { message?: Message } | undefined)?.message;
  if (!message) return;
  const id = firstCallId(message.tool_calls);
  if (id === null) return;
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') replay.store.remember(replay.owner, id, reasoning);
};

/** Remembers the reasoning of a decoded (neutral) answer that ended in tool calls. */
export const captureNeutralAnswer = (content: readonly AssistantPart[], replay: ReplayContext): void => {
  let reasoning = '';
  let id: string | null = null;
  for (const part of content) {
    if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool-call' && id === null) id = part.id;
  }
  if (id !== null && reasoning !== '') replay.store.remember(replay.owner, id, reasoning);
};

const NEEDS_PARSE = /"(?:reasoning|tool_calls)/;

/**
 * Collects a streamed answer's reasoning and first tool-call id (choice 0), then
 * remembers them when the stream ends. Fed raw chunk text on the relay's no-parse path
 * (parsed only when it can carry either) and parsed chunks or neutral parts elsewhere.
 */
export class StreamReasoningCapture {
  private readonly parts: string[] = [];
  private callId: string | null = null;

  constructor(private readonly replay: ReplayContext) {}

  raw(data: string): void {
    if (!NEEDS_PARSE.test(data)) return;
    try {
      this.chunk(JSON.parse(data) as Record<string, unknown>);
    } catch {
      // the relay reports malformed chunks
    }
  }

  chunk(chunk: Record<string, unknown>): void {
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const entry = choice as { index?: unknown; delta?: Message } | null;
      if (!entry?.delta || (entry.index !== undefined && entry.index !== 0)) continue;
      const reasoning = entry.delta.reasoning_content ?? entry.delta.reasoning;
      if (typeof reasoning === 'string') this.parts.push(reasoning);
      if (this.callId === null) this.callId = firstCallId(entry.delta.tool_calls);
    }
  }

  reasoningDelta(text: string): void {
    this.parts.push(text);
  }

  toolCall(id: string): void {
    if (this.callId === null && id !== '') this.callId = id;
  }

  finish(): void {
    if (this.callId === null) return;
    const reasoning = this.parts.join('');
    if (reasoning !== '') this.replay.store.remember(this.replay.owner, this.callId, reasoning);
  }
}

/** The replay context when this deployment's rules need one and replay is on, else null (nothing to do). */
export const replayContextFor = (rules: ResolvedRules, store: ReasoningStore | null, owner: string): ReplayContext | null =>
  store !== null && rules.reasoningReplay === 'required' ? { store, owner } : null;
