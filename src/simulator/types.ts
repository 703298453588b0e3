/**
 * Public shapes of the provider simulator. Kept in one file so tests, the
 * benchmark and the CLI share a single vocabulary.
 */

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (random free port). */
  port?: number;
  /** When set, requests without `Authorization: Bearer <key>` get a 401 envelope. */
  requireApiKey?: string | null;
  /** Keep the last N received requests (default 1000); 0 disables recording for benchmarks. */
  recordLimit?: number;
}

/** Per-request behaviour override: body field `simulator` or a rule's `behavior`. */
export interface SimulatorBehavior {
  content?: string;
  status?: number;
  errorMessage?: string;
  retryAfter?: number;
  firstTokenDelayMs?: number;
  tokenDelayMs?: number;
  disconnectAfterChunks?: number;
  /**
   * After this many stream events, an error event (`errorBody`, or an OpenAI-shaped error
   * with `errorMessage`) ends the stream without [DONE], as vendors do for a content
   * filter or an overload that strikes mid-answer.
   */
  streamErrorAfterChunks?: number;
  malformedJson?: boolean;
  hang?: boolean;
  toolCalls?: boolean;
  /** JSON text of a simulated tool call's arguments, streamed in fragments (default `{}`). */
  toolArguments?: string;
  /** Tool-call continuation chunks repeat the id and name as `""` or `null` (Kimi, Qwen and others do). */
  toolContinuationIds?: 'empty' | 'null';
  /** Anthropic responder: report this many prompt tokens as cache reads (default: half the prompt when cache_control is used). */
  cachedPromptTokens?: number;
  /** Prompt tokens reported as written to the cache (Anthropic `cache_creation_input_tokens`, DashScope explicit cache). */
  cacheWritePromptTokens?: number;
  chunks?: number;
  /** Chat responders: the answer ends with this finish_reason instead of `stop`, as when max_tokens or a filter cut it. */
  finishReason?: 'length' | 'content_filter';
  /** Raw error body to answer with `status` (e.g. a vendor's own envelope, in Chinese). */
  errorBody?: string;
}

export interface SimulatorRuleMatch {
  model?: string;
  vendor?: string;
  /** Matches when the request path equals it or ends with it. */
  path?: string;
  /** Matches requests sent with `Authorization: Bearer <apiKey>` (per-key failures of a key pool). */
  apiKey?: string;
}

export interface SimulatorRule {
  match?: SimulatorRuleMatch;
  /** Number of requests this rule applies to before it is removed; unlimited when omitted. */
  times?: number;
  /** Share of matching requests the rule applies to (0..1); all of them when omitted. */
  probability?: number;
  behavior: SimulatorBehavior;
}

export interface DecodedImageInfo {
  kind: 'data' | 'base64';
  /** From the data URL for `data`; derived from the decoded format for raw base64. */
  mime: string | null;
  /** Format from the magic bytes (sharp metadata), null when undecodable. */
  format: string | null;
  width: number | null;
  height: number | null;
  bytes: number;
  hasExif: boolean;
  hasAlpha: boolean;
  /** Set when sharp could not read the bytes. */
  error?: string;
}

export interface UrlImageInfo {
  kind: 'url';
  url: string;
}

export type ImageInfo = DecodedImageInfo | UrlImageInfo;

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The request target as sent, query string included. */
  url?: string;
  vendor: string;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or null when the body was empty or not JSON. */
  body: unknown;
  rawBody: string;
  images: ImageInfo[];
  time: number;
}

export interface Simulator {
  /** http://HOST:PORT */
  url: string;
  port: number;
  received: ReceivedRequest[];
  clear(): void;
  addRule(rule: SimulatorRule): void;
  clearRules(): void;
  close(): Promise<void>;
  openConnections(): number;
  /** Count of client aborts seen mid-response. */
  disconnects: number;
  /** Resolves on the next client abort (or one seen since the last call); rejects after timeoutMs (default 5000). */
  waitForDisconnect(timeoutMs?: number): Promise<void>;
}
