import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../config/env.js';
import { buildApp, type GatewayApp } from '../server/app.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { buildDemoConfig } from './demo-config.js';

export interface DemoGateway {
  gateway: GatewayApp;
  simulator: Simulator;
  /** What demo mode changed from the given settings, for the startup output. */
  notices: string[];
}

/**
 * The API key and console password of a demo started without GATEWAY_MASTER_KEY. Public on
 * purpose (the README's examples use it); the CLI checks the binding before it is applied,
 * so a demo without a real master key still listens on loopback only.
 */
export const DEMO_KEY = 'sk-demo';

/**
 * Demo settings: a data folder of its own (`<data dir>/demo`) and embedded storage, so a
 * demo never writes into the real database, keys or usage, whatever `.env` says. A key is
 * always required, as SDKs send one anyway: the master key, else DEMO_KEY.
 */
export const demoSettings = (settings: RuntimeSettings): { settings: RuntimeSettings; notices: string[] } => {
  const notices: string[] = [];
  if (settings.databaseUrl) notices.push('DATABASE_URL is ignored in demo mode (SQLite in the demo data folder instead)');
  if (settings.redisUrl) notices.push('REDIS_URL is ignored in demo mode');
  return {
    settings: {
      ...settings,
      dataDir: join(settings.dataDir, 'demo'),
      databaseUrl: null,
      databaseSchema: null,
      redisUrl: null,
      masterKey: settings.masterKey ?? DEMO_KEY,
      demo: true,
    },
    notices,
  };
};

export interface StartDemoOptions {
  settings: RuntimeSettings;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/**
 * What `sk-llm-gateway serve --demo` runs: the provider simulator on a free loopback port
 * in this process, and the gateway configured with only the demo providers in front of it.
 * The returned gateway's close() stops the simulator too. The caller listens.
 */
export const startDemo = async (options: StartDemoOptions): Promise<DemoGateway> => {
  const { settings, notices } = demoSettings(options.settings);
  // Recording is for tests; a long-running demo must not keep every request in memory.
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, recordLimit: 0 });
  let gateway: GatewayApp;
  try {
    gateway = await buildApp({
      settings,
      config: buildDemoConfig(simulator.url),
      ...(options.env ? { env: options.env } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (error) {
    await simulator.close();
    throw error;
  }
  const closeGateway = gateway.close;
  gateway.close = async () => {
    await closeGateway();
    await simulator.close();
  };
  return { gateway, simulator, notices };
};
