import { startSimulator } from './simulator-server.js';

const port = Number.parseInt(process.env.SIMULATOR_PORT ?? '8100', 10);
const host = process.env.SIMULATOR_HOST ?? '127.0.0.1';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`Invalid SIMULATOR_PORT: ${process.env.SIMULATOR_PORT}\n`);
  process.exit(1);
}

const simulator = await startSimulator({ host, port });
process.stdout.write(`Provider simulator listening on ${simulator.url}\n`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`Received ${signal}, closing simulator.\n`);
  simulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`Simulator close failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
