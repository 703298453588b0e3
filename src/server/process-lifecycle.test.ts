import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, createSecretBox, loadSecretKey, openDatabase } from '../storage/index.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { defaultTestProviders, writeTestConfig } from '../test-support/gateway-harness.js';

const root = resolve(__dirname, '../..');
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'skgw-process-'));
  writeTestConfig(join(dir, 'config'), sim.url, defaultTestProviders());
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => {
  const out: NodeJS.ProcessEnv = { ...process.env, GATEWAY_CONFIG_DIR: join(dir, 'config'), GATEWAY_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  for (const p of defaultTestProviders()) if (p.keyEnv && p.key) out[p.keyEnv] = p.key;
  delete out.GATEWAY_MASTER_KEY;
  return out;
};

const startGateway = async (port: number, extraArgs: string[] = []): Promise<ChildProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(port), ...extraArgs], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // tsx compiles the sources at start: seconds when the machine is busy with other test files.
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

const chat = async (port: number, body: object = {}) => {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  return { status: response.status, json: (await response.json()) as { model?: string } };
};

const openRepos = async () => {
  const database = await openDatabase({ dataDir: join(dir, 'data') });
  const box = createSecretBox(await loadSecretKey({ dataDir: join(dir, 'data') }));
  return { database, repos: createRepositories(database.db, { box }) };
};

describe('the gateway as a process', () => {
  it('flushes every usage row on SIGTERM and exits 0', async () => {
    const port = 18000 + Math.floor(Math.random() * 1000);
    const child = await startGateway(port);
    const results = await Promise.all(Array.from({ length: 40 }, () => chat(port, { model: 'gpt-test' })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await stop(child)).toBe(0);
    const { database, repos } = await openRepos();
    const summary = await repos.usage.summary(0, Date.now() + 1000);
    await database.close();
    expect(summary.requests).toBe(40);
  }, 90_000);

  it('with --workers 2, a switch stored by one process reaches every worker within 1 s, and survives a restart', async () => {
    const port = 19000 + Math.floor(Math.random() * 1000);
    const child = await startGateway(port, ['--workers', '2']);
    try {
      const { database, repos } = await openRepos();
      await repos.overlay.setActiveModel('language', 'ZhipuAI/glm-test', 'test');
      await database.close();
      await new Promise((r) => setTimeout(r, 1000));
      // Many requests spread over both workers: every one must use the new model.
      const results = await Promise.all(Array.from({ length: 30 }, () => chat(port)));
      expect(results.map((r) => r.json.model)).toEqual(Array(30).fill('glm-test'));
    } finally {
      expect(await stop(child)).toBe(0);
    }
    const again = await startGateway(port);
    try {
      expect((await chat(port)).json.model).toBe('glm-test');
    } finally {
      await stop(again);
    }
  }, 90_000);
});

describe('graceful shutdown', () => {
  it('lets 50 open streams finish after SIGTERM, refuses new work, flushes usage and exits 0', async () => {
    const port = 20000 + Math.floor(Math.random() * 1000);
    const child = await startGateway(port);
    const { database: before, repos: beforeRepos } = await openRepos();
    const already = (await beforeRepos.usage.summary(0, Date.now() + 1000)).requests;
    await before.close();
    // Every stream must really be open (headers received) before SIGTERM: on a loaded
    // machine a fixed pause let some requests arrive after the listener had closed.
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'x' }], simulator: { chunks: 20, tokenDelayMs: 100 } }),
        }),
      ),
    );
    const streams = responses.map((response) => response.text());
    const exited = stop(child);
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    const bodies = await Promise.all(streams);
    for (const body of bodies) expect(body.trim().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);
    const { database, repos } = await openRepos();
    const after = (await repos.usage.summary(0, Date.now() + 1000)).requests;
    await database.close();
    expect(after - already).toBe(50);
  }, 90_000);
});
