import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, deploymentId, modelGroupSchema } from './types.js';

const issuesOf = (input: unknown) => {
  const result = modelGroupSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('modelGroupSchema', () => {
  it('builds deployments with ids and defaults', () => {
    const group = modelGroupSchema.parse({
      name: 'chat',
      deployments: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'azure', model: 'gpt-4o', weight: 3, priority: 1 }],
    });
    expect(group).toEqual({
      name: 'chat',
      strategy: 'weighted',
      deployments: [
        { id: 'openai/gpt-4o', provider: 'openai', model: 'gpt-4o', weight: 1, priority: 0 },
        { id: 'azure/gpt-4o', provider: 'azure', model: 'gpt-4o', weight: 3, priority: 1 },
      ],
    });
    expect(deploymentId('a', 'b')).toBe('a/b');
  });

  it('merges a partial retry policy over the defaults and keeps fallbacks', () => {
    const group = modelGroupSchema.parse({
      name: 'chat',
      strategy: 'least-latency',
      deployments: [{ provider: 'p', model: 'm' }],
      retry: { maxAttempts: 5 },
      fallbacks: [{ on: ['context-window-exceeded'], to: ['big'] }],
    });
    expect(group.retry).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 5 });
    expect(group.fallbacks).toEqual([{ on: ['context-window-exceeded'], to: ['big'] }]);
    expect(group.strategy).toBe('least-latency');
  });

  it('rejects an empty name and an empty deployment list', () => {
    const issues = issuesOf({ name: '  ', deployments: [] });
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'deployments']));
    expect(issues.find((i) => i.path === 'deployments')!.message).toMatch(/at least one deployment/);
  });

  it('rejects duplicate deployments, self fallbacks, unknown kinds, strategies and fields', () => {
    expect(
      issuesOf({
        name: 'g',
        deployments: [
          { provider: 'p', model: 'm' },
          { provider: 'p', model: 'm' },
        ],
      })[0]!.message,
    ).toMatch(/duplicate deployment p\/m/);
    expect(
      issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm' }], fallbacks: [{ on: ['any'], to: ['g'] }] })[0],
    ).toMatchObject({ path: 'fallbacks.0.to.0' });
    expect(
      issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm' }], fallbacks: [{ on: ['oops'], to: ['x'] }] })[0]!
        .path,
    ).toBe('fallbacks.0.on.0');
    expect(issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm' }], strategy: 'random' })[0]!.path).toBe(
      'strategy',
    );
    expect(issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm', wieght: 2 }] })[0]!.path).toBe(
      'deployments.0',
    );
  });

  it('rejects negative weights, fractional priorities and an inverted delay range', () => {
    expect(issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm', weight: -1 }] })[0]!.path).toBe(
      'deployments.0.weight',
    );
    expect(issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm', priority: 0.5 }] })[0]!.path).toBe(
      'deployments.0.priority',
    );
    expect(
      issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm' }], retry: { baseDelayMs: 1000, maxDelayMs: 10 } })[0]!
        .path,
    ).toBe('retry.maxDelayMs');
    expect(issuesOf({ name: 'g', deployments: [{ provider: 'p', model: 'm' }], retry: { maxAttempts: 0 } })[0]!.path).toBe(
      'retry.maxAttempts',
    );
  });
});
