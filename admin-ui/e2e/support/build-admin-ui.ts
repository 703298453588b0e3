import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const adminRoot = join(repoRoot, 'admin-ui');
const dist = join(adminRoot, 'dist');
const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((name) => join(adminRoot, name));

const newestMtime = (path: string): number => {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
};

const isStale = () => {
  const index = join(dist, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < Math.max(...sources.map(newestMtime));
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Test files run in parallel processes: one builds, the others wait for it (mkdir is atomic). */
const withLock = async <T>(run: () => T): Promise<T> => {
  const lock = join(tmpdir(), `skgw-admin-ui-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed run must not block forever.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the admin UI build lock ${lock}`);
      await sleep(200);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
};

/**
 * The gateway serves admin-ui/dist (read when the app is built), so the SPA must be built, and
 * not older than its sources, before a harness starts. The build goes to a side folder that
 * replaces dist in one rename, so a server already serving dist sees a complete build either way.
 */
export const ensureAdminUiBuilt = async (): Promise<void> => {
  if (!isStale()) return;
  await withLock(() => {
    if (!isStale()) return;
    const out = join(adminRoot, `.dist-e2e-${process.pid}`);
    try {
      const result = spawnSync(
        process.execPath,
        [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'admin-ui/vite.config.ts', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'],
        // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
        { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } },
      );
      if (result.status !== 0) throw new Error(`admin UI build failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
      const old = join(adminRoot, `.dist-old-${process.pid}`);
      if (existsSync(dist)) renameSync(dist, old);
      renameSync(out, dist);
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
};
