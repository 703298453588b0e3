// `npm run test:container`: builds the container image with podman and tests it for real.
//
// Builds `Dockerfile` (podman build --pull=never --network host --format docker; podman's
// layer cache makes a rebuild with unchanged package*.json take seconds), runs it with
// --network host against this machine's PostgreSQL (fresh schema) and Redis (unique prefix)
// and the provider simulator started here on loopback, then checks: the image's HEALTHCHECK
// passes, /health/ready, a chat completion and a stream through it with the OpenAI SDK, and
// that `podman stop` lets an open stream finish before the container exits 0. Prints the
// image size. Needs podman and the local base image: see .ci/run and docs/deployment.md.
//
// Every podman call that runs while the container streams must be asynchronous: the simulator
// serves from this process's event loop. Run with tsx (the simulator and config helpers are TypeScript):
//   node --import tsx scripts/container-test.mjs
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import pg from 'pg';
import { startSimulator } from '../src/simulator/index.ts';
import { defaultTestProviders, writeTestConfig } from '../src/test-support/gateway-harness.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const image = process.env.CONTAINER_TEST_IMAGE ?? 'localhost/sk-llm-gateway:test';
const postgresUrl = process.env.GATEWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const masterKey = `sk-ctest-${randomBytes(12).toString('hex')}`;
const name = `skgw-ctest-${process.pid}`;
const started = Date.now();
const log = (message) => console.log(`[container-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

// The base-image script lives next to the main checkout (../shared/tools); worktrees and CI
// may place it elsewhere, so look in the usual places.
const baseImageScript = [
  process.env.CONTAINER_BASE_IMAGE_SCRIPT,
  join(root, '../shared/tools/container-base-image.sh'),
  join(root, '../../shared/tools/container-base-image.sh'),
  '/work/shared/tools/container-base-image.sh',
].find((path) => path && existsSync(path));

const podmanEnv = () => {
  if (!baseImageScript) return process.env;
  const out = execFileSync('bash', [baseImageScript, '--env'], { encoding: 'utf8' });
  const match = /CONTAINERS_CONF=(\S+)/.exec(out);
  return match ? { ...process.env, CONTAINERS_CONF: match[1] } : process.env;
};
const env = podmanEnv();
const podman = (args, options = {}) => execFileSync('podman', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).trim();

const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });

const check = (condition, message) => {
  if (!condition) throw new Error(`FAILED: ${message}`);
  log(`ok: ${message}`);
};

const waitReady = async (url, deadlineMs) => {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < deadline) {
    const state = podman(['inspect', '--format', '{{.State.Status}}', name]);
    if (state !== 'running') throw new Error(`container is ${state}:\n${podman(['logs', name])}`);
    try {
      const response = await fetch(`${url}/health/ready`);
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return JSON.parse(last.slice(4));
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready in ${deadlineMs} ms (last: ${last}):\n${podman(['logs', name])}`);
};

const main = async () => {
  if (spawnSync('podman', ['--version'], { env }).status !== 0) throw new Error('podman is not installed (see .ci/run)');
  if (baseImageScript) execFileSync('bash', [baseImageScript], { env, stdio: 'inherit' });

  log(`building ${image}`);
  const buildStart = Date.now();
  execFileSync('podman', ['build', '--pull=never', '--network', 'host', '--format', 'docker', '-t', image, root], {
    env,
    stdio: ['ignore', process.env.CONTAINER_TEST_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
  });
  const size = Number(podman(['image', 'inspect', '--format', '{{.Size}}', image]));
  log(`built in ${((Date.now() - buildStart) / 1000).toFixed(0)} s; image size ${(size / 1e6).toFixed(1)} MB`);
  const healthcheck = podman(['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', image]);
  check(healthcheck.includes('/health/ready'), 'the image carries a HEALTHCHECK on /health/ready');
  check(podman(['image', 'inspect', '--format', '{{.Config.User}}', image]) === 'node', 'the image runs as the node user');
  const layers = podman(['run', '--rm', '--network', 'host', '--entrypoint', 'sh', image, '-c', 'command -v g++ make python3; test -d node_modules/vitest && echo vitest; test -f admin-ui/dist/index.html && echo admin'], {});
  check(!/g\+\+|make|python3|vitest/.test(layers) && layers.includes('admin'), 'no compilers or devDependencies in the runtime image; admin console prebuilt');

  const sim = await startSimulator();
  const work = mkdtempSync(join(tmpdir(), 'skgw-ctest-'));
  const schema = `ctest_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    writeTestConfig(join(work, 'config'), sim.url, defaultTestProviders());
    const port = await freePort();
    const envFile = join(work, 'gateway.env');
    const vars = {
      HOST: '127.0.0.1',
      PORT: String(port),
      GATEWAY_MASTER_KEY: masterKey,
      DATABASE_URL: postgresUrl,
      GATEWAY_DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      GATEWAY_REDIS_PREFIX: `ctest:${randomBytes(6).toString('hex')}:`,
      GATEWAY_DRAIN_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'warn',
    };
    for (const p of defaultTestProviders()) if (p.keyEnv && p.key) vars[p.keyEnv] = p.key;
    // An env file, so no secret shows on a command line.
    writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    podman(['run', '-d', '--name', name, '--network', 'host', '--env-file', envFile, '-v', `${join(work, 'config')}:/app/config:ro`, image]);
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(url, 90_000);
    check(ready.status === 'ready' && ready.checks.database === true && ready.degraded === false, `/health/ready is 200 with PostgreSQL and Redis (${JSON.stringify(ready.checks)})`);
    check(spawnSync('podman', ['healthcheck', 'run', name], { env }).status === 0, 'podman healthcheck run passes (node fetch, no curl)');

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: masterKey, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hello from the container test' }] });
    check(typeof completion.choices[0]?.message.content === 'string' && completion.model === 'gpt-test', 'a chat completion through the container');
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'stream please' }] })) {
      streamed += chunk.choices[0]?.delta?.content ?? '';
    }
    check(streamed.length > 0, 'a streamed chat completion through the container');

    // A stream that takes ~3 s; `podman stop` (SIGTERM) must let it finish.
    const slow = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
      body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'slow' }], simulator: { chunks: 30, tokenDelayMs: 100 } }),
    }).then((response) => response.text());
    await new Promise((r) => setTimeout(r, 600));
    const stopStart = Date.now();
    // Asynchronously: the simulator serving the stream runs in this process's event loop.
    await promisify(execFile)('podman', ['stop', '--time', '30', name], { env });
    const stopMs = Date.now() - stopStart;
    const body = await slow;
    check(body.trim().endsWith('data: [DONE]'), `podman stop drained the open stream (stop took ${stopMs} ms)`);
    const exitCode = podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
    check(exitCode === '0', `the container exited 0 after SIGTERM (got ${exitCode})`);
    const rows = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.usage_records`).catch(() => ({ rows: [{ n: -1 }] }));
    check(rows.rows[0].n === 3, `the usage rows of all 3 requests were flushed to PostgreSQL before exit (${rows.rows[0].n})`);
    log(`PASS; image ${image} is ${(size / 1e6).toFixed(1)} MB`);
  } finally {
    spawnSync('podman', ['rm', '-f', '-v', name], { env, stdio: 'ignore' });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
};

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
