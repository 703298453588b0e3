#!/usr/bin/env node
import cluster from 'node:cluster';
import { loadDotenvFile, readRuntimeSettings } from './config/env.js';
import { loadConfig } from './config/load-config.js';
import { ConfigError } from './config/yaml-source.js';
import { buildApp } from './server/app.js';
import { assertSafeBinding, installGracefulShutdown } from './server/lifecycle.js';
import { version } from './server/version.js';

const usage = `Usage: sk-llm-gateway [serve|check-config|version] [--config-dir DIR] [--host HOST] [--port PORT]

  serve          run the gateway (default)
  check-config   validate the configuration, print a summary, exit non-zero on errors
  version        print the version`;

interface CliArgs {
  command: string;
  configDir?: string;
  host?: string;
  port?: number;
  workers?: number;
}

export const parseArgs = (argv: string[]): CliArgs => {
  const args: CliArgs = { command: 'serve' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--config-dir') args.configDir = next();
    else if (arg.startsWith('--config-dir=')) args.configDir = arg.slice(13);
    else if (arg === '--host') args.host = next();
    else if (arg === '--port') args.port = Number(next());
    else if (arg === '--workers') args.workers = Number(next());
    else if (arg === '--help' || arg === '-h') args.command = 'help';
    else if (!arg.startsWith('-')) args.command = arg;
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
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
  }
  for (const warning of config.warnings) console.log(`warning: ${warning}`);
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
  const workers = args.workers ?? Number(process.env.GATEWAY_WORKERS ?? 1);
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers, settings.platformName);
  let gateway;
  try {
    gateway = await buildApp({ settings });
  } catch (error) {
    console.error(error instanceof ConfigError ? `configuration error:\n${error.message}` : error);
    process.exit(1);
  }
  for (const warning of gateway.ctx.config.warnings) gateway.ctx.logger.warn(warning);
  if (!settings.masterKey) {
    gateway.ctx.logger.warn('GATEWAY_MASTER_KEY is not set: serving without authentication on loopback only');
  }
  installGracefulShutdown(gateway, { drainTimeoutMs: Number(process.env.GATEWAY_DRAIN_TIMEOUT_MS ?? 30_000) });
  await gateway.app.listen({ host: settings.host, port: settings.port });
  if (cluster.isWorker) return;
  const base = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.port}`;
  console.log(`${settings.platformName} ${version}`);
  console.log(`  API:    ${base}/v1  (seed paths: ${base}/api/v1)`);
  console.log(`  Docs:   ${base}/docs  and  ${base}/redoc`);
  console.log(`  Admin:  ${base}/admin`);
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
