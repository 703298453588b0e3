import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UsageRecord, UsageSink } from './usage-record.js';

interface Children {
  requests: { inc(value?: number): void };
  prompt: { inc(value?: number): void };
  completion: { inc(value?: number): void };
  cost: { inc(value?: number): void };
  latency: { observe(value: number): void };
  ttft: { observe(value: number): void };
  /** Counter increments not yet handed to prom-client (added up per request, applied per scrape). */
  pending: { requests: number; prompt: number; completion: number; cost: number };
  dirty: boolean;
}

/** Dirty label sets kept before an early flush, whatever the scrape interval. */
const MAX_DIRTY = 1000;

/** Which names may become label values: only what the operator configured. */
export interface MetricLabelPolicy {
  knownModel(provider: string, model: string): boolean;
  knownProvider(provider: string): boolean;
}

/** The one label value every name that is not configured is counted under. */
export const UNKNOWN_LABEL = 'unknown';

/** Without a policy (unit tests) nothing is known: no client string can become a label. */
const NOTHING_KNOWN: MetricLabelPolicy = { knownModel: () => false, knownProvider: () => false };

/**
 * Prometheus metrics, fed from the same per-request record as usage accounting. Label
 * values come only from configured model and provider names: a client-chosen model name
 * must not create a series (400 requests with 100 KB names once grew /metrics to 40 MB).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'model' | 'provider' | 'status' | 'stream'>;
  private readonly tokens: Counter<'model' | 'provider' | 'kind'>;
  private readonly cost: Counter<'model' | 'provider'>;
  private readonly latency: Histogram<'provider'>;
  private readonly ttft: Histogram<'provider'>;
  readonly breakerState: Gauge<'deployment'>;

  constructor(private readonly labels: MetricLabelPolicy = NOTHING_KNOWN) {
    collectDefaultMetrics({ register: this.registry, prefix: 'skgw_' });
    this.requests = new Counter({
      name: 'skgw_requests_total',
      help: 'Requests answered, by model, provider, HTTP status and stream flag',
      labelNames: ['model', 'provider', 'status', 'stream'],
      registers: [this.registry],
      collect: this.flush,
    });
    this.tokens = new Counter({
      name: 'skgw_tokens_total',
      help: 'Tokens by kind (prompt, completion)',
      labelNames: ['model', 'provider', 'kind'],
      registers: [this.registry],
      collect: this.flush,
    });
    this.cost = new Counter({
      name: 'skgw_cost_total',
      help: 'Cost in the model pricing currency',
      labelNames: ['model', 'provider'],
      registers: [this.registry],
      collect: this.flush,
    });
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

  // prom-client validates and hashes label objects on every call; children bound to
  // their labels once are reused (label sets are bounded by the catalog).
  private readonly children = new Map<string, Children>();

  private childrenFor(record: UsageRecord): Children {
    const key = `${record.model}\u0000${record.provider}\u0000${record.status}\u0000${record.stream}`;
    let children = this.children.get(key);
    if (!children) {
      let { model, provider } = record;
      if (!this.labels.knownModel(provider, model)) {
        // Counted under `unknown`, and never cached under the client's string.
        model = UNKNOWN_LABEL;
        if (!this.labels.knownProvider(provider)) provider = UNKNOWN_LABEL;
        const unknownKey = `\u0001${provider}\u0000${record.status}\u0000${record.stream}`;
        const existing = this.children.get(unknownKey);
        if (existing) return existing;
        const created = this.createChildren(model, provider, record);
        if (this.children.size < 10_000) this.children.set(unknownKey, created);
        return created;
      }
      children = this.createChildren(model, provider, record);
      if (this.children.size < 10_000) this.children.set(key, children);
    }
    return children;
  }

  private createChildren(model: string, provider: string, record: UsageRecord): Children {
    return {
      requests: this.requests.labels(model, provider, String(record.status), record.stream ? 'true' : 'false'),
      prompt: this.tokens.labels(model, provider, 'prompt'),
      completion: this.tokens.labels(model, provider, 'completion'),
      cost: this.cost.labels(model, provider),
      latency: this.latency.labels(provider),
      ttft: this.ttft.labels(provider),
      pending: { requests: 0, prompt: 0, completion: 0, cost: 0 },
      dirty: false,
    };
  }

  private dirty: Children[] = [];

  /**
   * Hands the counters' pending increments to prom-client. Runs when any counter is
   * collected (every scrape), so /metrics shows every request answered before it; a
   * prom-client counter hashes its labels on every inc, which per request was a visible
   * share of the gateway's own work.
   */
  readonly flush = (): void => {
    const dirty = this.dirty;
    if (dirty.length === 0) return;
    this.dirty = [];
    for (const c of dirty) {
      const p = c.pending;
      if (p.requests) c.requests.inc(p.requests);
      if (p.prompt) c.prompt.inc(p.prompt);
      if (p.completion) c.completion.inc(p.completion);
      if (p.cost) c.cost.inc(p.cost);
      p.requests = p.prompt = p.completion = p.cost = 0;
      c.dirty = false;
    }
  };

  observe(record: UsageRecord): void {
    const c = this.childrenFor(record);
    const p = c.pending;
    p.requests += 1;
    if (record.promptTokens) p.prompt += record.promptTokens;
    if (record.completionTokens) p.completion += record.completionTokens;
    if (record.cost) p.cost += record.cost;
    if (!c.dirty) {
      c.dirty = true;
      if (this.dirty.push(c) >= MAX_DIRTY) this.flush();
    }
    c.latency.observe(record.latencyMs / 1000);
    if (record.ttftMs !== null) c.ttft.observe(record.ttftMs / 1000);
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
