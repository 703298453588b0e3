import { join } from 'node:path';
import { spawnManaged } from '../system/children.js';
import { freePort, waitForHttp } from '../system/ports.js';
import { UPSTREAM_KEY } from './workload.js';
import type { TargetContext, TargetStart } from './target.js';

/**
 * A bare node:http + undici proxy (bench/targets/node-floor-server.mjs): what any Node gateway
 * pays for the hop before doing any work of its own, measured beside nginx and the gateway.
 */
export const startNodeFloor = async (context: TargetContext): Promise<TargetStart> => {
  const port = await freePort();
  const script = join(context.root, 'bench/targets/node-floor-server.mjs');
  const launch = context.wrap ? context.wrap(process.execPath, [script, context.upstreamUrl, String(port)]) : { command: process.execPath, args: [script, context.upstreamUrl, String(port)] };
  const child = spawnManaged('node-floor', launch.command, launch.args, {
    cpu: context.cpu,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
    // undici resolves from the repository's node_modules.
    cwd: context.root,
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/openai/v1/models`, context.startTimeoutMs ?? 10_000, child.isRunning, context.wrap ? 60_000 : 1000);
  } catch (error) {
    await child.stop();
    return { status: 'skipped', name: 'node-floor', reason: `node-floor did not start: ${(error as Error).message} ${child.outputTail()}` };
  }
  return {
    status: 'ok',
    target: {
      name: 'node-floor',
      origin,
      chatPath: '/openai/v1/chat/completions',
      headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
      pid: child.pid,
      version: process.version,
      notes: ['bare node:http server + undici Agent (the gateway pool settings), no framework, no auth, no accounting'],
      stop: () => child.stop(),
    },
  };
};
