import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog, CatalogModel } from '../router/model-catalog.js';
import { assertUsable } from '../router/model-resolver.js';
import { deploymentModel, groupForTarget, type ResolvedRoute } from '../router/model-groups.js';
import { classifyFailure, type UpstreamOutcome } from '../router/classify-failure.js';
import type { ModelAccess } from '../router/model-access.js';
import { createAttemptPlanner, type AttemptOutcome, type AttemptPlanner } from '../router/plan-attempts.js';
import { DEFAULT_RETRY_POLICY, type ModelGroup } from '../router/types.js';
import { GatewayError } from '../server/errors.js';
import type { PreparedUpstreamCall } from './chat-request.js';
import type { RoutingRuntime } from './routing-runtime.js';
import { toAbortSignal, type CancelSignal, type UpstreamClient, type UpstreamResponse } from './upstream-client.js';
import { upstreamHttpError } from './upstream-error.js';
import { assembleChatStream } from './assemble-chat-stream.js';
import { classifyKeyFailure } from '../providers/key-failure-rules.js';
import type { KeyPool, PoolKey } from '../router/key-pool.js';
import type { RequestTrace } from '../observability/tracing.js';

export interface RoutedCallOptions {
  upstream: UpstreamClient;
  runtime: RoutingRuntime;
  catalog: Catalog;
  groups: ReadonlyMap<string, ModelGroup>;
  route: ResolvedRoute;
  /** Builds the upstream request for a deployment's model (image pipeline, body rewrite). */
  buildCall: (model: CatalogModel) => Promise<PreparedUpstreamCall>;
  /** Throws when a model cannot serve this request (e.g. cannot see images). */
  checkModel?: (model: CatalogModel) => void;
  signal: CancelSignal;
  /** 'json' reads and parses the body inside the retry loop; 'stream' hands it over open. */
  mode: 'json' | 'stream';
  /** Set only when tracing is on (issue 16): each attempt gets a child span. */
  trace?: RequestTrace | null;
  /**
   * The caller's allowed models. `route` must already be restricted to them (resolveRoute
   * does it); fallback targets are restricted here, before they are tried.
   */
  access?: ModelAccess | null;
}

export interface RoutedSuccess {
  model: CatalogModel;
  call: PreparedUpstreamCall;
  deploymentId: string;
  upstream: UpstreamResponse;
  json: Record<string, unknown> | null;
  /** The body exactly as received ('json' mode), to pass on without re-serialising. */
  text: string | null;
  attempts: number;
  fallbacks: number;
  /** Null on the single-deployment fast path. */
  planner: AttemptPlanner | null;
  /** Marks the deployment idle again (in-flight count); call once the response is done. */
  release: () => void;
  /** The pool key that served (its label goes into usage rows); null for a provider's single key. */
  poolKey: PoolKey | null;
}

const outcomeOf = (error: GatewayError, status?: number, body?: string, headers?: UpstreamResponse['headers']): UpstreamOutcome => {
  if (status !== undefined) return { kind: 'http', status, body, headers };
  if (error.code === 'upstream_timeout') {
    const phase = (error.details?.phase as 'connect' | 'first-byte' | 'idle' | 'total' | undefined) ?? 'total';
    return { kind: 'timeout', phase };
  }
  if (error.code === 'upstream_malformed_response') return { kind: 'malformed' };
  return { kind: 'network', code: error.code };
};

const readText = async (upstream: UpstreamResponse): Promise<string> => {
  try {
    return await upstream.body.text();
  } catch (error) {
    throw upstream.mapError(error);
  } finally {
    upstream.done();
  }
};

type AttemptResult =
  | { ok: true; success: Omit<RoutedSuccess, 'attempts' | 'fallbacks' | 'planner'> }
  | { ok: false; error: GatewayError; outcome: Omit<AttemptOutcome, 'deploymentId'> };

const notUsable = (error: unknown): AttemptResult => ({
  ok: false,
  error: error as GatewayError,
  outcome: { failure: 'bad-request', retryable: false, bytesSentToClient: false, local: true },
});

type Failed = Extract<AttemptResult, { ok: false }> & { httpStatus?: number; httpBody?: string; retryAfter?: string };

/** One attempt against one deployment; never throws for upstream failures (it reports them). */
const attemptDeployment = async (options: RoutedCallOptions, deployment: { id: string; provider: string; model: string }): Promise<AttemptResult> => {
  const { catalog } = options;
  const id = deployment.id;
  const model = deploymentModel(catalog, deployment.provider, deployment.model);
  try {
    if (!model) throw new GatewayError(`The deployment ${id} names a model that is not configured.`, { status: 503, code: 'deployment_not_configured' });
    assertUsable(model);
    options.checkModel?.(model);
  } catch (error) {
    return notUsable(error);
  }
  let call: PreparedUpstreamCall;
  try {
    call = await options.buildCall(model);
  } catch (error) {
    // Refused by the gateway (e.g. a broken image) before the vendor saw anything: the
    // deployment's breaker must not hold a probe slot for it, nor judge the deployment.
    options.runtime.breaker.release(id, Date.now());
    throw error;
  }
  const pool = model.providerState.pool;
  if (pool !== null) return attemptWithPool(options, model, call, id, pool);
  return sendCall(options, model, call, id, model.providerState.apiKey, null);
};

/**
 * A provider with a key pool: a key that turns out to be the problem (401/403, quota or
 * balance, a per-key 429) is taken out and the same request goes to the next key at once,
 * before the deployment's own retry policy or the client ever sees the failure.
 */
const attemptWithPool = async (
  options: RoutedCallOptions,
  model: CatalogModel,
  call: PreparedUpstreamCall,
  id: string,
  pool: KeyPool,
): Promise<AttemptResult> => {
  let tried: Set<PoolKey> | null = null;
  let last: Failed | null = null;
  for (;;) {
    const key = pool.pick(Date.now(), tried);
    if (key === null) {
      if (last) return last;
      const error = new GatewayError(`No API key of the provider ${model.provider} can take a request right now.`, {
        status: 503,
        code: 'no_available_provider_key',
        headers: { 'retry-after': '5' },
      });
      // Another deployment (another provider) may still serve: an infra-like, retryable failure.
      return { ok: false, error, outcome: { failure: 'rate-limit', retryable: true, bytesSentToClient: false } };
    }
    Object.assign(call.headers, call.adapter.authHeaders(key.secret));
    const result = await sendCall(options, model, call, id, key.secret, key);
    if (result.ok) {
      pool.reportSuccess(key);
      return result;
    }
    const failed = result as Failed;
    const reason = failed.httpStatus === undefined ? null : classifyKeyFailure(model.providerState.config.vendor, failed.httpStatus, failed.httpBody ?? '');
    if (reason === null) return failed;
    const retryAfterSeconds = failed.retryAfter === undefined ? NaN : Number(failed.retryAfter);
    pool.reportFailure(key, reason, failed.error.message, Date.now(), Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : undefined);
    (tried ??= new Set()).add(key);
    last = failed;
  }
};

const sendCall = async (
  options: RoutedCallOptions,
  model: CatalogModel,
  call: PreparedUpstreamCall,
  id: string,
  secret: string | null,
  poolKey: PoolKey | null,
): Promise<AttemptResult> => {
  const release = options.runtime.stats.begin(id);
  let upstream: UpstreamResponse;
  try {
    upstream = await options.upstream.request(model.provider, {
      url: call.url,
      headers: call.headers,
      body: call.body,
      timeouts: call.timeouts,
      signal: options.signal,
    });
  } catch (error) {
    release();
    // The client left: no verdict on the deployment, and a half-open probe slot is given back.
    if (options.signal.aborted) {
      options.runtime.breaker.release(id, Date.now());
      throw error;
    }
    const mapped = error as GatewayError;
    return { ok: false, error: mapped, outcome: { ...classifyFailure(outcomeOf(mapped)), bytesSentToClient: false } };
  }
  const httpFailure = (status: number, text: string): Failed => {
    const error = upstreamHttpError(status, text, upstream.headers, call.adapter, model.provider, secret);
    const retryAfter = upstream.headers['retry-after'];
    return {
      ok: false,
      error,
      outcome: { ...classifyFailure(outcomeOf(error, status, text, upstream.headers)), bytesSentToClient: false },
      httpStatus: status,
      httpBody: text,
      ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    };
  };
  if (upstream.status < 200 || upstream.status >= 300) {
    release();
    let text = '';
    try {
      text = await readText(upstream);
    } catch {
      text = '';
    }
    return httpFailure(upstream.status, text);
  }
  let json: Record<string, unknown> | null = null;
  let text: string | null = null;
  if (options.mode === 'json') {
    try {
      if (call.assembleStream) {
        // A stream-only model: its stream, folded into the JSON answer it stands for.
        const assembled = await assembleChatStream(upstream, model.provider);
        if (!assembled.ok) {
          release();
          return httpFailure(assembled.status, assembled.text);
        }
        json = assembled.json;
        text = JSON.stringify(json);
      } else {
        text = await readText(upstream);
        json = JSON.parse(text) as Record<string, unknown>;
      }
      if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
    } catch (error) {
      release();
      // The client left: no verdict on the deployment, and a half-open probe slot is given back.
      if (options.signal.aborted) {
        options.runtime.breaker.release(id, Date.now());
        throw error;
      }
      const mapped =
        error instanceof GatewayError
          ? error
          : new GatewayError(`The upstream provider ${model.provider} sent a malformed response.`, { status: 502, code: 'upstream_malformed_response' });
      return { ok: false, error: mapped, outcome: { ...classifyFailure(outcomeOf(mapped)), bytesSentToClient: false } };
    }
  }
  return { ok: true, success: { model, call, deploymentId: id, upstream, json, text, release, poolKey } };
};

type Deployment = { id: string; provider: string; model: string };

/** Tracing on (issue 16): the same attempt inside a child span. Never called when tracing is off. */
const tracedAttempt = async (options: RoutedCallOptions, deployment: Deployment): Promise<AttemptResult> => {
  const model = deploymentModel(options.catalog, deployment.provider, deployment.model);
  const span = options.trace!.attempt({
    deploymentId: deployment.id,
    provider: deployment.provider,
    vendor: model?.providerState.config.vendor ?? 'unknown',
    model: model?.upstreamName ?? deployment.model,
    url: model?.providerState.config.baseUrl ?? '',
  });
  try {
    const result = await attemptDeployment(options, deployment);
    if (result.ok) span.end({ status: result.success.upstream.status });
    else {
      // The vendor's own status when it answered; none for connect errors and timeouts.
      const status = result.error.details?.upstream_status;
      span.end({ status: typeof status === 'number' ? status : undefined, errorCode: result.error.code, failure: result.outcome.failure });
    }
    return result;
  } catch (error) {
    span.end({ errorCode: error instanceof GatewayError ? error.code : 'client_disconnected' });
    throw error;
  }
};

const cooling = (name: string) =>
  new GatewayError(`No deployment of \`${name}\` is available right now (all are cooling down).`, {
    status: 503,
    code: 'no_available_deployment',
  });

/**
 * The common case — a plain model, no retries, no fallbacks — without the planner:
 * one breaker check, one attempt, one outcome.
 */
const openSingle = async (options: RoutedCallOptions): Promise<RoutedSuccess> => {
  const { runtime, route } = options;
  const deployment = route.group.deployments[0]!;
  if (!runtime.breaker.acquire(deployment.id, Date.now())) throw cooling(route.publicName);
  const result = options.trace ? await tracedAttempt(options, deployment) : await attemptDeployment(options, deployment);
  const now = Date.now();
  if (!result.ok) {
    if (result.outcome.local) runtime.breaker.release(deployment.id, now);
    else {
      runtime.breaker.onFailure(deployment.id, result.outcome.failure, now);
      runtime.stats.recordOutcome(deployment.id, false, now, result.outcome.failure);
    }
    throw result.error;
  }
  runtime.breaker.onSuccess(deployment.id, now);
  runtime.stats.recordOutcome(deployment.id, true, now);
  return { ...result.success, attempts: 1, fallbacks: 0, planner: null };
};

const restrictTo = (access: ModelAccess, catalog: Catalog) => (group: ModelGroup) => access.restrict(catalog, group);

/**
 * Open an upstream response for a route, retrying and falling back as its group's
 * policy allows. Nothing has been sent to the client while this runs, so every
 * failure here is still retryable; once it returns, the caller owns the response.
 */
export const openRoutedCall = async (options: RoutedCallOptions): Promise<RoutedSuccess> => {
  const { runtime, catalog, route } = options;
  const group = route.group;
  if (group.deployments.length === 1 && (group.retry ?? DEFAULT_RETRY_POLICY).maxAttempts <= 1 && !group.fallbacks?.length) {
    return openSingle(options);
  }
  const policy = route.group.retry ?? DEFAULT_RETRY_POLICY;
  const planner = createAttemptPlanner({
    group: route.group,
    groups: options.groups,
    resolveModelAsGroup: groupForTarget(catalog, options.groups),
    stats: runtime.stats,
    breaker: runtime.breaker,
    budget: runtime.budgets.for(route.group.name, policy),
    policy,
    random: runtime.random,
    now: Date.now,
    ...(options.access ? { restrict: restrictTo(options.access, catalog) } : {}),
  });
  let last: AttemptOutcome | undefined;
  let lastError: GatewayError | null = null;
  for (;;) {
    const step = planner.next(last);
    if (step.action === 'fail') throw lastError ?? cooling(route.publicName);
    if (step.delayMs > 0) {
      try {
        await sleep(step.delayMs, undefined, { signal: toAbortSignal(options.signal) });
      } catch (error) {
        runtime.breaker.release(step.deployment.id, Date.now());
        throw error;
      }
    }
    const result = options.trace ? await tracedAttempt(options, step.deployment) : await attemptDeployment(options, step.deployment);
    if (!result.ok) {
      lastError = result.error;
      last = { deploymentId: step.deployment.id, ...result.outcome };
      continue;
    }
    planner.recordSuccess(step.deployment.id);
    return { ...result.success, attempts: planner.attempts, fallbacks: planner.fallbacks, planner };
  }
};
