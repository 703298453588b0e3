import { join } from 'node:path';
import { spawnManaged, type CpuChoice, type ManagedChild } from '../system/children.js';

export interface Upstream {
  url: string;
  pid: number;
  child: ManagedChild;
}

/** Starts the provider simulator (recordLimit 0) as a child process on the load-generator core. */
export const startUpstream = async (root: string, cpu: CpuChoice): Promise<Upstream> => {
  let buffered = '';
  let resolveUrl: (url: string) => void = () => undefined;
  const urlPromise = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  const child = spawnManaged('simulator', process.execPath, ['--import', 'tsx', join(root, 'bench/upstream/simulator-process.ts')], {
    cwd: root,
    cpu,
    stdinPipe: true,
    env: { ...process.env, NODE_ENV: 'production' },
    onStdout: (text) => {
      buffered += text;
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) {
        try {
          resolveUrl((JSON.parse(line) as { url: string }).url);
        } catch {
          // not our line; keep waiting
        }
      }
    },
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`simulator did not start in 15 s: ${child.outputTail()}`)), 15_000).unref(),
  );
  const exited = child.exited.then(({ code }) => {
    throw new Error(`simulator exited (${code}) before listening: ${child.outputTail()}`);
  });
  // Both losers of the race settle later (the exit at shutdown): keep them from counting as unhandled.
  exited.catch(() => undefined);
  timeout.catch(() => undefined);
  const url = await Promise.race([urlPromise, timeout, exited]);
  return { url, pid: child.pid, child };
};
