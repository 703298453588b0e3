import { describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createDeploymentStats } from './deployment-stats.js';
import {
  createAttemptPlanner,
  groupHasCapacity,
  type AttemptOutcome,
  type AttemptPlannerOptions,
  type PlanStep,
  type PlannedAttempt,
} from './plan-attempts.js';
import { mulberry32 } from './random.js';
import { createRetryBudget } from './retry-policy.js';
import { DEFAULT_RETRY_POLICY, type Deployment, type FailureKind, type FallbackRule, type ModelGroup } from './types.js';

const dep = (id: string, weight = 1, priority = 0): Deployment => ({ id, provider: id.split('/')[0]!, model: id, weight, priority });
const group = (name: string, ids: string[], fallbacks?: FallbackRule[], maxAttempts = 3): ModelGroup => ({
  name,
  strategy: 'weighted',
  deployments: ids.map((id) => dep(id)),
  retry: { ...DEFAULT_RETRY_POLICY, maxAttempts, baseDelayMs: 100, maxDelayMs: 1_000, retryAfterCapMs: 5_000 },
  ...(fallbacks ? { fallbacks } : {}),
});

const setup = (primary: ModelGroup, others: ModelGroup[] = [], overrides: Partial<AttemptPlannerOptions> = {}) => {
  let clock = 1_000_000;
  const breaker = createCircuitBreaker({ failureThreshold: 100, cooldownMs: 10_000 });
  const stats = createDeploymentStats();
  const budget = createRetryBudget({ budgetRatio: 0, minRetriesPerSecond: 100 });
  const models = new Map(others.filter((g) => g.name.startsWith('model:')).map((g) => [g.name.slice(6), g]));
  const options: AttemptPlannerOptions = {
    group: primary,
    groups: new Map([primary, ...others].map((g) => [g.name, g])),
    resolveModelAsGroup: (name) => models.get(name) ?? null,
    stats,
    breaker,
    budget,
    random: () => 0.999,
    now: () => clock,
    ...overrides,
  };
  const planner = createAttemptPlanner(options);
  return { planner, breaker, stats, budget, advance: (ms: number) => (clock += ms), now: () => clock };
};

const failure = (step: PlanStep, kind: FailureKind, extra: Partial<AttemptOutcome> = {}): AttemptOutcome => {
  expect(step.action).toBe('attempt');
  const retryable = ['connect', 'timeout-first-byte', 'rate-limit', 'server', 'malformed-response'].includes(kind);
  return { deploymentId: (step as PlannedAttempt).deployment.id, failure: kind, retryable, bytesSentToClient: false, ...extra };
};

const attempted = (step: PlanStep) => (step.action === 'attempt' ? step.deployment.id : `fail:${step.reason}`);

describe('createAttemptPlanner: within a group', () => {
  it('first attempt goes out at once; success is recorded', () => {
    const { planner, breaker, stats, now } = setup(group('g', ['a/1']));
    const step = planner.next();
    expect(step).toEqual({ action: 'attempt', deployment: dep('a/1'), delayMs: 0, attempt: 1, attemptInGroup: 1, group: 'g', viaFallback: null });
    planner.recordSuccess('a/1');
    expect(breaker.state('a/1', now())).toBe('closed');
    expect(stats.outcomeSummary('a/1').successes).toBe(1);
    expect(planner.attempts).toBe(1);
    expect(planner.fallbacks).toBe(0);
  });

  it('retries a retryable failure on another deployment immediately', () => {
    const { planner, stats } = setup(group('g', ['a/1', 'b/1']));
    const first = planner.next() as PlannedAttempt;
    const second = planner.next(failure(first, 'server')) as PlannedAttempt;
    expect(second.action).toBe('attempt');
    expect(second.deployment.id).not.toBe(first.deployment.id);
    expect(second).toMatchObject({ delayMs: 0, attempt: 2, attemptInGroup: 2, viaFallback: null });
    expect(stats.outcomeSummary(first.deployment.id).failures).toBe(1);
  });

  it('retries the same deployment after backoff when none is left, up to maxAttempts', () => {
    const { planner } = setup(group('g', ['a/1'], undefined, 4));
    let step = planner.next();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      step = planner.next(failure(step, 'connect'));
      expect(attempted(step)).toBe('a/1');
      delays.push((step as PlannedAttempt).delayMs);
    }
    // random ≈ 1: the full exponential ceiling.
    expect(delays).toEqual([100, 200, 400]);
    const end = planner.next(failure(step, 'connect'));
    expect(end).toEqual({ action: 'fail', reason: 'attempts-exhausted', failure: 'connect', attempts: 4, fallbacks: 0 });
    expect(planner.next()).toBe(end);
  });

  it('honours Retry-After within the cap on the same deployment', () => {
    const { planner } = setup(group('g', ['a/1']));
    const first = planner.next();
    expect(planner.next(failure(first, 'rate-limit', { retryAfterMs: 3_000 }))).toMatchObject({ action: 'attempt', delayMs: 3_000 });
  });

  it('Retry-After beyond the cap: switches deployment without waiting', () => {
    const { planner } = setup(group('g', ['a/1', 'b/1']));
    const first = planner.next() as PlannedAttempt;
    const second = planner.next(failure(first, 'rate-limit', { retryAfterMs: 60_000 }));
    expect(second).toMatchObject({ action: 'attempt', delayMs: 0 });
    expect(attempted(second)).not.toBe(first.deployment.id);
    // Both asked for a minute: nothing left that need not wait, and no fallback.
    const end = planner.next(failure(second, 'rate-limit', { retryAfterMs: 60_000 }));
    expect(end).toMatchObject({ action: 'fail', reason: 'retry-after-exceeds-cap', failure: 'rate-limit', retryAfterMs: 60_000 });
  });

  it('Retry-After beyond the cap goes to a fallback rather than waiting', () => {
    const { planner } = setup(group('g', ['a/1'], [{ on: ['rate-limit'], to: ['other'] }]), [group('other', ['o/1'])]);
    const first = planner.next();
    const next = planner.next(failure(first, 'rate-limit', { retryAfterMs: 60_000 }));
    expect(next).toMatchObject({ action: 'attempt', delayMs: 0, group: 'other', viaFallback: 'other' });
  });

  it('never retries once bytes reached the client, whatever the rules say', () => {
    const { planner } = setup(group('g', ['a/1', 'b/1'], [{ on: ['any'], to: ['other'] }]), [group('other', ['o/1'])]);
    const first = planner.next();
    const end = planner.next(failure(first, 'connect', { bytesSentToClient: true }));
    expect(end).toMatchObject({ action: 'fail', reason: 'bytes-sent', failure: 'connect', attempts: 1, fallbacks: 0 });
    expect(planner.next()).toBe(end);
  });

  it('property: bytes sent always ends the plan (1,000 random runs)', () => {
    const random = mulberry32(99);
    const kinds: FailureKind[] = ['connect', 'timeout-first-byte', 'timeout', 'rate-limit', 'server', 'context-window-exceeded', 'content-filter', 'bad-request', 'auth', 'malformed-response'];
    for (let run = 0; run < 1_000; run++) {
      const { planner } = setup(
        group('g', ['a/1', 'b/1', 'c/1'], [{ on: ['any'], to: ['f1', 'f2'] }], 5),
        [group('f1', ['x/1'], [{ on: ['any'], to: ['f2'] }], 5), group('f2', ['y/1'], undefined, 5)],
        { random },
      );
      let step = planner.next();
      let sentAt = -1;
      for (let i = 0; i < 30 && step.action === 'attempt'; i++) {
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        const sent = random() < 0.2;
        step = planner.next(failure(step, kind, { retryable: random() < 0.5, bytesSentToClient: sent }));
        if (sent) {
          sentAt = i;
          break;
        }
      }
      if (sentAt >= 0) expect(step).toMatchObject({ action: 'fail', reason: 'bytes-sent' });
      else expect(step.action === 'fail' || planner.attempts <= 30).toBe(true);
    }
  });

  it('a non-retryable failure without a matching rule fails at once', () => {
    const { planner } = setup(group('g', ['a/1', 'b/1'], [{ on: ['context-window-exceeded'], to: ['big'] }]), [group('big', ['big/1'])]);
    const first = planner.next();
    expect(planner.next(failure(first, 'bad-request'))).toEqual({ action: 'fail', reason: 'non-retryable', failure: 'bad-request', attempts: 1, fallbacks: 0 });
  });

  it('stops when the retry budget is spent', () => {
    const budget = createRetryBudget({ budgetRatio: 0, minRetriesPerSecond: 0 });
    const { planner } = setup(group('g', ['a/1', 'b/1']), [], { budget });
    const first = planner.next();
    expect(planner.next(failure(first, 'server'))).toMatchObject({ action: 'fail', reason: 'retry-budget-exhausted', failure: 'server' });
  });

  it('many concurrent failing requests: the budget caps total retries (no retry storm)', () => {
    const budget = createRetryBudget({ budgetRatio: 0.2, minRetriesPerSecond: 0 });
    let attempts = 0;
    for (let r = 0; r < 1_000; r++) {
      const { planner } = setup(group('g', ['a/1', 'b/1', 'c/1'], undefined, 3), [], { budget });
      let step = planner.next();
      while (step.action === 'attempt') {
        attempts += 1;
        step = planner.next(failure(step, 'server'));
      }
    }
    // Without a budget: 3,000 attempts. With 0.2: about 1,000 + 200.
    expect(attempts).toBeLessThanOrEqual(1_200);
    expect(attempts).toBeGreaterThanOrEqual(1_190);
  });

  it('feeds failures to the breaker, and skips deployments it opened', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 10_000 });
    const { planner } = setup(group('g', ['a/1', 'b/1'], undefined, 5), [], { breaker });
    const first = planner.next() as PlannedAttempt;
    const second = planner.next(failure(first, 'server'));
    expect(breaker.state(first.deployment.id, 1_000_000)).toBe('open');
    // The second deployment fails too and opens: nothing left, no same-deployment retry.
    expect(planner.next(failure(second, 'server'))).toMatchObject({ action: 'fail', reason: 'no-deployment-available', failure: 'server' });
  });

  it('recordOutcomes: false leaves the breaker alone', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1 });
    const { planner } = setup(group('g', ['a/1']), [], { breaker, recordOutcomes: false });
    planner.next(failure(planner.next(), 'server'));
    expect(breaker.state('a/1', 1_000_000)).toBe('closed');
  });

  it('throws a GatewayError when asked to continue without an outcome', () => {
    const { planner } = setup(group('g', ['a/1']));
    planner.next();
    expect(() => planner.next()).toThrow(GatewayError);
  });

  it('respects maxTotalAttempts', () => {
    const { planner } = setup(group('g', ['a/1'], [{ on: ['any'], to: ['f'] }], 5), [group('f', ['b/1'], undefined, 5)], { maxTotalAttempts: 3 });
    let step = planner.next();
    for (let i = 0; i < 2; i++) step = planner.next(failure(step, 'server'));
    expect(planner.next(failure(step, 'server'))).toMatchObject({ action: 'fail', reason: 'max-total-attempts', attempts: 3 });
  });
});

describe('createAttemptPlanner: fallbacks', () => {
  it('context-window-exceeded jumps to a larger model at once', () => {
    const { planner } = setup(
      group('small', ['a/small', 'b/small'], [{ on: ['context-window-exceeded'], to: ['large'] }]),
      [group('model:large', ['a/large'])],
    );
    const first = planner.next();
    const next = planner.next(failure(first, 'context-window-exceeded'));
    expect(next).toEqual({ action: 'attempt', deployment: dep('a/large'), delayMs: 0, attempt: 2, attemptInGroup: 1, group: 'model:large', viaFallback: 'large' });
    expect(planner.fallbacks).toBe(1);
  });

  it('content-filter goes to another vendor', () => {
    const { planner } = setup(group('g', ['strict/1'], [{ on: ['content-filter'], to: ['lenient'] }]), [group('lenient', ['other/1'])]);
    const next = planner.next(failure(planner.next(), 'content-filter'));
    expect(attempted(next)).toBe('other/1');
  });

  it('an exhausted group follows rules on the failure or any, depth-first', () => {
    const { planner } = setup(
      group('p', ['p/1'], [{ on: ['server'], to: ['a', 'b'] }], 1),
      [group('a', ['a/1'], [{ on: ['any'], to: ['c'] }], 1), group('b', ['b/1'], undefined, 1), group('c', ['c/1'], undefined, 1)],
    );
    const order: string[] = [];
    let step = planner.next();
    while (step.action === 'attempt') {
      order.push(`${step.group}:${step.viaFallback}`);
      step = planner.next(failure(step, 'server'));
    }
    expect(order).toEqual(['p:null', 'a:a', 'c:c', 'b:b']);
    expect(step).toMatchObject({ action: 'fail', reason: 'attempts-exhausted', attempts: 4, fallbacks: 3 });
    expect(planner.history.map((h) => `${h.deploymentId}:${h.failure}`)).toEqual(['p/1:server', 'a/1:server', 'c/1:server', 'b/1:server']);
  });

  it('rules that do not match the failure are not followed', () => {
    const { planner } = setup(group('p', ['p/1'], [{ on: ['content-filter'], to: ['x'] }], 1), [group('x', ['x/1'])]);
    expect(planner.next(failure(planner.next(), 'server'))).toMatchObject({ action: 'fail', reason: 'attempts-exhausted' });
  });

  it('a non-retryable failure in a fallback continues only with pending targets whose rule matches', () => {
    const make = (on: FailureKind[]) =>
      setup(group('p', ['p/1'], [{ on, to: ['a', 'b'] }], 1), [group('a', ['a/1'], undefined, 1), group('b', ['b/1'], undefined, 1)]);
    const any = make(['any']).planner;
    let step = any.next(failure(any.next(), 'server'));
    expect(attempted(any.next(failure(step, 'bad-request')))).toBe('b/1');
    const onlyServer = make(['server']).planner;
    step = onlyServer.next(failure(onlyServer.next(), 'server'));
    expect(onlyServer.next(failure(step, 'bad-request'))).toMatchObject({ action: 'fail', reason: 'non-retryable', failure: 'bad-request' });
  });

  it('fallback loops terminate, each group visited once', () => {
    const { planner } = setup(
      group('a', ['a/1'], [{ on: ['any'], to: ['b', 'a'] }], 1),
      [group('b', ['b/1'], [{ on: ['any'], to: ['a', 'c', 'b'] }], 1), group('c', ['c/1'], [{ on: ['any'], to: ['a', 'b'] }], 1)],
    );
    const seen: string[] = [];
    let step = planner.next();
    while (step.action === 'attempt') {
      seen.push(step.group);
      step = planner.next(failure(step, 'server'));
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(step.action).toBe('fail');
  });

  it('property: random fallback graphs always terminate without revisiting a group', () => {
    const random = mulberry32(2024);
    for (let run = 0; run < 300; run++) {
      const names = Array.from({ length: 6 }, (_, i) => `g${i}`);
      const groups = names.map((name) =>
        group(
          name,
          [`${name}/1`, `${name}/2`],
          [{ on: ['any'], to: names.filter(() => random() < 0.5) }, { on: ['server'], to: [names[Math.floor(random() * 6)]!, 'missing'] }],
          1 + Math.floor(random() * 3),
        ),
      );
      const { planner } = setup(groups[0]!, groups.slice(1), { random, maxTotalAttempts: 1_000 });
      let step = planner.next();
      const entered: string[] = [];
      let guard = 0;
      while (step.action === 'attempt' && guard++ < 1_000) {
        if (step.attemptInGroup === 1) entered.push(step.group);
        step = planner.next(failure(step, random() < 0.5 ? 'server' : 'timeout-first-byte'));
      }
      expect(step.action).toBe('fail');
      expect(new Set(entered).size).toBe(entered.length);
      expect(planner.attempts).toBeLessThanOrEqual(6 * 3);
    }
  });

  it('an unavailable primary (all circuits open) goes to infra fallbacks; without any it fails with no failure', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    breaker.onFailure('a/1', 'server', 1_000_000);
    const withFallback = setup(group('g', ['a/1'], [{ on: ['connect'], to: ['backup'] }]), [group('backup', ['b/1'])], { breaker });
    expect(withFallback.planner.next()).toMatchObject({ action: 'attempt', group: 'backup', viaFallback: 'backup', attempt: 1 });
    const without = setup(group('g', ['a/1']), [], { breaker });
    expect(without.planner.next()).toEqual({ action: 'fail', reason: 'no-deployment-available', failure: null, attempts: 0, fallbacks: 0 });
    expect(groupHasCapacity(group('g', ['a/1']), breaker, 1_000_000)).toBe(false);
  });

  it('skips unknown targets and unavailable fallback groups, following their own fallbacks', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 });
    breaker.onFailure('down/1', 'server', 1_000_000);
    const { planner } = setup(
      group('g', ['a/1'], [{ on: ['server'], to: ['nope', 'down'] }], 1),
      [group('down', ['down/1'], [{ on: ['server'], to: ['last'] }]), group('last', ['l/1'])],
      { breaker },
    );
    const next = planner.next(failure(planner.next(), 'server'));
    expect(next).toMatchObject({ action: 'attempt', group: 'last', viaFallback: 'last' });
    expect(planner.fallbacks).toBe(1);
  });

  it('retries inside a fallback group use its own policy and spend the shared budget', () => {
    const budget = createRetryBudget({ budgetRatio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 });
    const { planner } = setup(group('g', ['a/1'], [{ on: ['any'], to: ['f'] }], 1), [group('f', ['f/1', 'f/2'], undefined, 3)], { budget });
    let step = planner.next(failure(planner.next(), 'server'));
    expect(step).toMatchObject({ group: 'f', attemptInGroup: 1 });
    step = planner.next(failure(step, 'server'));
    expect(step).toMatchObject({ group: 'f', attemptInGroup: 2 });
    expect(planner.next(failure(step, 'server'))).toMatchObject({ action: 'fail', reason: 'retry-budget-exhausted', attempts: 3, fallbacks: 1 });
  });
});

describe("createAttemptPlanner: the caller's allowed models", () => {
  // Only deployments whose id starts with "ok" are allowed.
  const restrict = (g: ModelGroup): ModelGroup | null => {
    const deployments = g.deployments.filter((d) => d.id.startsWith('ok'));
    return deployments.length === 0 ? null : { ...g, deployments };
  };

  it('never attempts a disallowed deployment of the group, on retries either', () => {
    const { planner } = setup(group('g', ['ok/1', 'no/1', 'no/2']), [], { restrict });
    const first = planner.next();
    expect(attempted(first)).toBe('ok/1');
    const second = planner.next(failure(first, 'server'));
    expect(attempted(second)).toBe('ok/1'); // the same one again, after a pause
    expect(attempted(planner.next(failure(second, 'server')))).toBe('ok/1');
  });

  it('skips fallback targets the caller may not use and goes on to the next', () => {
    const { planner } = setup(group('g', ['ok/1'], [{ on: ['any'], to: ['forbidden', 'allowed'] }], 1), [group('forbidden', ['no/9']), group('allowed', ['ok/2'])], {
      restrict,
    });
    const first = planner.next();
    const next = planner.next(failure(first, 'server'));
    expect(attempted(next)).toBe('ok/2');
    expect(next).toMatchObject({ viaFallback: 'allowed' });
  });

  it('fails without an attempt when nothing of the requested group is allowed', () => {
    const { planner } = setup(group('g', ['no/1']), [], { restrict });
    expect(attempted(planner.next())).toBe('fail:no-deployment-available');
  });

  it('releases a probe slot for a local refusal instead of judging the deployment', () => {
    const { planner, breaker, stats, now } = setup(group('g', ['ok/1', 'ok/2']));
    const first = planner.next() as PlannedAttempt;
    planner.next({ ...failure(first, 'bad-request'), local: true });
    expect(stats.outcomeSummary(first.deployment.id).failures).toBe(0);
    expect(breaker.state(first.deployment.id, now())).toBe('closed');
  });
});
