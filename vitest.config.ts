import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'admin-ui/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a browser page or another process; its 1 s default was missed by a
    // console page under the whole suite's load (four workers on two cores), never when quiet.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Four workers even on a 2-core machine: one worker would hide shared state between test
    // files (schemas, Redis keys, ports), which every test must be free of.
    maxWorkers: 4,
    // Tables in PostgreSQL's public schema before any test (see the file for why).
    globalSetup: ['./src/test-support/global-setup.ts'],
    reporters: ['default', './scripts/plain-summary-reporter.ts'],
    // Any unhandled rejection fails the run (issue: routing and resilience).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
