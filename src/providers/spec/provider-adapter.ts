import type { ImageDelivery } from '../../config/types.js';

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [extra: string]: unknown;
}

export interface UpstreamErrorInfo {
  message: string;
  code: string | null;
  type: string | null;
}

/** A streamed `chat.completion.chunk`, loosely typed: vendors add fields of their own. */
export type ChatChunk = Record<string, unknown> & {
  choices?: Array<Record<string, unknown>>;
  usage?: TokenUsage | null;
  model?: string;
};

/**
 * What every vendor adapter implements. All vendors this gateway supports speak the
 * OpenAI wire format with small differences; an adapter captures exactly those.
 */
export interface ProviderAdapter {
  readonly vendor: string;
  /** Whether the vendor honours `stream_options.include_usage` (else usage comes another way or not at all). */
  readonly acceptsStreamUsageOption: boolean;
  /** How images reach this vendor when the operator has not said otherwise. */
  readonly defaultImageDelivery: ImageDelivery;
  authHeaders(apiKey: string | null): Record<string, string>;
  /** Pull usage out of a streamed chunk wherever this vendor puts it, and remove it there. */
  takeChunkUsage(chunk: ChatChunk): TokenUsage | null;
  /** Read a vendor error body into message and code. */
  parseError(status: number, body: string): UpstreamErrorInfo;
}
