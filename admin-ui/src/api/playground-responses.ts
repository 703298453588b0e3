/**
 * Reading a Responses API answer (`/admin/api/playground/responses`, the same as
 * `/v1/responses`): the JSON `response` object, or its typed SSE events
 * (response.output_text.delta, response.reasoning_summary_text.delta, response.completed…).
 */

export interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

interface OutputItem {
  type?: string;
  content?: Array<{ type?: string; text?: string }>;
  summary?: Array<{ text?: string }>;
}

export interface ResponseObject {
  status?: string;
  output?: OutputItem[];
  usage?: ResponsesUsage | null;
  incomplete_details?: { reason?: string } | null;
  error?: { message?: string; code?: string | null } | null;
}

export interface ResponsesEvent {
  type?: string;
  delta?: string;
  message?: string;
  code?: string | null;
  response?: ResponseObject;
}

/** The chat-shaped usage the playground's metrics read. */
export const chatUsageOf = (usage: ResponsesUsage | null | undefined) =>
  usage ? { prompt_tokens: usage.input_tokens ?? 0, completion_tokens: usage.output_tokens ?? 0, total_tokens: usage.total_tokens ?? (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0) } : null;

/** `completed`, or why it stopped early (max_output_tokens, content_filter). */
export const finishOf = (response: ResponseObject): string | null => response.incomplete_details?.reason ?? response.status ?? null;

export const textOf = (response: ResponseObject) => {
  let text = '';
  let reasoning = '';
  for (const item of response.output ?? []) {
    if (item.type === 'message') text += (item.content ?? []).map((part) => (part.type === 'output_text' ? (part.text ?? '') : '')).join('');
    else if (item.type === 'reasoning') reasoning += (item.summary ?? []).map((part) => part.text ?? '').join('\n');
  }
  return { text, reasoning };
};

/** What one streamed event means for the playground. */
export type EventEffect =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'final'; response: ResponseObject }
  | { kind: 'error'; message: string | undefined; code: string | null | undefined }
  | { kind: 'none' };

export const effectOf = (event: ResponsesEvent): EventEffect => {
  switch (event.type) {
    case 'response.output_text.delta':
      return { kind: 'text', text: event.delta ?? '' };
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta':
      return { kind: 'reasoning', text: event.delta ?? '' };
    case 'response.completed':
    case 'response.incomplete':
      return event.response ? { kind: 'final', response: event.response } : { kind: 'none' };
    case 'response.failed':
      return { kind: 'error', message: event.response?.error?.message ?? undefined, code: event.response?.error?.code };
    case 'error':
      return { kind: 'error', message: event.message, code: event.code };
    default:
      return { kind: 'none' };
  }
};
