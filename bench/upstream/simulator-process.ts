// The mock upstream as its own process, so it can be pinned to a core apart from the system under test.
// Prints one JSON line {"url": ...} on stdout once listening; exits on SIGTERM/SIGINT or when stdin closes.
import { startSimulator } from '../../src/simulator/index.js';
import { SIMULATOR_RULES } from '../targets/workload.js';

// recordLimit 0: no per-request bookkeeping, so the upstream costs the same for every target.
const simulator = await startSimulator({ host: '127.0.0.1', port: 0, recordLimit: 0 });
for (const rule of SIMULATOR_RULES) simulator.addRule(rule);
process.stdout.write(`${JSON.stringify({ url: simulator.url, pid: process.pid })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref();
  simulator.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench holds our stdin open; if it dies without cleaning up, we follow.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
