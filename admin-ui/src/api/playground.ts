import { createParser } from 'eventsource-parser';
import i18n from '../i18n';
import { ApiError, send } from './client';
import { chatUsageOf, effectOf, finishOf, textOf, type ResponseObject, type ResponsesEvent } from './playground-responses';

/** What the playground speaks to the gateway: Chat Completions or the Responses API. */
export type PlaygroundApi = 'openai-chat' | 'openai-responses';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface RunProgress {
  text: string;
  reasoning: string;
}

export interface RunResult extends RunProgress {
  usage: Usage | null;
  latencyMs: number;
  ttftMs: number | null;
  /** The gateway's `x-gateway-*` response headers (routing, image processing, timings). */
  gatewayHeaders: Record<string, string>;
  finishReason: string | null;
  /** The client protocol the request used (as on the request log). */
  protocol: PlaygroundApi;
}

interface ChoiceDelta {
  content?: string | null;
  reasoning_content?: string | null;
}

interface Chunk {
  choices?: Array<{ delta?: ChoiceDelta; message?: ChoiceDelta; finish_reason?: string | null }>;
  usage?: Usage | null;
  error?: { message?: string; code?: string | null; type?: string };
}

const gatewayHeaders = (response: Response) => {
  const found: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith('x-gateway-')) found[name.toLowerCase()] = value;
  });
  return found;
};

const streamError = (error: NonNullable<Chunk['error']>) =>
  new ApiError(200, {
    message: error.message ?? i18n.t('errors.unknown'),
    type: error.type ?? 'upstream_error',
    param: null,
    code: error.code ?? null,
  });

/**
 * POST a playground request and read the answer, streamed (SSE) or not. `onProgress`
 * receives the accumulated text after every delta so the UI can render it as it arrives.
 */
export async function runCompletion(
  path: string,
  body: Record<string, unknown> | FormData,
  options: { stream: boolean; signal?: AbortSignal; onProgress?: (progress: RunProgress) => void; api?: PlaygroundApi },
): Promise<RunResult> {
  const protocol = options.api ?? 'openai-chat';
  const started = performance.now();
  const response = await send(path, {
    method: 'POST',
    body,
    notify: false,
    signal: options.signal,
    headers: { accept: options.stream ? 'text/event-stream' : 'application/json' },
  });
  const headers = gatewayHeaders(response);
  const progress: RunProgress = { text: '', reasoning: '' };
  let usage: Usage | null = null;
  let ttftMs: number | null = null;
  let finishReason: string | null = null;

  const isSse = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  if ((!isSse || !response.body) && protocol === 'openai-responses') {
    const json = (await response.json()) as ResponseObject & Chunk;
    if (json.error && json.status === undefined) throw streamError(json.error);
    Object.assign(progress, textOf(json));
    options.onProgress?.({ ...progress });
    return { ...progress, usage: chatUsageOf(json.usage), ttftMs: null, latencyMs: performance.now() - started, gatewayHeaders: headers, finishReason: finishOf(json), protocol };
  }
  if (!isSse || !response.body) {
    const json = (await response.json()) as Chunk;
    if (json.error) throw streamError(json.error);
    const choice = json.choices?.[0];
    progress.text = choice?.message?.content ?? '';
    progress.reasoning = choice?.message?.reasoning_content ?? '';
    finishReason = choice?.finish_reason ?? null;
    usage = json.usage ?? null;
    options.onProgress?.({ ...progress });
    return { ...progress, usage, ttftMs: null, latencyMs: performance.now() - started, gatewayHeaders: headers, finishReason, protocol };
  }

  const state: { failure: ApiError | null } = { failure: null };
  const onPiece = (piece: string, thought: string) => {
    if ((piece || thought) && ttftMs === null) ttftMs = performance.now() - started;
    progress.text += piece;
    progress.reasoning += thought;
    if (piece || thought) options.onProgress?.({ ...progress });
  };
  const onResponsesEvent = (event: ResponsesEvent) => {
    const effect = effectOf(event);
    if (effect.kind === 'text') onPiece(effect.text, '');
    else if (effect.kind === 'reasoning') onPiece('', effect.text);
    else if (effect.kind === 'final') {
      usage = chatUsageOf(effect.response.usage);
      finishReason = finishOf(effect.response);
    } else if (effect.kind === 'error') state.failure ??= streamError({ message: effect.message, code: effect.code ?? null });
  };
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      if (protocol === 'openai-responses') {
        try {
          onResponsesEvent(JSON.parse(event.data) as ResponsesEvent);
        } catch {
          // not JSON: skipped, as chat chunks are
        }
        return;
      }
      let chunk: Chunk;
      try {
        chunk = JSON.parse(event.data) as Chunk;
      } catch {
        return;
      }
      if (chunk.error) {
        state.failure = streamError(chunk.error);
        return;
      }
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      const delta = choice?.delta;
      if (!delta) return;
      onPiece(delta.content ?? '', delta.reasoning_content ?? '');
    },
  });

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
    if (state.failure) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  if (state.failure) throw state.failure;
  return { ...progress, usage, ttftMs, latencyMs: performance.now() - started, gatewayHeaders: headers, finishReason, protocol };
}

/** Cost of a run from the model's pricing (per 1M tokens), or null when unknown. */
export const runCost = (usage: Usage | null, pricing: { input: number; output: number } | null | undefined) =>
  usage && pricing ? (usage.prompt_tokens * pricing.input + usage.completion_tokens * pricing.output) / 1_000_000 : null;
