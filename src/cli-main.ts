// The CLI itself; src/cli.ts loads it once the young generation is held.
import cluster from 'node:cluster';
import { parseArgs, usage, type CliArgs } from './cli-args.js';
import { loadDotenvFile, readRuntimeSettings, type RuntimeSettings } from './config/env.js';
import { keyShapeHint } from './config/key-shape.js';
import { loadConfig } from './config/load-config.js';
import type { ModelConfig, ProviderConfig } from './config/types.js';
import { ConfigError } from './config/yaml-source.js';
import { resolveRules } from './providers/rules/resolve-rules.js';
import { buildApp, type GatewayApp } from './server/app.js';
import { assertSafeBinding, installGracefulShutdown } from './server/lifecycle.js';
import { version } from './server/version.js';
import { startupYoungGeneration } from './server/young-generation-start.js';

/**
 * Which vendor-rules family each of a provider's models falls in (src/providers/rules),
 * and which carry YAML `rules:`, so an operator sees what the gateway will change.
 */
const rulesSummary = (provider: ProviderConfig, models: ModelConfig[]): string | null => {
  const families = new Map<string, number>();
  const overridden: string[] = [];
  for (const model of models) {
    if (model.provider !== provider.name) continue;
    const family = resolveRules(provider.vendor, model.upstreamName, provider.rules, model.rules).family ?? 'vendor defaults';
    families.set(family, (families.get(family) ?? 0) + 1);
    if (model.rules) overridden.push(model.name);
  }
  if (families.size === 0 || (families.size === 1 && families.has('vendor defaults') && !provider.rules && overridden.length === 0)) return null;
  const parts = [`rule families: ${[...families].map(([name, count]) => `${name} ×${count}`).join(', ')}`];
  if (provider.rules) parts.push('provider YAML rules');
  if (overridden.length > 0) parts.push(`model YAML rules: ${overridden.join(', ')}`);
  return parts.join('; ');
};

const checkConfig = (configDir: string) => {
  const config = loadConfig(configDir);
  const env = process.env;
  console.log(`config: ${config.configDir}`);
  console.log(`providers: ${config.providers.length}, models: ${config.models.length}`);
  for (const provider of config.providers) {
    const count = config.models.filter((m) => m.provider === provider.name).length;
    const key = provider.apiKeyEnv ? (env[provider.apiKeyEnv] ? 'key set' : `needs ${provider.apiKeyEnv}`) : 'no key variable';
    const models = `${String(count).padStart(3)} ${count === 1 ? 'model ' : 'models'}`;
    console.log(`  ${provider.name.padEnd(14)} ${provider.vendor.padEnd(12)} ${models}  ${provider.needsKey ? key : 'no key needed'}`);
    const rules = rulesSummary(provider, config.models);
    if (rules) console.log(`${' '.repeat(17)}${rules}`);
  }
  for (const warning of config.warnings) console.log(`warning: ${warning}`);
  for (const provider of config.providers) {
    for (const variable of provider.apiKeyEnvs ?? (provider.apiKeyEnv ? [provider.apiKeyEnv] : [])) {
      const key = env[variable];
      const hint = key ? keyShapeHint(provider.vendor, variable, key) : null;
      if (hint) console.log(`warning: ${provider.name}: ${hint}`);
    }
  }
  console.log('configuration OK');
};

const main = async () => {
  loadDotenvFile();
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  const overrides = {
    ...(args.configDir ? { configDir: args.configDir } : {}),
    ...(args.host ? { host: args.host } : {}),
    ...(args.port !== undefined ? { port: args.port } : {}),
  };
  const settings = readRuntimeSettings(process.env, overrides);
  if (args.command === 'version') return console.log(version);
  if (args.command === 'help') return console.log(usage);
  if (args.command === 'check-config') {
    try {
      checkConfig(settings.configDir);
    } catch (error) {
      console.error(error instanceof ConfigError ? `configuration error:\n${error.message}` : String(error));
      process.exit(1);
    }
    return;
  }
  if (args.command !== 'serve') {
    console.error(`unknown command ${args.command}\n${usage}`);
    process.exit(2);
  }
  try {
    assertSafeBinding(settings.host, settings.masterKey);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  // Demo mode is one process: each worker would start a simulator of its own.
  const workers = args.demo ? 1 : (args.workers ?? Number(process.env.GATEWAY_WORKERS ?? 1));
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers, settings.platformName);
  let gateway: GatewayApp;
  const notices: string[] = [];
  try {
    if (args.demo) {
      // Loaded only here: a normal start never loads the simulator or the demo providers.
      const { startDemo } = await import('./demo/start-demo.js');
      const demo = await startDemo({ settings });
      gateway = demo.gateway;
      notices.push(...demo.notices);
      if ((args.workers ?? 1) > 1) notices.push('--workers is ignored in demo mode (one process)');
    } else gateway = await buildApp({ settings });
  } catch (error) {
    console.error(error instanceof ConfigError ? `configuration error:\n${error.message}` : error);
    process.exit(1);
  }
  for (const warning of gateway.ctx.config.warnings) gateway.ctx.logger.warn(warning);
  for (const notice of notices) gateway.ctx.logger.warn(notice);
  if (!gateway.ctx.settings.masterKey) {
    gateway.ctx.logger.warn('GATEWAY_MASTER_KEY is not set: serving without authentication on loopback only');
  }
  installGracefulShutdown(gateway, { drainTimeoutMs: Number(process.env.GATEWAY_DRAIN_TIMEOUT_MS ?? 30_000) });
  await gateway.app.listen({ host: settings.host, port: settings.port });
  // Serving: the young generation may grow once requests make the process allocate fast.
  startupYoungGeneration.watch();
  if (cluster.isWorker) return;
  // The bound port, not the asked one: `--port 0` picks a free port.
  const address = gateway.app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const base = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  console.log(`${settings.platformName} ${version}${args.demo ? '  [demo mode: Demo (simulator) · 演示（模拟器）]' : ''}`);
  console.log(`  API:    ${base}/v1  (seed paths: ${base}/api/v1)`);
  console.log(`  Docs:   ${base}/docs  and  ${base}/redoc`);
  console.log(`  Admin:  ${base}/admin`);
  if (args.demo) printDemoHelp(base, gateway.ctx.settings, settings.masterKey);
};

/** What to try first; the same commands as the README's demo section. */
const printDemoHelp = (base: string, demo: RuntimeSettings, ownMasterKey: string | null) => {
  // Never print the operator's own key; the demo key (DEMO_KEY) is public.
  const key = ownMasterKey ? '$GATEWAY_MASTER_KEY' : demo.masterKey;
  const password = demo.adminPassword ? 'ADMIN_PASSWORD' : ownMasterKey ? 'GATEWAY_MASTER_KEY' : demo.masterKey;
  console.log(`  Demo:   models demo-chat (chat, stream, tools, images), demo-mini, demo-embedding, demo-claude (Anthropic protocol); no vendor key`);
  console.log(`          API key: ${key}   console password: ${password}`);
  console.log(`          data in ${demo.dataDir} (delete it to start over)`);
  console.log(`  Try:    curl ${base}/v1/chat/completions -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\`);
  console.log(`            -d '{"model":"demo-chat","messages":[{"role":"user","content":"Hello"}]}'`);
};

/**
 * `--workers N`: N processes share the port (node:cluster) and the database; each polls
 * the state version, so a change made through one worker reaches the others within 1 s.
 */
const runPrimary = (workers: number, name: string) => {
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting a new one`);
    cluster.fork();
  });
  let announced = false;
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    console.log(`${name} ${version}: ${workers} workers on http://${address.address ?? '127.0.0.1'}:${address.port} (API /v1, docs /docs, admin /admin)`);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
