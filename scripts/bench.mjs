// `npm run bench [-- --quick ...]`: runs bench/run-bench.ts through tsx, forwarding arguments and signals.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run-bench.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// The bench stops its own children on SIGINT/SIGTERM; we only pass the signal on and wait.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
