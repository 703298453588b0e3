import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged } from '../system/children.js';
import { freePort, waitForHttp } from '../system/ports.js';
import { MODELS, UPSTREAM_KEY } from './workload.js';
import { waitForEveryWorker } from './verify-target.js';
import type { TargetContext, TargetStart } from './target.js';

const PROVIDER = 'BenchUpstream';
const KEY_ENV = 'BENCH_UPSTREAM_API_KEY';

/** Models on the extra providers: bench/profile sends its protocol scenarios to these. */
export const EXTRA_MODELS = { anthropic: 'bench-claude', noUsage: 'bench-quiet' } as const;

const EXTRA_PROVIDERS = [
  { name: 'BenchAnthropic', file: 'bench-anthropic', path: 'anthropic', vendor: 'anthropic', protocol: 'anthropic', model: EXTRA_MODELS.anthropic },
  { name: 'BenchNoUsage', file: 'bench-no-usage', path: 'nousage', vendor: 'openai', protocol: null, model: EXTRA_MODELS.noUsage },
] as const;

const BENCH_ADMIN_PASSWORD = 'bench-admin-password';
const BENCH_MASTER_KEY = 'bench-master-key-not-for-production';

/**
 * The production path: a virtual key created through the admin API, with RPM, TPM and
 * a budget set (high enough never to refuse), so key lookup, rate limiting, budget
 * checks and usage accounting all run on every measured request.
 */
export const createVirtualKey = async (origin: string, settleMs = 600): Promise<string> => {
  const login = await fetch(`${origin}/admin/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: BENCH_ADMIN_PASSWORD }),
  });
  if (!login.ok) throw new Error(`admin login failed: HTTP ${login.status}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const created = await fetch(`${origin}/admin/api/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'bench', rpmLimit: 10_000_000, tpmLimit: 1_000_000_000, budget: { amount: 1_000_000, period: 'month' } }),
  });
  if (created.status !== 201) throw new Error(`creating the bench key failed: HTTP ${created.status} ${await created.text()}`);
  const { key } = (await created.json()) as { key: string };
  // The key cache reloads on the next state poll (250 ms; longer under a profiler).
  await new Promise((r) => setTimeout(r, settleMs));
  return key;
};

/** What the bench client presents: a virtual key, unless BENCH_GATEWAY_ANONYMOUS=1. */
export const gatewayAuthorization = (virtualKey: string | null): string => `Bearer ${virtualKey ?? BENCH_MASTER_KEY}`;

/** Same shape as src/test-support/gateway-harness.ts writes: models.yaml + providers/<name>.yaml. */
export const writeGatewayConfig = (configDir: string, upstreamUrl: string): void => {
  mkdirSync(join(configDir, 'providers'), { recursive: true });
  writeFileSync(
    join(configDir, 'models.yaml'),
    [
      'providers:',
      `  - name: "${PROVIDER}"`,
      `    api_key_env: "${KEY_ENV}"`,
      '    needs_key: true',
      `    base_url: "${upstreamUrl}/openai/v1"`,
      '    vendor: "openai"',
      '    timeout_ms: { connect: 2000, first_byte: 10000, idle: 10000, total: 120000 }',
      ...EXTRA_PROVIDERS.flatMap((extra) => [
        `  - name: "${extra.name}"`,
        `    api_key_env: "${KEY_ENV}"`,
        '    needs_key: true',
        `    base_url: "${upstreamUrl}/${extra.path}/v1"`,
        `    vendor: "${extra.vendor}"`,
        ...(extra.protocol ? [`    protocol: ${extra.protocol}`] : []),
        '    timeout_ms: { connect: 2000, first_byte: 10000, idle: 10000, total: 120000 }',
      ]),
      '',
    ].join('\n'),
  );
  const models = Object.values(MODELS).map((name) => `    - name: "${name}"\n      display_name: "${name}"`);
  writeFileSync(join(configDir, 'providers', 'bench-upstream.yaml'), [`provider: "${PROVIDER}"`, 'models:', '  language:', ...models, ''].join('\n'));
  // The other protocol paths (bench/profile): an Anthropic-protocol vendor and an OpenAI-protocol
  // vendor that sends no usage (the simulator's `nousage` mode), so the tokenizer counts.
  for (const extra of EXTRA_PROVIDERS) {
    writeFileSync(
      join(configDir, 'providers', `${extra.file}.yaml`),
      [`provider: "${extra.name}"`, 'models:', '  language:', `    - name: "${extra.model}"\n      display_name: "${extra.model}"`, ''].join('\n'),
    );
  }
  writeFileSync(
    join(configDir, 'active_models.json'),
    JSON.stringify({ active_language_model_provider: PROVIDER, active_language_model: MODELS.fast }, null, 2),
  );
};

/** `npm run build` equivalent; the bench measures the built output, as `npm start` serves it. */
export const buildGateway = (root: string): void => {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch {
    throw new Error('the TypeScript build failed (see above); fix it, or pass --no-build to measure the dist/ that is there');
  }
};

export const startGateway = (context: TargetContext): Promise<TargetStart> => startGatewayBuild(context, 'gateway', context.root);

/**
 * The same gateway as `serve --workers N` (node:cluster). Each worker learns about the new
 * virtual key from its own state poll, so the key is checked on fresh connections (which the
 * cluster primary hands to the workers in turn) before the target counts as started.
 */
export const startGatewayWorkers = (context: TargetContext, workers: number): Promise<TargetStart> => {
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`gateway workers must be a whole number 1–64, got ${workers}`);
  return startGatewayBuild(context, 'gateway', context.root, workers);
};

/** The same gateway setup from another checkout's dist/ (the `--baseline DIR` target). */
export const startBaselineGateway = (context: TargetContext): Promise<TargetStart> =>
  context.baselineRoot
    ? startGatewayBuild(context, 'baseline', context.baselineRoot)
    : Promise.resolve({ status: 'skipped', name: 'baseline', reason: 'no --baseline DIR given' });

const startGatewayBuild = async (context: TargetContext, name: 'gateway' | 'baseline', root: string, workers: number | null = null): Promise<TargetStart> => {
  const cli = join(root, 'dist/cli.js');
  if (!existsSync(cli)) return { status: 'skipped', name, reason: `${cli} missing: run npm run build there` };
  // Each start gets fresh config and data, so a restarted or second gateway starts empty.
  const runDir = mkdtempSync(join(context.workDir, `${name}-`));
  const configDir = join(runDir, 'gateway-config');
  const dataDir = join(runDir, 'gateway-data');
  mkdirSync(dataDir, { recursive: true });
  writeGatewayConfig(configDir, context.upstreamUrl);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    GATEWAY_CONFIG_DIR: configDir,
    GATEWAY_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    GATEWAY_DRAIN_TIMEOUT_MS: '1000',
    [KEY_ENV]: UPSTREAM_KEY,
    ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    GATEWAY_MASTER_KEY: BENCH_MASTER_KEY,
  };
  // cwd is the temp dir so a developer's .env in the repo cannot change what is measured.
  // BENCH_GATEWAY_NODE_FLAGS / BENCH_BASELINE_NODE_FLAGS (e.g. "--max-semi-space-size=8") try
  // runtime flags on one target without a rebuild, so a flag gets its pair from one run.
  const nodeFlags = (process.env[name === 'baseline' ? 'BENCH_BASELINE_NODE_FLAGS' : 'BENCH_GATEWAY_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  // null = no flag at all, exactly what `npm start` runs; a number passes --workers even for 1.
  const workerArgs = workers === null ? [] : ['--workers', String(workers)];
  const serveArgs = [...nodeFlags, cli, 'serve', ...workerArgs];
  const launch = context.wrap ? context.wrap(process.execPath, serveArgs) : { command: process.execPath, args: serveArgs };
  const child = spawnManaged(name, launch.command, launch.args, { cpu: context.cpu, env, cwd: runDir });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/health`, context.startTimeoutMs ?? 20_000, child.isRunning, context.wrap ? 60_000 : 1000);
  } catch (error) {
    await child.stop();
    return { status: 'skipped', name, reason: `gateway did not start: ${(error as Error).message} ${child.outputTail()}` };
  }
  let virtualKey: string | null = null;
  if (process.env.BENCH_GATEWAY_ANONYMOUS !== '1') {
    try {
      virtualKey = await createVirtualKey(origin, context.wrap ? 5000 : 600);
    } catch (error) {
      await child.stop();
      return { status: 'skipped', name, reason: `could not create the bench virtual key: ${(error as Error).message}` };
    }
  }
  const authorization = gatewayAuthorization(virtualKey);
  if (workers !== null && workers > 1) {
    const problem = await waitForEveryWorker(`${origin}/v1/chat/completions`, { authorization }, workers * 3, 10_000);
    if (problem) {
      await child.stop();
      return { status: 'skipped', name, reason: `not every worker accepts the bench key: ${problem}` };
    }
  }
  const version = (() => {
    try {
      return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return null;
    }
  })();
  return {
    status: 'ok',
    target: {
      name,
      origin,
      chatPath: '/v1/chat/completions',
      headers: { authorization },
      pid: child.pid,
      version,
      notes: [
        name === 'baseline' ? `baseline build from ${root}` : `node ${[...nodeFlags, 'dist/cli.js', 'serve', ...workerArgs].join(' ')}, LOG_LEVEL=warn, NODE_ENV=production`,
        virtualKey
          ? 'production path: virtual key (RPM, TPM and budget set), usage accounting to SQLite, metrics'
          : 'master key only (BENCH_GATEWAY_ANONYMOUS=1)',
      ],
      stop: () => child.stop(5000),
    },
  };
};
