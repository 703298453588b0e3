import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../cli-args.js';
import { readRuntimeSettings } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import { buildApp } from '../server/app.js';
import { DEMO_KEY } from './start-demo.js';

const repoRoot = join(import.meta.dirname, '../..');
const roots: string[] = [];
const tempRoot = () => {
  const root = mkdtempSync(join(tmpdir(), 'skgw-demo-cli-'));
  roots.push(root);
  return root;
};
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** The CLI from source (tsx), as `npm run demo` runs it from dist/. */
const startCli = (args: string[], env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli.ts'), ...args], {
    cwd: repoRoot,
    // Only what the test sets: no DATABASE_URL, master key or .env values from the machine.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no ${pattern} in the CLI output:\n${output}`);
  };
  return { child, exited, waitFor, output: () => output };
};

describe('sk-llm-gateway serve --demo', () => {
  it('parses --demo', () => {
    expect(parseArgs(['serve', '--demo', '--port', '0'])).toEqual({ command: 'serve', demo: true, port: 0 });
    expect(parseArgs([]).demo).toBeUndefined();
  });

  it('starts the demo on the asked port, answers a chat, stops cleanly on SIGTERM', async () => {
    const cli = startCli(['serve', '--demo'], { GATEWAY_DATA_DIR: tempRoot(), PORT: '0', HOST: '127.0.0.1' });
    try {
      const [, base] = await cli.waitFor(/API:\s+(http:\/\/127\.0\.0\.1:\d+)\/v1/);
      expect(cli.output()).toContain('demo mode: Demo (simulator) · 演示（模拟器）');
      expect(cli.output()).toContain(`API key: ${DEMO_KEY}`);
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hello' }] }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(
        'Simulated reply from demo-chat.',
      );
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 120_000);

  it('still refuses a non-loopback HOST without a real master key (the demo key is public)', async () => {
    const cli = startCli(['serve', '--demo'], { GATEWAY_DATA_DIR: tempRoot(), PORT: '0', HOST: '0.0.0.0' });
    try {
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toMatch(/Refusing to listen on 0\.0\.0\.0 without GATEWAY_MASTER_KEY/);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('outside demo mode', () => {
  it('the shipped configuration has no demo provider or model, and the console gets demo: false', async () => {
    const settings = readRuntimeSettings({ GATEWAY_CONFIG_DIR: join(repoRoot, 'config'), GATEWAY_DATA_DIR: tempRoot() }, { port: 0 });
    const config = loadConfig(settings.configDir);
    expect(config.providers.map((p) => p.name)).not.toContain('Demo');
    const gateway = await buildApp({ settings, config, env: {}, logger: pino({ level: 'silent' }) });
    try {
      const models = (await gateway.app.inject({ url: '/v1/models' })).json() as { data: Array<{ id: string; provider: string }> };
      const merged = gateway.state.mergedConfig;
      expect(merged.models.length).toBeGreaterThan(100);
      expect(merged.providers.filter((p) => p.name === 'Demo' || p.baseUrl.includes('/demo'))).toEqual([]);
      expect(merged.models.filter((m) => m.provider === 'Demo' || m.name.startsWith('demo-'))).toEqual([]);
      expect(models.data.filter((m) => m.provider === 'Demo' || m.id.startsWith('demo-'))).toEqual([]);
      expect((await gateway.app.inject({ url: '/admin/auth/info' })).json()).toMatchObject({ demo: false });
      expect(gateway.ctx.settings.demo).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});
