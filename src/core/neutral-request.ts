/**
 * The neutral request every translating codec reads from or writes to. It is built only
 * when the client's protocol differs from the deployment's: same-protocol traffic is
 * passed through without it (see src/pipeline/upstream-call.ts).
 */

/** Anthropic's prompt-caching marker, kept opaque so it survives a round trip. */
export type CacheControl = Record<string, unknown>;

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export type MediaSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: MediaSource;
  cacheControl?: CacheControl;
}

/** A PDF (or plain-text) document; only vendors that take documents get it as such. */
export interface DocumentPart {
  type: 'document';
  source: MediaSource | { kind: 'text'; mediaType: string; data: string };
  title?: string;
  cacheControl?: CacheControl;
}

/** Model reasoning; `signature` lets the vendor verify it when it is replayed. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
}

/** Reasoning the vendor encrypted; only the same vendor can read `data` back. */
export interface RedactedReasoningPart {
  type: 'redacted-reasoning';
  data: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model produced them. */
  arguments: string;
  cacheControl?: CacheControl;
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

export type UserPart = TextPart | ImagePart | DocumentPart | ToolResultPart;
export type AssistantPart = TextPart | ReasoningPart | RedactedReasoningPart | ToolCallPart;
export type ContentPart = UserPart | AssistantPart;

export type NeutralMessage = { role: 'user'; content: UserPart[] } | { role: 'assistant'; content: AssistantPart[] };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
  cacheControl?: CacheControl;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export interface NeutralRequest {
  model: string;
  system: TextPart[];
  messages: NeutralMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  /** Extended thinking: an explicit budget (Anthropic) or an effort level (OpenAI); effort "none" asks for no thinking. */
  reasoning?: { budgetTokens?: number; effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' };
  responseFormat?: { type: 'json' } | { type: 'json-schema'; schema: Record<string, unknown>; name?: string; strict?: boolean };
  /** End-user id for abuse tracking (`metadata.user_id` / `user`). */
  user?: string;
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  streamUsage?: boolean;
}
