import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UsageRecord, UsageSink } from './usage-record.js';

/** Prometheus metrics, fed from the same per-request record as usage accounting. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'model' | 'provider' | 'status' | 'stream'>;
  private readonly tokens: Counter<'model' | 'provider' | 'kind'>;
  private readonly cost: Counter<'model' | 'provider'>;
  private readonly latency: Histogram<'provider'>;
  private readonly ttft: Histogram<'provider'>;
  readonly breakerState: Gauge<'deployment'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'skgw_' });
    this.requests = new Counter({
      name: 'skgw_requests_total',
      help: 'Requests answered, by model, provider, HTTP status and stream flag',
      labelNames: ['model', 'provider', 'status', 'stream'],
      registers: [this.registry],
    });
    this.tokens = new Counter({
      name: 'skgw_tokens_total',
      help: 'Tokens by kind (prompt, completion)',
      labelNames: ['model', 'provider', 'kind'],
      registers: [this.registry],
    });
    this.cost = new Counter({ name: 'skgw_cost_total', help: 'Cost in the model pricing currency', labelNames: ['model', 'provider'], registers: [this.registry] });
    const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
    this.latency = new Histogram({ name: 'skgw_request_duration_seconds', help: 'Request duration', labelNames: ['provider'], buckets, registers: [this.registry] });
    this.ttft = new Histogram({ name: 'skgw_time_to_first_token_seconds', help: 'Time to first token of streams', labelNames: ['provider'], buckets, registers: [this.registry] });
    this.breakerState = new Gauge({
      name: 'skgw_deployment_circuit_open',
      help: '1 when a deployment is skipped by its circuit breaker (open), 0.5 half-open, 0 closed',
      labelNames: ['deployment'],
      registers: [this.registry],
    });
  }

  observe(record: UsageRecord): void {
    const labels = { model: record.model, provider: record.provider };
    this.requests.inc({ ...labels, status: String(record.status), stream: record.stream ? 'true' : 'false' });
    if (record.promptTokens) this.tokens.inc({ ...labels, kind: 'prompt' }, record.promptTokens);
    if (record.completionTokens) this.tokens.inc({ ...labels, kind: 'completion' }, record.completionTokens);
    if (record.cost) this.cost.inc(labels, record.cost);
    this.latency.observe({ provider: record.provider }, record.latencyMs / 1000);
    if (record.ttftMs !== null) this.ttft.observe({ provider: record.provider }, record.ttftMs / 1000);
  }

  /** A usage sink that feeds the metrics, then the wrapped sink. */
  wrap(sink: UsageSink): UsageSink {
    return {
      record: (record) => {
        this.observe(record);
        sink.record(record);
      },
    };
  }
}
