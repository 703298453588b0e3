// `npm start` and `npm run demo`: build what is missing or stale (server TypeScript, admin UI),
// then run the CLI with the given arguments (`serve --demo` for the demo).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const newestMtime = (dir) => {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') newest = Math.max(newest, newestMtime(path));
    } else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
};
const stale = (output, sourceDir) => !existsSync(output) || statSync(output).mtimeMs < newestMtime(sourceDir);
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

if (stale(join(root, 'dist/cli.js'), join(root, 'src'))) {
  console.log('building the server (tsc)…');
  run([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}
const adminSource = join(root, 'admin-ui/src');
if (existsSync(adminSource) && stale(join(root, 'admin-ui/dist/index.html'), adminSource)) {
  console.log('building the admin console (vite)…');
  run([join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'admin-ui/vite.config.ts', '--logLevel', 'warn']);
}

const child = spawn(process.execPath, [join(root, 'dist/cli.js'), ...process.argv.slice(2)], { cwd: process.cwd(), stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
