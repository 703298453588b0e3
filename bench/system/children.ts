import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

/**
 * Every process the bench starts goes through here so one place can stop them all:
 * at the end, on an error, on SIGINT/SIGTERM, and (as a last resort) on exit.
 */

export interface ManagedChild {
  name: string;
  pid: number;
  process: ChildProcess;
  /** Last few KB of stderr (and stdout when captured), for error messages. */
  outputTail(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  stop(timeoutMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pin to this CPU (or taskset list, e.g. "0-1") with taskset (when pinning is enabled). */
  cpu?: CpuChoice;
  /** Keep stdin as a pipe (the simulator exits when it closes). */
  stdinPipe?: boolean;
  /** Collect stdout into the tail as well instead of discarding it. */
  captureStdout?: boolean;
  /** Called with each stdout chunk (implies a stdout pipe). */
  onStdout?: (text: string) => void;
  stopSignal?: NodeJS.Signals;
}

/**
 * A core, or a taskset CPU list such as "0-1". A list matters because affinity is inherited:
 * once the bench pins itself to the load core, a child started without taskset runs there too,
 * so an unpinned phase has to hand its children every core explicitly.
 */
export type CpuChoice = number | string | null;

const TAIL_BYTES = 4096;
const children = new Set<ManagedChild>();
let pinningEnabled = true;

export const setPinning = (enabled: boolean): void => {
  pinningEnabled = enabled;
};

export const isPinningEnabled = (): boolean => pinningEnabled;

export const spawnManaged = (name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedChild => {
  const pinned = pinningEnabled && options.cpu !== undefined && options.cpu !== null;
  // taskset execs the command, so the pid we get is the pid of the measured process itself.
  const file = pinned ? 'taskset' : command;
  const argv = pinned ? ['-c', String(options.cpu), command, ...args] : args;
  const wantStdout = Boolean(options.captureStdout || options.onStdout);
  const stdio: StdioOptions = [options.stdinPipe ? 'pipe' : 'ignore', wantStdout ? 'pipe' : 'ignore', 'pipe'];
  const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${file})`);
  let tail = '';
  const append = (text: string): void => {
    tail = (tail + text).slice(-TAIL_BYTES);
  };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', append);
  if (wantStdout) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      if (options.captureStdout) append(text);
      options.onStdout?.(text);
    });
  }
  child.stdin?.on('error', () => undefined);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      append(`\n${error.message}`);
      running = false;
      resolve({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const managed: ManagedChild = {
    name,
    pid: child.pid,
    process: child,
    outputTail: () => tail.trim(),
    exited,
    isRunning: () => running,
    stop: async (timeoutMs = 3000) => {
      if (running) {
        child.stdin?.end();
        child.kill(options.stopSignal ?? 'SIGTERM');
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout' && running) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      children.delete(managed);
    },
  };
  children.add(managed);
  exited.then(() => {
    if (!managed.isRunning()) children.delete(managed);
  });
  return managed;
};

export const stopAllChildren = async (): Promise<void> => {
  await Promise.all([...children].map((child) => child.stop().catch(() => undefined)));
};

let installed = false;
const exitCleanups: Array<() => void> = [];

/** Synchronous work for process exit, whatever the reason (temp directories). */
export const onExit = (cleanup: () => void): void => {
  exitCleanups.push(cleanup);
};
let stopping = false;

/** True once an interrupt or fatal error has started tearing everything down. */
export const isStopping = (): boolean => stopping;

/** SIGINT/SIGTERM/uncaught errors stop every child before the bench exits. */
export const installCleanupHandlers = (): void => {
  if (installed) return;
  installed = true;
  const bail = (code: number, message?: string) => {
    // npm forwards Ctrl-C and the terminal sends it to the whole group too: act (and speak) once.
    if (stopping) return;
    stopping = true;
    if (message) process.stderr.write(`${message}\n`);
    const force = setTimeout(() => process.exit(code), 8000);
    force.unref();
    stopAllChildren().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => bail(130, '\nbench: interrupted, stopping child processes…'));
  process.on('SIGTERM', () => bail(143, 'bench: terminated, stopping child processes…'));
  process.on('uncaughtException', (error) => bail(1, `bench: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => bail(1, `bench: unhandled rejection: ${String((error as Error)?.stack ?? error)}`));
  // Synchronous last resort: anything still alive when we exit gets SIGKILL, then temp files go.
  process.on('exit', () => {
    for (const child of children) {
      if (child.isRunning()) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const cleanup of exitCleanups) {
      try {
        cleanup();
      } catch {
        // best effort
      }
    }
  });
};
