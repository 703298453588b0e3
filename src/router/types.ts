import { z } from 'zod';

/** Why an upstream attempt failed; fallback rules and the circuit breaker key on it. */
export type FailureKind =
  | 'connect'
  | 'timeout-first-byte'
  | 'timeout'
  | 'rate-limit'
  | 'server'
  | 'context-window-exceeded'
  | 'content-filter'
  | 'bad-request'
  | 'auth'
  | 'malformed-response'
  | 'any';

export const FAILURE_KINDS = [
  'connect',
  'timeout-first-byte',
  'timeout',
  'rate-limit',
  'server',
  'context-window-exceeded',
  'content-filter',
  'bad-request',
  'auth',
  'malformed-response',
  'any',
] as const satisfies readonly FailureKind[];

export type BalancingStrategy = 'weighted' | 'priority' | 'least-latency' | 'least-busy';

export const BALANCING_STRATEGIES = [
  'weighted',
  'priority',
  'least-latency',
  'least-busy',
] as const satisfies readonly BalancingStrategy[];

export interface Deployment {
  /** `provider/upstreamModel`: stable across config reloads, so stats and breakers survive them. */
  id: string;
  provider: string;
  /** Catalog model name. */
  model: string;
  /** Share of traffic within its priority tier (default 1; 0 = only when nothing else is left). */
  weight: number;
  /** Lower is preferred (default 0); a higher tier only serves when every lower one is unavailable. */
  priority: number;
}

export interface RetryPolicy {
  /** Attempts per group, the first one included (1 = never retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An upstream Retry-After longer than this is not waited for: another deployment or a fallback is used. */
  retryAfterCapMs: number;
  /** Retries allowed as a fraction of recent requests per group, e.g. 0.2. */
  budgetRatio: number;
  /** Retries always allowed regardless of traffic, so a quiet group can still retry. */
  minRetriesPerSecond: number;
}

export interface FallbackRule {
  on: FailureKind[];
  /** Group names or model names, tried in order. */
  to: string[];
}

export interface ModelGroup {
  name: string;
  deployments: Deployment[];
  strategy: BalancingStrategy;
  retry?: RetryPolicy;
  fallbacks?: FallbackRule[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  retryAfterCapMs: 10_000,
  budgetRatio: 0.2,
  minRetriesPerSecond: 1,
};

export const deploymentId = (provider: string, upstreamModel: string) => `${provider}/${upstreamModel}`;

const nonEmpty = z.string().trim().min(1);

export const deploymentInputSchema = z.strictObject({
  provider: nonEmpty,
  model: nonEmpty,
  weight: z.number().min(0).max(1_000_000).default(1),
  priority: z.number().int().min(0).max(1_000).default(0),
});

export const retryPolicySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(10),
    baseDelayMs: z.number().int().min(0).max(60_000),
    maxDelayMs: z.number().int().min(0).max(300_000),
    retryAfterCapMs: z.number().int().min(0).max(600_000),
    budgetRatio: z.number().min(0).max(10),
    minRetriesPerSecond: z.number().min(0).max(1_000),
  })
  .partial()
  .transform((value): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, ...value }))
  .refine((policy) => policy.maxDelayMs >= policy.baseDelayMs, {
    message: 'maxDelayMs must be at least baseDelayMs',
    path: ['maxDelayMs'],
  });

export const fallbackRuleSchema = z.strictObject({
  on: z.array(z.enum(FAILURE_KINDS)).min(1),
  to: z.array(nonEmpty).min(1),
});

/**
 * Validates a model group from the config file or the admin API and builds the runtime
 * shape (deployment ids, defaults). Parse errors name the offending path.
 */
export const modelGroupSchema = z
  .strictObject({
    name: nonEmpty,
    deployments: z.array(deploymentInputSchema).min(1, 'a model group needs at least one deployment'),
    strategy: z.enum(BALANCING_STRATEGIES).default('weighted'),
    retry: retryPolicySchema.optional(),
    fallbacks: z.array(fallbackRuleSchema).optional(),
  })
  .superRefine((group, ctx) => {
    const seen = new Set<string>();
    group.deployments.forEach((d, index) => {
      const id = deploymentId(d.provider, d.model);
      if (seen.has(id)) {
        ctx.addIssue({ code: 'custom', message: `duplicate deployment ${id}`, path: ['deployments', index] });
      }
      seen.add(id);
    });
    group.fallbacks?.forEach((rule, ruleIndex) => {
      rule.to.forEach((target, targetIndex) => {
        if (target === group.name) {
          ctx.addIssue({
            code: 'custom',
            message: `a group cannot fall back to itself (${target})`,
            path: ['fallbacks', ruleIndex, 'to', targetIndex],
          });
        }
      });
    });
  })
  .transform(
    (group): ModelGroup => ({
      name: group.name,
      strategy: group.strategy,
      deployments: group.deployments.map((d) => ({
        id: deploymentId(d.provider, d.model),
        provider: d.provider,
        model: d.model,
        weight: d.weight,
        priority: d.priority,
      })),
      ...(group.retry ? { retry: group.retry } : {}),
      ...(group.fallbacks ? { fallbacks: group.fallbacks } : {}),
    }),
  );

export type ModelGroupInput = z.input<typeof modelGroupSchema>;
