/**
 * The OpenTelemetry SDK behind src/observability/tracing.ts, imported only when tracing
 * is on. Spans follow the GenAI semantic conventions: one SERVER span per request
 * (`chat <model>`) and a CLIENT child per upstream attempt. Prompts and completions are
 * recorded only with GATEWAY_TRACE_CONTENT=true; keys and headers never are.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { AttemptEnd, AttemptInfo, AttemptTrace, RequestEnd, RequestStart, RequestTrace, TracingImplementation, TracingSettings } from './tracing.js';

/** Client-chosen strings (model names) are bounded before they become span names or attributes. */
const MAX_NAME = 128;
/** Opted-in content is cut here so one long conversation cannot bloat the export. */
const MAX_CONTENT = 16 * 1024;

const bounded = (value: string, max = MAX_NAME) => (value.length > max ? `${value.slice(0, max)}…` : value);

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The caller's W3C trace context, so the gateway's spans join its trace. */
const parentContext = (header: string | string[] | undefined): Context => {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
};

const urlParts = (url: string): Attributes => {
  try {
    const parsed = new URL(url);
    // Origin and path only: a query string may carry a vendor key (Google's ?key=).
    return {
      'server.address': parsed.hostname,
      'server.port': Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      'url.full': `${parsed.origin}${parsed.pathname}`,
    };
  } catch {
    return {};
  }
};

export const createTracingImplementation = (settings: TracingSettings): TracingImplementation => {
  const exporter = new OTLPTraceExporter({ url: settings.endpoint, headers: settings.headers });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: settings.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000, maxExportBatchSize: 512, maxQueueSize: 4_096 })],
  });
  const tracer = provider.getTracer('sk-llm-gateway', settings.serviceVersion);

  const startAttempt = (parent: Span, info: AttemptInfo): AttemptTrace => {
    const model = bounded(info.model);
    const span = tracer.startSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': info.vendor,
          'gen_ai.provider.name': info.vendor,
          'gen_ai.request.model': model,
          'gateway.provider': bounded(info.provider),
          'gateway.deployment.id': bounded(info.deploymentId),
          ...urlParts(info.url),
        },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    return {
      end: (result: AttemptEnd) => {
        if (result.status !== undefined) span.setAttribute('http.response.status_code', result.status);
        if (result.errorCode) {
          span.setAttribute('error.type', result.errorCode);
          if (result.failure) span.setAttribute('gateway.failure_kind', result.failure);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  };

  const startRequest = (start: RequestStart): RequestTrace => {
    const requested = start.requestedModel === undefined ? undefined : bounded(start.requestedModel);
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'http.request.method': 'POST',
      'http.route': start.route,
      'gateway.request_id': start.requestId,
      'gateway.stream': start.stream,
    };
    if (requested !== undefined) attributes['gen_ai.request.model'] = requested;
    if (settings.content && start.messages !== undefined) attributes['gen_ai.input.messages'] = bounded(JSON.stringify(start.messages), MAX_CONTENT);
    const span = tracer.startSpan(`chat ${requested ?? '(default model)'}`, { kind: SpanKind.SERVER, attributes }, parentContext(start.traceparent));
    return {
      attempt: (info) => startAttempt(span, info),
      end: (result: RequestEnd) => {
        const out: Attributes = {
          'http.response.status_code': result.status,
          'gateway.cache_hit': result.cached,
          'gateway.attempts': result.attempts,
        };
        if (result.vendor) out['gen_ai.system'] = result.vendor;
        if (result.vendor) out['gen_ai.provider.name'] = result.vendor;
        if (result.provider) out['gateway.provider'] = bounded(result.provider);
        if (result.responseModel) out['gen_ai.response.model'] = bounded(result.responseModel);
        if (result.inputTokens !== null) out['gen_ai.usage.input_tokens'] = result.inputTokens;
        if (result.outputTokens !== null) out['gen_ai.usage.output_tokens'] = result.outputTokens;
        if (result.finishReasons?.length) out['gen_ai.response.finish_reasons'] = result.finishReasons.map((r) => bounded(r, 32));
        if (settings.content && result.completion !== undefined) out['gen_ai.output.messages'] = bounded(result.completion, MAX_CONTENT);
        if (result.errorCode) {
          out['error.type'] = result.errorCode;
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.setAttributes(out);
        span.end();
      },
    };
  };

  return {
    startRequest,
    shutdown: async () => {
      await provider.forceFlush().catch(() => undefined);
      await provider.shutdown().catch(() => undefined);
    },
  };
};
