import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged } from '../system/children.js';
import { freePort, waitForHttp } from '../system/ports.js';
import { verifyChatEndpoint } from './verify-target.js';
import { UPSTREAM_KEY } from './workload.js';
import type { TargetContext, TargetStart } from './target.js';

const PACKAGE = '@portkey-ai/gateway';

export const startPortkey = async (context: TargetContext): Promise<TargetStart> => {
  const packageDir = join(context.root, 'node_modules', PACKAGE);
  if (!existsSync(join(packageDir, 'package.json'))) {
    return { status: 'skipped', name: 'portkey', reason: `${PACKAGE} is not installed (npm install -D ${PACKAGE})` };
  }
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string; bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (!bin) return { status: 'skipped', name: 'portkey', reason: `${PACKAGE} ${manifest.version} has no start script` };
  const port = await freePort();
  const child = spawnManaged(
    'portkey',
    process.execPath,
    ['--import', join(context.root, 'bench/targets/loopback-only.mjs'), join(packageDir, bin), `--port=${port}`, '--headless'],
    // production: no log UI, no console log stream; the same settings someone would deploy with.
    { cpu: context.cpu, env: { ...process.env, NODE_ENV: 'production' }, cwd: context.workDir },
  );
  const origin = `http://127.0.0.1:${port}`;
  const headers = {
    authorization: `Bearer ${UPSTREAM_KEY}`,
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${context.upstreamUrl}/openai/v1`,
  };
  try {
    await waitForHttp(origin, 15_000, child.isRunning);
    const problem = await verifyChatEndpoint(`${origin}/v1/chat/completions`, headers);
    if (problem) throw new Error(problem);
  } catch (error) {
    const tail = child.outputTail().split('\n').slice(-3).join(' ');
    await child.stop();
    return { status: 'skipped', name: 'portkey', reason: `${PACKAGE} ${manifest.version}: ${(error as Error).message}${tail ? ` (${tail})` : ''}` };
  }
  return {
    status: 'ok',
    target: {
      name: 'portkey',
      origin,
      chatPath: '/v1/chat/completions',
      headers,
      pid: child.pid,
      version: manifest.version,
      notes: ['NODE_ENV=production --headless, x-portkey-custom-host → simulator'],
      stop: () => child.stop(),
    },
  };
};
