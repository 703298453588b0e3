import { GatewayError } from '../server/errors.js';
import { availableDeployments, selectDeployment } from './balancer.js';
import { INFRA_FAILURE_KINDS, type CircuitBreaker } from './circuit-breaker.js';
import type { DeploymentStats } from './deployment-stats.js';
import type { RandomSource } from './random.js';
import { retryDelay, type RetryBudget } from './retry-policy.js';
import { DEFAULT_RETRY_POLICY, type Deployment, type FailureKind, type ModelGroup, type RetryPolicy } from './types.js';

/** What the caller reports about the attempt it just made. */
export interface AttemptOutcome {
  deploymentId: string;
  failure: FailureKind;
  retryable: boolean;
  retryAfterMs?: number;
  /** Once anything reached the client, a retry would duplicate or splice output. */
  bytesSentToClient: boolean;
  /**
   * The gateway refused this deployment itself (it cannot serve the request) before
   * sending anything: says nothing about its health, so the breaker and stats skip it.
   */
  local?: boolean;
}

export interface PlannedAttempt {
  action: 'attempt';
  deployment: Deployment;
  /** Wait this long before sending (backoff or Retry-After); 0 when switching deployment. */
  delayMs: number;
  /** 1-based count over the whole request, fallbacks included. */
  attempt: number;
  /** 1-based count within the current group. */
  attemptInGroup: number;
  group: string;
  /** The fallback target name (as configured) that led here, or null for the requested group. */
  viaFallback: string | null;
}

export type PlanFailureReason =
  | 'bytes-sent'
  | 'non-retryable'
  | 'attempts-exhausted'
  | 'retry-budget-exhausted'
  | 'retry-after-exceeds-cap'
  | 'no-deployment-available'
  | 'max-total-attempts';

export interface PlannedFailure {
  action: 'fail';
  reason: PlanFailureReason;
  /** The last upstream failure, or null when nothing was attempted. */
  failure: FailureKind | null;
  retryAfterMs?: number;
  attempts: number;
  fallbacks: number;
}

export type PlanStep = PlannedAttempt | PlannedFailure;

export interface AttemptRecord {
  group: string;
  deploymentId: string;
  viaFallback: string | null;
  failure?: FailureKind;
}

export interface AttemptPlannerOptions {
  group: ModelGroup;
  /** Configured groups, looked up first for fallback targets. */
  groups: ReadonlyMap<string, ModelGroup>;
  /** Fallback targets that are plain model names become single-deployment groups here. */
  resolveModelAsGroup: (name: string) => ModelGroup | null;
  stats: DeploymentStats;
  breaker: CircuitBreaker;
  /** The requested group's retry budget; retries in fallback groups spend from it too. */
  budget: RetryBudget;
  /** For groups without their own `retry`. */
  policy?: RetryPolicy;
  random: RandomSource;
  now: () => number;
  /** Hard stop over groups and fallbacks together. Default 10. */
  maxTotalAttempts?: number;
  /** Report failures given to `next` to the breaker and stats (default true). */
  recordOutcomes?: boolean;
  /**
   * The caller's allowed models: the deployments of a group (the requested one and every
   * fallback target) it may use, or null when it may use none (the target is skipped).
   */
  restrict?: (group: ModelGroup) => ModelGroup | null;
}

export interface AttemptPlanner {
  next(lastOutcome?: AttemptOutcome): PlanStep;
  /** Report the successful attempt (closes a half-open circuit, feeds stats). */
  recordSuccess(deploymentId: string): void;
  readonly attempts: number;
  readonly fallbacks: number;
  readonly history: readonly AttemptRecord[];
}

interface Pending {
  target: string;
  on: FailureKind[];
}

interface Current {
  group: ModelGroup;
  viaFallback: string | null;
  attemptsInGroup: number;
  failed: Set<string>;
}

const INFRA_KINDS: readonly FailureKind[] = INFRA_FAILURE_KINDS;

const ruleMatches = (on: readonly FailureKind[], failures: readonly FailureKind[]) =>
  on.includes('any') || failures.some((f) => on.includes(f));

/**
 * The retry/fallback state machine for one client request. Pure: time, randomness and
 * health come in through the options; it never sleeps or performs I/O — it says what to
 * do next and the caller does it.
 */
export const createAttemptPlanner = (options: AttemptPlannerOptions): AttemptPlanner => {
  const { groups, resolveModelAsGroup, stats, breaker, budget, random, now } = options;
  const defaultPolicy = options.policy ?? DEFAULT_RETRY_POLICY;
  const maxTotalAttempts = options.maxTotalAttempts ?? 10;
  const recordOutcomes = options.recordOutcomes ?? true;

  const restrict = options.restrict;
  const startGroup = restrict ? restrict(options.group) : options.group;
  let current: Current = {
    group: startGroup ?? { ...options.group, deployments: [] },
    viaFallback: null,
    attemptsInGroup: 0,
    failed: new Set(),
  };
  const visited = new Set<string>([options.group.name]);
  let pending: Pending[] = [];
  const history: AttemptRecord[] = [];
  let attempts = 0;
  let fallbacks = 0;
  let started = false;
  let terminal: PlannedFailure | null = null;
  let lastFailure: FailureKind | null = null;
  let lastRetryAfterMs: number | undefined;

  const policyOf = (group: ModelGroup) => group.retry ?? defaultPolicy;

  const fail = (reason: PlanFailureReason): PlannedFailure => {
    terminal = {
      action: 'fail',
      reason,
      failure: lastFailure,
      ...(lastRetryAfterMs === undefined ? {} : { retryAfterMs: lastRetryAfterMs }),
      attempts,
      fallbacks,
    };
    return terminal;
  };

  const emit = (deployment: Deployment, delayMs: number): PlannedAttempt => {
    attempts += 1;
    current.attemptsInGroup += 1;
    history.push({ group: current.group.name, deploymentId: deployment.id, viaFallback: current.viaFallback });
    return {
      action: 'attempt',
      deployment,
      delayMs,
      attempt: attempts,
      attemptInGroup: current.attemptsInGroup,
      group: current.group.name,
      viaFallback: current.viaFallback,
    };
  };

  const select = (exclude: ReadonlySet<string>, claim: boolean) =>
    selectDeployment(current.group, { stats, breaker, exclude, random, now: now(), claim });

  /** Targets of the current group's rules matching these failures, in rule order. */
  const fallbackTargets = (failures: readonly FailureKind[]): Pending[] =>
    (current.group.fallbacks ?? [])
      .filter((rule) => ruleMatches(rule.on, failures))
      .flatMap((rule) => rule.to.map((target) => ({ target, on: rule.on })));

  /** An unavailable group (everything open or excluded) is an infra problem. */
  const unavailableFailures = (): FailureKind[] => (lastFailure ? [lastFailure, ...INFRA_KINDS] : [...INFRA_KINDS]);

  /** Walk pending fallback targets depth-first until one yields an attempt. */
  const goFallback = (reason: PlanFailureReason): PlanStep => {
    while (pending.length > 0) {
      const { target } = pending.shift()!;
      if (visited.has(target)) continue;
      visited.add(target);
      const found = groups.get(target) ?? resolveModelAsGroup(target);
      if (!found || (found.name !== target && visited.has(found.name))) continue;
      visited.add(found.name);
      // A target the caller may not use is skipped as if it were not configured.
      const group = restrict ? restrict(found) : found;
      if (!group) continue;
      if (attempts >= maxTotalAttempts) return fail('max-total-attempts');
      current = { group, viaFallback: target, attemptsInGroup: 0, failed: new Set() };
      const deployment = select(current.failed, true);
      if (deployment) {
        fallbacks += 1;
        return emit(deployment, 0);
      }
      // Chains: this group's own fallbacks come before the parent's remaining targets.
      pending = [...fallbackTargets(unavailableFailures()), ...pending];
    }
    return fail(reason);
  };

  const exhaust = (reason: PlanFailureReason, failures: readonly FailureKind[]): PlanStep => {
    pending = [...fallbackTargets(failures), ...pending];
    return goFallback(reason);
  };

  const start = (): PlanStep => {
    started = true;
    budget.recordRequest(now());
    const deployment = select(current.failed, true);
    if (deployment) return emit(deployment, 0);
    return exhaust('no-deployment-available', unavailableFailures());
  };

  const retryInGroup = (outcome: AttemptOutcome): PlanStep => {
    const policy = policyOf(current.group);
    current.failed.add(outcome.deploymentId);
    if (current.attemptsInGroup >= policy.maxAttempts) return exhaust('attempts-exhausted', [outcome.failure]);
    if (attempts >= maxTotalAttempts) return fail('max-total-attempts');

    const at = now();
    // Another deployment is tried at once; only the same one needs a pause.
    let chosen = select(current.failed, false);
    let delayMs = 0;
    if (!chosen) {
      const decision = retryDelay(current.attemptsInGroup, policy, random, outcome.retryAfterMs);
      if (decision.action === 'switch') return exhaust('retry-after-exceeds-cap', [outcome.failure]);
      chosen = select(new Set(), false);
      delayMs = decision.delayMs;
    }
    if (!chosen) return exhaust('no-deployment-available', [outcome.failure, ...unavailableFailures()]);
    if (!budget.tryWithdraw(at)) return exhaust('retry-budget-exhausted', [outcome.failure]);
    if (!breaker.acquire(chosen.id, at)) return exhaust('no-deployment-available', unavailableFailures());
    return emit(chosen, delayMs);
  };

  const next = (lastOutcome?: AttemptOutcome): PlanStep => {
    if (terminal) return terminal;
    if (!started) return start();
    if (!lastOutcome) {
      throw new GatewayError('The attempt planner was asked to continue without the outcome of its last attempt.', {
        status: 500,
        code: 'router_internal_error',
      });
    }
    const deploymentId = lastOutcome.deploymentId;
    if (lastOutcome.local) breaker.release(deploymentId, now());
    else if (recordOutcomes) {
      breaker.onFailure(deploymentId, lastOutcome.failure, now());
      stats.recordOutcome(deploymentId, false, now(), lastOutcome.failure);
    }
    const record = [...history].reverse().find((h) => h.deploymentId === deploymentId && h.failure === undefined);
    if (record) record.failure = lastOutcome.failure;
    lastFailure = lastOutcome.failure;
    lastRetryAfterMs = lastOutcome.retryAfterMs;

    if (lastOutcome.bytesSentToClient) return fail('bytes-sent');
    if (lastOutcome.retryable) return retryInGroup(lastOutcome);

    // Non-retryable: only a rule for this very failure (or 'any') may continue, either the
    // current group's or a pending one from the chain that led here.
    const failures = [lastOutcome.failure];
    pending = [...fallbackTargets(failures), ...pending.filter((p) => ruleMatches(p.on, failures))];
    return goFallback('non-retryable');
  };

  const recordSuccess = (deploymentId: string) => {
    const at = now();
    breaker.onSuccess(deploymentId, at);
    stats.recordOutcome(deploymentId, true, at);
  };

  return {
    next,
    recordSuccess,
    get attempts() {
      return attempts;
    },
    get fallbacks() {
      return fallbacks;
    },
    get history() {
      return history;
    },
  };
};

/** Whether any deployment of a group could take a request now (for readiness/health views). */
export const groupHasCapacity = (group: ModelGroup, breaker: CircuitBreaker, now: number): boolean =>
  availableDeployments(group, { breaker, now }).length > 0;
