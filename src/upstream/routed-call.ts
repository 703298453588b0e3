import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog, CatalogModel } from '../router/model-catalog.js';
import { assertUsable } from '../router/model-resolver.js';
import { deploymentModel, groupForTarget, type ResolvedRoute } from '../router/model-groups.js';
import { classifyFailure, type UpstreamOutcome } from '../router/classify-failure.js';
import { createAttemptPlanner, type AttemptOutcome, type AttemptPlanner } from '../router/plan-attempts.js';
import { DEFAULT_RETRY_POLICY, type ModelGroup } from '../router/types.js';
import { GatewayError } from '../server/errors.js';
import type { PreparedUpstreamCall } from './chat-request.js';
import type { RoutingRuntime } from './routing-runtime.js';
import type { UpstreamClient, UpstreamResponse } from './upstream-client.js';
import { upstreamHttpError } from './upstream-error.js';

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
  signal: AbortSignal;
  /** 'json' reads and parses the body inside the retry loop; 'stream' hands it over open. */
  mode: 'json' | 'stream';
}

export interface RoutedSuccess {
  model: CatalogModel;
  call: PreparedUpstreamCall;
  deploymentId: string;
  upstream: UpstreamResponse;
  json: Record<string, unknown> | null;
  attempts: number;
  fallbacks: number;
  planner: AttemptPlanner;
  /** Marks the deployment idle again (in-flight count); call once the response is done. */
  release: () => void;
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

/**
 * Open an upstream response for a route, retrying and falling back as its group's
 * policy allows. Nothing has been sent to the client while this runs, so every
 * failure here is still retryable; once it returns, the caller owns the response.
 */
export const openRoutedCall = async (options: RoutedCallOptions): Promise<RoutedSuccess> => {
  const { runtime, catalog, route } = options;
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
  });
  let last: AttemptOutcome | undefined;
  let lastError: GatewayError | null = null;
  for (;;) {
    const step = planner.next(last);
    if (step.action === 'fail') {
      throw (
        lastError ??
        new GatewayError(`No deployment of \`${route.publicName}\` is available right now (all are cooling down).`, {
          status: 503,
          code: 'no_available_deployment',
        })
      );
    }
    if (step.delayMs > 0) await sleep(step.delayMs, undefined, { signal: options.signal });
    const id = step.deployment.id;
    const model = deploymentModel(catalog, step.deployment.provider, step.deployment.model);
    try {
      if (!model) throw new GatewayError(`The deployment ${id} names a model that is not configured.`, { status: 503, code: 'deployment_not_configured' });
      assertUsable(model);
      options.checkModel?.(model);
    } catch (error) {
      lastError = error as GatewayError;
      last = { deploymentId: id, failure: 'bad-request', retryable: false, bytesSentToClient: false };
      continue;
    }
    const call = await options.buildCall(model);
    const release = runtime.stats.begin(id);
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
      if (options.signal.aborted) throw error;
      lastError = error as GatewayError;
      const verdict = classifyFailure(outcomeOf(lastError));
      last = { deploymentId: id, ...verdict, bytesSentToClient: false };
      continue;
    }
    if (upstream.status < 200 || upstream.status >= 300) {
      release();
      let text = '';
      try {
        text = await readText(upstream);
      } catch {
        text = '';
      }
      lastError = upstreamHttpError(upstream.status, text, upstream.headers, call.adapter, model.provider, model.providerState.apiKey);
      const verdict = classifyFailure(outcomeOf(lastError, upstream.status, text, upstream.headers));
      last = { deploymentId: id, ...verdict, bytesSentToClient: false };
      continue;
    }
    let json: Record<string, unknown> | null = null;
    if (options.mode === 'json') {
      try {
        const text = await readText(upstream);
        json = JSON.parse(text) as Record<string, unknown>;
        if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
      } catch (error) {
        release();
        if (options.signal.aborted) throw error;
        lastError =
          error instanceof GatewayError
            ? error
            : new GatewayError(`The upstream provider ${model.provider} sent a malformed response.`, { status: 502, code: 'upstream_malformed_response' });
        last = { deploymentId: id, ...classifyFailure(outcomeOf(lastError)), bytesSentToClient: false };
        continue;
      }
    }
    planner.recordSuccess(id);
    return { model, call, deploymentId: id, upstream, json, attempts: planner.attempts, fallbacks: planner.fallbacks, planner, release };
  }
};
