import type { Logger } from 'pino';

/**
 * OpenTelemetry tracing, off by default. The request path only ever reads
 * `tracing.enabled`; the SDK (src/observability/tracing-sdk.ts) is imported when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, never
 * otherwise, so a gateway without tracing loads and runs none of it.
 */

export interface AttemptInfo {
  deploymentId: string;
  provider: string;
  /** The vendor id (gen_ai.system): openai, anthropic, zhipu, … */
  vendor: string;
  /** The model name sent upstream. */
  model: string;
  url: string;
}

export interface AttemptEnd {
  status?: number;
  /** The gateway error code when the attempt failed. */
  errorCode?: string;
  /** The failure kind the router assigned (timeout, server, rate-limit, …). */
  failure?: string;
}

export interface RequestStart {
  requestId: string;
  route: string;
  requestedModel: string | undefined;
  stream: boolean;
  /** The caller's W3C traceparent header, to join its trace. */
  traceparent?: string | string[];
  /** Only read when GATEWAY_TRACE_CONTENT=true. */
  messages?: unknown;
}

export interface RequestEnd {
  status: number;
  errorCode: string | null;
  provider: string | null;
  vendor: string | null;
  responseModel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  finishReasons: string[] | null;
  cached: boolean;
  attempts: number;
  /** Only read when GATEWAY_TRACE_CONTENT=true. */
  completion?: string;
}

export interface AttemptTrace {
  end(result: AttemptEnd): void;
}

export interface RequestTrace {
  /** A child span for one upstream attempt. */
  attempt(info: AttemptInfo): AttemptTrace;
  end(result: RequestEnd): void;
}

export interface TracingImplementation {
  startRequest(start: RequestStart): RequestTrace;
  shutdown(): Promise<void>;
}

/** The one boolean the hot path checks, and the implementation behind it. */
export const tracing: { enabled: boolean; impl: TracingImplementation | null } = { enabled: false, impl: null };

export interface TracingSettings {
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** Record prompts and completions (GATEWAY_TRACE_CONTENT=true); never keys. */
  content: boolean;
  headers: Record<string, string>;
}

/** OTLP/HTTP endpoint from the standard variables; null: tracing stays off. */
export const tracingSettingsFromEnv = (env: NodeJS.ProcessEnv, serviceVersion: string): TracingSettings | null => {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return null;
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  // The spec: a signal-specific endpoint is used as is, the general one gets /v1/traces.
  const endpoint = tracesEndpoint || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : '');
  if (!endpoint) return null;
  const headers: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return {
    endpoint,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'sk-llm-gateway',
    serviceVersion,
    content: env.GATEWAY_TRACE_CONTENT?.trim().toLowerCase() === 'true',
    headers,
  };
};

/** Turn tracing on when the environment asks for it (loads the SDK only then). */
export const initTracing = async (env: NodeJS.ProcessEnv, serviceVersion: string, logger?: Logger): Promise<boolean> => {
  const settings = tracingSettingsFromEnv(env, serviceVersion);
  if (!settings) return false;
  if (tracing.impl) return true;
  const { createTracingImplementation } = await import('./tracing-sdk.js');
  tracing.impl = createTracingImplementation(settings);
  tracing.enabled = true;
  // The endpoint may carry credentials in its query string; log only where it points.
  logger?.info({ endpoint: new URL(settings.endpoint).origin, service: settings.serviceName, content: settings.content }, 'OpenTelemetry tracing on');
  return true;
};

/** Flush what is buffered and turn tracing off. */
export const shutdownTracing = async (): Promise<void> => {
  const impl = tracing.impl;
  tracing.enabled = false;
  tracing.impl = null;
  await impl?.shutdown();
};
