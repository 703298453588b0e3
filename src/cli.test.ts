import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveRules } from './providers/rules/resolve-rules.js';

const run = promisify(execFile);
const root = resolve(__dirname, '..');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('sk-llm-gateway CLI', () => {
  it('prints the version', async () => {
    const { code, stdout } = await cli(['version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('check-config summarises a valid folder (the prototype seed) and exits 0', async () => {
    const { code, stdout } = await cli(['check-config', '--config-dir', 'src/config/__fixtures__/seed-config']);
    expect(code).toBe(0);
    expect(stdout).toContain('providers: 13');
    expect(stdout).toContain('configuration OK');
  });

  it('check-config names file, path and line and exits non-zero on errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skgw-cli-'));
    mkdirSync(join(dir, 'providers'));
    writeFileSync(join(dir, 'models.yaml'), 'providers:\n  - name: "A"\n    base_url: "not a url"\n');
    const { code, stderr } = await cli(['check-config'], { GATEWAY_CONFIG_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('models.yaml:3 at providers[0].base_url');
  });

  it('check-config counts models in the singular and the plural ("1 model", "2 models")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skgw-cli-'));
    mkdirSync(join(dir, 'providers'));
    writeFileSync(join(dir, 'models.yaml'), 'providers:\n  - name: "One"\n    base_url: "https://one.example/v1"\n  - name: "Two"\n    base_url: "https://two.example/v1"\n');
    writeFileSync(join(dir, 'providers', 'one.yaml'), 'provider: "One"\nmodels:\n  language:\n    - name: "a"\n');
    writeFileSync(join(dir, 'providers', 'two.yaml'), 'provider: "Two"\nmodels:\n  language:\n    - name: "b"\n    - name: "c"\n');
    const { code, stdout } = await cli(['check-config', '--config-dir', dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/One .* 1 model {2}/);
    expect(stdout).toMatch(/Two .* 2 models {2}/);
    expect(stdout).not.toContain('1 models');
  });

  it('check-config names each model\'s vendor-rules family and the YAML rules, without warnings for valid rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skgw-cli-'));
    mkdirSync(join(dir, 'providers'));
    writeFileSync(
      join(dir, 'models.yaml'),
      'providers:\n  - name: "OA"\n    base_url: "https://api.openai.com/v1"\n    vendor: openai\n    rules: { stream_options: with-stream }\n  - name: "Plain"\n    base_url: "https://plain.example/v1"\n',
    );
    writeFileSync(join(dir, 'providers', 'oa.yaml'), 'provider: "OA"\nmodels:\n  language:\n    - name: "o3"\n    - name: "gpt-4.1"\n      rules: { parameters: [ { clamp: temperature, min: 0, max: 1 } ] }\n');
    writeFileSync(join(dir, 'providers', 'plain.yaml'), 'provider: "Plain"\nmodels:\n  language:\n    - name: "p"\n');
    const { code, stdout } = await cli(['check-config', '--config-dir', dir]);
    expect(code).toBe(0);
    // The families as the table has them today (other vendors' entries change; the line's form does not).
    const o3 = resolveRules('openai', 'o3').family ?? 'vendor defaults';
    const gpt = resolveRules('openai', 'gpt-4.1').family ?? 'vendor defaults';
    expect(o3).not.toBe('vendor defaults');
    const families = o3 === gpt ? `${o3} ×2` : `${o3} ×1, ${gpt} ×1`;
    expect(stdout).toContain(`rule families: ${families}; provider YAML rules; model YAML rules: gpt-4.1`);
    expect(stdout).not.toContain('warning');
    // A provider the table says nothing about, without YAML rules: no rules line.
    expect(stdout.split('\n').filter((line) => line.includes('rule families'))).toHaveLength(1);
  });

  it('check-config warns when a Qianfan key is not a bce-v3 API Key, without printing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skgw-cli-'));
    mkdirSync(join(dir, 'providers'));
    writeFileSync(join(dir, 'models.yaml'), 'providers:\n  - name: "Baidu"\n    vendor: baidu\n    base_url: "https://qianfan.baidubce.com/v2"\n    api_key_env: "QF_TEST_KEY"\n');
    const wrong = await cli(['check-config', '--config-dir', dir], { QF_TEST_KEY: 'old-ak-secret-123' });
    expect(wrong.code).toBe(0);
    expect(wrong.stdout).toContain('warning: Baidu: QF_TEST_KEY does not look like a Qianfan v2 API Key');
    expect(wrong.stdout).not.toContain('old-ak-secret-123');
    const right = await cli(['check-config', '--config-dir', dir], { QF_TEST_KEY: 'bce-v3/ALTAK-abc/0123' });
    expect(right.stdout).not.toContain('warning');
  });

  it('refuses to listen beyond loopback without a master key', async () => {
    const { code, stderr } = await cli(['serve', '--host', '0.0.0.0', '--port', '0'], { GATEWAY_MASTER_KEY: '' });
    expect(code).toBe(1);
    expect(stderr).toContain('GATEWAY_MASTER_KEY');
  });
});
